"""The Rego rules themselves: opa fmt, opa check --strict --schema, opa test with coverage >= 90 %."""

from __future__ import annotations

import json
import subprocess

import pytest

from govcloud.policy import paths
from govcloud.policy.catalogue import rego_rules
from tests.policy.conftest import opa_binary

pytestmark = pytest.mark.engine
REGO = str(paths.REGO_ROOT)


def _opa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(opa_binary()), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_opa_fmt_is_clean() -> None:
    proc = _opa("fmt", "--list", REGO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"run `opa fmt -w policies/govcloud`: {proc.stdout}"


def test_opa_check_strict() -> None:
    """Typed against the input schema generated from the contracts (policies/schemas/check-input.json)."""
    proc = _opa("check", "--strict", "--schema", str(paths.POLICIES / "schemas" / "check-input.json"), REGO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_opa_test_passes_with_coverage() -> None:
    proc = _opa("test", "--coverage", "--format", "json", REGO)
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr
    assert report["coverage"] >= 90.0, report["coverage"]


def test_every_rule_has_a_failing_and_a_passing_test() -> None:
    tests = "\n".join(p.read_text(encoding="utf-8") for p in paths.REGO_ROOT.rglob("*_test.rego"))
    for rule_id in rego_rules():
        assert f'"{rule_id}"' in tests, f"{rule_id} has no Rego test"
    proc = _opa("test", "--format", "json", REGO)
    names = {t["name"] for t in json.loads(proc.stdout)}
    assert sum(n.startswith("test_fail_") for n in names) >= len(rego_rules())
    assert sum(n.startswith("test_success_") for n in names) >= len(rego_rules())
