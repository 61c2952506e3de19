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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govcloud.contracts import findings as contract_findings
from govcloud.contracts.base import ContractError, Document, check_schema
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


# ---- host evidence (govcloud.host-evidence/v1, contracts §4) -------------------------------------------


class HostResult(_Model):
    clause: str
    check: str
    # not_applicable: the check cannot be decided on this host (e.g. a kernel-wide setting on a lab
    # host that shares the machine's kernel); it never counts as a pass.
    status: Literal["pass", "fail", "error", "not_applicable"]
    observed: Any = None
    expected: Any = None
    at: str | None = None


class HostEvidence(_Model):
    host: str
    results: list[HostResult]


class Hosts(_Model):
    schema_: str = Field(alias="schema")
    generated_at: str
    stack: str | None = None
    hosts: list[HostEvidence]


# ---- drill records (govcloud.drill/v1, contracts §5; fields as read here are listed in docs/report.md) --


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


def _part(d: dict[str, Any], key: str) -> dict[str, Any]:
    """An optional object of a drill record ({} when absent or null); any other type rejects the record."""
    v = d.get(key)
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise ValueError(f"{key}: expected an object, got {type(v).__name__}")
    return v


def _parts(d: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """An optional list of objects of a drill record; a list holding anything else rejects the record
    (dropping one entry could hide a failure)."""
    v = d.get(key)
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
        raise ValueError(f"{where}: expected a list of objects")
    return v


def _number(v: Any, where: str) -> float | int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{where}: expected a number, got {type(v).__name__}")
    return v


def _from_drill_record(d: dict[str, Any]) -> dict[str, Any]:
    """The record `govcloud drill run` writes (scenario object, phases, per-system targets) in the
    shape this report reads. Records already in that shape pass through unchanged. A part of the
    wrong type rejects the record (ValueError: pydantic reports it as a validation error)."""
    scen = d.get("scenario")
    if not isinstance(scen, dict):
        return d
    ach = _part(d, "achieved")
    lags = _parts(d, "replication_before_fault", "replication_before_fault")
    cons = _part(d, "consistency")
    g = _part(d, "gbt20988")
    systems = []
    for t in _parts(_part(d, "targets"), "systems", "targets.systems"):
        met = t.get("rto_met") and t.get("rpo_met")
        systems.append({
            "system": t.get("system"),
            "targets": {"rto_s": t.get("rto_s"), "rpo_s": t.get("rpo_s")},
            "achieved": {"rto_s": t.get("achieved_rto_s"), "rpo_s": t.get("achieved_rpo_s")},
            "result": "pass" if met else "fail",
        })
    where = "replication_before_fault[]"
    lag_s = [_number(r.get("replay_lag_s"), f"{where}.replay_lag_s") or 0.0 for r in lags]
    lag_b = [_number(r.get("replay_lag_bytes"), f"{where}.replay_lag_bytes") or 0 for r in lags]
    digests = cons.get("digests") or []
    if not isinstance(digests, list):
        raise ValueError("consistency.digests: expected a list")
    return {
        "schema": d.get("schema"),
        "drill_id": d.get("drill_id"),
        "scenario": scen.get("id"),
        "started_at": d.get("started_at"),
        "finished_at": d.get("ended_at"),
        "steps": [{"name": st.get("phase"), "at": st.get("started_at"), "ended_at": st.get("ended_at"),
                   "result": "ok" if st.get("ok") else "failed"} for st in _parts(d, "steps", "steps")],
        "achieved": {"rto_s": ach.get("rto_write_s"), "rpo_s": ach.get("rpo_s")},
        "systems": systems,
        "replication_lag_s": max(lag_s, default=None),
        "replication_lag_bytes": max(lag_b, default=None),
        "consistency": {"result": "pass" if cons.get("consistent") else "fail",
                        "method": "rows and MD5 of the drill table on every node",
                        "detail": f"{len(digests)} nodes compared"} if cons else None,
        "gbt20988_edition": g.get("edition"),
        "elements": [e.get("id") for e in _parts(g, "elements", "gbt20988.elements")
                     if e.get("status") == "evidenced"],
        "claimed_level": g.get("level_supported_as_evidence"),
        "result": "pass" if d.get("passed") else "fail",
        "engine": _part(d, "service").get("engine"),
    }


class Drill(_Model):
    schema_: str = Field(alias="schema")

    @model_validator(mode="before")
    @classmethod
    def _record_shape(cls, data: Any) -> Any:
        return _from_drill_record(data) if isinstance(data, dict) else data

    drill_id: str | None = None
    scenario: str
    started_at: str | None = None
    finished_at: str | None = None
    steps: list[DrillStep] = Field(default_factory=list)
    targets: RtoRpo | None = None
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


# ---- loading --------------------------------------------------------------------------------------------

SCHEMAS: dict[str, str] = {
    "plan": "govcloud.plan/v1",
    "findings": "govcloud.findings/v1",
    "hosts": "govcloud.host-evidence/v1",
    "drills": "govcloud.drill/v1",
}

_MODELS: dict[str, type[BaseModel]] = {
    "plan": PlanDocument,
    "findings": Findings,
    "hosts": Hosts,
    "drills": Drill,
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
    hosts: Hosts | None = None
    drills: list[tuple[InputFile, Drill]] = field(default_factory=list)


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out.replace("schema_", "schema") or "<document>"


def load_document(kind: str, path: Path, rel: str) -> tuple[InputFile, BaseModel | None]:
    """Load one evidence document; never raises for bad content."""
    if not path.is_file():
        return InputFile(kind, path, rel, "missing", "文件不存在", "file not found"), None
    try:
        data = path.read_bytes()
    except OSError as exc:
        return InputFile(kind, path, rel, "corrupt", f"无法读取：{exc}", f"cannot read: {exc}"), None
    expected = SCHEMAS[kind]
    try:
        # Fast path: pydantic-core parses and validates in one pass.
        doc = _MODELS[kind].model_validate_json(data)
    except ValidationError:
        doc = None
    if doc is not None and getattr(doc, "schema_", None) == expected:
        gen = (
            getattr(doc, "generated_at", None)
            or getattr(doc, "finished_at", None)
            or getattr(doc, "started_at", None)
        )
        return InputFile(kind, path, rel, "ok", generated_at=gen if isinstance(gen, str) else None), doc
    return _diagnose(kind, path, rel, data, expected), None


def _diagnose(kind: str, path: Path, rel: str, data: bytes, expected: str) -> InputFile:
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
    if issubclass(model, Document):  # a contract: its own schema check (a newer version, another document)
        try:
            model.model_validate(check_schema(raw, model, rel))
        except (ContractError, ValidationError) as exc:
            bad = exc if isinstance(exc, ContractError) else ContractError.from_validation(exc, rel)
            state: InputState = "rejected" if bad.path == "schema" else "corrupt"
            at = bad.path or "<document>"
            return InputFile(kind, path, rel, state, f"字段 {at}：{bad.reason}", f"field {at}: {bad.reason}")
        return InputFile(kind, path, rel, "corrupt", "无法解析", "could not be parsed")
    if raw.get("schema") != expected:
        found = raw.get("schema")
        return InputFile(
            kind,
            path,
            rel,
            "rejected",
            f"schema 应为 {expected}，实为 {found!r}",
            f"schema: expected {expected}, found {found!r}",
        )
    try:
        _MODELS[kind].model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _field_path(tuple(err["loc"]))
        return InputFile(
            kind, path, rel, "corrupt", f"字段 {where}：{err['msg']}", f"field {where}: {err['msg']}"
        )
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
        elif isinstance(doc, Hosts):
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
        if isinstance(doc, Drill):
            ev.drills.append((info, doc))
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
