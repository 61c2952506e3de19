"""Every output format from a real evaluation: text, JSON (contracts §3), SARIF 2.1.0, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from tests.policy.conftest import FIXTURES, MANIFESTS_BAD, PLAN_BAD, gate_args

pytestmark = pytest.mark.engine
WAIVERS = FIXTURES / "waivers" / "valid.yaml"


def _run(cli: Any, opa_url: str, fmt: str) -> Any:
    args = gate_args(opa_url, "--plan", str(PLAN_BAD), "--manifests", str(MANIFESTS_BAD), fmt=fmt)
    args[args.index("--waivers") + 1] = str(WAIVERS)
    res = cli(*args)
    assert res.exit_code == 1, res.stderr
    return res


def test_text(cli: Any, opa_url: str) -> None:
    out = _run(cli, opa_url, "text").stdout
    assert "== 安全区域边界 / Secure area boundary ==" in out
    assert "[BLOCK 阻断] DJCP-BND-002 8.1.3.2.a" in out
    assert "[WAIVED] DJCP-K8S-005" in out and "Waiver W-TEST-001" in out


def test_json_contract(cli: Any, opa_url: str) -> None:
    report = _run(cli, opa_url, "json").json()
    assert report["schema"] == "govcloud.findings/v1"
    assert report["level"] == 3
    s = report["summary"]
    assert s["fail"] == sum(f["status"] == "fail" for f in report["findings"])
    assert s["waived"] == 2
    assert s["blocking"] == sum(bool(f["blocking"]) for f in report["findings"])
    waived = [f for f in report["findings"] if f["status"] == "waived"]
    assert {f["waiver"]["id"] for f in waived} == {"W-TEST-001"}
    assert all(f["blocking"] is False for f in waived)


def test_sarif_2_1_0(cli: Any, opa_url: str) -> None:
    sarif = _run(cli, opa_url, "sarif").json()
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    run = sarif["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules))
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] and "#" not in loc["artifactLocation"]["uri"]
        assert loc["region"]["startLine"] >= 1
        assert result["message"]["text"]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert len(suppressed) == 2 and all(r["level"] == "note" for r in suppressed)
    for rule in run["tool"]["driver"]["rules"]:
        assert float(rule["properties"]["security-severity"]) > 0


def test_junit_xml(cli: Any, opa_url: str) -> None:
    root = ET.fromstring(_run(cli, opa_url, "junit").stdout.split("?>", 1)[1])
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert int(root.get("tests", "0")) == len(cases)
    failures = root.findall("./testsuite/testcase/failure")
    assert int(root.get("failures", "0")) == len(failures) > 0
    assert len(root.findall("./testsuite/testcase/skipped")) == 2
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", "0")) == len(suite.findall("testcase"))
