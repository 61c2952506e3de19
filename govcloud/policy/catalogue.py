"""The clause catalogue for the gate and `govcloud catalogue`: loading (the one loader,
govcloud.contracts.catalogue), the consistency check and the coverage table.

The consistency check resolves every reference of the catalogue (govcloud.policy.references says
where each kind must resolve) and checks the Rego rules against it: every rule is listed, has
exactly one primary clause, and its METADATA carries only what the rule knows. Each problem is one
line naming the catalogue entry (`items[41] (8.1.4.9.a)`) or the rule's file:row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from govcloud.contracts import catalogue as contract
from govcloud.contracts.base import ContractError, path_of
from govcloud.contracts.catalogue import CHECK_KINDS, Catalogue
from govcloud.contracts.decision import CATALOGUE_KEYS, RuleMeta
from govcloud.contracts.waivers import Waivers
from govcloud.policy import paths
from govcloud.policy.errors import PolicyInputError
from govcloud.policy.references import References
from govcloud.policy.rego_inspect import RegoRule, rego_rules

__all__ = ["Consistency", "check", "coverage", "load_catalogue", "rego_rules", "validate"]

HOST_PREFIX = "djcp_"
CUSTOM_CHECKS = "policies/checkov/checks"


def load_catalogue(path: Path = paths.CATALOGUE) -> Catalogue:
    """The catalogue, or PolicyInputError (exit 2) naming the file, the field and the reason."""
    try:
        return contract.load_catalogue(path)
    except ContractError as exc:
        raise PolicyInputError(str(path), exc.field or "(document)", exc.reason) from exc


@dataclass
class Consistency:
    """The problems found, and the references that did not resolve (kind, id) — those never count
    as automation."""

    problems: list[str] = field(default_factory=list)
    dangling: set[tuple[str, str]] = field(default_factory=set)

    def dangle(self, kind: str, ref: str, problem: str) -> None:
        self.dangling.add((kind, ref))
        self.problems.append(problem)


def _where(i: int, clause: str) -> str:
    return f"items[{i}] ({clause})"


def _check_rule_sources(rules: list[RegoRule], out: Consistency) -> None:
    """Rule ids unique; METADATA as docs/policy.md describes (only what the rule knows)."""
    first: dict[str, RegoRule] = {}
    for rule in rules:
        if rule.id in first:
            twice = f"{first[rule.id].where} and {rule.where}"
            out.problems.append(f"Rego rule {rule.id} is defined twice: {twice}")
            continue
        first[rule.id] = rule
        owned = [k for k in CATALOGUE_KEYS if k in rule.custom]
        if owned:
            out.problems.append(
                f"Rego rule {rule.id} ({rule.where}): METADATA keys {owned} belong in the catalogue "
                "(rules: primary clause and related; the item: family, levels, test_code) "
                "/ 条款数据应写在目录中"
            )
        try:
            RuleMeta.model_validate(rule.custom)
        except pydantic.ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            out.problems.append(
                f"Rego rule {rule.id} ({rule.where}): METADATA {path_of(tuple(err['loc']))}: {err['msg']}"
            )


def _check_rego(cat: Catalogue, rules: Mapping[str, RegoRule], out: Consistency) -> None:
    listed: dict[str, list[str]] = {}
    for i, item in enumerate(cat.items):
        for rule_id in item.checks.rego:
            listed.setdefault(rule_id, []).append(item.clause)
            if rule_id not in rules:
                problem = f"{_where(i, item.clause)}: Rego rule {rule_id} does not exist in policies/"
                out.dangle("rego", rule_id, problem)
    primaries: dict[str, int] = {}
    for i, entry in enumerate(cat.rules):
        where = f"rules[{i}] ({entry.id})"
        if entry.id in primaries:
            also = f"rules[{primaries[entry.id]}]"
            out.problems.append(f"{where}: Rego rule {entry.id} has a second primary clause (also {also})")
            continue
        primaries[entry.id] = i
        if entry.id not in rules:
            out.problems.append(f"{where}: Rego rule {entry.id} does not exist in policies/")
        if entry.clause not in listed.get(entry.id, []):
            reason = (
                f"primary clause {entry.clause} is not a catalogue item"
                if cat.item(entry.clause) is None
                else f"primary clause {entry.clause} does not list {entry.id} under checks.rego"
            )
            out.problems.append(f"{where}: {reason}")
        for clause in entry.related:
            if cat.item(clause) is None:
                out.problems.append(f"{where}: related clause {clause} is not a catalogue item")
    for rule_id, rule in sorted(rules.items()):
        if rule_id not in listed:
            out.problems.append(f"Rego rule {rule_id} ({rule.where}) is not listed in the catalogue")
        if rule_id not in primaries:
            out.problems.append(
                f"Rego rule {rule_id} ({rule.where}) has no primary clause: add "
                f"`- {{id: {rule_id}, clause: …}}` under `rules:` / 规则缺少主条款"
            )


def _check_checkov(cat: Catalogue, refs: References, out: Consistency) -> None:
    mapping = refs.mapping.checks if refs.mapping is not None else {}
    for i, item in enumerate(cat.items):
        for check_id in item.checks.checkov:
            where = f"{_where(i, item.clause)}: checkov check {check_id}"
            if check_id not in mapping:
                out.dangle("checkov", check_id, f"{where} is not in {refs.mapping_file}")
            elif check_id not in refs.checkov_ids:
                out.dangle("checkov", check_id, f"{where} is defined by neither checkov nor {CUSTOM_CHECKS}")
    rule_ids = {r.id for r in refs.rules}
    for check_id, entry in sorted(mapping.items()):
        where = f"{refs.mapping_file}: checks.{check_id}"
        if check_id not in refs.checkov_ids:
            out.problems.append(f"{where}: no such check, built in to checkov or in {CUSTOM_CHECKS}")
        mapped = cat.item(entry.clause)
        if mapped is None:
            out.problems.append(f"{where}: clause {entry.clause} is not a catalogue item")
        elif check_id not in mapped.checks.checkov:
            out.problems.append(f"{where}: its clause {entry.clause} does not list it under checks.checkov")
        if entry.rego is not None and entry.rego not in rule_ids:
            out.problems.append(f"{where}: rego {entry.rego} does not exist in policies/")


def _check_host(cat: Catalogue, refs: References, out: Consistency) -> None:
    for i, item in enumerate(cat.items):
        for tag in item.checks.host:
            where = _where(i, item.clause)
            clause = tag.removeprefix(HOST_PREFIX)
            if not tag.startswith(HOST_PREFIX) or cat.item(clause) is None:
                out.dangle("host", tag, f"{where}: host check {tag} is not djcp_<a catalogue clause>")
                continue
            missing = []
            if clause not in refs.infra_clauses:
                missing.append(f'no test in tests/infra is marked @pytest.mark.clause("{clause}")')
            if tag not in refs.role_tags:
                missing.append(f"no task under playbooks/project/roles is tagged {tag}")
            if missing:
                out.dangle("host", tag, f"{where}: host check {tag}: {'; '.join(missing)}")


def _check_drill(cat: Catalogue, refs: References, out: Consistency) -> None:
    known = ", ".join(sorted(refs.drills))
    for i, item in enumerate(cat.items):
        for scenario in item.checks.drill:
            if scenario not in refs.drills:
                out.dangle(
                    "drill",
                    scenario,
                    f"{_where(i, item.clause)}: drill scenario {scenario} does not exist "
                    f"(govcloud/drill/scenarios.py has {known})",
                )


def _check_waivers(cat: Catalogue, waivers: Waivers, refs: References, out: Consistency) -> None:
    rule_ids = {r.id for r in refs.rules} | set(refs.mapping.checks if refs.mapping else {})
    clauses = [i.clause for i in cat.items]
    for i, w in enumerate(waivers.waivers):
        where = f"{refs.waivers_file}: waivers[{i}] ({w.id})"
        if w.rule is not None and w.rule not in rule_ids:
            out.problems.append(f"{where}: rule {w.rule} is neither a Rego rule nor a mapped checkov check")
        if w.clause is not None and not any(c == w.clause or c.startswith(w.clause + ".") for c in clauses):
            out.problems.append(f"{where}: clause {w.clause} names no catalogue item")


def check(cat: Catalogue, rules: Mapping[str, RegoRule], refs: References | None = None) -> Consistency:
    """The consistency check. Without `refs` only the Rego side (rules listed, primary clauses)."""
    out = Consistency()
    _check_rego(cat, rules, out)
    if refs is not None:
        out.problems += refs.problems
        _check_rule_sources(refs.rules, out)
        _check_checkov(cat, refs, out)
        _check_host(cat, refs, out)
        _check_drill(cat, refs, out)
        if refs.waivers is not None:
            _check_waivers(cat, refs.waivers, refs, out)
    else:
        _check_rule_sources(list(rules.values()), out)
    return out


def validate(cat: Catalogue, rules: Mapping[str, RegoRule], refs: References | None = None) -> list[str]:
    """The consistency problems, one line each (empty: consistent)."""
    return check(cat, rules, refs).problems


def coverage(cat: Catalogue, dangling: set[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Per family: items, automated (a check that resolves), by check kind, manual only. A reference
    in `dangling` gives no evidence, so it does not count."""
    gone = dangling or set()

    def resolved(item: contract.Item, kind: str) -> bool:
        return any((kind, ref) not in gone for ref in item.checks.of_kind(kind))

    rows: list[dict[str, Any]] = []
    for fam in cat.families:
        items = [i for i in cat.items if i.family == fam.id]
        automated = [i for i in items if any(resolved(i, k) for k in CHECK_KINDS)]
        row: dict[str, Any] = {
            "family": fam.id,
            "clause": fam.clause,
            "zh": fam.zh,
            "en": fam.en,
            "items": len(items),
            "automated": len(automated),
            "manual_only": len(items) - len(automated),
            "percent_automated": round(100.0 * len(automated) / len(items), 1) if items else 0.0,
        }
        for kind in CHECK_KINDS:
            row[kind] = sum(1 for i in items if resolved(i, kind))
        rows.append(row)
    return rows
