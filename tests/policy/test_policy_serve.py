"""`govcloud policy serve`: OPA as a shared service with decision logging, used via --opa-url."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from govcloud.policy.opa_server import free_port
from govcloud.toolchain.versions import REPO_ROOT
from tests.policy.conftest import PLAN_BAD, gate_args

pytestmark = pytest.mark.engine


def test_serve_logs_decisions_and_serves_the_gate(cli: Any, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "decisions.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "govcloud",
            "policy",
            "serve",
            "--addr",
            f"127.0.0.1:{port}",
            "--decision-log",
            str(log),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "policy serve did not become healthy"
            time.sleep(0.1)
        res = cli(*gate_args(url, "--plan", str(PLAN_BAD)))
        assert res.exit_code == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "/v1/data/govcloud/main/decision" in out
    entries = [
        json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")
    ]
    decisions = [e for e in entries if e.get("decision_id")]
    assert decisions and decisions[-1]["path"] == "govcloud/main/decision"
    assert decisions[-1]["input"]["schema"] == "govcloud.check-input/v1"
    with pytest.raises(requests.ConnectionError):  # OPA stopped with the command: nothing left behind
        requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
