"""`govcloud check` on a folder shaped like a real public repository (issue 17), against real OPA.

One run must report every finding AND every file it could not judge, fail closed (exit 2), and
carry the errors in every output format; with the unjudgeable files excluded it gives the verdict
on the rest (exit 1 here). Each "miss" of the issue is asserted by rule, resource and file.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from govcloud.policy import engine
from tests.policy.conftest import FIXTURES, gate_args

pytestmark = pytest.mark.engine
REALWORLD = FIXTURES / "realworld"
REL = os.path.relpath(REALWORLD)
UNJUDGEABLE = ["charts/", "kustomize/overlays/", "broken/", "docker-compose.yml"]

# What a level-3 review looks for first, as (rule, kind, name, file, reason fragment).
EXPECTED_FINDINGS = [
    (
        "DJCP-K8S-012",
        "Deployment",
        "cart",
        "kustomize/base/deployment.yaml",
        "env REDIS_PASSWORD holds a plain-text",
    ),
    (
        "DJCP-K8S-012",
        "Deployment",
        "web",
        "apps/backend/deployment.yaml",
        "password in a URL on its command line",
    ),
    ("DJCP-K8S-012", "Rollout", "checkout", "crds/rollout.yaml", "env PAYMENT_API_KEY"),
    ("DJCP-K8S-013", "Secret", "mysql-credentials", "secrets/db.yaml", "data holds key password"),
    ("DJCP-K8S-014", "Job", "db-migrate-*", "jobs/migrate.yaml", "sensitive host path /"),
    ("DJCP-K8S-015", "Deployment", "web", "apps/backend/deployment.yaml", "adds capability NET_ADMIN"),
    (
        "DJCP-K8S-016",
        "Service",
        "redis-cart",
        "kustomize/base/service.yaml",
        "data port tcp-redis/6379 (Redis",
    ),
    ("DJCP-K8S-016", "Service", "elasticsearch", "monitoring/grafana.yaml#1", "data port rest/9200"),
    ("DJCP-K8S-006", "Service", "grafana", "monitoring/grafana.yaml#0", "admin UI of grafana"),
    ("DJCP-K8S-017", "NetworkPolicy", "allow-all-ingress", "network/netpol.yaml#1", "admits every source"),
    ("DJCP-K8S-001", "Namespace", "shop", None, "allow-all-ingress allows all Ingress traffic"),
    ("DJCP-K8S-008", "ClusterRoleBinding", "ci-deployer", "rbac/bindings.yaml", "system:serviceaccounts:ci"),
    ("DJCP-K8S-003", "Rollout", "checkout", "crds/rollout.yaml", "hostNetwork is enabled"),
    ("DJCP-K8S-004", "Pod", "debug-shell", "apps/backend/DEBUG-POD.YAML", "is privileged"),
]


def _check(cli: Any, opa_url: str, *extra: str, fmt: str = "json") -> Any:
    return cli(*gate_args(opa_url, "--manifests", str(REALWORLD), *extra, fmt=fmt))


def _failing(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["status"] == "fail"]


def test_one_run_reports_every_finding_and_every_bad_file(cli: Any, opa_url: str) -> None:
    res = _check(cli, opa_url)
    assert res.exit_code == 2, res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    report = res.json()
    errors = {Path(e["file"]).relative_to(REALWORLD).as_posix(): e for e in report["errors"]}
    assert set(errors) == {
        "docker-compose.yml",
        "broken/ingress.yaml",
        "broken/logo.json",
        "charts/shop/values.yaml",
        "charts/shop/ci/prod-values.yaml",
        "charts/shop/templates/deployment.yaml",
        "charts/shop/templates/service.yaml",
        "kustomize/overlays/prod/replicas.yaml",
        "kustomize/overlays/prod/delete-debug.yaml",
        "kustomize/overlays/prod/settings.json",
        "kustomize/overlays/staging/image-patch.yaml",
        "kustomize/overlays/staging/resources-patch.yaml",
    }
    assert "helm template" in errors["charts/shop/templates/deployment.yaml"]["hint"]
    assert "kustomize build" in errors["kustomize/overlays/prod/replicas.yaml"]["hint"]
    assert "not a Kubernetes object" in errors["docker-compose.yml"]["hint"]
    assert report["summary"]["errors"] == 12
    failing = _failing(report)
    for rule, kind, name, file, text in EXPECTED_FINDINGS:
        path = f"realworld/{file}" if file else None
        hits = [
            f
            for f in failing
            if (f["rule_id"], f["resource"]["kind"], f["resource"]["name"]) == (rule, kind, name)
            and f["resource"]["path"] == path
            and text in f["message"]["en"]
        ]
        assert hits, (rule, kind, name, file, text)
    # Partial patches are not judged as whole objects: no finding comes from an overlay.
    assert not [f for f in report["findings"] if "overlays" in str(f["resource"].get("path"))]
    # Sibling apps reusing a name are both judged and listed as duplicates.
    assert {f["resource"]["path"] for f in report["findings"] if f["resource"]["name"] == "web"} >= {
        "realworld/apps/backend/deployment.yaml",
        "realworld/apps/frontend/deployment.yaml#0",
    }
    assert report["inputs"]["duplicates"][0]["name"] == "web"
    # The custom kind with a pod template is judged; the one without is listed, not an error.
    assert {u["kind"] for u in report["unevaluated"]} == {"Foo", "PrometheusRule"}


def test_excluding_the_unjudgeable_files_gives_the_verdict(cli: Any, opa_url: str) -> None:
    excludes = [arg for pattern in UNJUDGEABLE for arg in ("--exclude", pattern)]
    res = _check(cli, opa_url, *excludes)
    assert res.exit_code == 1, res.stderr
    report = res.json()
    assert report["errors"] == []
    excluded = report["inputs"]["manifest_dirs"][0]["excluded"]
    assert {e["path"] for e in excluded} == {*UNJUDGEABLE, ".github/"}
    assert len(_failing(report)) == len(_failing(_check(cli, opa_url).json()))


def test_upper_case_yaml_alone_is_read_and_blocks(cli: Any, opa_url: str, tmp_path: Path) -> None:
    (tmp_path / "DEBUG-POD.YAML").write_bytes((REALWORLD / "apps/backend/DEBUG-POD.YAML").read_bytes())
    res = cli(*gate_args(opa_url, "--manifests", str(tmp_path)))
    assert res.exit_code == 1, res.stderr
    assert ("DJCP-K8S-004", "debug-shell") in {
        (f["rule_id"], f["resource"]["name"]) for f in _failing(res.json())
    }


def test_nothing_read_is_exit_2_not_a_pass(cli: Any, opa_url: str, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# no manifests here\n", encoding="utf-8")
    res = cli(*gate_args(opa_url, "--manifests", str(tmp_path), fmt="text"))
    assert res.exit_code == 2
    assert "no Kubernetes object found" in res.stdout and "no Kubernetes object found" in res.stderr


def test_unquoted_date_annotation_is_no_crash(cli: Any, opa_url: str, tmp_path: Path) -> None:
    (tmp_path / "release.yaml").write_bytes((REALWORLD / "apps/backend/release.yml").read_bytes())
    res = cli(*gate_args(opa_url, "--manifests", str(tmp_path)))
    assert res.exit_code == 0, res.stderr
    assert "Traceback" not in res.stdout + res.stderr


def test_internal_error_is_exit_2_with_a_message(
    cli: Any, opa_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(_decision: dict[str, Any]) -> list[dict[str, Any]]:
        raise KeyError("rule_id")

    monkeypatch.setattr(engine, "expand", broken)
    out = tmp_path / "r.sarif"
    res = cli(*gate_args(opa_url, "--manifests", str(REALWORLD / "secrets"), fmt="sarif"), "--out", str(out))
    assert res.exit_code == 2
    assert "internal error KeyError" in res.stderr and "Traceback" not in res.stderr
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_sarif_places_findings_and_errors_on_their_lines(cli: Any, opa_url: str) -> None:
    sarif = _check(cli, opa_url, fmt="sarif").json()
    run = sarif["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == Path.cwd().resolve().as_uri() + "/"
    by_key = {}
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"] if result["locations"] else None
        assert loc is None or loc["artifactLocation"].get("uriBaseId") == "%SRCROOT%"
        by_key.setdefault(result["ruleId"], []).append((loc, result))
    # The Service of the second document of a file is on its own line, not line 1.
    es = [
        loc
        for loc, r in by_key["DJCP-K8S-016"]
        if "elasticsearch" in r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    ]
    assert es[0]["artifactLocation"]["uri"] == f"{REL}/monitoring/grafana.yaml"
    assert es[0]["region"] == {"startLine": 15, "endLine": 23}
    lines = (REALWORLD / "monitoring/grafana.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[14] == "apiVersion: v1"
    errors = by_key["GOVCLOUD-INPUT-ERROR"]
    assert len(errors) == 12 and all(r["level"] == "error" for _loc, r in errors)
    broken = [
        loc for loc, r in errors if loc and loc["artifactLocation"]["uri"].endswith("broken/ingress.yaml")
    ]
    assert broken[0]["region"]["startLine"] == 13
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert len(invocation["toolExecutionNotifications"]) == 12


def test_junit_and_text_carry_the_errors(cli: Any, opa_url: str) -> None:
    junit = _check(cli, opa_url, fmt="junit")
    assert junit.exit_code == 2
    root = ET.fromstring(junit.stdout)
    assert root.get("errors") == "12"
    errors = root.findall(".//testcase/error")
    assert len(errors) == 12
    assert {e.get("type") for e in errors} >= {
        "helm-template",
        "helm-values",
        "kustomize-patch",
        "yaml-syntax",
    }
    text = _check(cli, opa_url, fmt="text")
    out = text.stdout
    assert "Input errors: 12" in out
    assert "[ERROR kustomize-patch] 5" in out
    assert out.count("提示 Hint: a kustomize patch or input") == 1  # the hint once per kind
    # Summary per rule with the remediation once, and per severity.
    assert "== 按规则汇总 Summary by rule" in out and "== 按严重程度汇总 Summary by severity ==" in out
    assert "DJCP-K8S-009 8.2.5.1.a [medium] 5 fail 不符合 (5 blocking 阻断)" in out
    assert out.count("修复 Fix: 为每个容器设置 resources.requests") == 1  # five resources, one remediation
    assert "critical" in out.split("Summary by severity")[1]
    assert out.rstrip().endswith("Exit 退出码: 2 (input errors, fail closed 输入错误，按不通过处理)")


def test_checkov_sees_only_the_judged_objects(cli: Any, opa_url: str) -> None:
    args = gate_args(opa_url, "--manifests", str(REALWORLD))
    args.remove("--no-checkov")
    res = cli(*args)
    assert res.exit_code == 2, res.stderr
    report = res.json()
    from_checkov = [f for f in report["findings"] if f["source"] == "checkov"]
    assert from_checkov, "checkov produced no finding"
    paths = {str(f["resource"]["path"]) for f in from_checkov}
    assert not [p for p in paths if "overlays" in p or "charts/" in p or "broken" in p], paths
    manifests = [f for f in from_checkov if str(f["resource"]["path"]).startswith("realworld/")]
    assert manifests
    for f in manifests:
        file = Path(f["location"]["file"])
        assert file.is_file() and REALWORLD in file.parents, f["location"]
