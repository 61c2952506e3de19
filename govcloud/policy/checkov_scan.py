"""Runs checkov (its own virtualenv, called as a program) and maps its results to 等保 clauses.

Only checks listed in policies/checkov/mapping.yaml become findings; custom 等保 checks live in
policies/checkov/*.py and are loaded with --external-checks-dir.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from govcloud.contracts.base import ContractError
from govcloud.contracts.catalogue import Catalogue, CheckovMapping, load_checkov_mapping
from govcloud.contracts.findings import Bilingual, Finding, Resource
from govcloud.policy import catalogue as clause_catalogue
from govcloud.policy import paths
from govcloud.policy.errors import EngineError
from govcloud.toolchain import versions
from govcloud.toolchain.env import ToolMissingError


def checkov_path() -> Path:
    exe = versions.checkov_venv() / "bin" / "checkov"
    if not exe.is_file():
        raise ToolMissingError(
            f"checkov {versions.CHECKOV_VERSION} is not installed at {exe}. Install it with "
            "`python -m govcloud.toolchain.build --only checkov`, or run `govcloud check --no-checkov`.\n"
            "未安装 checkov：请运行 `python -m govcloud.toolchain.build --only checkov`。"
        )
    return exe


def load_mapping(path: Path = paths.CHECKOV_MAPPING) -> CheckovMapping:
    """The checkov mapping (govcloud.checkov-mapping/v1); a malformed one stops the gate (exit 2)."""
    try:
        return load_checkov_mapping(path)
    except ContractError as exc:
        raise EngineError(f"{exc} / checkov 映射文件格式错误") from exc


def run_checkov(directories: list[Path], timeout: float = 600.0) -> list[dict[str, Any]]:
    """checkov over the directories (Kubernetes and Ansible frameworks); raw check results."""
    if not directories:
        return []
    cmd = [str(checkov_path())]
    for directory in directories:
        cmd += ["-d", str(directory.resolve())]
    cmd += [
        "--framework",
        "kubernetes",
        "ansible",
        "--external-checks-dir",
        str(paths.CHECKOV_CHECKS),
        "-o",
        "json",
        "--skip-download",
        "--compact",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"checkov did not finish within {timeout:g} s / checkov 超时") from exc
    try:
        reports = _json_documents(proc.stdout)
    except json.JSONDecodeError as exc:
        raise EngineError(
            f"checkov exited {proc.returncode} without JSON output / checkov 输出无法解析: "
            f"{proc.stderr[-800:]}"
        ) from exc
    results: list[dict[str, Any]] = []
    for report in reports:
        if not isinstance(report, dict) or "results" not in report:
            continue  # checkov prints an empty summary for frameworks with nothing to scan
        for key, status in (("failed_checks", "fail"), ("passed_checks", "pass")):
            for check in report["results"].get(key, []):
                results.append({**check, "_status": status, "_framework": report.get("check_type")})
    return results


def _json_documents(text: str) -> list[Any]:
    """checkov prints one JSON value per framework run, sometimes several back to back."""
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return docs
        value, pos = decoder.raw_decode(text, pos)
        docs += value if isinstance(value, list) else [value]


def _resource(check: dict[str, Any], base: dict[str, Path]) -> Resource:
    path = str(check.get("file_abs_path") or check.get("file_path") or "")
    for label, directory in base.items():
        root = str(directory.resolve())
        if path.startswith(root):
            path = f"{label}/{Path(path).relative_to(root).as_posix()}"
            break
    resource = str(check.get("resource", ""))
    if check.get("_framework") == "kubernetes":
        parts = resource.split(".")
        if len(parts) >= 3:
            return Resource(kind=parts[0], namespace=parts[1], name=".".join(parts[2:]), path=path)
        if len(parts) == 2:
            return Resource(kind=parts[0], namespace=None, name=parts[1], path=path)
    return Resource(kind="AnsibleTask", namespace=None, name=resource, path=path)


def to_findings(
    results: list[dict[str, Any]],
    level: int,
    base: dict[str, Path],
    mapping: CheckovMapping,
    catalogue: Catalogue | None = None,
) -> list[dict[str, Any]]:
    """Mapped checkov results as govcloud findings (source "checkov"); the family is the catalogue's
    for the mapped clause."""
    cat = catalogue if catalogue is not None else clause_catalogue.load_catalogue()
    findings: list[dict[str, Any]] = []
    for check in results:
        check_id = str(check.get("check_id"))
        meta = mapping.checks.get(check_id)
        if meta is None:
            continue
        item = cat.item(meta.clause)
        if item is None:
            raise EngineError(
                f"{paths.CHECKOV_MAPPING}: checks.{check_id}: clause {meta.clause} is not in the clause "
                "catalogue; run `govcloud catalogue` / 映射的条款不在目录中"
            )
        status = check["_status"]
        name = str(check.get("check_name", check_id))
        lines = check.get("file_line_range")
        finding = Finding(
            rule_id=check_id,
            clause=meta.clause,
            family=item.family,
            severity=meta.severity,
            status=status,
            blocking=status == "fail" and level in meta.blocking_levels,
            resource=_resource(check, base),
            message=Bilingual(
                zh=f"checkov {check_id} {'未通过' if status == 'fail' else '通过'}：{name}",
                en=f"checkov {check_id} {'failed' if status == 'fail' else 'passed'}: {name}",
            ),
            remediation=Bilingual(zh=f"参见 checkov {check_id} 的说明", en=f"See checkov {check_id}"),
            title=Bilingual(zh=name, en=name),
            source="checkov",
            related_rego=meta.rego,
            line_range=lines if isinstance(lines, list) else None,
        )
        findings.append(finding.as_json())
    return findings
