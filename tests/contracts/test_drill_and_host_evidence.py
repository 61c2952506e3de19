"""The drill record and host evidence contracts: one model, its writer's output read back unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.drill import DrillRecord
from govcloud.contracts.host_evidence import HostEvidenceDocument
from govcloud.runner.verify import build_document

RECORD = Path(__file__).parents[1] / "report" / "fixtures" / "records" / "drill-run-record.json"


def _without_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nones(v) for v in value]
    return value


def test_a_real_drill_record_reads_and_dumps_unchanged() -> None:
    raw = json.loads(RECORD.read_text(encoding="utf-8"))
    assert _without_nones(read(DrillRecord, raw).dump()) == _without_nones(raw)


def test_a_drill_record_of_a_newer_version_is_refused() -> None:
    raw = json.loads(RECORD.read_text(encoding="utf-8")) | {"schema": "govcloud.drill/v2"}
    with pytest.raises(ContractError, match="newer govcloud"):
        read(DrillRecord, raw, source="drills/x.json")


def test_host_evidence_as_built_by_verify_reads_back() -> None:
    records = [
        {"host": "prod-db-1", "clause": "8.1.4.1.a", "check": "test_pw", "status": "pass", "observed": "12"},
        {"host": "prod-db-1", "clause": "8.1.4.3.d", "check": "test_sysctl", "status": "not_applicable"},
    ]
    doc = build_document("lab", records)
    again = read(HostEvidenceDocument, json.dumps(doc.dump()))
    assert again == doc and again.counts() == {"pass": 1, "fail": 0, "error": 0, "not_applicable": 1}


@pytest.mark.parametrize(
    ("result", "where"),
    [({"status": "maybe"}, "hosts[0].results[0].status"), ({"status": "pass", "clause": 3}, "clause")],
)
def test_host_evidence_that_breaks_the_contract_names_the_field(result: dict[str, Any], where: str) -> None:
    doc = {"schema": "govcloud.host-evidence/v1", "generated_at": "2026-12-06T00:00:00Z",
           "hosts": [{"host": "h", "results": [{"clause": "8.1.4.1.a", "check": "t"} | result]}]}
    with pytest.raises(ContractError) as info:
        read(HostEvidenceDocument, doc, source="hosts.json")
    assert where in info.value.path


def test_verify_refuses_a_record_with_an_unknown_status() -> None:
    with pytest.raises(ValueError, match="status"):
        build_document("lab", [{"host": "h", "clause": "8.1.4.1.a", "check": "t", "status": "skipped"}])
