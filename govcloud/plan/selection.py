"""Which part of the plan one stack deploys (`govcloud:deploy`): slices of a whole city.

The plan stays whole (one address plan, one flow matrix, one policy verdict for the city); a
stack may deploy only some centres and/or departments of it, so a city of thousands of systems
can be split into stacks of a size Pulumi's file backend updates in useful time
(docs/plan.md, "A whole city in one stack"). Every system of the plan belongs to exactly one
slice when the slices' department lists partition the plan's departments.

    govcloud:planFile: city.yaml
    govcloud:deploy: {departments: [sjj, gaj], centres: [prod, samecity]}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govcloud.plan.errors import PlanError, PlanIssue
from govcloud.plan.plan import Plan

DEPLOY_KEY = "deploy"
_FIELDS = ("centres", "departments")


@dataclass(frozen=True)
class DeploySelection:
    """A slice of the plan; None in a field means every centre / every department."""

    centres: frozenset[str] | None = None
    departments: frozenset[str] | None = None

    @property
    def whole(self) -> bool:
        return self.centres is None and self.departments is None

    def has_centre(self, centre: str) -> bool:
        return self.centres is None or centre in self.centres

    def has_department(self, department: str) -> bool:
        return self.departments is None or department in self.departments

    def to_json(self) -> dict[str, list[str] | None]:
        return {
            "centres": None if self.centres is None else sorted(self.centres),
            "departments": None if self.departments is None else sorted(self.departments),
        }


WHOLE = DeploySelection()


def parse_selection(value: Any, field: str, where: str) -> DeploySelection:
    """The `deploy` setting's shape: a mapping of non-empty, duplicate-free lists of ids."""

    def fail(path: str, reason: str) -> PlanError:
        return PlanError([PlanIssue(path, reason, where)])

    if not isinstance(value, dict) or not value:
        raise fail(field, "must be a mapping with `centres` and/or `departments` / 须为映射")
    unknown = sorted(str(k) for k in value if k not in _FIELDS)
    if unknown:
        raise fail(f"{field}.{unknown[0]}", f"unknown setting (known: {', '.join(_FIELDS)}) / 未知配置项")
    picked: dict[str, frozenset[str]] = {}
    for name in _FIELDS:
        if name not in value:
            continue
        items = value[name]
        if not isinstance(items, list) or not items:
            raise fail(f"{field}.{name}", "must be a non-empty list of ids / 须为非空列表")
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item:
                raise fail(f"{field}.{name}[{i}]", f"must be an id string (got {item!r}) / 须为标识字符串")
            if item in seen:
                raise fail(f"{field}.{name}[{i}]", f"duplicate {item!r} / 重复")
            seen.add(item)
        picked[name] = frozenset(seen)
    return DeploySelection(picked.get("centres"), picked.get("departments"))


def _some(ids: set[str], shown: int = 12) -> str:
    ordered = sorted(ids)
    more = f", … ({len(ordered) - shown} more)" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more


def check_selection(value: dict[str, Any], plan: Plan, field: str, where: str) -> None:
    """Every selected centre and department exists in the plan (a typo would deploy nothing).

    `value` is the `deploy` setting as written (already shape-checked by parse_selection), so
    that errors point at the position the user wrote, not at a sorted copy.
    """
    known = {
        "centres": {c.id for c in plan.config.centres},
        "departments": {d.id for d in plan.config.departments},
    }
    issues = []
    for name in _FIELDS:
        for i, item in enumerate(value.get(name) or []):
            if item not in known[name]:
                issues.append(
                    PlanIssue(
                        f"{field}.{name}[{i}]",
                        f"{item!r} is not in the plan (known: {_some(known[name])}) / 规划中不存在",
                        where,
                    )
                )
    if issues:
        raise PlanError(issues)


def split_deploy(raw: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The stack's settings without `deploy`, and the raw `deploy` value (None if absent)."""
    if DEPLOY_KEY not in raw:
        return raw, None
    rest = {k: v for k, v in raw.items() if k != DEPLOY_KEY}
    return rest, raw[DEPLOY_KEY]
