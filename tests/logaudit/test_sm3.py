"""SM3 against the published vector (GB/T 32905-2016 appendix A, example 1)."""

from __future__ import annotations

from pathlib import Path

from govcloud.logaudit.chain import entry_digest
from govcloud.report.digests import digest_file, sm3_hex

ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_abc_vector() -> None:
    assert sm3_hex(b"abc") == ABC


def test_sm3_of_a_file_streamed(tmp_path: Path) -> None:
    p = tmp_path / "abc.log"
    p.write_bytes(b"abc")
    assert digest_file(p).sm3 == ABC


def test_entry_digest_ignores_its_own_digest_member() -> None:
    body = {"a": 1, "b": "日志"}
    assert entry_digest(body) == entry_digest({**body, "digest": {"sha256": "x", "sm3": "y"}})
    assert entry_digest(body) != entry_digest({**body, "a": 2})
