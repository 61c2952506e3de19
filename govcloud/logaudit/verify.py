"""Verify the chain and every sealed day: re-hash every file, compare with the chain."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcloud.logaudit import chain
from govcloud.logaudit.store import StoreError, day_files, days
from govcloud.report.digests import digest_file

REPORT_SCHEMA = "govcloud.logverify/v1"


@dataclass
class ChainProblem:
    seq: int
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "line": self.line, "reason": self.reason}


@dataclass
class FileProblem:
    kind: str  # modified | missing | extra
    path: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "detail": self.detail}


@dataclass
class DayResult:
    day: str
    status: str  # ok | tampered | pruned | unsealed
    seal_seq: int | None
    files: int = 0
    bytes: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "status": self.status,
            "seal_seq": self.seal_seq,
            "files": self.files,
            "bytes": self.bytes,
            "problems": [p.as_dict() for p in self.problems],
            "note": self.note,
        }


@dataclass
class VerifyReport:
    root: str
    entries: int
    head: dict[str, Any] | None
    chain_problems: list[ChainProblem]
    days: list[DayResult]
    duration_s: float

    @property
    def ok(self) -> bool:
        return not self.chain_problems and all(d.status != "tampered" for d in self.days)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "root": self.root,
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "chain": {
                "ok": not self.chain_problems,
                "problems": [p.as_dict() for p in self.chain_problems],
            },
            "days": [d.as_dict() for d in self.days],
            "duration_s": round(self.duration_s, 3),
        }


def check_chain(entries: list[chain.Entry], expect_head: str | None = None) -> list[ChainProblem]:
    """Every entry's own digest, its link to the one before, and its sequence number."""
    problems: list[ChainProblem] = []
    prev = dict(chain.GENESIS)
    for i, e in enumerate(entries):
        own = chain.entry_digest(e.data)
        if e.data["digest"] != own:
            problems.append(
                ChainProblem(e.seq, e.line, "entry digest does not match its content (entry edited)")
            )
        if e.data["prev"] != prev:
            what = "the start of the chain" if i == 0 else f"entry on line {entries[i - 1].line}"
            problems.append(
                ChainProblem(
                    e.seq,
                    e.line,
                    f"prev does not match {what} (entry before it deleted, edited or moved)",
                )
            )
        if e.seq != i:
            problems.append(
                ChainProblem(
                    e.seq, e.line, f"seq {e.seq} where {i} was expected (entries deleted or reordered)"
                )
            )
        prev = e.data["digest"]  # checked against the content above; the next link is to it
    if expect_head is not None:
        head = prev["sha256"] if entries else chain.GENESIS["sha256"]
        if head != expect_head.lower():
            last = entries[-1] if entries else None
            problems.append(
                ChainProblem(
                    last.seq if last else -1,
                    last.line if last else 0,
                    f"head SHA-256 {head} is not the expected {expect_head} "
                    "(entries after it removed or rewritten)",
                )
            )
    return problems


def _verify_day(root: Path, entry: chain.Entry) -> DayResult:
    day = dt.date.fromisoformat(entry.day)
    res = DayResult(entry.day, "ok", entry.seq)
    sealed = {f["path"]: f for f in entry.data["files"]}
    try:
        present = {f.rel: f for f in day_files(root, day)}
    except StoreError as exc:
        res.problems.append(FileProblem("extra", exc.path, exc.reason))
        present = {}
    for rel, rec in sealed.items():
        res.files += 1
        res.bytes += int(rec["bytes"])
        f = present.get(rel)
        if f is None:
            res.problems.append(FileProblem("missing", rel, "sealed file no longer in the store"))
            continue
        d = digest_file(f.path)
        diffs = []
        if d.bytes != rec["bytes"]:
            diffs.append(f"bytes {rec['bytes']} -> {d.bytes}")
        if d.sha256 != rec["sha256"]:
            diffs.append("SHA-256 differs")
        if d.sm3 != rec["sm3"]:
            diffs.append("SM3 differs")
        if diffs:
            res.problems.append(FileProblem("modified", rel, ", ".join(diffs)))
    for rel in sorted(set(present) - set(sealed)):
        res.problems.append(FileProblem("extra", rel, "file not in the day's seal"))
    if res.problems:
        res.status = "tampered"
    return res


def verify(root: Path, *, today: dt.date | None = None, expect_head: str | None = None) -> VerifyReport:
    """Verify the chain and every day it covers. Raises ChainError if the manifest is malformed.

    Days present in the store, closed and never sealed are listed as ``unsealed`` (not tampering:
    they await `govcloud logs seal`).
    """
    start = time.monotonic()
    today = today or dt.date.today()
    entries = chain.read_chain(root)
    problems = check_chain(entries, expect_head)
    results: dict[str, DayResult] = {}
    seals: dict[str, chain.Entry] = {}
    for e in entries:
        if e.kind == "seal":
            if e.day in seals:
                problems.append(
                    ChainProblem(e.seq, e.line, f"day {e.day} sealed twice without a prune in between")
                )
            seals[e.day] = e
        else:
            sealed = seals.pop(e.day, None)
            pr = e.data["pruned"]
            if (
                sealed is None
                or sealed.seq != pr["seal_seq"]
                or chain.entry_digest(sealed.data) != pr["seal_digest"]
            ):
                problems.append(ChainProblem(e.seq, e.line, f"prune of {e.day} does not name its seal entry"))
            results[e.day] = DayResult(e.day, "pruned", pr["seal_seq"], note=f"pruned by entry {e.seq}")
    for day, e in seals.items():
        results[day] = _verify_day(root, e)
    try:
        present = days(root) if root.is_dir() else []
    except StoreError:
        present = []
    for d in present:
        key = d.isoformat()
        res = results.get(key)
        if res is None and d < today:
            results[key] = DayResult(key, "unsealed", None, note="closed day not sealed yet")
        elif res is not None and res.status == "pruned":
            try:
                left = day_files(root, d)
            except StoreError:
                left = []
            if left:
                res.note += f"; {len(left)} file(s) remain (prune interrupted? run prune again)"
    head = None
    if entries:
        last = entries[-1]
        head = {"seq": last.seq, **chain.entry_digest(last.data)}
    return VerifyReport(
        str(root),
        len(entries),
        head,
        problems,
        [results[k] for k in sorted(results)],
        time.monotonic() - start,
    )
