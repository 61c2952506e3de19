"""Fail closed: every way the engine can go wrong ends in EngineError / exit 2, never a pass."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from govcloud.policy import engine, inputs
from govcloud.policy.errors import EngineError
from govcloud.policy.opa_server import OpaServer, free_port
from tests.policy.conftest import PLAN_BAD, gate_args

pytestmark = pytest.mark.engine


def _input() -> dict[str, Any]:
    return inputs.build_input(3, inputs.load_plan_file(PLAN_BAD), [])


def _bundle(tmp_path: Path, rego: str) -> Path:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "p.rego").write_text(rego, encoding="utf-8")
    return tmp_path / "b"


def test_unreachable_server_exits_2(cli: Any) -> None:
    res = cli(*gate_args(f"http://127.0.0.1:{free_port()}", "--plan", str(PLAN_BAD)))
    assert res.exit_code == 2
    assert "unreachable" in res.stderr


def test_bad_opa_url_exits_2(cli: Any) -> None:
    res = cli(*gate_args("ftp://somewhere", "--plan", str(PLAN_BAD)))
    assert res.exit_code == 2
    assert "expected http(s)://host:port" in res.stderr


def test_opa_killed_mid_run() -> None:
    def kill(server: OpaServer | None) -> None:
        assert server is not None and server.process is not None
        server.process.kill()
        server.process.wait(timeout=10)

    with pytest.raises(EngineError, match="unreachable"):
        engine.evaluate(_input(), before_query=kill)


def test_bad_bundle_fails_to_start(tmp_path: Path) -> None:
    server = OpaServer(bundle_dir=_bundle(tmp_path, "package govcloud.main\n\ndecision := {\n"))
    with pytest.raises(EngineError, match="OPA failed to start") as err:
        server.start()
    assert "rego_parse_error" in str(err.value)
    assert server.process is None


def test_timeout_when_opa_hangs() -> None:
    with OpaServer() as server:
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            with pytest.raises(EngineError, match="did not answer within 1 s"):
                engine.query_decision(server.url, _input(), timeout=1.0)
        finally:
            os.kill(server.process.pid, signal.SIGCONT)


def test_unexpected_shape(tmp_path: Path) -> None:
    rego = (
        'package govcloud.main\n\ndecision := {"schema": "govcloud.decision/v2", "rules": {}, '
        '"findings": [{"rule_id": 1}]}\n'
    )
    with (
        OpaServer(bundle_dir=_bundle(tmp_path, rego)) as server,
        pytest.raises(EngineError, match=r"findings\[0\]\.rule_id"),
    ):
        engine.query_decision(server.url, _input())


def test_undefined_decision(tmp_path: Path) -> None:
    with (
        OpaServer(bundle_dir=_bundle(tmp_path, "package other\n\nx := 1\n")) as server,
        pytest.raises(EngineError, match="undefined"),
    ):
        engine.query_decision(server.url, _input())


def test_policy_runtime_error_is_an_engine_error(tmp_path: Path) -> None:
    # Two values for one key: an eval_conflict_error at evaluation time (HTTP 500 from OPA).
    rego = (
        "package govcloud.main\n\n"
        "decision := {p[0]: p[1] | some p in [[input.schema, 1], [input.schema, 2]]}\n"
    )
    with OpaServer(bundle_dir=_bundle(tmp_path, rego)) as server, pytest.raises(EngineError):
        engine.query_decision(server.url, _input())


def test_rejected_input(opa_url: str) -> None:
    doc = _input()
    doc["schema"] = "something/v0"
    with pytest.raises(EngineError, match="rejected the input"):
        engine.query_decision(opa_url, doc)
