"""Loads the clause catalogue (``policies/catalogue.yaml``, schema ``govcloud.catalogue/v1``, contracts §6).

The catalogue is the spine of the report, so a malformed catalogue is an input error (exit 2) naming
the file, the field and the reason. Unknown extra fields are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from govcloud.report.errors import ReportInputError
from govcloud.yaml_depth import check_depth

CATALOGUE_SCHEMA = "govcloud.catalogue/v1"
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64  # the catalogue nests about 6 levels


class Text(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    zh: str
    en: str = ""


class Family(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    clause: str = ""
    zh: str
    en: str = ""


class Checks(BaseModel):
    model_config = ConfigDict(extra="ignore")
    rego: list[str] = Field(default_factory=list)
    checkov: list[str] = Field(default_factory=list)
    host: list[str] = Field(default_factory=list)
    drill: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.rego or self.checkov or self.host or self.drill)


class Item(BaseModel):
    model_config = ConfigDict(extra="ignore")
    clause: str
    family: str
    levels: dict[int, str] = Field(default_factory=dict)
    test_code: str | None = None
    title: Text
    checks: Checks = Field(default_factory=Checks)
    manual: Text | None = None

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


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="ignore")
    schema_: str = Field(alias="schema")
    families: list[Family]
    items: list[Item]

    def family(self, family_id: str) -> Family:
        for f in self.families:
            if f.id == family_id:
                return f
        return Family(id=family_id, zh=family_id, en=family_id)


def _loc(loc: tuple[int | str, ...], data: Any) -> str:
    parts: list[str] = []
    node = data
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(f".{p}" if parts else str(p))
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            node = None
        # Name an item by its clause, which is what a catalogue author searches for.
        if isinstance(p, int) and isinstance(node, dict) and "clause" in node:
            parts[-1] += f"(clause {node['clause']})"
    return "".join(parts) or "<document>"


def parse_catalogue(data: Any, path: Path) -> Catalogue:
    if not isinstance(data, dict):
        raise ReportInputError(path, None, "not a YAML mapping")
    schema = data.get("schema")
    if schema != CATALOGUE_SCHEMA:
        raise ReportInputError(path, "schema", f"expected {CATALOGUE_SCHEMA!r}, found {schema!r}")
    try:
        cat = Catalogue.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ReportInputError(path, _loc(tuple(err["loc"]), data), err["msg"]) from None
    known = {f.id for f in cat.families}
    seen: set[str] = set()
    for i, item in enumerate(cat.items):
        if item.family not in known:
            raise ReportInputError(
                path, f"items[{i}](clause {item.clause}).family", f"unknown family {item.family!r}"
            )
        if item.clause in seen:
            raise ReportInputError(path, f"items[{i}].clause", f"duplicate clause {item.clause!r}")
        seen.add(item.clause)
    return cat


def load_catalogue(path: Path) -> Catalogue:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportInputError(path, None, "catalogue not found (pass --catalogue PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportInputError(path, None, f"cannot read: {exc}") from None
    try:
        check_depth(text, MAX_DEPTH, _LOADER)  # libyaml's composer would crash the process
        data = yaml.load(text, Loader=_LOADER)  # a SafeLoader (libyaml when built in)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise ReportInputError(path, where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    except (ValueError, OverflowError) as exc:  # a scalar YAML cannot build: 2024-13-45, a 5,000-digit int
        raise ReportInputError(path, None, f"invalid YAML value: {exc}") from None
    return parse_catalogue(data, path)
