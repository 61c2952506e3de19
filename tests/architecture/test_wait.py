"""The one wait helper (fast)."""

from __future__ import annotations

import pytest

from govcloud.wait import until


def test_returns_the_first_truthy_value() -> None:
    values = iter([0, None, "", "ready", "later"])
    assert until(lambda: next(values), timeout=5, interval=0) == "ready"


def test_gives_none_when_the_time_runs_out_having_checked_at_least_once() -> None:
    calls: list[int] = []
    assert until(lambda: calls.append(1), timeout=0.05, interval=0.01) is None
    assert calls
    assert until(lambda: calls.append(2) or True, timeout=0) is True  # a zero timeout still checks once


def test_a_check_that_raises_stops_the_wait() -> None:
    def died() -> bool:
        raise RuntimeError("the daemon exited")

    with pytest.raises(RuntimeError, match="exited"):
        until(died, timeout=10)
