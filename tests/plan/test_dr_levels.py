"""GB/T 20988 level implied by RTO/RPO (example table of Annex A, 2007 edition)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govcloud.plan.dr import gbt20988_level

H, D = 3600, 86400


@pytest.mark.parametrize(
    ("rto_s", "rpo_s", "level"),
    [
        (300, 0, 6),  # zero loss, minutes: 数据零丢失和远程集群支持
        (3600, 0, 5),  # zero loss but an hour to recover: not remote-cluster grade
        (1800, 900, 5),  # real-time replication (RPO <= 30 min)
        (4 * H, 2 * H, 4),  # hours / hours
        (13 * H, 12 * H, 3),  # >= 12 h / within a day
        (30 * H, 3 * D, 2),  # >= 24 h / days
        (3 * D, 3 * D, 1),  # >= 2 days / days
        (30 * 60, 10 * D, 5),  # a tight RTO alone needs level-5 equipment
    ],
)
def test_level_table(rto_s: int, rpo_s: int, level: int) -> None:
    assert gbt20988_level(rto_s, rpo_s) == level


@given(st.integers(0, 10 * D), st.integers(0, 10 * D), st.integers(0, D), st.integers(0, D))
def test_tighter_targets_never_lower_the_level(rto: int, rpo: int, drto: int, drpo: int) -> None:
    loose = gbt20988_level(rto + drto, rpo + drpo)
    assert gbt20988_level(rto, rpo) >= loose, (rto, rpo, drto, drpo)


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        gbt20988_level(-1, 0)
