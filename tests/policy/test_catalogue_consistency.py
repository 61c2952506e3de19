"""The catalogue consistency check (`govcloud catalogue`, run by `make check`): every kind of dangling
reference in a copy of policies/catalogue.yaml is named as a problem and fails the command (exit 2),
and a reference that does not resolve never counts as automation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcloud.contracts.catalogue import CHECK_KINDS
from govcloud.policy import catalogue as cat
from govcloud.policy import paths, references
from govcloud.policy.rego_inspect import RegoRule
from tests.policy.conftest import CliResult, run_cli

Change = Callable[[dict[str, Any]], None]


def _item(doc: dict[str, Any], clause: str) -> dict[str, Any]:
    return next(i for i in doc["items"] if i["clause"] == clause)


def _add(clause: str, kind: str, ref: str) -> Change:
    def change(doc: dict[str, Any]) -> None:
        item = _item(doc, clause)
        item["checks"] = {**(item.get("checks") or {})}
        item["checks"][kind] = [*item["checks"].get(kind, []), ref]

    return change


def _drop_rule(rule_id: str) -> Change:
    def change(doc: dict[str, Any]) -> None:
        doc["rules"] = [r for r in doc["rules"] if r["id"] != rule_id]

    return change


def _set_primary(rule_id: str, clause: str) -> Change:
    def change(doc: dict[str, Any]) -> None:
        next(r for r in doc["rules"] if r["id"] == rule_id)["clause"] = clause

    return change


def _twice(rule_id: str) -> Change:
    def change(doc: dict[str, Any]) -> None:
        doc["rules"].append({"id": rule_id, "clause": "8.1.3.2.a"})

    return change


PES = "8.1.1.1.a"  # a physical-environment item: manual evidence only, no check of any kind
# (kind, change to a copy of the catalogue, fragments of the one problem line that must name it)
CASES: list[tuple[str, Change, tuple[str, ...]]] = [
    (
        "rego",
        _add(PES, "rego", "DJCP-XYZ-999"),
        (f"items[0] ({PES}): Rego rule DJCP-XYZ-999", "does not exist"),
    ),
    (
        "no primary",
        _drop_rule("DJCP-BND-002"),
        ("DJCP-BND-002 (policies/govcloud/checks/", "no primary clause"),
    ),
    ("two primaries", _twice("DJCP-BND-002"), ("Rego rule DJCP-BND-002 has a second primary clause",)),
    ("primary not listing", _set_primary("DJCP-BND-002", PES), (f"primary clause {PES} does not list",)),
    ("checkov", _add(PES, "checkov", "CKV_K8S_99999"), ("checkov check CKV_K8S_99999 is not in",)),
    ("host", _add(PES, "host", f"djcp_{PES}"), ("no test in tests/infra is marked", f'clause("{PES}")')),
    ("host form", _add(PES, "host", "sshd_hardening"), ("host check sshd_hardening is not djcp_<",)),
    ("drill", _add(PES, "drill", "no-such-drill"), ("drill scenario no-such-drill does not exist",)),
]


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    """`govcloud catalogue --json` on the repository's own catalogue."""
    data: dict[str, Any] = run_cli("catalogue", "--json").json()
    return data


def _run_on_copy(tmp_path: Path, change: Change) -> CliResult:
    doc = yaml.safe_load(paths.CATALOGUE.read_text(encoding="utf-8"))
    change(doc)
    copy = tmp_path / "catalogue.yaml"
    copy.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return run_cli("catalogue", "--json", "--catalogue", str(copy))


@pytest.mark.parametrize(("kind", "change", "problem"), CASES, ids=[c[0] for c in CASES])
def test_each_dangling_reference_is_named_and_fails(
    baseline: dict[str, Any], tmp_path: Path, kind: str, change: Change, problem: tuple[str, ...]
) -> None:
    def named(problems: list[str]) -> bool:
        return any(all(part in p for part in problem) for p in problems)

    assert not named(baseline["problems"]), kind  # not already there
    res = _run_on_copy(tmp_path, change)
    assert res.exit_code == 2, res.stdout
    assert named(res.json()["problems"]), res.json()["problems"]


def test_dangling_waiver_rule_and_clause(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    entry = (
        "resource: {kind: Flow}\n    reason: r\n    approver: a\n    ticket: T-1\n    expires: 2099-01-01\n"
    )
    waivers.write_text(
        "schema: govcloud.waivers/v1\nwaivers:\n"
        f"  - id: W-1\n    rule: DJCP-NOPE-001\n    {entry}"
        f"  - id: W-2\n    clause: 9.9.9.9\n    {entry}"
        f"  - id: W-3\n    clause: 8.1.4.4\n    {entry}",
        encoding="utf-8",
    )
    res = run_cli("catalogue", "--json", "--waivers", str(waivers))
    assert res.exit_code == 2
    problems = res.json()["problems"]
    assert any("waivers[0] (W-1): rule DJCP-NOPE-001 is neither a Rego rule" in p for p in problems)
    assert any("waivers[1] (W-2): clause 9.9.9.9 names no catalogue item" in p for p in problems)
    assert not any("W-3" in p for p in problems)  # a control point: a prefix of its items


def test_metadata_that_belongs_in_the_catalogue_is_a_problem() -> None:
    doc = cat.load_catalogue()
    rules = cat.rego_rules()
    legacy = RegoRule(
        "DJCP-BND-001",
        "policies/govcloud/checks/boundary/boundary.rego",
        33,
        {**rules["DJCP-BND-001"].custom, "clause": "8.1.3.1.a", "family": "area-boundary"},
    )
    refs = references.References(rules=[legacy, rules["DJCP-BND-002"]])
    problems = cat.validate(doc, {r.id: r for r in refs.rules}, refs)
    where = "DJCP-BND-001 (policies/govcloud/checks/boundary/boundary.rego:33)"
    assert any(f"{where}: METADATA keys ['clause', 'family']" in p for p in problems)
    broken = RegoRule("DJCP-BND-002", "x.rego", 9, {"id": "DJCP-BND-002", "severity": "urgent"})
    problems = cat.validate(doc, {"DJCP-BND-002": broken})
    assert any("DJCP-BND-002 (x.rego:9): METADATA severity" in p for p in problems)


def test_only_resolved_references_count_as_automated(baseline: dict[str, Any]) -> None:
    doc = cat.load_catalogue()
    all_counted = sum(r["automated"] for r in cat.coverage(doc))
    dangling = {(d["kind"], d["id"]) for d in baseline["dangling"]}
    assert baseline["total"]["automated"] == sum(r["automated"] for r in cat.coverage(doc, dangling))
    only_dangling = [
        i
        for i in doc.items
        if not i.checks.is_empty()
        and all((k, ref) in dangling for k in CHECK_KINDS for ref in i.checks.of_kind(k))
    ]
    assert all_counted - baseline["total"]["automated"] == len(only_dangling)
