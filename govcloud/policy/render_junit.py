"""JUnit XML (GitLab/GitHub test reports): a testsuite per control family, a testcase per finding.

fail -> <failure>, waived -> <skipped> with the waiver, pass -> an empty testcase. Inputs the gate
could not judge are <error> testcases of a suite of their own, so a CI test report shows them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from govcloud.policy.render_text import error_line
from govcloud.policy.report import family_label


def render_junit(report: dict[str, Any]) -> str:
    root = ET.Element("testsuites", name="govcloud 等保 policy gate")
    by_family: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        by_family.setdefault(f["family"], []).append(f)
    total_fail = 0
    total = 0
    for family in sorted(by_family):
        items = by_family[family]
        fails = sum(1 for f in items if f["status"] == "fail")
        skipped = sum(1 for f in items if f["status"] == "waived")
        suite = ET.SubElement(
            root,
            "testsuite",
            name=family_label(family),
            tests=str(len(items)),
            failures=str(fails),
            errors="0",
            skipped=str(skipped),
        )
        for f in items:
            res = f["resource"]
            ns = f"{res['namespace']}/" if res.get("namespace") else ""
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{f['rule_id']} {f['clause']}",
                name=f"{res.get('kind')} {ns}{res.get('name')}",
                file=str(res.get("path") or ""),
            )
            if f["status"] == "fail":
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{f['message']['en']} / {f['message']['zh']}",
                    type="blocking" if f.get("blocking") else "advisory",
                )
                failure.text = (
                    f"{f['severity']} [{f['source']}] {f['remediation']['en']}\n{f['remediation']['zh']}"
                )
            elif f["status"] == "waived":
                w = f.get("waiver") or {}
                ET.SubElement(
                    case,
                    "skipped",
                    message=f"waived {w.get('id')} {w.get('ticket')} until {w.get('expires')}",
                )
        total += len(items)
        total_fail += fails
    errors = report.get("errors") or []
    if errors:
        suite = ET.SubElement(
            root,
            "testsuite",
            name="输入错误 / Input errors (not judged, fail closed)",
            tests=str(len(errors)),
            failures="0",
            errors=str(len(errors)),
            skipped="0",
        )
        for e in errors:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"input-error {e.get('kind')}",
                name=str(e.get("file")),
                file=str(e.get("file")),
            )
            if e.get("line"):
                case.set("line", str(e["line"]))
            error = ET.SubElement(case, "error", message=error_line(e), type=str(e.get("kind")))
            error.text = str(e.get("hint") or "")
        total += len(errors)
    root.set("tests", str(total))
    root.set("failures", str(total_fail))
    root.set("errors", str(len(errors)))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
