"""The drill's view of a lab: which db host plays which role, and how centres reach each other.

Built from the lab's status (`govcloud.contracts.lab_status.LabStatus`), as `govcloud lab status
--json` gives it or as a caller passes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.lab_status import LabStatus, LinkStatus

ROLES = ("production", "same-city", "remote-dr")
_ROLE_BY_ID = {
    "prod": "production",
    "production": "production",
    "samecity": "same-city",
    "same-city": "same-city",
    "city": "same-city",
    "dr": "remote-dr",
    "remote": "remote-dr",
    "remote-dr": "remote-dr",
}
STATE_ROOT = Path("/run/govcloud")


class TopologyError(ValueError):
    """The lab status does not describe a drillable database topology (拓扑不满足演练条件)."""


@dataclass(frozen=True)
class DbNode:
    """One centre's database host (a network namespace) and the postgres it runs."""

    name: str
    centre: str
    role: str
    netns: str
    ipv4: str
    ipv6: str
    drillable: bool = True

    @property
    def app(self) -> str:
        """cluster_name / application_name: the centre id."""
        return self.centre


@dataclass(frozen=True)
class Relay:
    from_centre: str
    to_host: str
    listen_host: str
    listen_port: int
    target: str
    delay_ms: float


@dataclass(frozen=True)
class Topology:
    stack: str
    source: str  # "lab"
    lab: bool
    latency_mechanism: str
    nodes: tuple[DbNode, ...]
    relays: tuple[Relay, ...]
    client_netns: str
    links: tuple[LinkStatus, ...] = ()
    inventory: str | None = None
    status: LabStatus | None = field(default=None, compare=False, repr=False)

    @property
    def state_dir(self) -> Path:
        return STATE_ROOT / self.stack / "drill"

    def by_role(self, role: str) -> DbNode:
        for node in self.nodes:
            if node.role == role:
                return node
        raise TopologyError(f"no db host with centre role {role}")

    def by_app(self, app: str) -> DbNode:
        for node in self.nodes:
            if node.app == app:
                return node
        raise TopologyError(f"no db host for centre {app}")

    @property
    def production(self) -> DbNode:
        return self.by_role("production")

    @property
    def same_city(self) -> DbNode:
        return self.by_role("same-city")

    @property
    def remote(self) -> DbNode:
        return self.by_role("remote-dr")

    def path(self, src: DbNode, dst: DbNode) -> tuple[str, int, float]:
        """Where `src` connects to reach dst:5432: through the delay relay when the lab has one."""
        for relay in self.relays:
            if relay.from_centre == src.centre and relay.to_host == dst.name:
                return relay.listen_host, relay.listen_port, relay.delay_ms
        return dst.ipv4, 5432, 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "source": self.source,
            "lab": self.lab,
            "latency_mechanism": self.latency_mechanism,
            "client_netns": self.client_netns,
            "nodes": [vars(n) for n in self.nodes],
            "relays": [vars(r) for r in self.relays],
            "links": [lk.model_dump(mode="json") for lk in self.links],
            "inventory": self.inventory,
        }


def _split_hostport(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def from_lab_status(
    status: LabStatus | Mapping[str, Any],
    *,
    source: str = "lab",
    centre_roles: dict[str, str] | None = None,
    lab: bool = True,
) -> Topology:
    """Pick one db host per centre role from a lab status (govcloud.lab-status/v1)."""
    if not isinstance(status, LabStatus):
        try:
            status = read(LabStatus, status, source="lab status")
        except ContractError as exc:
            raise TopologyError(str(exc)) from None
    if not status.up:
        raise TopologyError("the lab is not up (lab status up=false)")
    roles = dict(centre_roles or {})
    for centre in status.centres:
        if centre.role is not None:
            roles.setdefault(centre.id, centre.role)
        elif centre.id in _ROLE_BY_ID:
            roles.setdefault(centre.id, _ROLE_BY_ID[centre.id])
    nodes: dict[str, DbNode] = {}
    for host in sorted(status.hosts, key=lambda h: h.name):
        if host.role != "db":
            continue
        role = roles.get(host.centre)
        if role not in ROLES or role in nodes:
            continue
        nodes[role] = DbNode(
            name=host.name,
            centre=host.centre,
            role=role,
            netns=host.netns,
            ipv4=host.ipv4,
            ipv6=host.ipv6,
            drillable=host.drillable,
        )
    missing = [r for r in ROLES if r not in nodes]
    if missing:
        raise TopologyError(f"lab status has no db host for centre role(s): {', '.join(missing)}")
    relays = []
    for item in status.relays:
        listen_host, port = _split_hostport(item.listen)
        relays.append(
            Relay(
                from_centre=item.from_centre,
                to_host=item.to_host,
                listen_host=listen_host,
                listen_port=port,
                target=item.target,
                delay_ms=item.delay_ms,
            )
        )
    # The load generator runs in drill.client_netns when the status names one;
    # otherwise in the remote-DR db host's namespace: it survives every scenario, and the lab's
    # boundary firewall lets the replication zone reach the db port in every centre.
    client = (status.drill.client_netns if status.drill else None) or nodes["remote-dr"].netns
    return Topology(
        stack=status.stack,
        source=source,
        lab=lab,
        latency_mechanism=status.latency_mechanism or "none",
        nodes=tuple(nodes[r] for r in ROLES),
        relays=tuple(relays),
        client_netns=client,
        links=tuple(status.links),
        inventory=status.inventory,
        status=status,
    )
