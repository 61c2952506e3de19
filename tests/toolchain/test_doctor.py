"""`govcloud doctor`: all OK here, and a clear message (no traceback) on a broken environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from govcloud.toolchain import versions as v
from tests.support import run_govcloud


def _doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_govcloud("doctor", *args, env=env, timeout=300, cwd=v.REPO_ROOT)


def test_doctor_reports_all_required_components_ok() -> None:
    proc = _doctor(dict(os.environ), "--json")
    report = json.loads(proc.stdout)
    missing = [c["name"] for c in report["checks"] if c["required"] and not c["ok"]]
    assert proc.returncode == 0 and report["ok"], f"missing: {missing}"
    names = {c["name"] for c in report["checks"]}
    assert {
        "opa",
        "pulumi",
        "pulumi-language-python",
        "pulumi-resource-kubernetes",
        "checkov",
        "ansible-playbook",
        "debootstrap",
        "nft",
        "ip",
    } <= names


def test_doctor_broken_environment_names_the_fix(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["GOVCLOUD_CACHE"] = str(tmp_path / "empty-cache")  # no built tools
    env["PATH"] = "/usr/bin:/bin"  # no opa, no pulumi on PATH
    proc = _doctor(env)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert "make toolchain" in out
    assert "MISSING" in out

    proc = _doctor(env, "--json")
    report = json.loads(proc.stdout)
    by_name = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is False
    assert by_name["opa"]["ok"] is False and by_name["opa"]["fix"] == "make toolchain ONLY=opa"
    assert by_name["pulumi"]["ok"] is False
