"""The gate's documents as contracts: the clause catalogue, the checkov mapping, waivers, findings and
the OPA decision — each read by one model, with errors naming file, field and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.catalogue import load_catalogue, load_checkov_mapping
from govcloud.contracts.decision import Decision
from govcloud.contracts.findings import Finding, Findings
from govcloud.contracts.waivers import load_waivers
from govcloud.contracts.yamldoc import YamlError
from govcloud.policy import paths

REPORT_CATALOGUE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "catalogue.yaml"


def _write(tmp_path: Path, doc: Any, name: str = "doc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_both_catalogues_load_with_the_one_model() -> None:
    cat = load_catalogue(paths.CATALOGUE)
    assert len(cat.items) == 133 and cat.standard is not None and cat.standard.level == 3
    primary = cat.primary_item("DJCP-CLD-005")  # first listed under 8.2.1.1, primary 8.2.4.5.a
    assert primary is not None and primary.clause == "8.2.4.5.a"
    assert primary.equivalents() == {"2": "7.2.4.5.a", "4": "9.2.4.5.a"}
    fixture = load_catalogue(REPORT_CATALOGUE)  # fictitious rule ids, no `rules:`: still a catalogue
    assert fixture.rules == [] and fixture.item("8.1.3.2.a") is not None


ITEM3 = "items[3](clause 8.1.1.3.a)"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d["items"][3].update(colour="red"), ITEM3, "unknown field 'colour'"),
        (lambda d: d["items"][3]["title"].pop("zh"), f"{ITEM3}.title.zh", "required"),
        (lambda d: d["items"][3].update(family="nope"), f"{ITEM3}.family", "unknown family"),
        (
            lambda d: d["items"][4].update(clause="8.1.1.3.a"),
            "items[4](clause 8.1.1.3.a).clause",
            "duplicate",
        ),
        (
            lambda d: d["rules"][0].update(primary=True),
            "rules[0](id DJCP-BND-001)",
            "unknown field 'primary'",
        ),
        (lambda d: d.update(schema="govcloud.catalogue/v2"), "schema", "newer govcloud"),
    ],
)
def test_catalogue_errors_name_the_item(tmp_path: Path, change: Any, field: str, words: str) -> None:
    doc = yaml.safe_load(paths.CATALOGUE.read_text(encoding="utf-8"))
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(ContractError) as info:
        load_catalogue(path)
    assert info.value.file == str(path) and info.value.field == field and words in info.value.reason


def test_yaml_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("schema: govcloud.catalogue/v1\nfamilies: [\n", encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_catalogue(path)
    assert info.value.field is not None and info.value.field.startswith("line ")
    assert "invalid YAML" in info.value.reason
    path.write_bytes(b"schema: " + b"[" * 500 + b"]" * 500 + b"\n")
    with pytest.raises(YamlError, match="nested deeper than 64"):
        load_catalogue(path)


def test_checkov_mapping_schema_and_keys_are_checked(tmp_path: Path) -> None:
    mapping = load_checkov_mapping(paths.CHECKOV_MAPPING)
    assert mapping.checks["CKV_DJCP_2"].blocking_levels == [2, 3, 4]
    doc = yaml.safe_load(paths.CHECKOV_MAPPING.read_text(encoding="utf-8"))
    with pytest.raises(ContractError, match="not a govcloud document"):
        load_checkov_mapping(_write(tmp_path, {**doc, "schema": "checkov/v1"}))
    doc["checks"]["CKV_K8S_16"]["family"] = "computing-environment"  # the catalogue owns families
    with pytest.raises(ContractError) as info:
        load_checkov_mapping(_write(tmp_path, doc))
    assert info.value.field == "checks.CKV_K8S_16" and "unknown field 'family'" in info.value.reason


def test_waivers_forbid_unknown_keys_and_name_the_field(tmp_path: Path) -> None:
    assert [w.id for w in load_waivers(paths.WAIVERS).waivers] == ["W-2026-017"]
    entry = {
        "id": "W-1",
        "clause": "8.1.4.4",
        "resource": {"kind": "Pod"},
        "reason": "r",
        "approver": "a",
        "ticket": "  ",
        "expires": "2099-01-01",
    }
    with pytest.raises(ContractError) as info:
        load_waivers(_write(tmp_path, {"schema": "govcloud.waivers/v1", "waivers": [entry]}))
    assert info.value.field == "waivers[0].ticket" and "must not be empty" in info.value.reason


def _finding(**extra: Any) -> Finding:
    return Finding(rule_id="DJCP-K8S-004", clause="8.1.4.2.d", status="fail", **extra)


def test_findings_keep_exactly_the_fields_their_producer_set() -> None:
    assert set(_finding().as_json()) == {"rule_id", "clause", "status"}
    assert _finding(line_range=None).as_json()["line_range"] is None
    at = "2026-11-29T00:00:00Z"
    doc = Findings.model_validate(
        {"schema": "govcloud.findings/v1", "generated_at": at, "findings": [_finding().as_json()]}
    )
    assert doc.dump() == {
        "schema": "govcloud.findings/v1",
        "generated_at": at,
        "findings": [{"rule_id": "DJCP-K8S-004", "clause": "8.1.4.2.d", "status": "fail"}],
    }
    with pytest.raises(ContractError) as info:
        read(Findings, {**doc.dump(), "findings": [{"rule_id": "x", "clause": "y", "status": "great"}]})
    assert info.value.field == "findings[0].status"


META = {
    "id": "DJCP-K8S-004",
    "severity": "critical",
    "levels": [2, 3, 4],
    "mandatory_levels": [2, 3, 4],
    "title_zh": "禁止特权容器",
    "title_en": "No privileged containers",
    "remediation_zh": "设置 privileged false",
    "remediation_en": "Set privileged false",
}
ROW = {"rule_id": "DJCP-K8S-004", "status": "fail", "blocking": True, "resource": {}, "reasons": []}


def test_decision_v3_is_strict_and_v2_still_reads() -> None:
    doc = {"schema": "govcloud.decision/v3", "findings": [ROW], "rules": {"DJCP-K8S-004": META}}
    assert read(Decision, doc).rules["DJCP-K8S-004"].severity == "critical"
    v2 = {**doc, "schema": "govcloud.decision/v2", "rules": {"DJCP-K8S-004": {**META, "clause": "8.1.4.2.d"}}}
    assert read(Decision, v2).findings[0].blocking is True
    for broken, field in (
        ({**doc, "findings": [{**ROW, "blocking": "true"}]}, "findings[0].blocking"),
        ({**doc, "rules": {"DJCP-K8S-004": {**META, "levels": []}}}, "rules.DJCP-K8S-004.levels"),
        ({**doc, "rules": {}}, None),
    ):
        with pytest.raises(ContractError) as info:
            read(Decision, broken)
        assert info.value.field == field
