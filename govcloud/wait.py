"""The one wait/poll helper: every bounded wait in govcloud (a daemon listening, a role changing, a
process gone) is `until` with its own check, timeout and interval."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def until(check: Callable[[], T], *, timeout: float, interval: float = 0.1) -> T | None:
    """Call `check` until it returns a truthy value, at most `timeout` seconds (at least once); return
    that value, or None when the time ran out. `check` may raise to stop waiting early (a process that
    died, a refusal)."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
