"""The real OPA engine evaluates and tests a trivial policy."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.toolchain.conftest import FIXTURES

POLICY = FIXTURES / "opa-smoke"


def _opa(opa: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(opa), *args], input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


def test_opa_version_is_pinned(opa: Path) -> None:
    proc = _opa(opa, "version")
    assert proc.returncode == 0, proc.stderr
    assert "Version: 1.22.3" in proc.stdout


def _deny(opa: Path, doc: dict[str, object]) -> list[str]:
    """`opa eval` of the smoke policy's deny set for one input document."""
    proc = _opa(
        opa,
        "eval",
        "--format",
        "json",
        "--stdin-input",
        "-d",
        str(POLICY),
        "data.govcloud.smoke.deny",
        stdin=json.dumps(doc),
    )
    assert proc.returncode == 0, proc.stderr
    value: list[str] = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    return value


def test_opa_eval_denies_unlabelled_namespace(opa: Path) -> None:
    doc = {"kind": "Namespace", "metadata": {"name": "tenant-a"}}
    assert _deny(opa, doc) == ["namespace tenant-a has no level label"]


def test_opa_eval_allows_labelled_namespace(opa: Path) -> None:
    doc = {"kind": "Namespace", "metadata": {"name": "t", "labels": {"govcloud.io/level": "3"}}}
    assert _deny(opa, doc) == []


def test_opa_test_runs_policy_tests(opa: Path) -> None:
    proc = _opa(opa, "test", "--format", "json", str(POLICY))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(proc.stdout)
    assert {r["name"] for r in results} == {
        "test_unlabelled_namespace_denied",
        "test_labelled_namespace_allowed",
    }
    assert all(not r.get("fail") for r in results)
