"""checkov on manifests and playbooks, mapped to clauses, including the custom 等保 checks."""

from __future__ import annotations

from typing import Any

import pytest

from govcloud.policy import checkov_scan
from tests.policy.conftest import FIXTURES, MANIFESTS_BAD, NO_WAIVERS

pytestmark = pytest.mark.engine


def test_checkov_mapped_findings_and_custom_checks() -> None:
    playbooks = FIXTURES / "playbooks_bad"
    results = checkov_scan.run_checkov([MANIFESTS_BAD, playbooks])
    findings = checkov_scan.to_findings(
        results, 3, {"manifests_bad": MANIFESTS_BAD, "playbooks": playbooks}, checkov_scan.load_mapping()
    )
    failing = {(f["rule_id"], f["clause"]) for f in findings if f["status"] == "fail"}
    assert ("CKV_K8S_16", "8.1.4.2.d") in failing  # privileged container
    assert ("CKV_DJCP_1", "8.1.4.2.b") in failing  # PermitRootLogin yes
    assert ("CKV_DJCP_2", "8.1.4.1.c") in failing  # telnet-server
    assert ("CKV_ANSIBLE_2", "8.1.2.2.a") in failing  # get_url validate_certs false
    passing = {f["rule_id"] for f in findings if f["status"] == "pass"}
    assert "CKV_DJCP_1" in passing  # the hardening task
    custom = [f for f in findings if f["rule_id"] == "CKV_DJCP_1" and f["status"] == "fail"]
    assert custom[0]["blocking"] is True and custom[0]["resource"]["path"] == "playbooks/site.yml"
    privileged = next(f for f in findings if f["rule_id"] == "CKV_K8S_16")
    assert privileged["resource"] == {
        "kind": "Pod",
        "namespace": "legacy",
        "name": "debug",
        "path": "manifests_bad/legacy.yaml",
    }
    assert privileged["blocking"] is False  # DJCP-K8S-004 blocks; checkov's twin is advisory


def test_gate_merges_opa_and_checkov(cli: Any, opa_url: str) -> None:
    res = cli(
        "check",
        "--manifests",
        str(MANIFESTS_BAD),
        "--opa-url",
        opa_url,
        "--waivers",
        str(NO_WAIVERS),
        "--format",
        "json",
    )
    assert res.exit_code == 1, res.stderr
    sources = {f["source"] for f in res.json()["findings"]}
    assert sources == {"opa", "checkov"}
