"""Errors as data in the findings document and every renderer (no engine; issue 17)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from govcloud.policy import report
from govcloud.policy.errors import InputProblem, WaiverFileError
from govcloud.policy.render_junit import render_junit
from govcloud.policy.render_sarif import render_sarif
from govcloud.policy.render_text import render_text
from govcloud.report.evidence import load_document

FINDING = {
    "rule_id": "DJCP-K8S-004",
    "clause": "8.1.4.2.d",
    "family": "computing-environment",
    "severity": "critical",
    "status": "fail",
    "blocking": True,
    "resource": {"kind": "Pod", "namespace": "shop", "name": "debug", "path": "repo/pod.yaml#1"},
    "message": {"zh": "容器 c 为特权容器", "en": "container c is privileged"},
    "remediation": {"zh": "设置 privileged false", "en": "Set privileged false"},
    "title": {"zh": "禁止特权容器", "en": "No privileged containers"},
    "source": "opa",
    "location": {"file": "repo/pod.yaml", "start_line": 12, "end_line": 30},
}


def _report(tmp_path: Path) -> dict[str, Any]:
    problem = InputProblem(
        str(tmp_path / "repo" / "chart" / "templates" / "d.yaml"),
        4,
        "-",
        "a Helm template / Helm 模板",
        "helm-template",
        "render it / 请渲染",
    )
    fatal = WaiverFileError("policies/waivers.yaml", "waivers[0].expires", "not a date / 日期错误").problem()
    return report.build_report(
        [dict(FINDING), {**FINDING, "resource": {**FINDING["resource"], "name": "debug2"}}],
        level=3,
        inputs={},
        policy_revision=None,
        unevaluated=[],
        errors=[problem.to_json(), fatal.to_json()],
    )


def test_errors_make_exit_2_whatever_the_findings(tmp_path: Path) -> None:
    doc = _report(tmp_path)
    assert doc["summary"]["errors"] == 2 and report.exit_code(doc) == 2
    assert report.exit_code({**doc, "errors": []}) == 1


def test_sarif_lines_base_and_error_results(tmp_path: Path) -> None:
    sarif = render_sarif(_report(tmp_path), base_dir=tmp_path)
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    finding = run["results"][0]["locations"][0]["physicalLocation"]
    # repo/pod.yaml is relative to the current directory, outside tmp_path: an absolute URI.
    assert finding["artifactLocation"]["uri"] == (Path.cwd() / "repo/pod.yaml").resolve().as_uri()
    assert finding["region"] == {"startLine": 12, "endLine": 30}
    errors = [r for r in run["results"] if r["ruleId"] == "GOVCLOUD-INPUT-ERROR"]
    assert errors[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "repo/chart/templates/d.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4, "endLine": 4},
    }
    waiver_file = errors[1]["locations"][0]["physicalLocation"]
    assert waiver_file["artifactLocation"]["uri"].endswith("policies/waivers.yaml")
    assert waiver_file["region"] == {"startLine": 1}
    assert run["invocations"][0]["executionSuccessful"] is False
    assert [n["descriptor"]["id"] for n in run["invocations"][0]["toolExecutionNotifications"]] == [
        "helm-template",
        "waivers",
    ]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_junit_error_testcases(tmp_path: Path) -> None:
    root = ET.fromstring(render_junit(_report(tmp_path)))
    assert root.get("errors") == "2" and root.get("failures") == "2"
    errors = root.findall(".//testcase/error")
    assert [e.get("type") for e in errors] == ["helm-template", "waivers"]
    assert "waivers[0].expires: not a date" in errors[1].get("message", "")


def test_text_summary_per_rule_and_severity(tmp_path: Path) -> None:
    out = render_text(_report(tmp_path))
    assert "位置 At: repo/pod.yaml:12" in out
    assert "DJCP-K8S-004 8.1.4.2.d [critical] 2 fail 不符合 (2 blocking 阻断)" in out
    assert out.count("修复 Fix: 设置 privileged false / Set privileged false") == 1
    assert "critical     2 fail 不符合,     2 blocking 阻断" in out
    assert "[ERROR helm-template] 1" in out and "提示 Hint: render it / 请渲染" in out
    assert out.rstrip().endswith("Exit 退出码: 2 (input errors, fail closed 输入错误，按不通过处理)")


def test_compliance_report_refuses_findings_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(_report(tmp_path), ensure_ascii=False), encoding="utf-8")
    info, doc = load_document("findings", path, "findings.json")
    assert doc is None and info.state != "ok"
    assert "could not judge 2 input(s)" in info.note_en
