"""Content of the report JSON: statuses follow from the evidence, and gaps are never passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcloud.contracts.report import Report
from govcloud.report.labels import Status
from tests.report.conftest import build, edit_json, item


def _rows(report: Report) -> dict[str, Any]:
    return {r.id: r for r in report.evidence}


def test_a_failing_check_never_yields_compliant(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    rows = _rows(report)
    checked = 0
    for sc in report.scopes:
        for it in sc.items:
            outcomes = {rows[i].outcome for i in it.evidence}
            if outcomes & {"fail", "waiver_expired"}:
                checked += 1
                assert it.status in (Status.NON_COMPLIANT, Status.PARTIAL), (sc.id, it.clause)
    assert checked >= 5  # the fixture has failures in several scopes


def test_failures_are_attributed_to_the_right_system(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    # DJCP-CLOUD-013 fails only for gaj-rkxx (System resource), passes for the others.
    assert item(report, "gaj-rkxx", "8.2.4.5.d").status is Status.NON_COMPLIANT
    assert item(report, "sjj-gxjh", "8.2.4.5.d").status is Status.COMPLIANT
    assert item(report, "platform", "8.2.4.5.d").status is Status.PARTIAL
    # Host prod-rk-app-1 (198.18.5.10 in gaj-rkxx's segment) fails the password check.
    it = item(report, "gaj-rkxx", "8.1.4.1.a")
    assert it.status is Status.PARTIAL
    fail = [r for r in report.evidence if r.id in it.evidence and r.outcome == "fail"]
    assert [(r.target, r.observed, r.check) for r in fail] == [
        ("prod-rk-app-1", "minlen=6 minclass=1", "test_password_quality")
    ]
    assert fail[0].at == "2026-11-29T12:10:00Z"
    assert item(report, "sjj-gxjh", "8.1.4.1.a").status is Status.COMPLIANT


def test_waived_finding_shows_as_waived_with_approver_and_expiry(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    w = {x.id: x for x in report.waivers}
    active = w["WV-2026-007"]
    assert (active.approver, active.expires, active.ticket, active.state) == (
        "张伟（安全负责人）",
        "2027-03-31",
        "CHG-2026-1107",
        "active",
    )
    it = item(report, "platform", "8.1.3.2.c")
    assert it.status is Status.PARTIAL
    waived = [r for r in report.evidence if r.id in it.evidence and r.outcome == "waived"]
    assert [r.waiver for r in waived] == ["WV-2026-007"]


def test_expired_waiver_counts_as_a_failure(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    w = {x.id: x for x in report.waivers}
    assert w["WV-2026-002"].state == "expired"
    it = item(report, "platform", "8.1.4.8.b")
    assert it.status is Status.PARTIAL and it.counts.get("waiver_expired") == 1
    assert "expired" in it.reason.en


def test_waived_without_waiver_object_is_a_failure(evidence_dir: Path) -> None:
    def strip(d: dict[str, Any]) -> None:
        for f in d["findings"]:
            if f["status"] == "waived":
                f["waiver"] = None

    edit_json(evidence_dir / "findings.json", strip)
    report = build(evidence_dir)
    assert item(report, "platform", "8.1.3.2.c").status is Status.NON_COMPLIANT


def test_missing_host_evidence_shows_manual_review(evidence_dir: Path) -> None:
    (evidence_dir / "hosts.json").unlink()
    report = build(evidence_dir)
    hosts_in = next(i for i in report.inputs if i.kind == "hosts")
    assert hosts_in.state == "missing"
    for scope in ("platform", "sjj-gxjh"):
        it = item(report, scope, "8.1.4.3.a")  # host checks only
        assert it.status is Status.MANUAL
        rows = [r for r in report.evidence if r.id in it.evidence]
        assert rows and all(r.outcome == "missing" for r in rows)
        assert any("govcloud verify" in t.en for t in it.remediation)
    # Items whose other evidence passes still cannot be 符合 without the host part.
    assert item(report, "sjj-gxjh", "8.1.5.4.d").status is Status.MANUAL


@pytest.mark.parametrize(
    ("content", "state", "note"),
    [
        (b"{not json", "corrupt", "not valid JSON"),
        (b"\xff\xfe\x00", "corrupt", "not valid JSON"),
        (b"[]", "corrupt", "not a JSON object"),
        (json.dumps({"schema": "govcloud.findings/v9", "findings": []}).encode(), "rejected", "schema"),
        (
            json.dumps(
                {
                    "schema": "govcloud.findings/v1",
                    "generated_at": "x",
                    "findings": [{"rule_id": "R", "clause": "8.1.3.2.a", "status": "maybe"}],
                }
            ).encode(),
            "corrupt",
            "findings[0].status",
        ),
        (json.dumps({"schema": "govcloud.findings/v1", "findings": []}).encode(), "corrupt", "generated_at"),
    ],
)
def test_corrupt_findings_become_missing_evidence_with_a_note(
    evidence_dir: Path, content: bytes, state: str, note: str
) -> None:
    (evidence_dir / "findings.json").write_bytes(content)
    report = build(evidence_dir)
    f_in = next(i for i in report.inputs if i.kind == "findings")
    assert f_in.state == state
    assert f_in.note is not None and note in f_in.note.en
    for sc in report.scopes:
        for it in sc.items:
            if it.clause in ("8.1.2.1.c", "8.1.3.2.a", "8.2.4.5.d"):  # rego/checkov-only items
                assert it.status in (Status.MANUAL, Status.NOT_APPLICABLE), (sc.id, it.clause, it.status)
    it = item(report, "platform", "8.1.3.2.a")
    assert {r.outcome for r in report.evidence if r.id in it.evidence} == {"missing"}


def test_unknown_extra_fields_are_ignored(evidence_dir: Path) -> None:
    edit_json(evidence_dir / "hosts.json", lambda d: d.update(extra={"x": 1}))
    report = build(evidence_dir)
    assert all(i.state == "ok" for i in report.inputs if i.kind in ("plan", "hosts"))


def test_level_2_system_has_not_applicable_items_and_level_clause_numbers(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    sc = next(s for s in report.scopes if s.id == "wjw-portal")
    assert sc.level == 2
    mfa = item(report, "wjw-portal", "8.1.4.1.d")
    assert mfa.status is Status.NOT_APPLICABLE and mfa.clause_at_level is None
    assert item(report, "wjw-portal", "8.1.4.1.a").clause_at_level == "7.1.4.1.a"


def test_manual_item_is_manual_review_with_what_to_collect(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    it = item(report, "platform", "8.1.2.3")
    assert it.status is Status.MANUAL and it.manual is not None
    assert any("可信根" in t.zh for t in it.remediation)


def test_drill_that_misses_its_rto_fails_whatever_it_claims(evidence_dir: Path) -> None:
    drill = next((evidence_dir / "drills").glob("*.json"))

    def slow(d: dict[str, Any]) -> None:
        d["targets"]["systems"][0]["achieved_rto_s"] = 900  # target 300; rto_met still claims True

    edit_json(drill, slow)
    report = build(evidence_dir)
    dr = {s.system: s for s in report.dr.systems}
    assert dr["sjj-gxjh"].drill_result == "fail" and dr["sjj-gxjh"].supported_level is None
    assert item(report, "sjj-gxjh", "8.1.4.9.c").status is Status.NON_COMPLIANT
    assert dr["gaj-rkxx"].drill_result == "pass"


def test_dr_summary_targets_and_supported_level(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    dr = {s.system: s for s in report.dr.systems}
    g = dr["gaj-rkxx"]
    assert (g.target_rto_s, g.achieved_rto_s, g.target_rpo_s, g.achieved_rpo_s) == (600, 8.4, 0, 0)
    assert (g.consistent_level, g.target_gbt20988_level, g.supported_level) == (6, 5, 5)
    assert dr["wjw-portal"].drill_result == "not_drilled"
    assert report.dr.drills[0].edition == "GB/T 20988-2025"
    # No remote-failover drill exists: the item that needs it cannot pass.
    assert item(report, "platform", "8.1.4.9.b").missing_checks == ["remote-failover"]


def test_empty_evidence_directory_gives_a_report_of_gaps(tmp_path: Path) -> None:
    report = build(tmp_path / "nothing")
    assert [s.id for s in report.scopes] == ["platform"]
    assert report.summary.overall["compliant"] == 0
    assert {i.state for i in report.inputs if i.kind != "harden"} == {"missing"}


def test_uncatalogued_clause_in_evidence_is_listed_not_dropped(evidence_dir: Path) -> None:
    def add(d: dict[str, Any]) -> None:
        d["findings"].append(
            {**d["findings"][0], "rule_id": "DJCP-NEW-001", "clause": "8.1.3.9.z", "status": "fail"}
        )

    edit_json(evidence_dir / "findings.json", add)
    report = build(evidence_dir)
    it = item(report, "platform", "8.1.3.9.z")
    assert not it.catalogued and it.status is Status.NON_COMPLIANT


def test_report_validates_against_its_own_schema(evidence_dir: Path) -> None:
    report = build(evidence_dir)
    data = json.loads(report.model_dump_json(by_alias=True))
    assert data["schema"] == "govcloud.report/v1"
    assert Report.model_validate(data) == report
