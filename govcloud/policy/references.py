"""Everything the clause catalogue may name, collected from the repository for the consistency
check of `govcloud catalogue` (docs/policy.md, "Catalogue consistency").

Where each kind of reference must resolve:

- `checks.rego: [DJCP-…]`: `opa inspect -a` finds a rule with that METADATA `custom.id`
  (govcloud.policy.rego_inspect).
- `checks.checkov: [CKV_…]`: policies/checkov/mapping.yaml maps it to that item's clause, and
  checkov defines it: built in to the pinned checkov (its kubernetes and ansible checks) or a
  custom check in policies/checkov/checks.
- `checks.host: [djcp_<clause>]`: a test under tests/infra is marked
  `@pytest.mark.clause("<clause>")` (the testinfra checks write hosts.json, the only host evidence
  the report reads) **and** a task of a role under playbooks/project/roles is tagged
  `djcp_<clause>` (what `govcloud harden --tags` applies). Markers elsewhere (tests/logaudit …)
  give no host evidence and do not count.
- `checks.drill: [<scenario>]`: govcloud/drill/scenarios.py `SCENARIOS` has that id.
- a waiver's `rule` / `clause`: a Rego rule or a mapped checkov check / a catalogue item (or a
  prefix of items, as the waiver matches clauses by prefix).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcloud.contracts.base import ContractError
from govcloud.contracts.catalogue import CheckovMapping, load_checkov_mapping
from govcloud.contracts.waivers import Waivers, load_waivers
from govcloud.contracts.yamldoc import load_yaml
from govcloud.policy import paths
from govcloud.policy.rego_inspect import RegoRule, inspect_rules
from govcloud.toolchain import versions
from govcloud.toolchain.env import ToolMissingError
from govcloud.toolchain.versions import REPO_ROOT

ROLES = REPO_ROOT / "playbooks" / "project" / "roles"
INFRA_TESTS = REPO_ROOT / "tests" / "infra"
CHECKOV_FRAMEWORKS = ("kubernetes", "ansible")  # the frameworks `govcloud check` runs checkov with
_CHECK_ID = re.compile(r"""\bid\s*=\s*["'](CKV2?_[A-Z0-9_]+)["']""")


@dataclass
class References:
    """What exists in the repository, for resolving the catalogue's references."""

    rules: list[RegoRule] = field(default_factory=list)
    mapping: CheckovMapping | None = None
    mapping_file: str = str(paths.CHECKOV_MAPPING)
    checkov_ids: set[str] = field(default_factory=set)
    role_tags: set[str] = field(default_factory=set)
    infra_clauses: set[str] = field(default_factory=set)
    drills: set[str] = field(default_factory=set)
    waivers: Waivers | None = None
    waivers_file: str = str(paths.WAIVERS)
    problems: list[str] = field(default_factory=list)  # sources that could not be read


def checkov_builtin_ids() -> set[str]:
    """The check ids built in to the pinned checkov, read from its own check modules."""
    package = next(iter(sorted(versions.checkov_venv().glob("lib/python3*/site-packages/checkov"))), None)
    if package is None:
        raise ToolMissingError(
            f"checkov {versions.CHECKOV_VERSION} is not installed under {versions.checkov_venv()}; the "
            "catalogue check reads its check ids. Install it with "
            "`python -m govcloud.toolchain.build --only checkov`. / 未安装 checkov"
        )
    return check_ids([package / fw for fw in CHECKOV_FRAMEWORKS])


def check_ids(directories: list[Path]) -> set[str]:
    """Check ids defined (`id = "CKV_…"` / `id="CKV_…"`) in the Python files under the directories."""
    found: set[str] = set()
    for directory in directories:
        for path in sorted(directory.rglob("*.py")) if directory.is_dir() else []:
            found.update(_CHECK_ID.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def _tags(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        tags = node.get("tags")
        if isinstance(tags, str):
            out.add(tags)
        elif isinstance(tags, list):
            out.update(str(t) for t in tags)
        for value in node.values():
            _tags(value, out)
    elif isinstance(node, list):
        for value in node:
            _tags(value, out)


def role_tags(roles: Path = ROLES) -> tuple[set[str], list[str]]:
    """Tags of every task (blocks included) of every role; problems for files that do not parse."""
    found: set[str] = set()
    problems: list[str] = []
    for path in sorted(roles.glob("*/tasks/**/*.y*ml")) + sorted(roles.glob("*/handlers/**/*.y*ml")):
        try:
            _tags(load_yaml(path), found)
        except ContractError as exc:
            problems.append(f"cannot read role tasks: {exc}")
    return found, problems


def _is_clause_mark(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "clause"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "mark"
    )


def marked_clauses(tests: Path = INFRA_TESTS) -> tuple[set[str], list[str]]:
    """Clauses of `pytest.mark.clause("…")` markers (on tests, classes or `pytestmark`)."""
    found: set[str] = set()
    problems: list[str] = []
    for path in sorted(tests.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError, OSError) as exc:
            problems.append(f"cannot read {path}: {exc}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_clause_mark(node) and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found, problems


def drill_scenarios() -> set[str]:
    from govcloud.drill.scenarios import SCENARIOS  # noqa: PLC0415 - only the check needs the drills

    return {s.id for s in SCENARIOS}


def collect(
    *,
    rego_root: Path = paths.REGO_ROOT,
    mapping_file: Path = paths.CHECKOV_MAPPING,
    custom_checks: Path = paths.CHECKOV_CHECKS,
    waivers_file: Path = paths.WAIVERS,
    roles: Path = ROLES,
    infra_tests: Path = INFRA_TESTS,
) -> References:
    """Everything the catalogue may name. Raises EngineError/ToolMissingError when OPA or checkov
    cannot be run; unreadable repository files are recorded as problems."""
    refs = References(
        rules=inspect_rules(rego_root),
        mapping_file=str(mapping_file),
        waivers_file=str(waivers_file),
        drills=drill_scenarios(),
    )
    try:
        refs.mapping = load_checkov_mapping(mapping_file)
    except ContractError as exc:
        refs.problems.append(f"cannot read the checkov mapping: {exc}")
    refs.checkov_ids = checkov_builtin_ids() | check_ids([custom_checks])
    refs.role_tags, problems = role_tags(roles)
    refs.problems += problems
    refs.infra_clauses, problems = marked_clauses(infra_tests)
    refs.problems += problems
    if waivers_file.exists():
        try:
            refs.waivers = load_waivers(waivers_file)
        except ContractError as exc:
            refs.problems.append(f"cannot read the waivers: {exc}")
    return refs
