"""The report on a real plan (the planner's own `Pulumi.lab.yaml` document): the system of a host is
the owner of its segment (`hosts[].segment`), and the planner's hosts are platform hosts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcloud.plan import load_plan
from govcloud.report.generate import report_json
from govcloud.report.html import render_html
from tests.report.conftest import build, edit_json, item


@pytest.fixture
def real_evidence(evidence_dir: Path) -> Path:
    """The fixture evidence with the real lab plan, and host results from two of its hosts."""
    (evidence_dir / "plan.json").write_text(
        json.dumps(load_plan(stack="lab").to_json(), ensure_ascii=False), encoding="utf-8"
    )

    def rename(doc: dict[str, Any]) -> None:
        doc["hosts"] = doc["hosts"][:2]
        doc["hosts"][0]["host"], doc["hosts"][1]["host"] = "prod-app-1", "samecity-db-1"

    edit_json(evidence_dir / "hosts.json", rename)
    return evidence_dir


def test_the_planners_hosts_are_platform_hosts(real_evidence: Path) -> None:
    report = build(real_evidence)
    assert all(i.state == "ok" for i in report.inputs if i.kind in ("plan", "hosts")), report.inputs
    assert report.address_plan is not None
    assert (report.address_plan.hosts, report.address_plan.hosts_platform) == (18, 18)
    assert report.address_plan.hosts_attributed == 0
    host_rows = [r for r in report.evidence if r.source == "host"]
    assert host_rows and {r.target for r in host_rows} == {"prod-app-1", "samecity-db-1"}
    assert all(r.system is None for r in host_rows), "stack-wide: the platform's evidence"
    # stack-wide rows count in the platform scope and in every system's scope
    for scope in ("platform", "sjj-gxjh", "gaj-jqzh"):
        it = item(report, scope, "8.1.4.1.a")
        assert {r.target for r in report.evidence if r.id in it.evidence} >= {"prod-app-1"}, scope
    assert all(sc.hosts == 0 for sc in report.scopes[1:]) and report.scopes[0].hosts == 18


def test_a_host_in_a_systems_segment_is_that_systems(real_evidence: Path) -> None:
    """Attribution follows `hosts[].segment`, not the addresses (the host keeps its infra address)."""

    def move(doc: dict[str, Any]) -> None:
        host = next(h for h in doc["hosts"] if h["name"] == "prod-app-1")
        host["segment"] = "prod/dedicated-sjj/sjj-gxjh"

    edit_json(real_evidence / "plan.json", move)
    report = build(real_evidence)
    assert report.address_plan is not None and report.address_plan.hosts_attributed == 1
    rows = [r for r in report.evidence if r.source == "host" and r.target == "prod-app-1"]
    assert rows and all(r.system == "sjj-gxjh" for r in rows)
    assert next(sc for sc in report.scopes if sc.id == "sjj-gxjh").hosts == 1
    it = item(report, "gaj-jqzh", "8.1.4.1.a")
    assert "prod-app-1" not in {r.target for r in report.evidence if r.id in it.evidence}


def test_a_host_in_a_segment_the_plan_lacks_rejects_the_plan(real_evidence: Path) -> None:
    edit_json(real_evidence / "plan.json", lambda d: d["hosts"][0].update(segment="prod/nowhere/infra"))
    report = build(real_evidence)
    plan_in = next(i for i in report.inputs if i.kind == "plan")
    assert plan_in.state == "corrupt" and plan_in.note is not None
    assert "hosts[0].segment" in plan_in.note.en and "no segment" in plan_in.note.en


def test_the_report_shows_the_plans_flow_matrix(real_evidence: Path) -> None:
    report = build(real_evidence)
    assert report.address_plan is not None
    flows = report.address_plan.flows
    assert [f.id for f in flows] == [f.id for f in load_plan(stack="lab").document().flows]
    as_json = json.loads(report_json(report))
    assert as_json["address_plan"]["flows"][0]["from"] == flows[0].from_, "the contract's JSON names"
    html = render_html(report, json_digest=None)
    assert "mgmt-ssh-public" in html and "<code>management</code> → <code>public</code>" in html
    assert {f.id for f in flows if f.log} == {f["id"] for f in as_json["address_plan"]["flows"] if f["log"]}
    assert "记录日志" in html and any(f.log for f in flows)
