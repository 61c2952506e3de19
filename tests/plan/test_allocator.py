"""The prefix allocator on its own: alignment, wrap-around, holes, exhaustion."""

from __future__ import annotations

from govcloud.plan.allocator import PoolAllocator, identity_hash


def test_blocks_are_aligned_and_inside_the_pool() -> None:
    pool = PoolAllocator("p", 1024, 256)
    for i in range(16):
        start = pool.allocate(16, f"s{i}")
        assert start is not None and start % 16 == 0 and 1024 <= start < 1024 + 256
    assert pool.allocate(16, "one-too-many") is None


def test_probe_wraps_round_to_the_start_of_the_pool() -> None:
    pool = PoolAllocator("p", 0, 64)
    slot = identity_hash("x") % 4
    for s in range(slot, 4):  # fill from the hashed slot to the end
        pool.occupy(s * 16, s * 16 + 16, f"hole{s}")
    start = pool.allocate(16, "x")
    assert start is not None and start < slot * 16


def test_holes_are_respected_and_named() -> None:
    pool = PoolAllocator("p", 0, 256)
    pool.occupy(0, 128, "reserved 政务内网")
    assert pool.owner_of_clash(64, 72) == "reserved 政务内网"
    got = [pool.allocate(64, f"s{i}") for i in range(3)]
    assert sorted(g for g in got if g is not None) == [128, 192] and got.count(None) == 1


def test_identity_hash_is_pinned() -> None:
    """Changing the hash would renumber every unlocked plan: it is part of the format."""
    assert identity_hash("prod/dedicated-sjj/sjj-gxjh") == 0x45A4902A0AA532BD
