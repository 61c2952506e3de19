"""The OPA decision (`data.govcloud.main.decision`, `govcloud.decision/v3`): what the Rego policies
answer for one check input, read by govcloud.policy.engine.

One row per (rule, resource), pass and fail, and once per rule the rule's own METADATA (`RuleMeta`:
what only the rule knows — id, severity, the levels it applies and blocks at, titles,
remediation). Clause, family, level equivalents, test code and related clauses are not in the
decision: the engine joins them from the clause catalogue (govcloud.contracts.catalogue).

v2 rules also carried clause data; v3 dropped it. A v2 decision still reads (its extra fields are
ignored). Read strictly: a string is a string and a boolean a boolean, as OPA writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govcloud.contracts.base import Document

DECISION_SCHEMA: Final = "govcloud.decision/v3"
Severity = Literal["critical", "high", "medium", "low"]
# The METADATA `custom` keys a rule carries; everything about its clause is in the catalogue.
RULE_KEYS = (
    "id",
    "severity",
    "levels",
    "mandatory_levels",
    "title_zh",
    "title_en",
    "remediation_zh",
    "remediation_en",
)
# Keys of the clause catalogue that a rule's METADATA must no longer repeat.
CATALOGUE_KEYS = ("clause", "family", "equivalents", "test_code", "related")


class RuleMeta(BaseModel):
    """A rule's METADATA `custom` annotations (the same model checks the Rego source)."""

    model_config = ConfigDict(extra="ignore", strict=True)
    id: str = Field(pattern=r"^DJCP-[A-Z0-9]+-\d{3}$")
    severity: Severity
    levels: list[Literal[2, 3, 4]] = Field(min_length=1, description="gate levels the rule applies at")
    mandatory_levels: list[Literal[2, 3, 4]] = Field(description="gate levels at which a failure blocks")
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    remediation_zh: str = Field(min_length=1)
    remediation_en: str = Field(min_length=1)


class Row(BaseModel):
    """One finding of one rule on one resource, as the policies return it."""

    model_config = ConfigDict(extra="ignore", strict=True)
    rule_id: str
    status: Literal["pass", "fail"]
    blocking: bool
    resource: dict[str, Any]
    reasons: list[dict[str, Any]] = Field(description="bilingual reasons {zh, en}; empty: pass")


class Decision(Document):
    """The decision document of the Rego policies."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, strict=True)

    schema_: Literal["govcloud.decision/v3"] = Field(DECISION_SCHEMA, alias="schema")
    findings: list[Row]
    rules: dict[str, RuleMeta] = Field(description="rule id -> METADATA, for every rule with a finding")
    level: int | None = None
    unevaluated: list[dict[str, Any]] = Field(default_factory=list)
    input_errors: list[str] = Field(default_factory=list)

    UPGRADES: ClassVar[Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {2: lambda d: d}

    @model_validator(mode="after")
    def _rows_name_known_rules(self) -> Decision:
        for i, row in enumerate(self.findings):
            if row.rule_id not in self.rules:
                raise ValueError(f"findings[{i}]: rule {row.rule_id} has no METADATA in `rules`")
        return self
