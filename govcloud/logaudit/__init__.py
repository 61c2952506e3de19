"""日志审计 tamper evidence: seal each closed day of the central log store in a chained manifest.

Layout (what rsyslog's per-host/day templates write): ``<root>/<host>/<YYYY-MM-DD>/*.log``.
The chain is ``<root>/_seals/chain.jsonl`` (schema ``govcloud.logseal/v1``), one entry a line,
each carrying the SHA-256 and SM3 of the previous entry's canonical JSON. See docs/logaudit.md.
"""

from __future__ import annotations

from govcloud.logaudit.chain import SCHEMA, ChainError
from govcloud.logaudit.prune import MIN_KEEP_DAYS, PruneResult, prune
from govcloud.logaudit.seal import SealError, seal, seal_all_closed
from govcloud.logaudit.verify import VerifyReport, verify

__all__ = [
    "MIN_KEEP_DAYS",
    "SCHEMA",
    "ChainError",
    "PruneResult",
    "SealError",
    "VerifyReport",
    "prune",
    "seal",
    "seal_all_closed",
    "verify",
]
