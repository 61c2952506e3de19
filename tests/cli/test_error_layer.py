"""The CLI's one error layer: named exit codes, no traceback ever, errors as data in JSON mode,
shared options settable from the environment."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from govcloud.cli.output import guard, machine_readable
from govcloud.contracts.base import ContractError
from govcloud.errors import ExitCode
from tests.support import run_govcloud

REPO = Path(__file__).resolve().parents[2]


def _govcloud(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_govcloud(*args, env=env, timeout=120)


def test_an_unexpected_exception_is_an_internal_error_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def boom() -> None:
        raise KeyError("surprise")

    assert guard(boom, ["check"]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "internal error" in err and "KeyError" in err and "GOVCLOUD_DEBUG=1" in err
    assert "Traceback" not in err


def test_a_govcloud_error_ends_with_its_code_and_json_in_json_mode(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def bad() -> None:
        raise ContractError("plan.json", ("zones", 2, "id"), "duplicate id")

    assert guard(bad, ["plan", "--json"]) == ExitCode.INPUT
    out = capsys.readouterr()
    assert "plan.json: zones[2].id: duplicate id" in out.err
    doc = json.loads(out.out)
    assert doc["schema"] == "govcloud.error/v1"
    assert doc["issues"] == [{"file": "plan.json", "path": "zones[2].id", "reason": "duplicate id"}]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--json"], True),
        (["--format", "json"], True),
        (["-f", "json"], True),
        (["--format=json"], True),
        (["--format", "sarif"], False),
        ([], False),
    ],
)
def test_machine_readable_mode(argv: list[str], expected: bool) -> None:
    assert machine_readable(argv) is expected


def test_ctrl_c_exits_130() -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    assert guard(interrupted, []) == 130


def test_stack_and_level_come_from_the_environment() -> None:
    env = dict(os.environ, GOVCLOUD_STACK="lab")
    proc = _govcloud("plan", "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["stack"] == "lab"
    proc = _govcloud("verify", env=dict(os.environ, GOVCLOUD_LEVEL="7"))
    assert proc.returncode == ExitCode.INPUT
    assert "GOVCLOUD_LEVEL" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["soc", "--since", "yesterday-ish"],
        ["ssh", "no-such-host", "--stack", "nolab", "--dry-run"],
        ["policy", "serve", "--addr", "nonsense"],
        ["inventory"],
        ["report", "verify", "/nonexistent/report"],
        ["logs", "verify", "--root", "/nonexistent"],
    ],
)
def test_bad_input_to_any_sub_command_is_exit_2_with_one_error_line(args: list[str]) -> None:
    proc = _govcloud(*args)
    assert proc.returncode == ExitCode.INPUT, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "error" in proc.stderr
