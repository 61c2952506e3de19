"""SARIF 2.1.0 for GitHub code scanning and GitLab: one result per failing or waived finding.

Every result has a physical location (GitHub requires one): the file and the lines of the object
it came from, relative to `%SRCROOT%` (the directory the gate ran in, given in
`originalUriBaseIds`), so code scanning places it on the right line; files outside that directory
get an absolute file: URI. Plan findings point at the plan file, with the plan path (flows[3]) as a
logical location. Waived findings carry an accepted external suppression, so they stay visible
but do not alert. Inputs the gate could not judge are error results of rule
GOVCLOUD-INPUT-ERROR on their file and line, and tool execution notifications of an invocation
that did not succeed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from govcloud.policy.render_text import error_line
from govcloud.policy.report import family_label

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
SRCROOT = "%SRCROOT%"
INPUT_ERROR_RULE = "GOVCLOUD-INPUT-ERROR"


def _artifact(file: str, base: Path) -> dict[str, Any]:
    """An artifactLocation: relative to %SRCROOT% when the file is below it, else an absolute URI."""
    path = Path(os.path.abspath(file))
    try:
        rel = path.relative_to(base)
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": rel.as_posix(), "uriBaseId": SRCROOT}


def _region(start: Any, end: Any) -> dict[str, int]:
    first = int(start) if isinstance(start, int) and start >= 1 else 1
    region = {"startLine": first}
    if isinstance(end, int) and end >= first:
        region["endLine"] = end
    return region


def _location(f: dict[str, Any], default_file: str, base: Path) -> dict[str, Any]:
    loc = f.get("location") or {}
    file = loc.get("file")
    start, end = loc.get("start_line"), loc.get("end_line")
    if not file:
        path = str((f.get("resource") or {}).get("path") or "")
        plain = path.split("#", 1)[0]
        file = (
            plain
            if plain and "[" not in plain and not plain.startswith("urn:") and Path(plain).exists()
            else default_file
        )
        start, end = (f.get("line_range") or [None, None])[0], (f.get("line_range") or [None, None])[-1]
    return {"artifactLocation": _artifact(str(file), base), "region": _region(start, end)}


def _rule(f: dict[str, Any]) -> dict[str, Any]:
    title = f.get("title") or f["message"]
    return {
        "id": f["rule_id"],
        "name": str(f["rule_id"]).replace("-", "_"),
        "shortDescription": {"text": f"{f['clause']} {title['en']}"},
        "fullDescription": {"text": f"{title['zh']} / {title['en']}"},
        "help": {"text": f"{f['remediation']['zh']}\n{f['remediation']['en']}"},
        "properties": {
            "tags": ["security", "djcp", f"clause-{f['clause']}", family_label(f["family"])],
            "security-severity": SECURITY_SEVERITY.get(f["severity"], "5.0"),
            "precision": "high",
        },
    }


INPUT_ERROR_RULE_META = {
    "id": INPUT_ERROR_RULE,
    "name": "GOVCLOUD_INPUT_ERROR",
    "shortDescription": {"text": "Input the 等保 gate could not judge (fail closed)"},
    "fullDescription": {
        "text": "门禁无法评估的输入（按不通过处理） / Input the gate could not judge (fail closed)"
    },
    "help": {"text": "按提示渲染、修正或排除该文件 / Render, fix or exclude the file as the hint says"},
    "properties": {"tags": ["security", "djcp", "input-error"], "precision": "high"},
}


def render_sarif(
    report: dict[str, Any], *, default_uri: str = "policies/catalogue.yaml", base_dir: Path | None = None
) -> dict[str, Any]:
    base = Path(os.path.abspath(base_dir or Path.cwd()))
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for f in report["findings"]:
        if f["status"] == "pass":
            continue
        rid = f["rule_id"]
        if rid not in rules:
            rules[rid] = _rule(f)
        res = f["resource"]
        logical = "/".join(str(x) for x in (res.get("kind"), res.get("namespace"), res.get("name")) if x)
        result: dict[str, Any] = {
            "ruleId": rid,
            "ruleIndex": list(rules).index(rid),
            "level": "error" if f.get("blocking") else ("note" if f["status"] == "waived" else "warning"),
            "message": {"text": f"[{f['clause']}] {f['message']['en']} / {f['message']['zh']}"},
            "locations": [
                {
                    "physicalLocation": _location(f, default_uri, base),
                    "logicalLocations": [
                        {"fullyQualifiedName": f"{logical}@{res.get('path')}", "kind": "resource"}
                    ],
                }
            ],
            "partialFingerprints": {"govcloudFinding/v1": f"{rid}|{logical}|{res.get('path')}"},
            "properties": {
                "clause": f["clause"],
                "family": f["family"],
                "source": f["source"],
                "blocking": bool(f.get("blocking")),
            },
        }
        if f["status"] == "waived" and f.get("waiver"):
            w = f["waiver"]
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": (
                        f"{w['id']} {w['ticket']} ({w['approver']}, until {w['expires']}): {w['reason']}"
                    ),
                }
            ]
        results.append(result)
    notifications: list[dict[str, Any]] = []
    errors = report.get("errors") or []
    if errors:
        rules[INPUT_ERROR_RULE] = INPUT_ERROR_RULE_META
    for e in errors:
        text = error_line(e) + (f" — {e['hint']}" if e.get("hint") else "")
        file = str(e.get("file") or "")
        located = file and not file.startswith("(") and not file.startswith("urn:")
        location = (
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(file.split("#", 1)[0], base),
                    "region": _region(e.get("line"), e.get("line")),
                }
            }
            if located
            else None
        )
        results.append(
            {
                "ruleId": INPUT_ERROR_RULE,
                "ruleIndex": list(rules).index(INPUT_ERROR_RULE),
                "level": "error",
                "kind": "fail",
                "message": {"text": text},
                "locations": [location] if location else [],
                "properties": {"errorKind": e.get("kind"), "blocking": True},
            }
        )
        notification: dict[str, Any] = {
            "level": "error",
            "message": {"text": text},
            "descriptor": {"id": str(e.get("kind"))},
        }
        if location:
            notification["locations"] = [location]
        notifications.append(notification)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "govcloud",
                        "informationUri": "https://example.invalid/govcloud/docs/policy.md",
                        "semanticVersion": "0.1.0",
                        "rules": list(rules.values()),
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
                "invocations": [
                    {
                        "executionSuccessful": not errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
                "properties": {
                    "level": report["level"],
                    "summary": report["summary"],
                    "policy_revision": report.get("policy_revision"),
                },
            }
        ],
    }
