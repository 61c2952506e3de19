"""The HA stack as a lab resource (实验环境中的高可用栈): `pulumi up -s <lab>` builds etcd, Patroni and
HAProxy on the lab's db hosts when the plan declares a Patroni system, the same way it builds the
security services; `pulumi destroy` (`govcloud lab down`) removes them. Drills then find the service
provisioned with the plan's timings and use it as it is.

The properties carry what the drill's topology needs (db host per centre role, the delay relays,
the client namespace) and the HA settings, so the provider needs no lab status and no Pulumi state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from govcloud.contracts.lab_status import LabStatus
from govcloud.drill.ha.service import PatroniService
from govcloud.drill.ha.settings import HaSettings, from_dict, same_timings
from govcloud.drill.topology import Topology, from_lab_status

Props = dict[str, Any]


def props_for(
    stack: str,
    centre_roles: Mapping[str, str],
    db_hosts: Iterable[Mapping[str, Any]],
    relays: Iterable[Mapping[str, Any]],
    settings: HaSettings,
) -> Props:
    """The resource's inputs: every db host (the topology picks one per centre role) and relay."""
    return {
        "object_id": f"gc-{stack}-ha",
        "stack": stack,
        "centres": [{"id": c, "role": r} for c, r in sorted(centre_roles.items())],
        "hosts": [
            {k: h[k] for k in ("name", "centre", "netns", "ipv4", "ipv6")} | {"role": "db"}
            for h in sorted(db_hosts, key=lambda h: str(h["name"]))
        ],
        "relays": [
            {
                "from_centre": r["from_centre"],
                "to_host": r["to_host"],
                "listen": f"{r['listen4']}:{r['port']}",
                "target": f"{r['target4']}:{r['target_port']}",
                "delay_ms": r["delay_ms"],
            }
            for r in relays
        ],
        "settings": settings.to_dict(),
    }


def topology(p: Props) -> Topology:
    """The drill topology of the resource's inputs: the lab status of its db hosts and relays."""
    status = LabStatus.model_validate({
        "stack": p["stack"],
        "up": True,
        "latency_mechanism": "userspace-relay" if p["relays"] else "none",
        "centres": p["centres"],
        "hosts": p["hosts"],
        "relays": p["relays"],
    })
    return from_lab_status(status, source="lab")


def create(p: Props) -> Props:
    state = PatroniService(topology(p), from_dict(p["settings"])).up()
    return {"primary": state["primary"], "patroni_version": state.get("patroni_version")}


def present(p: Props) -> bool:
    """Provisioned with these settings, in the layout the plan declares, and Patroni has a leader."""
    svc = PatroniService(topology(p))
    if not svc.exists() or svc.state().get("mode") != "patroni":
        return False
    # after a regional drill, and until a failback has switched back, the DR centre leads: not the
    # stack the plan declares
    return (
        same_timings(p["settings"], svc.state().get("ha", {}))
        and svc.state().get("primary") != svc.remote
        and svc.leader() is not None
    )


def delete(p: Props) -> None:
    PatroniService(topology(p)).down()
