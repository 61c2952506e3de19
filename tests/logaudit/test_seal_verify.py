"""Seal then verify; every kind of tampering is detected and named (等保 8.1.4.3 c)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from govcloud.logaudit import SealError, seal, seal_all_closed, verify
from govcloud.logaudit.chain import ChainError, chain_path, entry_digest, read_chain
from tests.logaudit.conftest import DAYS, TODAY

pytestmark = pytest.mark.clause("8.1.4.3.c")


def sealed(store: Path) -> Path:
    seal_all_closed(store, today=TODAY)
    return store


def lines(root: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in chain_path(root).read_text().splitlines()]


def write_lines(root: Path, entries: list[dict[str, object]]) -> None:
    chain_path(root).write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries))


def test_seal_then_verify_ok(store: Path) -> None:
    entries = seal_all_closed(store, today=TODAY)
    assert [e["day"] for e in entries] == [d.isoformat() for d in DAYS]
    first = entries[0]
    assert first["schema"] == "govcloud.logseal/v1"
    assert first["prev"] == {"sha256": "0" * 64, "sm3": "0" * 64}
    assert entries[1]["prev"] == first["digest"] == entry_digest(first)
    assert {f["path"] for f in first["files"]} == {
        "bastion-1/2026-11-26/auth.log",
        "bastion-1/2026-11-26/messages.log",
        "web-1/2026-11-26/auth.log",
        "web-1/2026-11-26/messages.log",
    }
    report = verify(store, today=TODAY)
    assert report.ok, report.as_dict()
    assert [d.status for d in report.days] == ["ok", "ok", "ok"]
    assert report.head is not None and report.head["seq"] == 2


def test_open_day_refused_unless_forced(store: Path) -> None:
    (store / "web-1" / TODAY.isoformat()).mkdir()
    (store / "web-1" / TODAY.isoformat() / "messages.log").write_text("x\n")
    with pytest.raises(SealError, match="not closed"):
        seal(store, TODAY, today=TODAY)
    assert seal(store, TODAY, today=TODAY, force=True)["day"] == TODAY.isoformat()


def test_sealing_twice_refused(store: Path) -> None:
    seal(store, DAYS[0], today=TODAY)
    with pytest.raises(SealError, match="already sealed"):
        seal(store, DAYS[0], today=TODAY)


def test_unsealed_closed_day_is_listed_not_tampering(store: Path) -> None:
    seal(store, DAYS[0], today=TODAY)
    report = verify(store, today=TODAY)
    assert report.ok
    assert [d.status for d in report.days] == ["ok", "unsealed", "unsealed"]


def test_one_byte_edit_is_detected_naming_the_file(store: Path) -> None:
    sealed(store)
    target = store / "web-1" / "2026-11-27" / "auth.log"
    data = bytearray(target.read_bytes())
    data[10] ^= 0x01  # same size, one bit
    target.write_bytes(bytes(data))
    report = verify(store, today=TODAY)
    assert not report.ok
    bad = [d for d in report.days if d.status == "tampered"]
    assert [d.day for d in bad] == ["2026-11-27"]
    (problem,) = bad[0].problems
    assert (problem.kind, problem.path) == ("modified", "web-1/2026-11-27/auth.log")
    assert "SHA-256" in problem.detail and "SM3" in problem.detail and "bytes" not in problem.detail


def test_deleted_file_is_detected(store: Path) -> None:
    sealed(store)
    (store / "bastion-1" / "2026-11-26" / "messages.log").unlink()
    report = verify(store, today=TODAY)
    assert not report.ok
    (problem,) = report.days[0].problems
    assert (problem.kind, problem.path) == ("missing", "bastion-1/2026-11-26/messages.log")


def test_added_file_in_sealed_day_is_detected(store: Path) -> None:
    sealed(store)
    (store / "web-1" / "2026-11-28" / "sub").mkdir()
    (store / "web-1" / "2026-11-28" / "sub" / "late.log").write_text("injected\n")
    report = verify(store, today=TODAY)
    assert not report.ok
    (problem,) = report.days[2].problems
    assert (problem.kind, problem.path) == ("extra", "web-1/2026-11-28/sub/late.log")


def test_edited_earlier_entry_breaks_the_chain(store: Path) -> None:
    sealed(store)
    entries = lines(store)
    files = entries[0]["files"]
    assert isinstance(files, list)
    files[0]["bytes"] = 1  # hide a truncation
    write_lines(store, entries)
    report = verify(store, today=TODAY)
    assert not report.ok
    assert [(p.seq, p.line) for p in report.chain_problems] == [(0, 1)]
    assert "edited" in report.chain_problems[0].reason


def test_edited_entry_with_recomputed_digest_breaks_the_next_link(store: Path) -> None:
    sealed(store)
    entries = lines(store)
    files = entries[0]["files"]
    assert isinstance(files, list)
    files.pop()  # forget a file, and re-digest the entry as a careful attacker would
    entries[0]["digest"] = entry_digest(entries[0])
    write_lines(store, entries)
    report = verify(store, today=TODAY)
    assert [(p.seq, p.line) for p in report.chain_problems] == [(1, 2)]
    assert "prev" in report.chain_problems[0].reason


def test_deleted_earlier_entry_breaks_the_chain(store: Path) -> None:
    sealed(store)
    entries = lines(store)
    write_lines(store, [entries[0], entries[2]])
    report = verify(store, today=TODAY)
    assert not report.ok
    assert {p.seq for p in report.chain_problems} == {2}
    assert any("prev" in p.reason for p in report.chain_problems)
    assert any("seq 2 where 1" in p.reason for p in report.chain_problems)


def test_reordered_entries_break_the_chain(store: Path) -> None:
    sealed(store)
    entries = lines(store)
    write_lines(store, [entries[1], entries[0], entries[2]])
    report = verify(store, today=TODAY)
    assert not report.ok
    assert {p.line for p in report.chain_problems} == {1, 2, 3}


def test_truncated_tail_is_caught_by_expected_head(store: Path) -> None:
    sealed(store)
    head = verify(store, today=TODAY).head
    assert head is not None
    write_lines(store, lines(store)[:2])
    assert verify(store, today=TODAY).ok  # the chain alone cannot see a removed last entry
    report = verify(store, today=TODAY, expect_head=str(head["sha256"]))
    assert not report.ok
    assert "expected" in report.chain_problems[0].reason


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda t: t.replace('"sm3":"', '"sm3":"zz', 1), "sm3"),
        (lambda t: "{not json\n" + t, None),
        (lambda t: t.replace('"schema":"govcloud.logseal/v1"', '"schema":"other/v9"', 1), "schema"),
        (lambda t: t.replace('"day":"2026-11-26"', '"day":"26/11/2026"', 1), "day"),
    ],
)
def test_malformed_manifest_raises_naming_file_and_field(
    store: Path, mutate: object, field: str | None
) -> None:
    sealed(store)
    path = chain_path(store)
    assert callable(mutate)
    path.write_text(mutate(path.read_text()))
    with pytest.raises(ChainError) as err:
        read_chain(store)
    assert err.value.file == str(path)
    assert err.value.line == 1
    if field is not None:
        assert err.value.field is not None and field in err.value.field
    assert err.value.reason


def test_seal_records_streamed_digests_of_a_multi_chunk_file(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    day = dt.date(2026, 1, 1)
    d = root / "h" / day.isoformat()
    d.mkdir(parents=True)
    data = bytes(range(256)) * 12289  # ~3 MiB, crosses the 1 MiB read chunks unevenly
    (d / "big.log").write_bytes(data)
    entry = seal(root, day, today=TODAY)
    (rec,) = entry["files"]
    sm3 = hashes.Hash(hashes.SM3())
    sm3.update(data)
    assert rec["sha256"] == hashlib.sha256(data).hexdigest()
    assert rec["sm3"] == sm3.finalize().hex()
    assert rec["bytes"] == len(data)
