"""`govcloud check` against a real OPA server: exit codes, inputs, unknown kinds, evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.policy.conftest import (
    FIXTURES,
    MANIFESTS_BAD,
    MANIFESTS_GOOD,
    NO_WAIVERS,
    PLAN_BAD,
    PLAN_GOOD,
    gate_args,
)

pytestmark = pytest.mark.engine


def test_clean_change_exits_0(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--plan", str(PLAN_GOOD), "--manifests", str(MANIFESTS_GOOD)))
    assert res.exit_code == 0, res.stderr
    report = res.json()
    assert report["summary"]["fail"] == 0
    assert report["summary"]["pass"] > 50


def test_violating_change_exits_1_and_names_clauses(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--plan", str(PLAN_BAD), "--manifests", str(MANIFESTS_BAD)))
    assert res.exit_code == 1
    report = res.json()
    blocking = {(f["rule_id"], f["clause"]) for f in report["findings"] if f["blocking"]}
    assert ("DJCP-BND-002", "8.1.3.2.a") in blocking
    assert ("DJCP-CLD-001", "8.2.2.1.a") in blocking
    assert ("DJCP-NET-006", "8.1.2.1.d") in blocking
    for f in report["findings"]:
        assert set(f) >= {"rule_id", "clause", "severity", "status", "resource", "message", "source"}
        assert set(f["message"]) == {"zh", "en"}
        assert set(f["resource"]) >= {"kind", "namespace", "name", "path"}


def test_unknown_kind_is_reported_not_a_crash(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--manifests", str(MANIFESTS_BAD), fmt="text"))
    assert res.exit_code == 1
    assert "Not evaluated: 1 object(s) of kinds no rule covers: FooBar" in res.stdout


def test_malformed_yaml_exits_2_with_file_and_line(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--manifests", str(FIXTURES / "bad_yaml")))
    assert res.exit_code == 2
    assert "broken.yaml: line 12" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_no_input_is_a_usage_error(cli: Any, opa_url: str) -> None:
    res = cli("check", "--opa-url", opa_url, "--no-checkov")
    assert res.exit_code == 2
    assert "--stack, --plan, --preview-json or --manifests" in res.stderr


def test_bad_level_is_a_usage_error(cli: Any) -> None:
    res = cli("check", "--plan", str(PLAN_GOOD), "--level", "5")
    assert res.exit_code == 2


def test_level_2_drops_level_3_only_rules(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--plan", str(PLAN_BAD), "--level", "2"))
    ids = {f["rule_id"] for f in res.json()["findings"]}
    assert "DJCP-DR-001" not in ids
    assert "DJCP-CLD-001" in ids


def test_preview_json_input(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--preview-json", str(FIXTURES / "preview" / "preview.json")))
    assert res.exit_code == 1
    failing = {(f["rule_id"], f["resource"]["name"]) for f in res.json()["findings"] if f["status"] == "fail"}
    assert ("DJCP-K8S-003", "web-1a2b3c") in failing
    assert ("DJCP-K8S-002", "legacy") in failing


def test_stack_reads_evidence_plan_and_writes_findings(
    cli: Any, opa_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_ROOT", str(tmp_path))
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "plan.json").write_text(PLAN_GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    res = cli(*gate_args(opa_url, "--stack", "lab"))
    assert res.exit_code == 0, res.stderr
    written = json.loads((tmp_path / "lab" / "findings.json").read_text(encoding="utf-8"))
    assert written["schema"] == "govcloud.findings/v1"
    assert written["inputs"]["stack"] == "lab"


def test_stack_without_plan_is_a_clear_error(
    cli: Any, opa_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVCLOUD_EVIDENCE_ROOT", str(tmp_path))
    res = cli(*gate_args(opa_url, "--stack", "nowhere"))
    assert res.exit_code == 2
    assert "nowhere" in res.stderr


def test_default_path_starts_and_stops_its_own_opa(cli: Any, tmp_path: Path) -> None:
    """Without --opa-url the gate starts OPA on a free loopback port, queries once and stops it."""
    out = tmp_path / "f.json"
    res = cli(
        "check",
        "--plan",
        str(PLAN_BAD),
        "--no-checkov",
        "--waivers",
        str(NO_WAIVERS),
        "--format",
        "json",
        "--out",
        str(out),
    )
    assert res.exit_code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["policy_revision"]
    assert report["summary"]["blocking"] > 0
