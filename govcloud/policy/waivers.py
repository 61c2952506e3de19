"""Waivers (豁免): policies/waivers.yaml, schema govcloud.waivers/v1.

A waiver names a rule or a clause, a resource selector (glob patterns on kind, namespace, name,
path), a reason, an approver, a ticket and an expiry date. A malformed file stops the gate
(WaiverFileError, exit 2); an expired waiver is not applied and adds a blocking finding, so the
gate fails until someone renews or removes it. Waived findings stay in every output.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from govcloud.policy.errors import WaiverFileError

WAIVER_SCHEMA = "govcloud.waivers/v1"
RULE_RE = re.compile(r"^(DJCP-[A-Z0-9]+-\d{3}|CKV2?_[A-Z0-9_]+)$")
CLAUSE_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+(\.[a-z])?$")
SELECTOR_KEYS = {"kind", "namespace", "name", "path"}
ALLOWED_KEYS = {"id", "rule", "clause", "resource", "reason", "approver", "ticket", "expires"}
EXPIRED_RULE = "GOVCLOUD-WAIVER-EXPIRED"


@dataclass(frozen=True)
class Waiver:
    id: str
    rule: str | None
    clause: str | None
    resource: dict[str, str]
    reason: str
    approver: str
    ticket: str
    expires: dt.date

    def matches(self, finding: dict[str, Any]) -> bool:
        if self.rule is not None and finding.get("rule_id") != self.rule:
            return False
        if self.clause is not None and not str(finding.get("clause", "")).startswith(self.clause):
            return False
        resource = finding.get("resource") or {}
        for key, pattern in self.resource.items():
            value = resource.get(key)
            if value is None or not fnmatch.fnmatchcase(str(value), pattern):
                return False
        return True

    def record(self) -> dict[str, str]:
        return {
            "id": self.id,
            "approver": self.approver,
            "ticket": self.ticket,
            "expires": self.expires.isoformat(),
            "reason": self.reason,
        }


def _fail(path: Path, field: str, reason: str) -> WaiverFileError:
    return WaiverFileError(str(path), field, reason)


def _text(entry: dict[str, Any], key: str, path: Path, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{where}.{key}", "required, a non-empty string / 必填的非空字符串")
    return value.strip()


def _date(value: Any, path: Path, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(path, f"{where}.expires", f"{value!r} is not a date (YYYY-MM-DD) / 到期日期格式错误")


def parse_waiver(entry: Any, path: Path, where: str) -> Waiver:
    if not isinstance(entry, dict):
        raise _fail(path, where, "each waiver must be a mapping / 每条豁免必须是映射")
    unknown = set(entry) - ALLOWED_KEYS
    if unknown:
        raise _fail(path, where, f"unknown field(s) {sorted(str(k) for k in unknown)} / 未知字段")
    rule, clause = entry.get("rule"), entry.get("clause")
    if rule is None and clause is None:
        raise _fail(path, where, "give `rule` or `clause` / 必须指定规则或条款")
    if rule is not None and (not isinstance(rule, str) or not RULE_RE.match(rule)):
        raise _fail(path, f"{where}.rule", f"{rule!r} is not a rule id such as DJCP-K8S-005 / 规则编号错误")
    if clause is not None and (not isinstance(clause, str) or not CLAUSE_RE.match(clause)):
        raise _fail(path, f"{where}.clause", f"{clause!r} is not a clause such as 8.1.4.4.a / 条款编号错误")
    selector = entry.get("resource")
    if not isinstance(selector, dict) or not selector:
        raise _fail(
            path, f"{where}.resource", "a selector with kind/namespace/name/path is required / 须指定资源"
        )
    if set(selector) - SELECTOR_KEYS or not all(isinstance(v, str) and v for v in selector.values()):
        raise _fail(
            path, f"{where}.resource", f"keys must be {sorted(SELECTOR_KEYS)} with string values / 选择器错误"
        )
    return Waiver(
        id=_text(entry, "id", path, where),
        rule=rule,
        clause=clause,
        resource={str(k): str(v) for k, v in selector.items()},
        reason=_text(entry, "reason", path, where),
        approver=_text(entry, "approver", path, where),
        ticket=_text(entry, "ticket", path, where),
        expires=_date(entry.get("expires"), path, where),
    )


def load_waivers(path: Path) -> list[Waiver]:
    """Reads and validates a waiver file; a missing file means no waivers."""
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, "(document)", f"cannot read file: {exc} / 无法读取文件") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else "(document)"
        raise _fail(path, where, f"invalid YAML: {exc.problem} / YAML 格式错误") from exc
    except yaml.YAMLError as exc:
        raise _fail(path, "(document)", f"invalid YAML: {exc} / YAML 格式错误") from exc
    except RecursionError as exc:
        raise _fail(path, "(document)", "nested too deeply / 嵌套层次过深") from exc
    if not isinstance(doc, dict) or doc.get("schema") != WAIVER_SCHEMA:
        raise _fail(path, "schema", f"expected {WAIVER_SCHEMA!r} / 豁免文件版本错误")
    entries = doc.get("waivers") or []
    if not isinstance(entries, list):
        raise _fail(path, "waivers", "must be a list / 必须是列表")
    waivers = [parse_waiver(e, path, f"waivers[{i}]") for i, e in enumerate(entries)]
    ids = [w.id for w in waivers]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise _fail(path, "waivers", f"duplicate id(s) {duplicates} / 豁免编号重复")
    return waivers


def apply_waivers(
    findings: list[dict[str, Any]], waivers: list[Waiver], today: dt.date, source: str
) -> list[dict[str, Any]]:
    """Marks failing findings covered by a live waiver as waived; returns findings for expired waivers."""
    live = [w for w in waivers if w.expires >= today]
    for finding in findings:
        if finding.get("status") != "fail":
            continue
        for waiver in live:
            if waiver.matches(finding):
                finding["status"] = "waived"
                finding["blocking"] = False
                finding["waiver"] = waiver.record()
                break
    clauses = {f["rule_id"]: f["clause"] for f in findings}
    return [_expired_finding(w, clauses, source) for w in waivers if w.expires < today]


def _expired_finding(waiver: Waiver, clauses: dict[str, str], source: str) -> dict[str, Any]:
    clause = waiver.clause or clauses.get(waiver.rule or "", "-")
    target = waiver.rule or waiver.clause
    return {
        "rule_id": EXPIRED_RULE,
        "clause": clause,
        "family": "waivers",
        "severity": "high",
        "status": "fail",
        "blocking": True,
        "resource": {"kind": "Waiver", "namespace": None, "name": waiver.id, "path": source},
        "message": {
            "zh": f"豁免 {waiver.id}（{target}，工单 {waiver.ticket}）已于 {waiver.expires} 到期",
            "en": f"waiver {waiver.id} ({target}, ticket {waiver.ticket}) expired on {waiver.expires}",
        },
        "remediation": {
            "zh": "修复被豁免的问题，或由审批人续期并更新到期日期",
            "en": "Fix the waived finding, or have the approver renew the waiver with a new expiry date",
        },
        "title": {"zh": "豁免已过期", "en": "Waiver expired"},
        "source": "govcloud",
        "waiver": waiver.record(),
    }
