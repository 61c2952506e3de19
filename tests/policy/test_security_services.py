"""The security-service rules (DJCP-SVC-001..005, issue 9) through the real gate: the lab stack passes,
the bad fixture names every new rule with its clause, and single breaks of the lab plan are caught."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcloud.plan import load_plan
from govcloud.policy import paths
from tests.policy.conftest import PLAN_BAD, gate_args

pytestmark = pytest.mark.engine

NEW_RULES = {
    "DJCP-SVC-001": "8.2.2.1.c",
    "DJCP-SVC-002": "8.1.4.4.c",
    "DJCP-SVC-003": "8.1.3.3.a",
    "DJCP-SVC-004": "8.1.3.2.e",
    "DJCP-SVC-005": "8.1.3.5.c",
}


def _lab_plan() -> dict[str, Any]:
    return load_plan(stack="lab").to_json()


def _check(cli: Any, opa_url: str, plan: dict[str, Any], tmp_path: Path, waivers: Path | None = None) -> Any:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    args = gate_args(opa_url, "--plan", str(path))
    if waivers is not None:
        args[args.index("--waivers") + 1] = str(waivers)
    return cli(*args)


def _failing(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["rule_id"], f["resource"]["name"]) for f in report["findings"] if f["status"] == "fail"}


def test_lab_plan_passes_every_security_service_rule(cli: Any, opa_url: str, tmp_path: Path) -> None:
    res = _check(cli, opa_url, _lab_plan(), tmp_path, paths.WAIVERS)
    assert res.exit_code == 0, res.stdout + res.stderr
    report = res.json()
    assert report["summary"]["blocking"] == 0 and report["summary"]["fail"] == 0
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        by_rule.setdefault(f["rule_id"], []).append(f)
    for rule, clause in NEW_RULES.items():
        assert by_rule.get(rule), rule
        assert all(f["status"] == "pass" and f["clause"] == clause for f in by_rule[rule]), rule
    # The authenticated NTP flows into the management zone pass the management-path rules.
    ntp = {f["id"] for f in _lab_plan()["flows"] if f["ports"] == [123]}
    for rule in ("DJCP-SMC-002", "DJCP-CLD-007", "DJCP-NET-002"):
        checked = {f["resource"]["name"] for f in by_rule[rule] if f["status"] == "pass"}
        assert ntp <= checked, (rule, ntp - checked)


def test_bad_plan_names_the_new_rules_and_clauses(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--plan", str(PLAN_BAD)))
    assert res.exit_code == 1
    blocking = {(f["rule_id"], f["clause"]) for f in res.json()["findings"] if f["blocking"]}
    assert set(NEW_RULES.items()) <= blocking


def test_single_breaks_of_the_lab_plan(cli: Any, opa_url: str, tmp_path: Path) -> None:
    plan = _lab_plan()
    ntp = next(f for f in plan["flows"] if f["id"] == "public-ntp-to-mgmt")
    ntp["authenticated"] = False
    plan["flows"].append(
        {**plan["flows"][0], "id": "public-ssh-gaj", "from": "public", "to": "dedicated-gaj", "ports": [22]}
    )
    plan["security_services"] = [
        s for s in plan["security_services"] if (s["centre"], s["kind"]) != ("dr", "ids")
    ]
    for s in plan["security_services"]:
        if s["kind"] == "ids":
            s["monitors"] = [b for b in s["monitors"] if b != "management-boundary"]
    plan["log_integrity"]["digests"] = ["sha256"]
    portal = next(s for s in plan["systems"] if s["id"] == "sjj-portal")
    portal["protections"] = ["log-audit"]
    res = _check(cli, opa_url, plan, tmp_path)
    assert res.exit_code == 1
    failing = _failing(res.json())
    assert {
        ("DJCP-SMC-002", "public-ntp-to-mgmt"),
        ("DJCP-CLD-007", "public-ntp-to-mgmt"),
        ("DJCP-SVC-002", "public-ssh-gaj"),
        ("DJCP-SVC-003", "dr"),
        ("DJCP-SVC-003", "prod"),
        ("DJCP-SVC-004", "sjj-portal"),
        ("DJCP-SVC-005", "log_integrity"),
        ("DJCP-SVC-001", "sjj-gxjh"),
    } <= failing
    messages = [f["message"]["en"] for f in res.json()["findings"] if f["status"] == "fail"]
    assert any("boundary management-boundary is not monitored" in m for m in messages)
    assert any("centre dr has no ids service" in m for m in messages)
    assert any("seal digests lack sm3" in m for m in messages)
