"""The findings document (contracts §3, schema govcloud.findings/v1) and its summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

FINDINGS_SCHEMA = "govcloud.findings/v1"
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_ORDER = {"fail": 0, "waived": 1, "pass": 2}
FAMILIES = {
    "physical-environment": ("8.1.1", "安全物理环境", "Secure physical environment"),
    "communication-network": ("8.1.2", "安全通信网络", "Secure communication network"),
    "area-boundary": ("8.1.3", "安全区域边界", "Secure area boundary"),
    "computing-environment": ("8.1.4", "安全计算环境", "Secure computing environment"),
    "security-management-centre": ("8.1.5", "安全管理中心", "Security management centre"),
    "cloud-extension": ("8.2", "云计算安全扩展", "Cloud computing extension"),
    "waivers": ("-", "豁免", "Waivers"),
}


def family_label(family: str) -> str:
    _clause, zh, en = FAMILIES.get(family, ("-", family, family))
    return f"{zh} / {en}"


def sort_key(f: dict[str, Any]) -> tuple[Any, ...]:
    res = f.get("resource") or {}
    return (
        not f.get("blocking"),
        STATUS_ORDER.get(str(f.get("status")), 9),
        SEVERITY_ORDER.get(str(f.get("severity")), 9),
        str(f.get("rule_id")),
        str(res.get("kind")),
        str(res.get("namespace")),
        str(res.get("name")),
    )


def summarise(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "fail": sum(1 for f in findings if f["status"] == "fail"),
        "pass": sum(1 for f in findings if f["status"] == "pass"),
        "waived": sum(1 for f in findings if f["status"] == "waived"),
        "blocking": sum(1 for f in findings if f.get("blocking")),
    }


def build_report(
    findings: list[dict[str, Any]],
    *,
    level: int,
    inputs: dict[str, Any],
    policy_revision: str | None,
    unevaluated: list[dict[str, Any]],
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Assembles govcloud.findings/v1; `inputs`, `policy_revision`, `unevaluated` are additive fields."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    for f in findings:
        f.setdefault("waiver", None)
    ordered = sorted(findings, key=sort_key)
    return {
        "schema": FINDINGS_SCHEMA,
        "generated_at": moment.isoformat().replace("+00:00", "Z"),
        "level": level,
        "summary": summarise(ordered),
        "inputs": inputs,
        "policy_revision": policy_revision,
        "unevaluated": unevaluated,
        "findings": ordered,
    }


def exit_code(report: dict[str, Any]) -> int:
    """0 when nothing blocks, 1 when a blocking finding exists."""
    return 1 if report["summary"]["blocking"] > 0 else 0
