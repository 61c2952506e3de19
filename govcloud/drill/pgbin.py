"""PostgreSQL 15's programs (Debian's layout) and how the drills run them: in a host's network
namespace (needs root), then as the postgres user (PostgreSQL refuses root). Commands run through
the one subprocess helper, govcloud.lab.sh."""

from __future__ import annotations

from collections.abc import Sequence

from govcloud.lab.sh import nsexec

PG_BIN = "/usr/lib/postgresql/15/bin"


def as_postgres(netns: str, argv: Sequence[str]) -> list[str]:
    """Namespace first (needs root), then drop to the postgres user (postgres refuses root)."""
    return nsexec(netns, "runuser", "-u", "postgres", "--", *argv)


def pg_bin(name: str) -> str:
    return f"{PG_BIN}/{name}"
