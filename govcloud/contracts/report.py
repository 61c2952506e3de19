"""The auditor's report (`govcloud.report/v1`, report.json) and its evidence manifest
(`govcloud.report-manifest/v1`, manifest.json): written by `govcloud report`
(govcloud.report.build, govcloud.report.manifest), read by `govcloud report --since` (the previous
report, for the diff and the trend) and `govcloud report verify` (the manifest). docs/report.md
explains every field. Machine-written: unknown fields are ignored within a version; a writer that
names a field the model lacks is a type error (mypy's pydantic plugin, `init_forbid_extra`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govcloud.contracts.base import Document
from govcloud.contracts.plan import Flow

REPORT_SCHEMA: Final = "govcloud.report/v1"
MANIFEST_SCHEMA: Final = "govcloud.report-manifest/v1"


class Status(StrEnum):
    """Conclusion for one clause item in one scope (测评结论)."""

    COMPLIANT = "compliant"  # 符合
    PARTIAL = "partial"  # 部分符合
    NON_COMPLIANT = "non_compliant"  # 不符合
    NOT_APPLICABLE = "not_applicable"  # 不适用
    MANUAL = "manual_review"  # 待人工核查


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class Text(_Out):
    zh: str
    en: str


class ManifestInput(_Out):
    """One evidence file the report read; no digests when it was missing."""

    kind: str
    path: str
    state: Literal["ok", "missing", "corrupt", "rejected"]
    bytes: int | None = None
    sha256: str | None = None
    sm3: str | None = None


class InputOut(ManifestInput):
    """One evidence file as the report lists it: the manifest's entry, with the note on its state."""

    note: Text | None = None
    generated_at: str | None = None


class EvidenceRow(_Out):
    id: str
    source: str  # opa | checkov | host | drill | evidence
    check: str  # rule id, host test name, drill scenario, or the missing input
    clause: str | None
    system: str | None  # attributed system, None = stack-wide
    target: str  # resource, host or drill
    observed: str | None = None
    expected: str | None = None
    outcome: Literal["pass", "fail", "waived", "waiver_expired", "error", "missing", "not_applicable"]
    at: str | None = None
    message: Text | None = None
    remediation: Text | None = None
    waiver: str | None = None
    input: str  # the input file (path as in `inputs`)


class ItemResult(_Out):
    clause: str
    clause_at_level: str | None
    family: str
    test_code: str | None
    title: Text
    status: Status
    reason: Text
    counts: dict[str, int]
    evidence: list[str]  # EvidenceRow ids
    missing_checks: list[str]
    remediation: list[Text]
    manual: Text | None
    catalogued: bool


class Scope(_Out):
    id: str
    kind: Literal["platform", "system"]
    name: Text
    level: int
    level_note: Text | None = None
    department: Text | None = None
    zone: str | None = None
    data_classification: str | None = None
    hosts: int
    counts: dict[str, int]
    items: list[ItemResult]


class FamilyOut(_Out):
    id: str
    clause: str
    name: Text


class FamilySummary(_Out):
    family: str
    name: Text
    counts: dict[str, int]


class LevelSummary(_Out):
    level: int
    systems: int
    counts: dict[str, int]


class Summary(_Out):
    overall: dict[str, int]
    platform: dict[str, int]
    by_family: list[FamilySummary]
    by_level: list[LevelSummary]


class WaiverOut(_Out):
    id: str
    rule_id: str
    clause: str
    resource: str
    system: str | None
    approver: str
    ticket: str | None
    expires: str
    reason: str
    state: Literal["active", "expired", "invalid"]
    days_left: int | None


class DrillSystemOut(_Out):
    system: str
    target_rto_s: float | None
    target_rpo_s: float | None
    achieved_rto_s: float | None
    achieved_rpo_s: float | None
    rto_met: bool | None
    rpo_met: bool | None
    result: Literal["pass", "fail", "unknown"]


class DrillOut(_Out):
    input: str
    drill_id: str | None
    scenario: str
    started_at: str | None
    finished_at: str | None
    result: Literal["pass", "fail"]
    edition: str | None
    elements: list[str]
    claimed_level: int | None
    replication_lag_s: float | None
    replication_lag_bytes: int | None
    consistency: str | None
    steps: list[dict[str, str | None]]
    systems: list[DrillSystemOut]
    engine: str | None = None


class DrSystemOut(_Out):
    system: str
    name: Text
    level: int
    target_rto_s: float | None
    target_rpo_s: float | None
    target_gbt20988_level: int | None
    last_drill: str | None
    achieved_rto_s: float | None
    achieved_rpo_s: float | None
    drill_result: Literal["pass", "fail", "not_drilled"]
    consistent_level: int | None  # highest GB/T 20988 level whose illustrative RTO/RPO the drill meets
    supported_level: int | None  # min(target level, consistent level) when the drill passed


class DrOut(_Out):
    basis: Text
    drills: list[DrillOut]
    systems: list[DrSystemOut]


class AddressPlanOut(_Out):
    pools: list[dict[str, str | None]]
    segments: int
    segments_dual_stack: int
    max_utilisation: float | None
    centres: list[dict[str, str | int]]
    hosts: int
    hosts_attributed: int  # in a segment a system owns: that system's hosts
    hosts_platform: int  # in a platform segment (owner infra): the cloud platform's own hosts
    flows: list[Flow]  # the zone flow matrix (访问控制策略), as the plan's contract has it


class DiffEntry(_Out):
    scope: str
    clause: str
    before: Status | None
    after: Status | None


class TrendPoint(_Out):
    generated_at: str
    counts: dict[str, int]


class Diff(_Out):
    previous: str
    previous_generated_at: str
    previous_sha256: str
    new_failures: list[DiffEntry]
    fixed: list[DiffEntry]
    still_failing: list[DiffEntry]
    changed: list[DiffEntry]
    unchanged: int


class Generator(_Out):
    tool: str = "govcloud report"
    version: str


class CatalogueOut(_Out):
    path: str
    state: Literal["ok", "missing"]
    items: int
    note: Text | None = None


class StatusDef(_Out):
    id: Status
    name: Text
    definition: Text


class Report(Document):
    """The auditor's compliance report (等保符合性报告)."""

    schema_: Literal["govcloud.report/v1"] = Field(REPORT_SCHEMA, alias="schema")
    generated_at: str
    generator: Generator
    stack: str
    name: str
    lab: bool
    evidence_dir: str
    catalogue: CatalogueOut
    statuses: list[StatusDef]
    families: list[FamilyOut]
    inputs: list[InputOut]
    summary: Summary
    scopes: list[Scope]
    evidence: list[EvidenceRow]
    waivers: list[WaiverOut]
    dr: DrOut
    address_plan: AddressPlanOut | None
    diff: Diff | None
    trend: list[TrendPoint]

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, populate_by_name=True)


# ---- the evidence manifest (manifest.json) ---------------------------------------------------------------


class ManifestOutput(_Out):
    """One file the report wrote, beside the manifest."""

    path: str = Field(description="a file name in the report directory")
    bytes: int
    sha256: str
    sm3: str

    @field_validator("path")
    @classmethod
    def _in_the_report_directory(cls, value: str) -> str:
        if not value or "/" in value or value in (".", ".."):
            raise ValueError("must be a file name in the report directory / 须为报告目录中的文件名")
        return value


class ReportManifest(Document):
    """The report's evidence manifest (证据清单): every input with SHA-256 and SM3, and the outputs."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, populate_by_name=True)

    schema_: Literal["govcloud.report-manifest/v1"] = Field(MANIFEST_SCHEMA, alias="schema")
    stack: str
    generated_at: str
    evidence_dir: str
    algorithms: list[str] = Field(default_factory=lambda: ["sha256", "sm3"])
    inputs: list[ManifestInput]
    outputs: list[ManifestOutput]
