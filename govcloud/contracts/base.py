"""The base of every document the parts of govcloud exchange: versioned, typed, read in one way.

A document is a pydantic model deriving from `Document`, with its schema id as a literal:

    class Findings(Document):
        schema_: Literal["govcloud.findings/v1"] = Field("govcloud.findings/v1", alias="schema")

Its writer builds the model and dumps it (`dump`, `write`); every reader calls `read(Findings, …)`.
`read` checks the schema id before anything else:

| `schema` found | result |
|---|---|
| missing, not text | ContractError: not a govcloud document |
| another document (`govcloud.findings/v1` where a plan is wanted) | ContractError: expected …, found … |
| the same document, a newer version | ContractError: written by a newer govcloud; upgrade |
| the same document, an older version with an upgrader (`UPGRADES`) | upgraded, then validated |
| the same document, an older version without one | ContractError: unsupported version |

Then the model validates the rest; every problem is a ContractError naming the source, the field
path (`zones[4].id`) and the reason. JSON is read strictly: NaN and Infinity are not JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict

from govcloud.errors import GovcloudError

SCHEMA_RE = re.compile(r"^(govcloud\.[a-z][a-z0-9.-]*)/v([0-9]+)$")

Loc = tuple[str | int, ...]


def path_of(loc: Loc) -> str:
    """`("zones", 4, "id")` -> `zones[4].id`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class FieldError(ValueError):
    """A model's own check across fields (a duplicate id, a dangling reference), raised from a
    model validator: `loc` is the field path from that model, which pydantic cannot know."""

    def __init__(self, loc: Loc, reason: str) -> None:
        super().__init__(reason)
        self.loc = loc
        self.reason = reason


class ContractError(GovcloudError):
    """A document that does not fit its contract: where (source, field path) and why."""

    kind = "contract"

    def __init__(self, source: str, loc: Loc, reason: str) -> None:
        self.source = source
        self.loc = loc
        super().__init__(reason, file=source or None, field=path_of(loc) or None)

    @property
    def path(self) -> str:
        return path_of(self.loc)

    @property
    def jsonpath(self) -> str:
        path = self.path
        return "$" + ("" if not path else path if path.startswith("[") else "." + path)

    @classmethod
    def from_validation(cls, exc: pydantic.ValidationError, source: str) -> ContractError:
        """The first problem pydantic found, with the others counted (a reader shows one line)."""
        errors = exc.errors(include_url=False)
        first = errors[0]
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, FieldError):
            return cls(source, (*loc, *cause.loc), f"{cause.reason}{more}")
        value = first.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" (got {value!r:.80})"
        return cls(source, loc, f"{first['msg']}{shown}{more}")


class Document(BaseModel):
    """A versioned document. Subclasses set `schema_` to their id, as a literal with that default.

    Unknown fields are ignored within a version (a newer writer may add optional fields without a
    version bump); documents people write by hand forbid them in their own model config.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    # Older versions this model reads: {version: function turning such a document into the current one}.
    UPGRADES: ClassVar[Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {}

    @classmethod
    def schema_id(cls) -> str:
        default = cls.model_fields["schema_"].default
        if not isinstance(default, str) or not SCHEMA_RE.match(default):
            raise TypeError(f"{cls.__name__}.schema_ must default to a govcloud schema id")
        return default

    @classmethod
    def name_and_version(cls) -> tuple[str, int]:
        match = SCHEMA_RE.match(cls.schema_id())
        assert match is not None
        return match.group(1), int(match.group(2))

    def dump(self) -> dict[str, Any]:
        """The JSON-ready form, with field names as documented (aliases)."""
        return self.model_dump(mode="json", by_alias=True)


D = TypeVar("D", bound=Document)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number / 不是合法的 JSON 数值")


def parse_json(text: str | bytes, source: str) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no nesting so deep that the parser recurses out."""
    try:
        raw = text.decode("utf-8") if isinstance(text, bytes) else text
    except UnicodeDecodeError as exc:
        raise ContractError(source, (), f"not UTF-8 text (byte {exc.start}) / 不是 UTF-8 文本") from exc
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ContractError(source, (), f"invalid JSON at {where}: {exc.msg} / JSON 格式错误") from exc
    except ValueError as exc:
        raise ContractError(source, (), str(exc)) from exc
    except RecursionError as exc:
        raise ContractError(source, (), "JSON nested too deeply / JSON 嵌套过深") from exc


def check_schema(doc: Any, model: type[Document], source: str) -> dict[str, Any]:
    """The document as a mapping at the current version of `model`, or a ContractError saying why not."""
    if not isinstance(doc, dict):
        reason = f"a {model.schema_id()} document must be a JSON object / 须为 JSON 对象"
        raise ContractError(source, (), reason)
    found = doc.get("schema")
    want_name, want_version = model.name_and_version()
    match = SCHEMA_RE.match(found) if isinstance(found, str) else None
    if match is None:
        reason = f"not a govcloud document: schema {found!r} (want {model.schema_id()}) / 不是 govcloud 文档"
        raise ContractError(source, ("schema",), reason)
    name, version = match.group(1), int(match.group(2))
    if name != want_name:
        reason = f"expected {model.schema_id()}, found {found} / 文档类型不符"
        raise ContractError(source, ("schema",), reason)
    if version > want_version:
        raise ContractError(
            source,
            ("schema",),
            f"written by a newer govcloud ({found}); this govcloud reads {model.schema_id()}: "
            "upgrade govcloud / 文档版本高于本程序支持的版本，请升级 govcloud",
        )
    if version < want_version:
        upgrade = model.UPGRADES.get(version)
        if upgrade is None:
            supported = ", ".join(f"v{v}" for v in sorted({*model.UPGRADES, want_version}))
            reason = f"unsupported version {found} (supported: {supported}) / 不支持的文档版本"
            raise ContractError(source, ("schema",), reason)
        doc = upgrade(dict(doc))
        doc["schema"] = model.schema_id()
    return dict(doc)


def read(model: type[D], src: Path | str | bytes | Mapping[str, Any], *, source: str | None = None) -> D:
    """Read one document of type `model` from a file, JSON text or an already parsed mapping."""
    if isinstance(src, Path):
        where = source or str(src)
        try:
            data: Any = parse_json(src.read_bytes(), where)
        except OSError as exc:
            raise ContractError(where, (), f"cannot read: {exc.strerror or exc} / 无法读取") from exc
    elif isinstance(src, str | bytes):
        where = source or "(text)"
        data = parse_json(src, where)
    else:
        where = source or "(document)"
        data = src
    doc = check_schema(data, model, where)
    try:
        return model.model_validate(doc)
    except pydantic.ValidationError as exc:
        raise ContractError.from_validation(exc, where) from exc
    except RecursionError as exc:
        raise ContractError(where, (), "nested too deeply / 嵌套过深") from exc
