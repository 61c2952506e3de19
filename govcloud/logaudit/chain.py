"""The chained manifest ``<root>/_seals/chain.jsonl`` (schema ``govcloud.logseal/v1``).

One JSON object a line. Every entry carries ``prev`` (SHA-256 and SM3 of the previous entry's
canonical JSON, all-zero for the first) and ``digest`` (the same two over its own canonical JSON,
the ``digest`` member left out). Canonical JSON: keys sorted, no spaces, UTF-8.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.logaudit.store import SEALS_DIR, parse_day
from govcloud.report.digests import digest_bytes

SCHEMA = "govcloud.logseal/v1"
CHAIN_FILE = "chain.jsonl"
GENESIS = {"sha256": "0" * 64, "sm3": "0" * 64}
KINDS = ("seal", "prune")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class ChainError(Exception):
    """A malformed manifest: which file, which line and field, and why (exit 2, not tampering)."""

    def __init__(self, file: Path | str, line: int | None, field: str | None, reason: str) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.reason = reason
        where = self.file + (f":{line}" if line is not None else "")
        if field:
            where += f": {field}"
        super().__init__(f"{where}: {reason}")


def chain_path(root: Path) -> Path:
    return root / SEALS_DIR / CHAIN_FILE


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_digest(entry: dict[str, Any]) -> dict[str, str]:
    """SHA-256 and SM3 of the entry's canonical JSON without its ``digest`` member."""
    body = {k: v for k, v in entry.items() if k != "digest"}
    d = digest_bytes(canonical(body))
    return {"sha256": d.sha256, "sm3": d.sm3}


@dataclass(frozen=True)
class Entry:
    line: int
    data: dict[str, Any]

    @property
    def seq(self) -> int:
        return int(self.data["seq"])

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def day(self) -> str:
        return str(self.data["day"])


def _check_pair(file: Path, line: int, field: str, value: Any) -> None:
    if not isinstance(value, dict) or set(value) != {"sha256", "sm3"}:
        raise ChainError(file, line, field, "must be an object with exactly sha256 and sm3")
    for algo in ("sha256", "sm3"):
        if not isinstance(value[algo], str) or not _HEX64.match(value[algo]):
            raise ChainError(file, line, f"{field}.{algo}", "must be 64 lower-case hex digits")


def _check_entry(file: Path, line: int, data: Any) -> None:
    if not isinstance(data, dict):
        raise ChainError(file, line, None, "entry is not a JSON object")
    required = ("schema", "seq", "kind", "day", "files", "sealed_at", "prev", "digest")
    for key in required:
        if key not in data:
            raise ChainError(file, line, key, "missing")
    if data["schema"] != SCHEMA:
        raise ChainError(file, line, "schema", f"{data['schema']!r} is not {SCHEMA!r}")
    if not isinstance(data["seq"], int) or isinstance(data["seq"], bool) or data["seq"] < 0:
        raise ChainError(file, line, "seq", "must be a non-negative integer")
    if data["kind"] not in KINDS:
        raise ChainError(file, line, "kind", f"{data['kind']!r} is not one of {', '.join(KINDS)}")
    if not isinstance(data["day"], str):
        raise ChainError(file, line, "day", "must be a string YYYY-MM-DD")
    try:
        parse_day(data["day"])
    except ValueError as exc:
        raise ChainError(file, line, "day", str(exc)) from exc
    if not isinstance(data["sealed_at"], str):
        raise ChainError(file, line, "sealed_at", "must be an ISO 8601 string")
    _check_pair(file, line, "prev", data["prev"])
    _check_pair(file, line, "digest", data["digest"])
    files = data["files"]
    if not isinstance(files, list):
        raise ChainError(file, line, "files", "must be a list")
    for i, f in enumerate(files):
        where = f"files[{i}]"
        if not isinstance(f, dict):
            raise ChainError(file, line, where, "must be an object")
        for key, typ in (("host", str), ("path", str), ("bytes", int), ("sha256", str), ("sm3", str)):
            if key not in f:
                raise ChainError(file, line, f"{where}.{key}", "missing")
            if not isinstance(f[key], typ) or isinstance(f[key], bool):
                raise ChainError(file, line, f"{where}.{key}", f"must be a {typ.__name__}")
        for algo in ("sha256", "sm3"):
            if not _HEX64.match(f[algo]):
                raise ChainError(file, line, f"{where}.{algo}", "must be 64 lower-case hex digits")
        p = f["path"]
        if p.startswith("/") or ".." in p.split("/") or p.split("/")[0] != f["host"]:
            raise ChainError(file, line, f"{where}.path", f"{p!r} is not host/day/name under the root")
    if data["kind"] == "prune":
        pr = data.get("pruned")
        if not isinstance(pr, dict) or not isinstance(pr.get("seal_seq"), int):
            raise ChainError(file, line, "pruned", "a prune entry needs pruned.seal_seq (integer)")
        _check_pair(file, line, "pruned.seal_digest", pr.get("seal_digest"))


def read_chain(root: Path) -> list[Entry]:
    """Every entry, schema-checked. An absent chain is an empty chain; a malformed one raises."""
    path = chain_path(root)
    if not path.exists():
        return []
    entries: list[Entry] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChainError(path, None, None, f"cannot read ({exc})") from exc
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            raise ChainError(path, n, None, "empty line (the chain is one JSON object a line)")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ChainError(path, n, None, f"not JSON ({exc.msg} at column {exc.colno})") from exc
        _check_entry(path, n, data)
        entries.append(Entry(n, data))
    return entries


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Exclusive lock on ``_seals/.lock`` so two sealers cannot interleave appends."""
    seals = root / SEALS_DIR
    seals.mkdir(parents=True, exist_ok=True)
    with (seals / ".lock").open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def make_entry(previous: list[Entry], body: dict[str, Any]) -> dict[str, Any]:
    prev = dict(GENESIS) if not previous else entry_digest(previous[-1].data)
    entry: dict[str, Any] = {"schema": SCHEMA, "seq": len(previous), **body, "prev": prev}
    entry["digest"] = entry_digest(entry)
    return entry


def append(root: Path, entry: dict[str, Any]) -> None:
    """Append one line and fsync it (the chain is append-only)."""
    path = chain_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        fh.write(canonical(entry) + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
