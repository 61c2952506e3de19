"""The clause catalogue (contracts §6) and `govcloud catalogue`."""

from __future__ import annotations

from typing import Any

from govcloud.policy import catalogue as cat
from govcloud.policy.rego_inspect import RegoRule


def test_catalogue_is_complete_and_consistent() -> None:
    doc = cat.load_catalogue()
    assert cat.validate(doc, cat.rego_rules()) == []
    clauses = [i.clause for i in doc.items]
    # GB/T 28448 level-3 item counts: PES1 22, CNS1 8, ABS1 20, CES1 34, SMC1 12, cloud 37.
    assert len(clauses) == 133
    assert {"8.1.2.1.c", "8.1.3.2.a", "8.1.4.9.b", "8.1.5.4.d", "8.2.2.1.a", "8.2.5.1.b"} <= set(clauses)
    for item in doc.items:
        assert item.levels[3] == item.clause
        assert item.test_code is not None and item.test_code.startswith("L3-")


def test_validate_reports_unknown_rule_and_uncatalogued_rule() -> None:
    doc = cat.load_catalogue()
    doc.items[30].checks.rego = ["DJCP-XYZ-999"]
    new = RegoRule("DJCP-NEW-001", "policies/govcloud/checks/new.rego", 1, {"id": "DJCP-NEW-001"})
    problems = cat.validate(doc, {**cat.rego_rules(), "DJCP-NEW-001": new})
    assert any("DJCP-XYZ-999 does not exist" in p for p in problems)
    assert any("DJCP-NEW-001" in p and "not listed" in p for p in problems)


def test_catalogue_command(cli: Any) -> None:
    res = cli("catalogue", "--json")
    assert res.exit_code == 0
    data = res.json()
    assert data["total"]["items"] == 133
    assert data["problems"] == []
    fams = {f["family"]: f for f in data["families"]}
    assert fams["area-boundary"]["rego"] >= 7
    text = cli("catalogue")
    assert "8.1.3 安全区域边界 / Secure area boundary" in text.stdout
