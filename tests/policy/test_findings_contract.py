"""The gate's findings.json against its contract (govcloud.contracts.findings) and the clause
catalogue: every finding validates, and a Rego finding's clause data is the catalogue's (primary
clause, its item's family, test code and level equivalents, the rule's related clauses)."""

from __future__ import annotations

from typing import Any

import pytest

from govcloud.contracts.base import read
from govcloud.contracts.findings import Findings
from govcloud.policy import catalogue as cat
from tests.policy.conftest import MANIFESTS_BAD, PLAN_BAD, gate_args

pytestmark = pytest.mark.engine


def test_findings_follow_the_contract_and_the_catalogue(cli: Any, opa_url: str) -> None:
    res = cli(*gate_args(opa_url, "--plan", str(PLAN_BAD), "--manifests", str(MANIFESTS_BAD)))
    assert res.exit_code == 1, res.stderr
    doc = read(Findings, res.stdout, source="stdout")
    catalogue = cat.load_catalogue()
    opa = [f for f in doc.findings if f.source == "opa"]
    assert len({f.rule_id for f in opa}) >= 40
    for f in opa:
        rule = catalogue.rule(f.rule_id)
        item = catalogue.primary_item(f.rule_id)
        assert rule is not None and item is not None, f.rule_id
        assert (f.clause, f.family, f.test_code) == (rule.clause, item.family, item.test_code)
        assert f.equivalents == item.equivalents() and f.related == rule.related
    # The five rules whose first catalogue listing is not their primary clause keep their clause.
    clauses = {f.rule_id: f.clause for f in opa}
    assert {k: clauses.get(k) for k in ("DJCP-CLD-005", "DJCP-CLD-006", "DJCP-K8S-011")} == {
        "DJCP-CLD-005": "8.2.4.5.a",
        "DJCP-CLD-006": "8.2.4.5.d",
        "DJCP-K8S-011": "8.1.4.8.a",
    }
