"""SARIF 2.1.0 for GitHub code scanning and GitLab: one result per failing or waived finding.

Every result has a physical location (GitHub requires one): the manifest or plan file it came
from; plan paths such as flows[3] go into logicalLocations. Waived findings carry an accepted
external suppression, so they stay visible but do not alert.
"""

from __future__ import annotations

from typing import Any

from govcloud.policy.report import family_label

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _artifact(f: dict[str, Any], default_uri: str) -> tuple[str, int]:
    res = f["resource"]
    uri = str(res.get("path") or "")
    line = 1
    if f.get("line_range"):
        line = max(1, int(f["line_range"][0]))
    if not uri or "[" in uri or uri.startswith("urn:") or ("/" not in uri and "." not in uri):
        uri = default_uri
    uri = uri.split("#", 1)[0]
    return uri, line


def render_sarif(report: dict[str, Any], *, default_uri: str = "policies/catalogue.yaml") -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for f in report["findings"]:
        if f["status"] == "pass":
            continue
        rid = f["rule_id"]
        if rid not in rules:
            title = f.get("title") or f["message"]
            rules[rid] = {
                "id": rid,
                "name": rid.replace("-", "_"),
                "shortDescription": {"text": f"{f['clause']} {title['en']}"},
                "fullDescription": {"text": f"{title['zh']} / {title['en']}"},
                "help": {"text": f"{f['remediation']['zh']}\n{f['remediation']['en']}"},
                "properties": {
                    "tags": ["security", "djcp", f"clause-{f['clause']}", family_label(f["family"])],
                    "security-severity": SECURITY_SEVERITY.get(f["severity"], "5.0"),
                    "precision": "high",
                },
            }
        uri, line = _artifact(f, default_uri)
        res = f["resource"]
        logical = "/".join(str(x) for x in (res.get("kind"), res.get("namespace"), res.get("name")) if x)
        result: dict[str, Any] = {
            "ruleId": rid,
            "ruleIndex": list(rules).index(rid),
            "level": "error" if f.get("blocking") else ("note" if f["status"] == "waived" else "warning"),
            "message": {"text": f"[{f['clause']}] {f['message']['en']} / {f['message']['zh']}"},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}},
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
                "results": results,
                "properties": {
                    "level": report["level"],
                    "summary": report["summary"],
                    "policy_revision": report.get("policy_revision"),
                },
            }
        ],
    }
