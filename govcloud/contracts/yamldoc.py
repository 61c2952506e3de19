"""Documents people write by hand, in YAML: the clause catalogue, the checkov mapping, the waivers.

They are read like every other document (`base.read`: schema id first, then the model), with two
differences that serve their authors:

- the YAML is parsed safely (libyaml when built in) after a nesting-depth check, and every parse
  problem is a `YamlError` naming the file and the line;
- the models forbid unknown keys (a misspelt key is an error, not silently ignored), and pydantic's
  problems are reworded for a person (`unknown field 'colour'`, `required`, `must be a list`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from govcloud.contracts.base import ContractError, Document, Loc, check_schema, path_of
from govcloud.yaml_depth import check_depth

MAX_DEPTH = 64  # the deepest hand-written document (the catalogue) nests about 6 levels
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

D = TypeVar("D", bound=Document)


class YamlError(ContractError):
    """A file that is not readable YAML: the file, the line (1-based) where the parser stopped, why."""

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        super().__init__(source, (), reason)
        self.line = line
        if line is not None:
            self.field = f"line {line}"
            self.args = (self.render(),)


def load_yaml(path: Path, *, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed YAML of a file, or a ContractError/YamlError naming the file and the reason."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContractError(source, (), "file not found / 文件不存在") from exc
    except UnicodeDecodeError as exc:
        raise ContractError(source, (), f"not UTF-8 text (byte {exc.start}) / 不是 UTF-8 文本") from exc
    except OSError as exc:
        raise ContractError(source, (), f"cannot read: {exc.strerror or exc} / 无法读取") from exc
    try:
        check_depth(text, max_depth, _LOADER)  # libyaml's composer would crash the process
        return yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(source, f"invalid YAML: {exc.problem or exc} / YAML 格式错误", line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(source, f"invalid YAML: {exc} / YAML 格式错误") from exc
    except (ValueError, OverflowError) as exc:  # a scalar YAML cannot build: 2024-13-45, a 5,000-digit int
        raise YamlError(source, f"invalid YAML value: {exc} / YAML 值无效") from exc
    except RecursionError as exc:
        raise YamlError(source, "invalid YAML: nested too deeply / 嵌套层次过深") from exc


_REASONS = {
    "missing": "required / 必填",
    "list_type": "must be a list / 必须是列表",
    "dict_type": "must be a mapping / 必须是映射",
    "model_type": "must be a mapping / 必须是映射",
    "model_attributes_type": "must be a mapping / 必须是映射",
    "string_type": "must be a string / 必须是字符串",
    "string_too_short": "must not be empty / 不能为空",
    "too_short": "must not be empty / 不能为空",
    "int_type": "must be an integer / 必须是整数",
    "int_parsing": "must be an integer / 必须是整数",
    "bool_type": "must be true or false / 必须是布尔值",
    "bool_parsing": "must be true or false / 必须是布尔值",
}


def explain(error: Any) -> tuple[Loc, str]:
    """One pydantic problem as (location, reason) for the author of a hand-written document."""
    kind = str(error["type"])
    loc: Loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    value = error.get("input")
    shown = "" if isinstance(value, dict | list) or value is None else f" (got {value!r:.80})"
    if kind == "extra_forbidden":
        return loc[:-1], f"unknown field {loc[-1]!r} / 未知字段" if loc else "unknown field / 未知字段"
    if kind in _REASONS:
        return loc, _REASONS[kind] + ("" if kind == "missing" else shown)
    message = str(error["msg"])
    if kind == "value_error":  # our own validators: the message already names the value
        return loc, message.removeprefix("Value error, ")
    return loc, message + shown


def named_path(loc: Loc, data: Any, keys: tuple[str, ...]) -> str:
    """`("items", 3, "family")` -> `items[3](clause 8.1.3.2.a).family`: each list entry named by the
    first of `keys` it has, which is what an author searches the file for."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(part, int) and isinstance(node, dict):
            key = next((k for k in keys if isinstance(node.get(k), str | int | float)), None)
            if key is not None:
                out += f"({key} {node[key]})"
    return out


class NamedError(ContractError):
    """A ContractError whose field names list entries by a key (see `named_path`)."""

    def __init__(self, source: str, loc: Loc, reason: str, shown: str) -> None:
        super().__init__(source, loc, reason)
        self.field = shown or None
        self.args = (self.render(),)


def validate(model: type[D], data: Any, source: str, *, name_keys: tuple[str, ...] = ()) -> D:
    """Validate parsed YAML as `model` (schema id first); problems reworded, entries named by `name_keys`."""
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a YAML {type(data).__name__}"
        reason = f"a {model.schema_id()} document must be a YAML mapping, found {found} / 须为 YAML 映射"
        raise ContractError(source, (), reason)
    doc = check_schema(data, model, source)
    try:
        return model.model_validate(doc)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        loc, reason = explain(errors[0])
        if len(errors) > 1:
            reason += f" (+{len(errors) - 1} more)"
        shown = named_path(loc, doc, name_keys) if name_keys else path_of(loc)
        raise NamedError(source, loc, reason, shown) from exc
    except RecursionError as exc:
        raise ContractError(source, (), "nested too deeply / 嵌套过深") from exc


def read_yaml(model: type[D], path: Path, *, name_keys: tuple[str, ...] = ()) -> D:
    """Read one hand-written YAML document of type `model` from a file."""
    return validate(model, load_yaml(path), str(path), name_keys=name_keys)
