"""The clause catalogue (policies/catalogue.yaml, `govcloud.catalogue/v1`) and the checkov mapping
(policies/checkov/mapping.yaml, `govcloud.checkov-mapping/v1`): the single source of clause data.

The catalogue holds, per GB/T 22239-2019 item: its family, its numbers at levels 2-4, its GB/T 28448
test code, its title, the checks that give evidence for it and the manual evidence an assessor
asks for. Its `rules` section gives every Rego rule its *primary clause* (the clause its findings
carry) and the other clauses it relates to; family, level equivalents and test code of a finding
come from the primary clause's item. Rego METADATA carries only what the rule itself knows
(docs/policy.md, "Adding a rule").

Both documents are written by people: unknown keys are errors. `load_catalogue` is the one way to
read the catalogue (the gate, `govcloud catalogue` and the report all use it); the reference
checks (do the Rego rules, checkov checks, host checks and drills it names exist?) are in
govcloud.policy.catalogue, since they need the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govcloud.contracts.base import ContractError, Document, Loc
from govcloud.contracts.yamldoc import NamedError, load_yaml, named_path, validate

CATALOGUE_SCHEMA: Final = "govcloud.catalogue/v1"
CHECKOV_MAPPING_SCHEMA: Final = "govcloud.checkov-mapping/v1"
CHECK_KINDS = ("rego", "checkov", "host", "drill")
Severity = Literal["critical", "high", "medium", "low"]
NAME_KEYS = ("id", "clause")  # how errors name list entries: rules and families by id, items by clause


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(_Strict):
    """Bilingual text (中文 first: auditors read it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str = ""


class Standard(_Strict):
    """Which standard and level the catalogue follows."""

    id: str = Field(description="the standard, e.g. GB/T 22239-2019")
    level: int = Field(ge=1, le=5, description="the level whose numbering `clause` uses")
    test_standard: str = Field("", description="the test standard of `test_code`, e.g. GB/T 28448-2019")
    note: str = ""


class Family(_Strict):
    """A control family (安全区域边界 …): the 8.1.x/8.2 chapter an item belongs to."""

    id: str
    clause: str = ""
    zh: str
    en: str = ""

    def label(self) -> str:
        return f"{self.zh} / {self.en}" if self.en else self.zh


class Checks(_Strict):
    """The automated checks that give evidence for an item, by kind (docs/policy.md lists where each
    kind of reference must resolve)."""

    rego: list[str] = Field(default_factory=list, description="Rego rule ids (DJCP-…)")
    checkov: list[str] = Field(default_factory=list, description="checkov check ids in the mapping")
    host: list[str] = Field(default_factory=list, description="host checks djcp_<clause> (tests/infra)")
    drill: list[str] = Field(default_factory=list, description="drill scenario ids")

    @field_validator("rego", "checkov", "host", "drill", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v

    def is_empty(self) -> bool:
        return not (self.rego or self.checkov or self.host or self.drill)

    def of_kind(self, kind: str) -> list[str]:
        refs: list[str] = getattr(self, kind)
        return refs


class Item(_Strict):
    """One GB/T 22239 requirement item (要求项)."""

    clause: str = Field(description="the clause at level 3, e.g. 8.1.3.2.a")
    family: str
    levels: dict[int, str] = Field(
        default_factory=dict, description="the item's number per level (2/3/4); absent: not required there"
    )
    test_code: str | None = Field(None, description="GB/T 28448 test code, e.g. L3-ABS1-05")
    title: Text
    checks: Checks = Field(default_factory=Checks)
    manual: Text | None = Field(None, description="the evidence an assessor asks for by hand")

    @field_validator("checks", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return {} if v is None else v

    @field_validator("levels", mode="before")
    @classmethod
    def _none_levels(cls, v: Any) -> Any:
        return {} if v is None else v

    def clause_at(self, level: int) -> str | None:
        """The clause number at a given 等保 level, or None when the level has no equivalent."""
        if not self.levels:
            return self.clause if level == 3 else None
        return self.levels.get(level)

    def equivalents(self) -> dict[str, str]:
        """The item's numbers at the other levels ({"2": "7.1.3.2.a", "4": "9.1.3.2.a"})."""
        return {str(lv): c for lv, c in sorted(self.levels.items()) if lv != 3}


class RuleClauses(_Strict):
    """A Rego rule's clauses: the primary one its findings carry, and related ones."""

    id: str = Field(description="the Rego rule id (METADATA custom.id)")
    clause: str = Field(description="primary clause: an item that lists the rule under checks.rego")
    related: list[str] = Field(default_factory=list, description="other clauses the rule relates to")


class Catalogue(Document):
    """The clause catalogue (等保条款目录)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["govcloud.catalogue/v1"] = Field(CATALOGUE_SCHEMA, alias="schema")
    standard: Standard | None = None
    families: list[Family]
    items: list[Item]
    rules: list[RuleClauses] = Field(default_factory=list)

    def family(self, family_id: str) -> Family:
        for f in self.families:
            if f.id == family_id:
                return f
        return Family(id=family_id, zh=family_id, en=family_id)

    def item(self, clause: str) -> Item | None:
        for i in self.items:
            if i.clause == clause:
                return i
        return None

    def rule(self, rule_id: str) -> RuleClauses | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    def primary_item(self, rule_id: str) -> Item | None:
        """The item of the rule's primary clause (None when the catalogue does not name one)."""
        rule = self.rule(rule_id)
        return self.item(rule.clause) if rule is not None else None


def check_structure(cat: Catalogue, data: Any, source: str) -> None:
    """What the model alone cannot see: items of unknown families, duplicate clauses."""

    def fail(loc: Loc, reason: str) -> NamedError:
        return NamedError(source, loc, reason, named_path(loc, data, NAME_KEYS))

    known = {f.id for f in cat.families}
    seen: set[str] = set()
    for i, item in enumerate(cat.items):
        if item.family not in known:
            raise fail(("items", i, "family"), f"unknown family {item.family!r}")
        if item.clause in seen:
            raise fail(("items", i, "clause"), f"duplicate clause {item.clause!r}")
        seen.add(item.clause)


def parse_catalogue(data: Any, source: str) -> Catalogue:
    """Validate an already parsed catalogue (a mapping) and its structure."""
    cat = validate(Catalogue, data, source, name_keys=NAME_KEYS)
    check_structure(cat, data, source)
    return cat


def load_catalogue(path: Path) -> Catalogue:
    """The one reader of the clause catalogue. ContractError (exit 2) names file, field and reason."""
    return parse_catalogue(load_yaml(path), str(path))


# ---- the checkov mapping ------------------------------------------------------------------------------


class CheckovCheck(_Strict):
    """How one checkov check becomes a govcloud finding. Its family comes from the catalogue item of
    `clause`."""

    clause: str = Field(description="the clause its findings carry (a catalogue item listing the check)")
    severity: Severity
    blocking_levels: list[Literal[2, 3, 4]] = Field(
        default_factory=list, description="gate levels at which a failure blocks"
    )
    rego: str | None = Field(None, description="the Rego rule it duplicates (advisory then)")


class CheckovMapping(Document):
    """checkov check id -> clause (only mapped checks become findings)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["govcloud.checkov-mapping/v1"] = Field(CHECKOV_MAPPING_SCHEMA, alias="schema")
    checks: dict[str, CheckovCheck]


def load_checkov_mapping(path: Path) -> CheckovMapping:
    mapping = validate(CheckovMapping, load_yaml(path), str(path))
    if not mapping.checks:
        raise ContractError(str(path), ("checks",), "maps no check / 未映射任何检查")
    return mapping
