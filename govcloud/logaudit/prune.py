"""Retention: remove sealed days older than the retention period, recording a tombstone in the chain.

等保 8.1.3.5 c / 8.1.5.4 d: audit records kept at least six months, so ``keep_days`` must be at
least 185 unless ``allow_short`` (tests only). Only sealed days that still verify are pruned:
deleting a tampered day would hide the tampering behind a tombstone.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from govcloud.logaudit import chain
from govcloud.logaudit.seal import _active_seals, _now
from govcloud.logaudit.store import day_dirs
from govcloud.logaudit.verify import _verify_day, check_chain

MIN_KEEP_DAYS = 185


class PruneError(Exception):
    """Pruning refused: the chain does not verify (tampering, exit 1)."""


class RetentionError(PruneError):
    """Pruning refused: --keep-days below the policy minimum (usage, exit 2)."""


@dataclass
class PruneResult:
    cutoff: str
    pruned: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # day -> why (tampered)
    dry_run: bool = False


def prune(
    root: Path,
    keep_days: int,
    *,
    today: dt.date | None = None,
    allow_short: bool = False,
    dry_run: bool = False,
) -> PruneResult:
    """Prune sealed days strictly before ``today - keep_days``."""
    if keep_days < 0:
        raise RetentionError(f"--keep-days {keep_days}: must not be negative")
    if keep_days < MIN_KEEP_DAYS and not allow_short:
        raise RetentionError(
            f"--keep-days {keep_days}: retention must be at least {MIN_KEEP_DAYS} days "
            "(等保 8.1.3.5 c, 8.1.5.4 d: audit records kept ≥ 6 months)"
        )
    today = today or dt.date.today()
    cutoff = today - dt.timedelta(days=keep_days)
    result = PruneResult(cutoff.isoformat(), dry_run=dry_run)
    with chain.locked(root):
        entries = chain.read_chain(root)
        problems = check_chain(entries)
        if problems:
            p = problems[0]
            raise PruneError(f"chain broken at entry {p.seq} (line {p.line}): {p.reason}; nothing pruned")
        by_seq = {e.seq: e for e in entries}
        for day, seq in sorted(_active_seals(entries).items()):
            if dt.date.fromisoformat(day) >= cutoff:
                continue
            sealed = by_seq[seq]
            check = _verify_day(root, sealed)
            if check.status != "ok":
                result.refused[day] = "; ".join(f"{p.kind} {p.path}" for p in check.problems)
                continue
            result.pruned.append(day)
            if dry_run:
                continue
            body = {
                "kind": "prune",
                "day": day,
                "files": [],
                "sealed_at": _now(),
                "keep_days": keep_days,
                "pruned": {
                    "seal_seq": seq,
                    "seal_digest": chain.entry_digest(sealed.data),
                    "files": len(sealed.data["files"]),
                    "bytes": sum(int(f["bytes"]) for f in sealed.data["files"]),
                },
            }
            entry = chain.make_entry(entries, body)
            chain.append(root, entry)  # tombstone first: an interrupted prune leaves files, not a gap
            entries.append(chain.Entry(entries[-1].line + 1, entry))
            for d in day_dirs(root, dt.date.fromisoformat(day)):
                shutil.rmtree(d)
    return result
