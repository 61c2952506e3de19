"""The lab's status (`govcloud.lab-status/v1`): written by `govcloud lab up|status`
(govcloud.lab.status.build), read by the drills (govcloud.drill.topology), the lab's inventory, the
benches and the tests. What the lab built and whether it answers.

Only what every reader needs is required; the parts the writer always fills but a reader can do
without (presence, reachability, measured RTT) are optional, so a drill can be pointed at a
hand-written status of real hosts. Machine-written: unknown fields are ignored within a version.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from govcloud.contracts.base import Document

LAB_STATUS_SCHEMA: Final = "govcloud.lab-status/v1"


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class ZoneStatus(_Part):
    id: str
    bridge: str
    ipv4: str | None = None
    ipv6: str | None = None
    gateways: list[str] = Field(default_factory=list)


class FirewallStatus(_Part):
    table: str
    present: bool


class CentreStatus(_Part):
    id: str
    netns: str | None = Field(None, description="the centre's router and boundary namespace")
    role: str | None = Field(None, description="production | same-city | remote-dr, when not the plan's")
    present: bool | None = None
    firewall: FirewallStatus | None = None
    zones: list[ZoneStatus] = Field(default_factory=list)


class SshAccess(_Part):
    user: str
    port: int
    key: str


class Reachable(_Part):
    ipv4: bool
    ipv6: bool


class HostStatus(_Part):
    name: str
    centre: str
    zone: str = ""
    role: str
    netns: str
    rootfs: str | None = None
    ipv4: str
    ipv6: str
    present: bool | None = None
    ssh: SshAccess | None = None
    reachable: Reachable | None = None
    drillable: bool = Field(True, description="false: a drill may not inject faults on this host")


class LinkStatus(_Part):
    id: str
    a: str
    b: str
    latency_ms: float | None = None
    loss_pct: float | None = None
    bandwidth_mbit: float | None = None
    mechanism: str | None = None
    present: bool | None = None
    measured_rtt_ms: float | None = None


class RelayStatus(_Part):
    """A TCP path that carries a link's latency when the kernel has no netem: connect to `listen`
    from centre `from_centre` to reach `target` with the link's delay each way."""

    from_centre: str
    to_host: str
    to_centre: str | None = None
    listen: str = Field(description="IPv4 host:port")
    listen_ipv6: str | None = None
    target: str
    target_ipv6: str | None = None
    delay_ms: float
    netns: str | None = None
    running: bool | None = None
    allowed_by_matrix: bool = Field(
        True, description="false: the flow matrix lets no zone of this centre reach the target port"
    )


class DrillHints(_Part):
    client_netns: str | None = Field(None, description="where the drill's load generator runs")


class LabStatus(Document):
    """The lab's status (实验环境状态)."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, populate_by_name=True)

    schema_: Literal["govcloud.lab-status/v1"] = Field(LAB_STATUS_SCHEMA, alias="schema")
    stack: str
    up: bool
    latency_mechanism: str | None = Field(None, description="netem | userspace-relay | none")
    centres: list[CentreStatus] = Field(default_factory=list)
    hosts: list[HostStatus] = Field(default_factory=list)
    links: list[LinkStatus] = Field(default_factory=list)
    relays: list[RelayStatus] = Field(default_factory=list)
    ops_netns: str | None = None
    inventory: str | None = Field(None, description="inventory/lab/<stack>.yml, written by `lab up`")
    drill: DrillHints | None = None
