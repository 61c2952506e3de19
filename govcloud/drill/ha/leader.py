"""Who leads according to Patroni, and how long a drill waits for it (Patroni 选主观察)."""

from __future__ import annotations

from typing import Any

from govcloud.drill.context import DrillContext, now
from govcloud.drill.ha.service import PatroniService
from govcloud.drill.steps import StepFailedError
from govcloud.wait import until

PATRONI_WAIT_FACTOR = 4  # a leader change must land within 4 x ttl, or the drill fails


def patroni_service(ctx: DrillContext) -> PatroniService:
    svc = ctx.service
    if not isinstance(svc, PatroniService):
        raise StepFailedError("this phase needs the Patroni service (演练需要 Patroni 模式)")
    return svc


def leader_limit(svc: PatroniService) -> float:
    return float(PATRONI_WAIT_FACTOR * svc.settings.ttl + 30)


def wait_leader(svc: PatroniService, target: str, limit_s: float) -> dict[str, Any]:
    """Poll Patroni's REST API until `target` reports role primary; the instant and the roles seen."""
    seen: list[dict[str, Any]] = []

    def leader() -> dict[str, Any] | None:
        role = svc.members[target].role()
        if not seen or seen[-1]["role"] != role:
            seen.append({"role": role, **now()})
        return {"leader": target, **now(), "roles_seen": seen} if role == "primary" else None

    got = until(leader, timeout=limit_s)
    if got is not None:
        return got
    raise StepFailedError(
        f"Patroni did not make {target} the leader within {limit_s:.0f}s (未按时选主): {seen[-5:]}"
    )
