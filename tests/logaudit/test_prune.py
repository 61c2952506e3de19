"""Retention (等保 8.1.3.5 c, 8.1.5.4 d): prune by tombstone, never below 185 days by policy."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from govcloud.logaudit import MIN_KEEP_DAYS, prune, seal_all_closed, verify
from govcloud.logaudit.chain import read_chain
from govcloud.logaudit.prune import PruneError, RetentionError
from tests.logaudit.conftest import DAYS, TODAY

pytestmark = pytest.mark.clause("8.1.5.4.d")


def test_prune_records_a_tombstone_and_still_verifies(store: Path) -> None:
    seal_all_closed(store, today=TODAY)
    # keep 2 days back from 11-29: cutoff 11-27, so only 11-26 goes
    result = prune(store, 2, today=TODAY, allow_short=True)
    assert result.pruned == ["2026-11-26"]
    assert not (store / "web-1" / "2026-11-26").exists()
    assert (store / "web-1" / "2026-11-27").exists()
    entries = read_chain(store)
    assert [e.kind for e in entries] == ["seal", "seal", "seal", "prune"]
    assert entries[-1].data["pruned"]["seal_seq"] == 0
    report = verify(store, today=TODAY)
    assert report.ok, report.as_dict()
    assert [(d.day, d.status) for d in report.days] == [
        ("2026-11-26", "pruned"),
        ("2026-11-27", "ok"),
        ("2026-11-28", "ok"),
    ]
    # sealing again does not resurrect a pruned day
    assert seal_all_closed(store, today=TODAY) == []


def test_deleting_a_day_without_prune_is_tampering(store: Path) -> None:
    seal_all_closed(store, today=TODAY)
    for host in ("web-1", "bastion-1"):
        shutil.rmtree(store / host / "2026-11-26")
    report = verify(store, today=TODAY)
    assert not report.ok
    assert {p.kind for p in report.days[0].problems} == {"missing"}


@pytest.mark.parametrize("keep", [0, 30, MIN_KEEP_DAYS - 1])
def test_prune_below_185_days_refused(store: Path, keep: int) -> None:
    seal_all_closed(store, today=TODAY)
    with pytest.raises(RetentionError, match="185"):
        prune(store, keep, today=TODAY)
    assert len(read_chain(store)) == 3
    assert (store / "web-1" / "2026-11-26").exists()


def test_prune_at_185_days_allowed(store: Path) -> None:
    seal_all_closed(store, today=TODAY)
    later = DAYS[0] + dt.timedelta(days=MIN_KEEP_DAYS + 1)
    assert prune(store, MIN_KEEP_DAYS, today=later).pruned == ["2026-11-26"]


def test_tampered_day_is_not_pruned(store: Path) -> None:
    seal_all_closed(store, today=TODAY)
    (store / "web-1" / "2026-11-26" / "auth.log").write_text("rewritten\n")
    result = prune(store, 1, today=TODAY, allow_short=True)
    assert "2026-11-26" in result.refused
    assert result.pruned == ["2026-11-27"]
    assert (store / "web-1" / "2026-11-26" / "auth.log").exists()


def test_broken_chain_refuses_all_pruning(store: Path) -> None:
    seal_all_closed(store, today=TODAY)
    path = store / "_seals" / "chain.jsonl"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    with pytest.raises(PruneError, match="chain broken"):
        prune(store, 1, today=TODAY, allow_short=True)


def test_unsealed_old_day_is_never_pruned(store: Path) -> None:
    result = prune(store, 1, today=TODAY, allow_short=True)
    assert result.pruned == []
    assert (store / "web-1" / "2026-11-26").exists()


def test_dry_run_changes_nothing(store: Path) -> None:
    seal_all_closed(store, today=TODAY)
    before = (store / "_seals" / "chain.jsonl").read_bytes()
    result = prune(store, 2, today=TODAY, allow_short=True, dry_run=True)
    assert result.pruned == ["2026-11-26"]
    assert (store / "_seals" / "chain.jsonl").read_bytes() == before
    assert (store / "web-1" / "2026-11-26" / "auth.log").exists()
