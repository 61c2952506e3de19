"""Waivers (豁免, policies/waivers.yaml, `govcloud.waivers/v1`), written by people.

A waiver names a rule or a clause, a resource selector (glob patterns on kind, namespace, name,
path), a reason, an approver, a ticket and an expiry date. Unknown keys are errors. The gate
applies waivers (govcloud.policy.waivers); `govcloud catalogue` checks that the rule or clause a
waiver names exists.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from govcloud.contracts.base import Document
from govcloud.contracts.yamldoc import read_yaml

WAIVERS_SCHEMA: Final = "govcloud.waivers/v1"
RULE_RE = re.compile(r"^(DJCP-[A-Z0-9]+-\d{3}|CKV2?_[A-Z0-9_]+)$")
CLAUSE_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+(\.[a-z])?$")


def _stripped(v: Any) -> Any:
    return v.strip() if isinstance(v, str) else v


def _rule_id(v: str) -> str:
    if not RULE_RE.match(v):
        raise ValueError(f"{v!r} is not a rule id such as DJCP-K8S-005 / 规则编号错误")
    return v


def _clause(v: str) -> str:
    if not CLAUSE_RE.match(v):
        raise ValueError(f"{v!r} is not a clause such as 8.1.4.4.a / 条款编号错误")
    return v


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise ValueError(f"{v!r} is not a date (YYYY-MM-DD) / 到期日期格式错误")


Text = Annotated[str, BeforeValidator(_stripped), Field(min_length=1)]
RuleId = Annotated[str, AfterValidator(_rule_id)]
ClauseId = Annotated[str, AfterValidator(_clause)]


class Selector(BaseModel):
    """Glob patterns (fnmatch) on the finding's resource; every given key must match."""

    model_config = ConfigDict(extra="forbid")
    kind: Text | None = None
    namespace: Text | None = None
    name: Text | None = None
    path: Text | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not self.patterns():
            raise ValueError("a selector with kind/namespace/name/path is required / 须指定资源")
        return self

    def patterns(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Waiver(BaseModel):
    """One approved exception to a rule (or a clause) for the resources its selector matches."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Text
    rule: RuleId | None = None
    clause: ClauseId | None = None
    resource: Selector
    reason: Text
    approver: Text
    ticket: Text
    expires: Annotated[dt.date, BeforeValidator(_date)] = Field(
        description="YYYY-MM-DD; the waiver holds to the end of that day"
    )

    @model_validator(mode="after")
    def _names_a_target(self) -> Waiver:
        if self.rule is None and self.clause is None:
            raise ValueError("give `rule` or `clause` / 必须指定规则或条款")
        return self


class Waivers(Document):
    """The waiver file."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["govcloud.waivers/v1"] = Field(WAIVERS_SCHEMA, alias="schema")
    waivers: list[Waiver] = Field(default_factory=list)

    @field_validator("waivers", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v

    @field_validator("waivers")
    @classmethod
    def _unique_ids(cls, v: list[Waiver]) -> list[Waiver]:
        ids = [w.id for w in v]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate id(s) {duplicates} / 豁免编号重复")
        return v


def load_waivers(path: Path) -> Waivers:
    """The one reader of a waiver file. ContractError (exit 2) names file, field and reason."""
    return read_yaml(Waivers, path)
