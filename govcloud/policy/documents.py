"""Reads YAML and JSON documents from user files the way Kubernetes does, and never crashes on them.

- Timestamps stay text: `release-date: 2024-05-01` is the string "2024-05-01", as the API server
  sees it (YAML 1.1 timestamps are not a JSON type); `!!binary` stays its base64 text.
- Every document is made JSON-safe before it goes anywhere (OPA, checkov, reports): mapping keys
  become strings, sets and tuples lists; NaN/Infinity, self-referencing aliases, nesting deeper
  than MAX_DEPTH and alias expansions beyond MAX_NODES are refused with the field path.
- Each document keeps its first and last line (and those of `kind: List` items), so findings
  can point at the right line.

Problems are raised as DocumentError (line, field, bilingual reason); callers turn them into
InputProblem entries.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Kubernetes objects nest about 30 levels at most (CRD schemas included).
MAX_DEPTH = 200
# Nodes per document after alias expansion (a "billion laughs" file stops here).
MAX_NODES = 2_000_000
# Keys that mark a strategic-merge patch rather than an object.
PATCH_DIRECTIVES = ("$patch", "$setElementOrder/", "$retainKeys", "$deleteFromPrimitiveList/")


class DocumentError(Exception):
    """A file or document that cannot be read; `reason` is bilingual ("English / 中文")."""

    def __init__(self, reason: str, *, line: int | None = None, field: str = "-", kind: str = "") -> None:
        self.reason = reason
        self.line = line
        self.field = field
        self.kind = kind
        super().__init__(reason)


@dataclass
class Document:
    """One YAML/JSON document of a file: its JSON-safe value and where it is."""

    index: int
    value: Any
    start_line: int
    end_line: int
    item_lines: list[tuple[int, int]] = field(default_factory=list)
    directives: set[str] = field(default_factory=set)


def _as_text(loader: Any, node: Any) -> Any:
    return loader.construct_scalar(node)


def _with_marks(base: Any) -> Any:
    class Loader(base):  # type: ignore[misc]
        """The safe loader, recording where each document (and each `items:` entry) starts and ends."""

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.marks: list[tuple[int, int, list[tuple[int, int]]]] = []

        def construct_document(self, node: Any) -> Any:
            items: list[tuple[int, int]] = []
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if (
                        isinstance(key, yaml.ScalarNode)
                        and key.value == "items"
                        and isinstance(value, yaml.SequenceNode)
                    ):
                        items = [(_first(n), _last(n)) for n in value.value]
            self.marks.append((_first(node), _last(node), items))
            return super().construct_document(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
    Loader.add_constructor("tag:yaml.org,2002:binary", _as_text)
    return Loader


# libyaml's loader when PyYAML was built with it (10,000 manifests parse in about a second); its
# composer recurses in C, so text that may nest deeper than C_SAFE_DEPTH goes to the pure-Python
# loader, whose recursion ends in a RecursionError instead of a crash.
_FastLoader: Any = _with_marks(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_PyLoader: Any = _with_marks(yaml.SafeLoader)
C_SAFE_DEPTH = 2000
_BRACKETS = re.compile(r"[\[\]{}]")


def nesting_bound(text: str) -> int:
    """An upper bound of the nesting depth of YAML text (cheap: most files skip the scans).

    Block nesting on a line is at most twice its indentation plus its `- `, `? ` and `: `
    indicators (plus two), so at most three times its length plus two; flow nesting is at most
    the deepest run of open brackets.
    """
    flow = text.count("[") + text.count("{")
    if flow > C_SAFE_DEPTH:
        depth = flow = 0
        for match in _BRACKETS.finditer(text):
            depth += 1 if match.group() in "[{" else -1
            flow = max(flow, depth)
    lines = text.splitlines()
    cheap = flow + 3 * max(map(len, lines), default=0) + 2
    if cheap <= C_SAFE_DEPTH:
        return cheap
    block = 0
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        block = max(block, 2 * indent + 2 + line.count("- ") + line.count("? ") + line.count(": "))
    return flow + block


def _first(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _last(node: Any) -> int:
    end = node.end_mark
    # The end mark sits just after the node: at column 0 of the next line for block content.
    return max(_first(node), int(end.line) if end.column == 0 else int(end.line) + 1)


def read_text(path: Path) -> str:
    """The file as UTF-8 text (a byte-order mark is dropped); DocumentError when it is not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"cannot read file: {exc.strerror or exc} / 无法读取文件", kind="unreadable"
        ) from exc
    if b"\x00" in data[:8192]:
        raise DocumentError("binary file, not text / 二进制文件，不是文本", kind="unreadable")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(
            f"not UTF-8 text (byte {exc.start}) / 不是 UTF-8 文本", line=line, kind="unreadable"
        ) from exc


def parse_yaml(text: str) -> list[Document]:
    """Every document of a YAML stream, JSON-safe, with its lines; DocumentError on bad YAML."""
    loader = (_FastLoader if nesting_bound(text) <= C_SAFE_DEPTH else _PyLoader)(text)
    values: list[Any] = []
    try:
        while loader.check_data():
            values.append(loader.get_data())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else "-"
        raise DocumentError(
            f"invalid YAML: {exc.problem} / YAML 格式错误", line=line, field=where, kind="yaml-syntax"
        ) from exc
    except yaml.YAMLError as exc:
        raise DocumentError(f"invalid YAML: {exc} / YAML 格式错误", kind="yaml-syntax") from exc
    except (RecursionError, MemoryError) as exc:
        raise DocumentError("YAML nested too deeply / YAML 嵌套层次过深", kind="yaml-syntax") from exc
    except Exception as exc:  # PyYAML's own assertions on some malformed streams
        raise DocumentError(
            f"invalid YAML: the parser gave up ({type(exc).__name__}) / YAML 格式错误", kind="yaml-syntax"
        ) from exc
    finally:
        loader.dispose()
    docs: list[Document] = []
    for i, value in enumerate(values):
        start, end, items = loader.marks[i] if i < len(loader.marks) else (1, 1, [])
        safe = JsonSafe(escapes=_has_escapes(text))
        try:
            clean = safe.convert(value)
        except DocumentError as exc:
            exc.line = exc.line or start
            raise
        docs.append(Document(i, clean, start, end, items, safe.directives))
    return docs


def parse_json(text: str) -> list[Document]:
    """A JSON file as one document (line 1 to its last line); DocumentError on bad JSON."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"invalid JSON: {exc.msg} / JSON 格式错误",
            line=exc.lineno,
            field=f"line {exc.lineno} column {exc.colno}",
            kind="json-syntax",
        ) from exc
    except (RecursionError, MemoryError) as exc:
        raise DocumentError("JSON nested too deeply / JSON 嵌套层次过深", kind="json-syntax") from exc
    safe = JsonSafe(escapes=_has_escapes(text))
    clean = safe.convert(value)
    return [
        Document(
            0, clean, 1, max(1, text.count("\n") + (0 if text.endswith("\n") else 1)), [], safe.directives
        )
    ]


def load_json_file(path: Path) -> Any:
    """A whole JSON file (plan, preview, host facts), JSON-safe; DocumentError when unusable."""
    return parse_json(read_text(path))[0].value


class JsonSafe:
    """Converts one parsed document to plain JSON types within the depth and node limits."""

    def __init__(
        self, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES, *, escapes: bool = True
    ) -> None:
        self.max_depth = max_depth
        self.budget = max_nodes
        self.directives: set[str] = set()
        # Only escape sequences (\uD800) can produce lone surrogates, which no UTF-8 output takes.
        self.escapes = escapes

    def convert(self, value: Any) -> Any:
        try:
            return self._walk(value, 0)
        except _PathError as exc:
            raise DocumentError(exc.reason, field=_field_path(exc.path), kind="invalid-value") from None
        except RecursionError:
            raise DocumentError("nested too deeply / 嵌套层次过深", kind="invalid-value") from None

    def _walk(self, value: Any, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _PathError(f"more than {MAX_NODES:,} values (alias expansion?) / 数据量过大（别名展开？）")
        if depth > self.max_depth:
            raise _PathError(f"nested deeper than {self.max_depth} levels (or a recursive alias) / 嵌套过深")
        kind = type(value)
        if kind is str:
            if self.escapes:
                _check_encodable(value)
            return value
        if kind is int or kind is bool or value is None:
            return value
        if kind is dict:
            out: dict[str, Any] = {}
            for k, v in value.items():
                key = k if type(k) is str else _key_text(k)
                if self.escapes:
                    _check_encodable(key)
                if key[:1] == "$" and key.startswith(PATCH_DIRECTIVES):
                    self.directives.add(key)
                try:
                    out[key] = self._walk(v, depth + 1)
                except _PathError as exc:
                    exc.path.append(key)
                    raise
            return out
        if kind is list or kind is tuple or kind is set:
            seq = sorted(value, key=str) if kind is set else value
            result = []
            for i, v in enumerate(seq):
                try:
                    result.append(self._walk(v, depth + 1))
                except _PathError as exc:
                    exc.path.append(f"[{i}]")
                    raise
            return result
        if kind is float:
            if not math.isfinite(value):
                raise _PathError(f"{value!r} is not a valid number in JSON or Kubernetes / 非法数值")
            return value
        if isinstance(value, bool | int | str):  # subclasses
            return value
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return str(value)


def _check_encodable(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _PathError(
            f"invalid Unicode escape (a lone surrogate) at {exc.start} / 非法 Unicode 转义"
        ) from None


def _has_escapes(text: str) -> bool:
    return "\\u" in text or "\\U" in text


class _PathError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _field_path(parts: list[str]) -> str:
    out = ""
    for part in reversed(parts):
        out += part if part.startswith("[") or not out else f".{part}"
    return out or "(document)"
