"""The Rego rules as OPA itself sees them: `opa inspect -a -f json` on the policy directory.

A rule is an annotation entry whose METADATA has `custom.id`; OPA gives its file and row, so every
problem about a rule names the place to fix it. No regular expression over Rego comments.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.policy import paths
from govcloud.policy.errors import EngineError
from govcloud.toolchain.env import tool_path
from govcloud.toolchain.versions import REPO_ROOT


@dataclass(frozen=True)
class RegoRule:
    """One annotated rule: its id, where it is written, its METADATA `custom` annotations."""

    id: str
    file: str
    row: int
    custom: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.row}"


def _shown(file: str) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return file


def _is_test(file: str) -> bool:
    path = Path(file)
    return path.name.endswith("_test.rego") or "testdata" in path.parts


def inspect_rules(root: Path = paths.REGO_ROOT, timeout: float = 120.0) -> list[RegoRule]:
    """Every annotated rule under `root` (tests excluded), in OPA's order; duplicates are kept."""
    argv = [str(tool_path("opa")), "inspect", "-a", "-f", "json", str(root)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"opa inspect {root} did not finish within {timeout:g} s / 超时") from exc
    if proc.returncode != 0:
        error = proc.stderr.strip()[-1500:]
        raise EngineError(f"opa inspect {root} failed (exit {proc.returncode}) / 无法读取 Rego 规则: {error}")
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise EngineError(f"opa inspect {root} printed no JSON / 输出无法解析: {exc}") from exc
    rules: list[RegoRule] = []
    for entry in doc.get("annotations") or []:
        custom = (entry.get("annotations") or {}).get("custom") or {}
        location = entry.get("location") or {}
        file = str(location.get("file", ""))
        if "id" not in custom or _is_test(file):
            continue
        rules.append(RegoRule(str(custom["id"]), _shown(file), int(location.get("row", 0)), dict(custom)))
    return sorted(rules, key=lambda r: (r.file, r.row))


def rego_rules(root: Path = paths.REGO_ROOT) -> dict[str, RegoRule]:
    """Rule id -> the rule (the first one, when two rules claim an id: the check reports that)."""
    out: dict[str, RegoRule] = {}
    for rule in inspect_rules(root):
        out.setdefault(rule.id, rule)
    return out
