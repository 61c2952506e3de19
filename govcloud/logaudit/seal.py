"""Seal a closed day: SHA-256 and SM3 of every file, appended to the chain as one entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from govcloud.logaudit import chain
from govcloud.logaudit.store import StoreError, day_files, days
from govcloud.report.digests import digest_file


class SealError(Exception):
    """A day that must not be sealed (open, already sealed, empty) or a store that cannot be read."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sealed_days(entries: list[chain.Entry]) -> set[str]:
    return {e.day for e in entries if e.kind == "seal"}


def seal(root: Path, day: dt.date, *, today: dt.date | None = None, force: bool = False) -> dict[str, Any]:
    """Seal ``day`` and return the chain entry written.

    A day is closed when it is before ``today`` (the collector's local date); sealing today's or
    a future day is refused unless ``force``. A day already sealed (and not pruned) is refused.
    """
    today = today or dt.date.today()
    if day >= today and not force:
        raise SealError(f"{day.isoformat()} is not closed yet (today is {today.isoformat()}); use --force")
    with chain.locked(root):
        entries = chain.read_chain(root)
        active = _active_seals(entries)
        if day.isoformat() in active:
            raise SealError(f"{day.isoformat()} is already sealed (chain entry {active[day.isoformat()]})")
        try:
            files = day_files(root, day)
        except StoreError as exc:
            raise SealError(str(exc)) from exc
        if not files:
            raise SealError(f"{day.isoformat()}: no log files under {root}/<host>/{day.isoformat()}/")
        records = []
        for f in files:
            d = digest_file(f.path)
            records.append(
                {"host": f.host, "path": f.rel, "bytes": d.bytes, "sha256": d.sha256, "sm3": d.sm3}
            )
        body = {"kind": "seal", "day": day.isoformat(), "files": records, "sealed_at": _now()}
        entry = chain.make_entry(entries, body)
        chain.append(root, entry)
    return entry


def _active_seals(entries: list[chain.Entry]) -> dict[str, int]:
    """Day -> seq of its seal entry, for days sealed and not pruned since."""
    active: dict[str, int] = {}
    for e in entries:
        if e.kind == "seal":
            active[e.day] = e.seq
        else:
            active.pop(e.day, None)
    return active


def seal_all_closed(root: Path, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Seal every closed day in the store not sealed yet, oldest first; pruned days stay pruned."""
    today = today or dt.date.today()
    try:
        present = days(root)
    except StoreError as exc:
        raise SealError(str(exc)) from exc
    entries = chain.read_chain(root)
    done = {e.day for e in entries}  # sealed, or sealed then pruned
    out = []
    for day in present:
        if day < today and day.isoformat() not in done:
            out.append(seal(root, day, today=today))
    return out
