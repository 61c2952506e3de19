"""A prefix allocator over one pool of one address family (integers, no netaddr in the hot loop).

Free space is found by hash probing: a segment's first candidate block is chosen from a hash of
its stable identity, so the result does not depend on list order; on a clash the search jumps
past the occupied interval, wrapping once round the pool. Exhaustion is detected when the
search comes back to where it started.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field


def identity_hash(identity: str) -> int:
    """A stable 64-bit hash of a segment identity (never Python's salted hash())."""
    return int.from_bytes(hashlib.blake2b(identity.encode(), digest_size=8).digest(), "big")


@dataclass
class Occupied:
    """Sorted, non-overlapping half-open intervals [start, end) with an owner each."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)

    def clash(self, start: int, end: int) -> int | None:
        """Index of an interval overlapping [start, end), or None."""
        i = bisect.bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return i
        j = i + 1
        if j < len(self.starts) and self.starts[j] < end:
            return j
        return None

    def add(self, start: int, end: int, owner: str) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.owners.insert(i, owner)


@dataclass
class PoolAllocator:
    """Allocates aligned power-of-two blocks inside [base, base + size)."""

    name: str
    base: int
    size: int
    used: Occupied = field(default_factory=Occupied)

    def owner_of_clash(self, start: int, end: int) -> str | None:
        i = self.used.clash(start, end)
        return None if i is None else self.used.owners[i]

    def contains(self, start: int, end: int) -> bool:
        return self.base <= start and end <= self.base + self.size

    def occupy(self, start: int, end: int, owner: str) -> None:
        """Mark [start, end) used; the caller has checked for clashes."""
        self.used.add(start, end, owner)

    def allocate(self, block: int, identity: str, seed: int | None = None) -> int | None:
        """Start of a free aligned block of `block` addresses for `identity`, or None if full.

        `seed` is identity_hash(identity) when the caller has it already.
        """
        if block > self.size:
            return None
        slots = self.size // block
        first = self.base + ((identity_hash(identity) if seed is None else seed) % slots) * block
        end_of_pool = self.base + self.size
        candidate = first
        wrapped = False
        while True:
            if wrapped and candidate >= first:
                return None
            if candidate + block > end_of_pool:
                if wrapped:
                    return None
                wrapped, candidate = True, self.base
                continue
            i = self.used.clash(candidate, candidate + block)
            if i is None:
                self.used.add(candidate, candidate + block, identity)
                return candidate
            after = self.used.ends[i]
            candidate = self.base + -(-(after - self.base) // block) * block  # align up
