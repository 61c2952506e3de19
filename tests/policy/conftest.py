"""Fixtures of the policy-gate tests: one real OPA server for the whole session, fixture paths,
and a CLI runner. A missing OPA or checkov fails the test with instructions; nothing is skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.policy.opa_server import OpaServer
from govcloud.toolchain import env

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
PLAN_GOOD = FIXTURES / "plan_good.json"
PLAN_BAD = FIXTURES / "plan_bad.json"
MANIFESTS_GOOD = FIXTURES / "manifests_good"
MANIFESTS_BAD = FIXTURES / "manifests_bad"
NO_WAIVERS = FIXTURES / "waivers" / "none.yaml"


def opa_binary() -> Path:
    try:
        return env.tool_path("opa")
    except env.ToolMissingError as exc:
        pytest.fail(f"OPA is required for the policy tests: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def opa_url() -> Iterator[str]:
    """One `opa run --server` with the govcloud bundle, shared by the whole session."""
    opa_binary()
    server = OpaServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str) -> CliResult:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> Any:
    return run_cli


def gate_args(opa_url: str, *inputs: str, fmt: str = "json") -> list[str]:
    """check arguments against the session OPA, without checkov, with the empty waiver file."""
    return [
        "check",
        *inputs,
        "--opa-url",
        opa_url,
        "--no-checkov",
        "--waivers",
        str(NO_WAIVERS),
        "--format",
        fmt,
    ]
