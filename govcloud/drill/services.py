"""Which database service a stack runs: govcloud's manual one or Patroni's (one state file decides)."""

from __future__ import annotations

import json
from typing import Any

from govcloud.drill.ha.service import PatroniService
from govcloud.drill.ha.settings import HaSettings, same_timings
from govcloud.drill.pgservice import Service
from govcloud.drill.topology import Topology


def current_mode(topo: Topology) -> str | None:
    """The mode of the service provisioned on this stack, or None when there is none."""
    path = topo.state_dir / "service.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return str(data.get("mode", "manual"))


def open_service(topo: Topology) -> Service:
    """The service as provisioned (manual when none is). A Patroni service interrupted while it was
    being built has no state file yet but has its `ha` directory: it is opened as Patroni, so that
    `down()` stops its Patroni, etcd and HAProxy processes too."""
    mode = current_mode(topo)
    if mode == "patroni" or (mode is None and (topo.state_dir / "ha").is_dir()):
        return PatroniService(topo)
    return Service(topo)


def new_service(topo: Topology, settings: HaSettings) -> Service:
    """A service to provision with `settings` (its `up()` replaces whatever ran before)."""
    return PatroniService(topo, settings) if settings.engine == "patroni" else Service(topo)


def provision(topo: Topology, settings: HaSettings, progress: Any = None) -> dict[str, Any]:
    """Replace whatever service runs on this stack (of either mode: Patroni, etcd, HAProxy and the
    nft path rules too) with a new one of `settings`."""
    open_service(topo).down()
    svc = new_service(topo, settings)
    if isinstance(svc, PatroniService):
        return svc.up(progress=progress)
    return svc.up()


def matches(topo: Topology, settings: HaSettings) -> bool:
    """The provisioned service is of the wanted mode and, for Patroni, has the wanted timings."""
    mode = current_mode(topo)
    if mode is None or mode != settings.engine:
        return False
    if mode == "manual":
        return True

    return same_timings(dict(PatroniService(topo).state().get("ha", {})), settings.to_dict())
