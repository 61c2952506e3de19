"""The report reads the records `govcloud drill run` writes, through the one contract model
(govcloud.contracts.drill.DrillRecord); the report's former second shape of govcloud.drill/v1 is
refused like any other document that breaks the contract."""

from __future__ import annotations

import json
from pathlib import Path

from govcloud.contracts.base import read
from govcloud.contracts.drill import DrillRecord
from govcloud.report.evidence import Drill
from tests.report.conftest import build

RECORD = Path(__file__).parent / "fixtures" / "records" / "drill-run-record.json"


def test_a_real_drill_record_is_read() -> None:
    raw = json.loads(RECORD.read_text(encoding="utf-8"))
    assert isinstance(raw["scenario"], dict)  # the shape govcloud.drill writes
    d = Drill.of_record(read(DrillRecord, raw))
    assert d.scenario == raw["scenario"]["id"] and d.result == ("pass" if raw["passed"] else "fail")
    assert d.achieved is not None and d.achieved.rto_s == raw["achieved"]["rto_write_s"]
    assert [s.name for s in d.steps] == [s["phase"] for s in raw["steps"]]
    assert {s.system for s in d.systems} == {t["system"] for t in raw["targets"]["systems"]}
    assert d.consistency is not None and d.consistency.result == "pass"
    assert d.claimed_level == raw["gbt20988"]["level_supported_as_evidence"]


def test_a_failed_consistency_check_is_a_fail() -> None:
    raw = json.loads(RECORD.read_text(encoding="utf-8"))
    raw["consistency"]["consistent"] = False
    raw["passed"] = False
    d = Drill.of_record(read(DrillRecord, raw))
    assert d.result == "fail" and d.consistency is not None and d.consistency.result == "fail"


def test_only_the_latest_run_of_a_scenario_is_evidence(evidence_dir: Path) -> None:
    src = evidence_dir / "drills" / "20261129T110000Z-samecity-failover.json"
    old = json.loads(src.read_text(encoding="utf-8"))
    old.update(drill_id="older-failed-run", status="failed", passed=False, started_at="2026-11-01T10:00:00Z",
               ended_at="2026-11-01T10:05:00Z")
    (evidence_dir / "drills" / "20261101T100000Z-samecity-failover.json").write_text(
        json.dumps(old), encoding="utf-8")
    report = build(evidence_dir)
    rows = [r for r in report.evidence if r.source == "drill"]
    assert rows and all(r.target != "older-failed-run" for r in rows)
    assert report.dr is not None


def test_the_reports_former_second_shape_is_refused_naming_the_field(evidence_dir: Path) -> None:
    """`scenario` as a bare id, `finished_at`, `result`: the shape the report once accepted beside the
    record. It is no govcloud.drill/v1 document: corrupt evidence, never a pass."""
    path = evidence_dir / "drills" / "20261130T100000Z-samecity-failover.json"
    path.write_text(json.dumps({
        "schema": "govcloud.drill/v1", "drill_id": "shape-b", "scenario": "samecity-failover",
        "finished_at": "2026-11-30T10:05:00Z", "result": "pass",
        "systems": [{"system": "sjj-gxjh", "achieved": {"rto_s": 1, "rpo_s": 0}, "result": "pass"}],
    }), encoding="utf-8")
    report = build(evidence_dir)
    (info,) = [i for i in report.inputs if i.path.endswith(path.name)]
    assert info.state == "corrupt" and info.note is not None and "scenario" in info.note.en, info
