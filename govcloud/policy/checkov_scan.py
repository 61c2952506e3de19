"""Runs checkov (its own virtualenv, called as a program) and maps its results to 等保 clauses.

Only checks listed in policies/checkov/mapping.yaml become findings; custom 等保 checks live in
policies/checkov/*.py and are loaded with --external-checks-dir.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from govcloud.policy import paths
from govcloud.policy.errors import EngineError
from govcloud.toolchain import versions
from govcloud.toolchain.env import ToolMissingError

FAMILY_ZH = {
    "communication-network": "安全通信网络",
    "area-boundary": "安全区域边界",
    "computing-environment": "安全计算环境",
    "security-management-centre": "安全管理中心",
    "cloud-extension": "云计算扩展",
}


def checkov_path() -> Path:
    exe = versions.checkov_venv() / "bin" / "checkov"
    if not exe.is_file():
        raise ToolMissingError(
            f"checkov {versions.CHECKOV_VERSION} is not installed at {exe}. Install it with "
            "`python -m govcloud.toolchain.build --only checkov`, or run `govcloud check --no-checkov`.\n"
            "未安装 checkov：请运行 `python -m govcloud.toolchain.build --only checkov`。"
        )
    return exe


def load_mapping(path: Path = paths.CHECKOV_MAPPING) -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    checks = doc.get("checks") if isinstance(doc, dict) else None
    if not isinstance(checks, dict):
        raise EngineError(f"{path}: checks must be a mapping / checkov 映射文件格式错误")
    return checks


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


def _resource(check: dict[str, Any], base: dict[str, Path]) -> dict[str, Any]:
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
            return {"kind": parts[0], "namespace": parts[1], "name": ".".join(parts[2:]), "path": path}
        if len(parts) == 2:
            return {"kind": parts[0], "namespace": None, "name": parts[1], "path": path}
    return {"kind": "AnsibleTask", "namespace": None, "name": resource, "path": path}


def to_findings(
    results: list[dict[str, Any]], level: int, base: dict[str, Path], mapping: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Mapped checkov results as govcloud findings (contracts §3, source "checkov")."""
    findings: list[dict[str, Any]] = []
    for check in results:
        meta = mapping.get(str(check.get("check_id")))
        if meta is None:
            continue
        status = check["_status"]
        name = str(check.get("check_name", check.get("check_id")))
        findings.append(
            {
                "rule_id": check["check_id"],
                "clause": meta["clause"],
                "family": meta["family"],
                "severity": meta["severity"],
                "status": status,
                "blocking": status == "fail" and level in meta.get("blocking_levels", []),
                "resource": _resource(check, base),
                "message": {
                    "zh": f"checkov {check['check_id']} {'未通过' if status == 'fail' else '通过'}：{name}",
                    "en": f"checkov {check['check_id']} {'failed' if status == 'fail' else 'passed'}: {name}",
                },
                "remediation": {
                    "zh": f"参见 checkov {check['check_id']} 的说明",
                    "en": f"See checkov {check['check_id']}",
                },
                "title": {"zh": name, "en": name},
                "source": "checkov",
                "related_rego": meta.get("rego"),
                "line_range": check.get("file_line_range"),
            }
        )
    return findings
