"""GB/T 20988 disaster-recovery capability level (灾难恢复能力等级) implied by RTO/RPO targets.

Basis: the RTO/RPO example table of GB/T 20988-2007 Annex A (an example, not a normative
requirement; GB/T 20988-2025 supersedes the 2007 edition from 2026-01-01 — check that it keeps
the six levels before relying on this for an audit). The implied level is the lowest level
whose example range can meet both targets:

| level | RTO (example)      | RPO (example)     |
|-------|--------------------|-------------------|
| 1     | >= 2 days          | 1-7 days          |
| 2     | >= 24 h            | 1-7 days          |
| 3     | >= 12 h            | hours - 1 day     |
| 4     | hours - 2 days     | hours - 1 day     |
| 5     | minutes - 2 days   | 0 - 30 min        |
| 6     | minutes            | 0                 |
"""

from __future__ import annotations

MINUTE = 60
HOUR = 3600
DAY = 86400
EDITION = "GB/T 20988-2007 Annex A example table"

# "minutes" is read as at most 30 minutes.
MINUTES_RTO = 30 * MINUTE


def _level_for_rpo(rpo_s: int) -> int:
    if rpo_s == 0:
        return 6
    if rpo_s <= 30 * MINUTE:
        return 5
    if rpo_s <= DAY:
        return 3
    return 1


def _level_for_rto(rto_s: int) -> int:
    if rto_s <= MINUTES_RTO:
        return 5
    if rto_s < 12 * HOUR:
        return 4
    if rto_s < DAY:
        return 3
    if rto_s < 2 * DAY:
        return 2
    return 1


def gbt20988_level(rto_s: int, rpo_s: int) -> int:
    """The GB/T 20988 level (1-6) that RTO `rto_s` and RPO `rpo_s` (seconds) imply."""
    if rto_s < 0 or rpo_s < 0:
        raise ValueError("RTO and RPO are durations: they cannot be negative")
    rpo_level = _level_for_rpo(rpo_s)
    rto_level = _level_for_rto(rto_s)
    if rpo_level == 6:
        return 6 if rto_s <= MINUTES_RTO else 5
    return max(rpo_level, rto_level)
