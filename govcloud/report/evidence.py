"""Loads one stack's evidence directory (contracts §7): ``plan.json``, ``findings.json``, ``hosts.json``,
``drills/*.json``, ``harden/*.json``.

Tolerance is limited to what docs/report.md documents:

- unknown extra fields are ignored;
- a missing file, a file that is not JSON, a document with an unknown ``schema`` or one that breaks the
  contract (a required field missing or of the wrong type) is recorded as an input with state
  ``missing`` / ``corrupt`` / ``rejected`` and a note naming the field and the reason. Its checks then
  count as *missing evidence* (待人工核查), never as passes. A document is rejected as a whole: dropping
  one bad entry could hide a failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govcloud.contracts import findings as contract_findings
from govcloud.contracts.base import ContractError, Document, check_schema
from govcloud.contracts.drill import DrillRecord
from govcloud.contracts.host_evidence import HostEvidenceDocument
from govcloud.contracts.plan import PlanDocument

InputState = Literal["ok", "missing", "corrupt", "rejected"]


class _Model(BaseModel):
    # allow_inf_nan: NaN or Infinity (JSON `NaN`, `1e999`) is no measurement; such a document is corrupt.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class Bilingual(_Model):
    zh: str = ""
    en: str = ""


# ---- plan (govcloud.plan/v1): the contract's model, govcloud.contracts.plan.PlanDocument --------------


# ---- findings (govcloud.findings/v1): the contract model, plus the report's completeness rule -------------


class Findings(contract_findings.Findings):
    @model_validator(mode="after")
    def _complete(self) -> Findings:
        # A gate run with inputs it could not judge is incomplete evidence: dropping the errors
        # would let unjudged objects count as passes.
        if self.errors:
            first = self.errors[0]
            raise ValueError(
                f"the gate could not judge {len(self.errors)} input(s), first {first.file}: {first.reason} "
                "/ 门禁有未评估的输入，结果不完整"
            )
        return self


# ---- host evidence: the contract's model, govcloud.contracts.host_evidence.HostEvidenceDocument ------------


# ---- drill records: the contract's model, govcloud.contracts.drill.DrillRecord; what the report takes of
# one (fields listed in docs/report.md) ------------------------------------------------------------------


class RtoRpo(_Model):
    rto_s: float | None = None
    rpo_s: float | None = None


class DrillStep(_Model):
    name: str
    at: str | None = None
    ended_at: str | None = None
    result: str | None = None


class DrillSystem(_Model):
    system: str
    targets: RtoRpo | None = None
    achieved: RtoRpo | None = None
    result: Literal["pass", "fail"] | None = None


class Consistency(_Model):
    result: Literal["pass", "fail"]
    method: str = ""
    detail: str = ""


class Drill(_Model):
    """One drill as the report judges it, derived from its record (`of_record`)."""

    drill_id: str | None = None
    scenario: str
    started_at: str | None = None
    finished_at: str | None = None
    steps: list[DrillStep] = Field(default_factory=list)
    achieved: RtoRpo | None = None
    systems: list[DrillSystem] = Field(default_factory=list)
    replication_lag_s: float | None = None
    replication_lag_bytes: int | None = None
    consistency: Consistency | None = None
    gbt20988_edition: str | None = None
    elements: list[str] = Field(default_factory=list)
    claimed_level: int | None = None
    result: Literal["pass", "fail"]
    engine: str | None = None  # what ran the database and its failover (PostgreSQL, Patroni + etcd...)

    @classmethod
    def of_record(cls, rec: DrillRecord) -> Drill:
        lags = rec.replication_before_fault or []
        cons = rec.consistency
        g = rec.gbt20988
        return cls(
            drill_id=rec.drill_id,
            scenario=rec.scenario.id,
            started_at=rec.started_at,
            finished_at=rec.ended_at,
            steps=[DrillStep(name=st.phase, at=st.started_at, ended_at=st.ended_at,
                             result="ok" if st.ok else "failed") for st in rec.steps],
            achieved=RtoRpo(rto_s=rec.achieved.rto_write_s, rpo_s=rec.achieved.rpo_s),
            systems=[
                DrillSystem(
                    system=t.system,
                    targets=RtoRpo(rto_s=t.rto_s, rpo_s=t.rpo_s),
                    achieved=RtoRpo(rto_s=t.achieved_rto_s, rpo_s=t.achieved_rpo_s),
                    result="pass" if t.rto_met and t.rpo_met else "fail",
                )
                for t in rec.targets.systems
            ],
            replication_lag_s=max((r.replay_lag_s or 0.0 for r in lags), default=None),
            replication_lag_bytes=max((r.replay_lag_bytes or 0 for r in lags), default=None),
            consistency=None if cons is None else Consistency(
                result="pass" if cons.consistent else "fail",
                method="rows and MD5 of the drill table on every node",
                detail=f"{len(cons.digests or [])} nodes compared",
            ),
            gbt20988_edition=(g.standard or g.edition) if g else None,
            elements=[e.zh or e.id for e in g.elements if e.status == "evidenced"] if g else [],
            claimed_level=g.level_supported_as_evidence if g else None,
            result="pass" if rec.passed else "fail",
            engine=rec.service.engine if rec.service else None,
        )


# ---- loading --------------------------------------------------------------------------------------------

# every evidence document is a contract (govcloud.contracts): its model is the one reader
_MODELS: dict[str, type[Document]] = {
    "plan": PlanDocument,
    "findings": Findings,
    "hosts": HostEvidenceDocument,
    "drills": DrillRecord,
}


@dataclass
class InputFile:
    """One evidence file as the report saw it."""

    kind: str  # plan | findings | hosts | drills | harden | catalogue | previous
    path: Path  # absolute
    rel: str  # relative to the evidence directory (or the name shown)
    state: InputState
    note_zh: str = ""
    note_en: str = ""
    generated_at: str | None = None


@dataclass
class Evidence:
    """Everything loaded for one stack; absent documents are None and have a non-ok InputFile."""

    root: Path
    stack: str
    inputs: list[InputFile] = field(default_factory=list)
    plan: PlanDocument | None = None
    findings: Findings | None = None
    hosts: HostEvidenceDocument | None = None
    drills: list[tuple[InputFile, Drill]] = field(default_factory=list)


def load_document(kind: str, path: Path, rel: str) -> tuple[InputFile, BaseModel | None]:
    """Load one evidence document; never raises for bad content."""
    if not path.is_file():
        return InputFile(kind, path, rel, "missing", "文件不存在", "file not found"), None
    try:
        data = path.read_bytes()
    except OSError as exc:
        return InputFile(kind, path, rel, "corrupt", f"无法读取：{exc}", f"cannot read: {exc}"), None
    expected = _MODELS[kind].schema_id()
    try:
        # Fast path: pydantic-core parses and validates in one pass.
        doc = _MODELS[kind].model_validate_json(data)
    except ValidationError:
        doc = None
    if doc is not None and getattr(doc, "schema_", None) == expected:
        gen = (
            getattr(doc, "generated_at", None)
            or getattr(doc, "ended_at", None)
            or getattr(doc, "started_at", None)
        )
        return InputFile(kind, path, rel, "ok", generated_at=gen if isinstance(gen, str) else None), doc
    return _diagnose(kind, path, rel, data), None


def _diagnose(kind: str, path: Path, rel: str, data: bytes) -> InputFile:
    """Why a document was refused, naming the field."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return InputFile(kind, path, rel, "corrupt", f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}")
    except RecursionError:
        return InputFile(kind, path, rel, "corrupt", "JSON 嵌套层数过多", "not valid JSON: nested too deeply")
    if not isinstance(raw, dict):
        return InputFile(kind, path, rel, "corrupt", "顶层不是 JSON 对象", "top level is not a JSON object")
    model = _MODELS[kind]
    try:  # the contract's own checks first: the schema id (another document, a newer version), then fields
        model.model_validate(check_schema(raw, model, rel))
    except (ContractError, ValidationError) as exc:
        bad = exc if isinstance(exc, ContractError) else ContractError.from_validation(exc, rel)
        state: InputState = "rejected" if bad.path == "schema" else "corrupt"
        at = bad.path or "<document>"
        return InputFile(kind, path, rel, state, f"字段 {at}：{bad.reason}", f"field {at}: {bad.reason}")
    return InputFile(kind, path, rel, "corrupt", "无法解析", "could not be parsed")


def load_evidence(root: Path, stack: str) -> Evidence:
    ev = Evidence(root=root, stack=stack)
    for kind, name in (("plan", "plan.json"), ("findings", "findings.json"), ("hosts", "hosts.json")):
        info, doc = load_document(kind, root / name, name)
        ev.inputs.append(info)
        if isinstance(doc, PlanDocument):
            ev.plan = doc
        elif isinstance(doc, Findings):
            ev.findings = doc
        elif isinstance(doc, HostEvidenceDocument):
            ev.hosts = doc
    drill_dir = root / "drills"
    drill_files = sorted(drill_dir.glob("*.json")) if drill_dir.is_dir() else []
    if not drill_files:
        ev.inputs.append(
            InputFile("drills", drill_dir, "drills/", "missing", "无演练记录", "no drill records")
        )
    for p in drill_files:
        info, doc = load_document("drills", p, f"drills/{p.name}")
        ev.inputs.append(info)
        if isinstance(doc, DrillRecord):
            ev.drills.append((info, Drill.of_record(doc)))
    harden_dir = root / "harden"
    for p in sorted(harden_dir.glob("*.json")) if harden_dir.is_dir() else []:
        ev.inputs.append(
            InputFile(
                "harden",
                p,
                f"harden/{p.name}",
                "ok",
                "已记录摘要；加固记录格式尚无契约，报告不解析其内容",
                "digest recorded; hardening records have no contract yet and are not interpreted",
            )
        )
    return ev
