"""The findings document (contracts §3, schema govcloud.findings/v1) and its summary.

`errors` (additive) lists every input the gate could not judge and every reason it could not
finish (InputProblem.to_json); while it is not empty the exit code is 2, whatever the findings.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from govcloud.contracts.findings import FINDINGS_SCHEMA, Findings
from govcloud.policy.catalogue import load_catalogue
from govcloud.policy.errors import GateError
from govcloud.policy.waivers import WAIVERS_FAMILY

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_ORDER = {"fail": 0, "waived": 1, "pass": 2}


@functools.cache
def _family_labels() -> dict[str, str]:
    """Family id -> "中文 / English", from the clause catalogue (the one source of family names)."""
    try:
        cat = load_catalogue()
    except GateError:  # the gate reports an unreadable catalogue itself; labels fall back to ids
        return {}
    return {f.id: f.label() for f in cat.families}


def family_label(family: str) -> str:
    if family == WAIVERS_FAMILY:
        return "豁免 / Waivers"
    return _family_labels().get(family, family)


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


def summarise(findings: list[dict[str, Any]], errors: int = 0) -> dict[str, int]:
    return {
        "fail": sum(1 for f in findings if f["status"] == "fail"),
        "pass": sum(1 for f in findings if f["status"] == "pass"),
        "waived": sum(1 for f in findings if f["status"] == "waived"),
        "blocking": sum(1 for f in findings if f.get("blocking")),
        "errors": errors,
    }


def by_rule(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per rule: clause, severity, counts, title and remediation (once), worst first."""
    rules: dict[str, dict[str, Any]] = {}
    for f in findings:
        entry = rules.setdefault(
            str(f["rule_id"]),
            {
                "rule_id": f["rule_id"],
                "clause": f.get("clause"),
                "severity": f.get("severity"),
                "source": f.get("source"),
                "title": f.get("title") or f.get("message"),
                "remediation": f.get("remediation"),
                "fail": 0,
                "blocking": 0,
                "waived": 0,
                "pass": 0,
            },
        )
        entry[str(f["status"])] = entry.get(str(f["status"]), 0) + 1
        entry["blocking"] += 1 if f.get("blocking") else 0
    return sorted(
        rules.values(),
        key=lambda r: (
            -r["blocking"],
            -r["fail"],
            SEVERITY_ORDER.get(str(r["severity"]), 9),
            str(r["rule_id"]),
        ),
    )


def by_severity(findings: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per severity (critical..low): fail, blocking and waived counts."""
    out = {sev: {"fail": 0, "blocking": 0, "waived": 0} for sev in SEVERITY_ORDER}
    for f in findings:
        counts = out.setdefault(str(f.get("severity")), {"fail": 0, "blocking": 0, "waived": 0})
        if f["status"] in ("fail", "waived"):
            counts[str(f["status"])] += 1
        counts["blocking"] += 1 if f.get("blocking") else 0
    return out


def build_report(
    findings: list[dict[str, Any]],
    *,
    level: int,
    inputs: dict[str, Any],
    policy_revision: str | None,
    unevaluated: list[dict[str, Any]],
    errors: list[dict[str, Any]] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Assembles govcloud.findings/v1; `inputs`, `policy_revision`, `unevaluated`, `errors` are additive."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    for f in findings:
        f.setdefault("waiver", None)
    ordered = sorted(findings, key=sort_key)
    doc = {
        "schema": FINDINGS_SCHEMA,
        "generated_at": moment.isoformat().replace("+00:00", "Z"),
        "level": level,
        "summary": summarise(ordered, len(errors or [])),
        "inputs": inputs,
        "policy_revision": policy_revision,
        "unevaluated": unevaluated,
        "errors": list(errors or []),
        "findings": ordered,
    }
    # The writer checks what it adds (summary, inputs, errors …) against the contract; the findings
    # were built through the Finding model by their producers (engine, checkov_scan, waivers).
    Findings.model_validate({**doc, "findings": []})
    return doc


def exit_code(report: dict[str, Any]) -> int:
    """2 while any input could not be judged (fail closed), else 1 when a blocking finding exists, else 0."""
    if report.get("errors"):
        return 2
    return 1 if report["summary"]["blocking"] > 0 else 0
