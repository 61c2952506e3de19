"""The clause catalogue (policies/catalogue.yaml, contracts §6): loading, validation, coverage."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from govcloud.policy import bundle, paths
from govcloud.policy.errors import PolicyInputError

CATALOGUE_SCHEMA = "govcloud.catalogue/v1"
CHECK_KINDS = ("rego", "checkov", "host", "drill")
_RULE_META = re.compile(r"^#\s+id:\s+(DJCP-[A-Z0-9]+-\d{3})\s*$", re.MULTILINE)
_RULE_CLAUSE = re.compile(r"^#\s+id:\s+(DJCP-[A-Z0-9]+-\d{3})\s*\n#\s+clause:\s+(\S+)\s*$", re.MULTILINE)


def load_catalogue(path: Path = paths.CATALOGUE) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyInputError(
            str(path), "(document)", f"cannot read the catalogue: {exc} / 无法读取目录"
        ) from exc
    if not isinstance(doc, dict) or doc.get("schema") != CATALOGUE_SCHEMA:
        raise PolicyInputError(str(path), "schema", f"expected {CATALOGUE_SCHEMA!r} / 目录版本错误")
    if not isinstance(doc.get("families"), list) or not isinstance(doc.get("items"), list):
        raise PolicyInputError(str(path), "families/items", "must be lists / 必须是列表")
    return doc


def rego_rules(root: Path = paths.REGO_ROOT) -> dict[str, str]:
    """Rule id -> clause, read from the METADATA of the shipped Rego modules."""
    rules: dict[str, str] = {}
    for module in bundle.rule_modules(root):
        text = module.read_text(encoding="utf-8")
        for rule_id, clause in _RULE_CLAUSE.findall(text):
            rules[rule_id] = clause
        for rule_id in _RULE_META.findall(text):
            rules.setdefault(rule_id, "")
    return rules


def validate(doc: dict[str, Any], rules: dict[str, str]) -> list[str]:
    """Problems: unknown families, duplicate clauses, items with neither checks nor manual evidence,
    Rego ids that do not exist, and Rego rules that no catalogue item lists."""
    problems: list[str] = []
    families = {f["id"] for f in doc["families"]}
    seen: set[str] = set()
    listed: set[str] = set()
    for i, item in enumerate(doc["items"]):
        clause = item.get("clause")
        where = f"items[{i}] ({clause})"
        if clause in seen:
            problems.append(f"{where}: duplicate clause")
        seen.add(clause)
        if item.get("family") not in families:
            problems.append(f"{where}: unknown family {item.get('family')!r}")
        checks = item.get("checks") or {}
        if not any(checks.get(k) for k in CHECK_KINDS) and not item.get("manual"):
            problems.append(f"{where}: neither checks nor manual evidence")
        for rule_id in checks.get("rego", []):
            listed.add(rule_id)
            if rule_id not in rules:
                problems.append(f"{where}: Rego rule {rule_id} does not exist in policies/")
    for rule_id, clause in sorted(rules.items()):
        if rule_id not in listed:
            problems.append(f"Rego rule {rule_id} ({clause}) is not listed in the catalogue")
        if clause and clause not in seen:
            problems.append(f"Rego rule {rule_id} names clause {clause}, which the catalogue lacks")
    return problems


def coverage(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Per family: items, automated (any check), by check kind, manual only."""
    rows: list[dict[str, Any]] = []
    for fam in doc["families"]:
        items = [i for i in doc["items"] if i["family"] == fam["id"]]
        automated = [i for i in items if any((i.get("checks") or {}).get(k) for k in CHECK_KINDS)]
        row: dict[str, Any] = {
            "family": fam["id"],
            "clause": fam["clause"],
            "zh": fam["zh"],
            "en": fam["en"],
            "items": len(items),
            "automated": len(automated),
            "manual_only": len(items) - len(automated),
            "percent_automated": round(100.0 * len(automated) / len(items), 1) if items else 0.0,
        }
        for kind in CHECK_KINDS:
            row[kind] = sum(1 for i in items if (i.get("checks") or {}).get(kind))
        rows.append(row)
    return rows
