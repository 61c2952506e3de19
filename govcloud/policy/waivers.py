"""Waivers (豁免): policies/waivers.yaml, schema govcloud.waivers/v1 (govcloud.contracts.waivers).

A waiver names a rule or a clause, a resource selector (glob patterns on kind, namespace, name,
path), a reason, an approver, a ticket and an expiry date. A malformed file stops the gate
(WaiverFileError, exit 2); an expired waiver is not applied and adds a blocking finding, so the
gate fails until someone renews or removes it. Waived findings stay in every output.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govcloud.contracts import waivers as contract
from govcloud.contracts.base import ContractError
from govcloud.contracts.findings import Bilingual, Finding, Resource, WaiverRecord
from govcloud.contracts.waivers import Waiver
from govcloud.contracts.yamldoc import YamlError
from govcloud.policy.errors import WaiverFileError

__all__ = ["EXPIRED_RULE", "Waiver", "apply_waivers", "load_waivers", "matches", "record"]

EXPIRED_RULE = "GOVCLOUD-WAIVER-EXPIRED"
WAIVERS_FAMILY = "waivers"  # the family of expired-waiver findings (no catalogue family)


def matches(waiver: Waiver, finding: Mapping[str, Any]) -> bool:
    """Does the waiver cover the finding (rule or clause prefix, and every selector pattern)?"""
    if waiver.rule is not None and finding.get("rule_id") != waiver.rule:
        return False
    if waiver.clause is not None and not str(finding.get("clause", "")).startswith(waiver.clause):
        return False
    resource = finding.get("resource") or {}
    for key, pattern in waiver.resource.patterns().items():
        value = resource.get(key)
        if value is None or not fnmatch.fnmatchcase(str(value), pattern):
            return False
    return True


def record(waiver: Waiver) -> WaiverRecord:
    return WaiverRecord(
        id=waiver.id,
        approver=waiver.approver,
        ticket=waiver.ticket,
        expires=waiver.expires.isoformat(),
        reason=waiver.reason,
    )


def load_waivers(path: Path) -> list[Waiver]:
    """Reads and validates a waiver file; a missing file means no waivers."""
    if not path.exists():
        return []
    try:
        return contract.load_waivers(path).waivers
    except YamlError as exc:
        where = exc.field or "(document)"
        raise WaiverFileError(str(path), where, exc.reason, line=exc.line) from exc
    except ContractError as exc:
        raise WaiverFileError(str(path), exc.field or "(document)", exc.reason) from exc


def apply_waivers(
    findings: list[dict[str, Any]], waivers: list[Waiver], today: dt.date, source: str
) -> list[dict[str, Any]]:
    """Marks failing findings covered by a live waiver as waived; returns findings for expired waivers."""
    live = [w for w in waivers if w.expires >= today]
    for finding in findings:
        if finding.get("status") != "fail":
            continue
        for waiver in live:
            if matches(waiver, finding):
                finding["status"] = "waived"
                finding["blocking"] = False
                finding["waiver"] = record(waiver).model_dump(mode="json")
                break
    clauses = {f["rule_id"]: f["clause"] for f in findings}
    return [_expired_finding(w, clauses, source) for w in waivers if w.expires < today]


def _expired_finding(waiver: Waiver, clauses: dict[str, str], source: str) -> dict[str, Any]:
    clause = waiver.clause or clauses.get(waiver.rule or "", "-")
    target = waiver.rule or waiver.clause
    return Finding(
        rule_id=EXPIRED_RULE,
        clause=clause,
        family=WAIVERS_FAMILY,
        severity="high",
        status="fail",
        blocking=True,
        resource=Resource(kind="Waiver", namespace=None, name=waiver.id, path=source),
        message=Bilingual(
            zh=f"豁免 {waiver.id}（{target}，工单 {waiver.ticket}）已于 {waiver.expires} 到期",
            en=f"waiver {waiver.id} ({target}, ticket {waiver.ticket}) expired on {waiver.expires}",
        ),
        remediation=Bilingual(
            zh="修复被豁免的问题，或由审批人续期并更新到期日期",
            en="Fix the waived finding, or have the approver renew the waiver with a new expiry date",
        ),
        title=Bilingual(zh="豁免已过期", en="Waiver expired"),
        source="govcloud",
        waiver=record(waiver),
    ).as_json()
