"""From a `govcloud.plan/v1` document to what the lab builds: centres, bridges, links, hosts, relays.

The plan is read through its contract (govcloud.contracts.plan); what is checked here is only what
the lab needs beyond it: lab address ranges, dual stack, no overlap with the out-of-band range, host
names short enough for namespaces, a path between every pair of centres. Errors are LabPlanError,
a ContractError whose `field` is the JSON path (`$.hosts[1].ipv4`); nothing here touches the machine.
"""

from __future__ import annotations

import ipaddress
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govcloud.contracts.base import ContractError, Loc
from govcloud.contracts.plan import Flow, PlanDocument, as_plan
from govcloud.lab import naming

LAB_V4 = ipaddress.ip_network("198.18.0.0/15")
LAB_V6 = ipaddress.ip_network("fd00::/8")
# Out-of-band management addresses (ops namespace <-> centre routers); must not overlap the plan.
OOB_V4 = ipaddress.ip_network("198.19.254.0/24")
OOB_V6 = ipaddress.ip_network("fd00:ffff:6763::/64")
PG_PORT = 5432
HOST_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
RELAY_BASE_PORT = 15432

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


class LabPlanError(ContractError):
    """The plan cannot be built as a lab: `field` is the JSON path (`$.hosts[1].ipv4`), `reason` why."""

    def __init__(self, loc: Loc, reason: str, source: str = "") -> None:
        super().__init__(source, loc, reason)
        self.field = self.jsonpath
        self.args = (self.render(),)

    @classmethod
    def of(cls, exc: ContractError) -> LabPlanError:
        return exc if isinstance(exc, LabPlanError) else cls(exc.loc, exc.reason, exc.source)


@dataclass(frozen=True)
class Segment:
    id: str
    centre: str
    zone: str
    ipv4: str  # prefix
    ipv6: str
    gw4: str
    gw6: str

    @property
    def gw4_cidr(self) -> str:
        return f"{self.gw4}/{ipaddress.ip_network(self.ipv4).prefixlen}"

    @property
    def gw6_cidr(self) -> str:
        return f"{self.gw6}/{ipaddress.ip_network(self.ipv6).prefixlen}"


@dataclass(frozen=True)
class Bridge:
    centre: str
    zone: str
    name: str
    ipv4: tuple[str, ...]  # gateway CIDRs
    ipv6: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    id: str
    a: str
    b: str
    latency_ms: float
    loss_pct: float
    bandwidth_mbit: float | None
    a4: str  # CIDR of a's end
    b4: str
    a6: str
    b6: str


@dataclass(frozen=True)
class Host:
    name: str
    centre: str
    zone: str
    role: str
    ipv4: str
    ipv6: str
    prefix4: int
    prefix6: int
    gw4: str
    gw6: str
    bridge: str


@dataclass(frozen=True)
class Relay:
    from_centre: str
    to_host: str
    to_centre: str
    listen4: str
    listen6: str
    port: int
    target4: str
    target6: str
    target_port: int
    delay_ms: float
    zone: str  # the target host's zone
    allowed: bool  # the flow matrix lets the relay's source zone reach the target on 5432


@dataclass
class LabSpec:
    plan: PlanDocument
    stack: str
    centres: list[str]
    zones: list[str]
    segments: list[Segment]
    bridges: list[Bridge]
    links: list[Link]
    hosts: list[Host]
    flows: list[Flow]
    relays: list[Relay] = field(default_factory=list)

    def centre_segments(self, centre: str) -> list[Segment]:
        return [s for s in self.segments if s.centre == centre]

    def zone_prefixes(self, zone: str, family: int) -> list[str]:
        return [s.ipv4 if family == 4 else s.ipv6 for s in self.segments if s.zone == zone]

    def next_hops(self, centre: str) -> dict[str, tuple[Link, str]]:
        """For each other centre: the first link on a shortest path from `centre`, and its neighbour."""
        adj: dict[str, list[tuple[Link, str]]] = {c: [] for c in self.centres}
        for link in self.links:
            adj[link.a].append((link, link.b))
            adj[link.b].append((link, link.a))
        first: dict[str, tuple[Link, str]] = {}
        seen = {centre}
        queue: deque[tuple[str, tuple[Link, str] | None]] = deque([(centre, None)])
        while queue:
            node, hop = queue.popleft()
            for link, peer in sorted(adj[node], key=lambda lp: lp[1]):
                if peer in seen:
                    continue
                seen.add(peer)
                via = hop or (link, peer)
                first[peer] = via
                queue.append((peer, via))
        return first

    def path_latency_ms(self, a: str, b: str) -> float:
        """One-way latency along the routed path from a to b (sum of the links' latency_ms)."""
        total = 0.0
        node = a
        for _ in range(len(self.centres)):
            if node == b:
                return total
            link, peer = self.next_hops(node)[b]
            total += link.latency_ms
            node = peer
        return total


def _net(value: str, loc: Loc, lab_range: IPNet) -> IPNet:
    net = ipaddress.ip_network(value)  # the contract checked the form
    if net.version != lab_range.version or not net.subnet_of(lab_range):  # type: ignore[arg-type]
        raise LabPlanError(
            loc, f"{value} lies outside the lab range {lab_range} / 实验环境地址必须在 {lab_range} 内"
        )
    return net


def _addr(value: str | None, loc: Loc, within: IPNet) -> IPAddr:
    if value is None:
        raise LabPlanError(loc, "missing: the lab builds dual-stack hosts / 实验环境主机须为双栈")
    address = ipaddress.ip_address(value)
    if address.version != within.version or address not in within:
        raise LabPlanError(loc, f"{value} lies outside {within} / 地址不在 {within} 内")
    return address


def build_spec(plan: PlanDocument | Mapping[str, Any], stack: str | None = None) -> LabSpec:
    """Read the plan (if it is not a PlanDocument yet), check it for the lab, derive the lab's objects."""
    try:
        doc = as_plan(plan)
    except ContractError as exc:
        raise LabPlanError.of(exc) from exc
    if not doc.lab:
        raise LabPlanError(("lab",), "the lab builds only plans with \"lab\": true / 仅可用 lab=true 的规划")
    stack_name = naming.check_stack(stack or doc.stack)
    centres = [c.id for c in doc.centres]
    zones = [z.id for z in doc.zones]

    segments: list[Segment] = []
    for i, s in enumerate(doc.address_plan.segments):
        loc: Loc = ("address_plan", "segments", i)
        if s.centre not in centres:
            raise LabPlanError((*loc, "centre"), f"unknown centre {s.centre!r}")
        if s.zone not in zones:
            raise LabPlanError((*loc, "zone"), f"unknown zone {s.zone!r}")
        if s.ipv4 is None or s.ipv6 is None:
            raise LabPlanError((*loc, "ipv6" if s.ipv4 else "ipv4"), "the lab builds dual-stack segments")
        n4 = _net(s.ipv4.prefix, (*loc, "ipv4", "prefix"), LAB_V4)
        n6 = _net(s.ipv6.prefix, (*loc, "ipv6", "prefix"), LAB_V6)
        g4 = _addr(s.ipv4.gateway, (*loc, "ipv4", "gateway"), n4)
        g6 = _addr(s.ipv6.gateway, (*loc, "ipv6", "gateway"), n6)
        for net, oob, fam in ((n4, OOB_V4, "ipv4"), (n6, OOB_V6, "ipv6")):
            if net.overlaps(oob):
                raise LabPlanError((*loc, fam, "prefix"), f"{net} overlaps the lab's management range {oob}")
        segments.append(Segment(s.id, s.centre, s.zone, str(n4), str(n6), str(g4), str(g6)))

    bridges: list[Bridge] = []
    for centre in centres:
        for zone in zones:
            segs = [s for s in segments if s.centre == centre and s.zone == zone]
            if segs:
                bridges.append(Bridge(centre, zone, naming.bridge_name(centre, zone),
                                      tuple(s.gw4_cidr for s in segs), tuple(s.gw6_cidr for s in segs)))

    links: list[Link] = []
    for i, lk in enumerate(doc.links):
        loc = ("links", i)
        for end, val in (("a", lk.a), ("b", lk.b)):
            if val not in centres:
                raise LabPlanError((*loc, end), f"unknown centre {val!r}")
        n4 = _net(lk.ipv4, (*loc, "ipv4"), LAB_V4)
        n6 = _net(lk.ipv6, (*loc, "ipv6"), LAB_V6)
        if n4.num_addresses < 2 or n6.num_addresses < 2:
            raise LabPlanError(loc, "link prefixes need two addresses (IPv4 /31, IPv6 /127)")
        if lk.loss_pct >= 100:
            raise LabPlanError((*loc, "loss_pct"), "a link that loses every packet: loss_pct must be < 100")
        links.append(Link(
            lk.id, lk.a, lk.b, lk.latency_ms, lk.loss_pct, float(lk.bandwidth_mbit),
            f"{n4[0]}/{n4.prefixlen}", f"{n4[1]}/{n4.prefixlen}",
            f"{n6[0]}/{n6.prefixlen}", f"{n6[1]}/{n6.prefixlen}",
        ))

    by_id = {s.id: s for s in segments}
    hosts: list[Host] = []
    for i, h in enumerate(doc.hosts):
        loc = ("hosts", i)
        if not HOST_RE.match(h.name):
            raise LabPlanError((*loc, "name"), f"host name {h.name!r} is too long for the lab (at most 41)")
        seg = by_id[h.segment]  # the contract checked that the segment exists
        if (seg.centre, seg.zone) != (h.centre, h.zone):
            reason = f"segment {seg.id} is not in centre {h.centre!r} zone {h.zone!r}"
            raise LabPlanError((*loc, "segment"), reason)
        a4 = _addr(h.ipv4, (*loc, "ipv4"), ipaddress.ip_network(seg.ipv4))
        a6 = _addr(h.ipv6, (*loc, "ipv6"), ipaddress.ip_network(seg.ipv6))
        if str(a4) == seg.gw4 or str(a6) == seg.gw6:
            raise LabPlanError(loc, f"host address equals the gateway of segment {seg.id}")
        hosts.append(Host(h.name, h.centre, h.zone, h.role, str(a4), str(a6),
                          ipaddress.ip_network(seg.ipv4).prefixlen, ipaddress.ip_network(seg.ipv6).prefixlen,
                          seg.gw4, seg.gw6, naming.bridge_name(h.centre, h.zone)))

    for i, f in enumerate(doc.flows):
        loc = ("flows", i)
        if f.protocol not in ("tcp", "udp", "icmp"):
            raise LabPlanError((*loc, "protocol"), f"unknown protocol {f.protocol!r} (tcp | udp | icmp)")
        for end, val in (("from", f.from_), ("to", f.to)):
            if val not in zones:
                raise LabPlanError((*loc, end), f"unknown zone {val!r}")
        if any(not 0 < x < 65536 for x in f.ports):
            raise LabPlanError((*loc, "ports"), "ports must be 1..65535")

    spec = LabSpec(doc, stack_name, centres, zones, segments, bridges, links, hosts, list(doc.flows))
    for c in centres:  # every centre must reach every other one
        missing = [o for o in centres if o != c and o not in spec.next_hops(c)]
        if missing:
            raise LabPlanError(("links",), f"centre {c!r} has no path to {missing}")
    spec.relays = _relays(spec)
    return spec


def _relays(spec: LabSpec) -> list[Relay]:
    """One delay relay per (centre, db host in another centre): the TCP 5432 paths that matter."""
    relays: list[Relay] = []
    dbs = sorted((h for h in spec.hosts if h.role == "db"), key=lambda h: h.name)
    for index, db in enumerate(dbs):
        for centre in spec.centres:
            if centre == db.centre:
                continue
            segs = spec.centre_segments(centre)
            if not segs:
                continue
            sources = pg_sources(spec, db.zone)
            # the relay speaks from a gateway of a zone the matrix lets reach the db (its own zone first)
            allowed = sorted((s for s in segs if s.zone in sources), key=lambda s: s.zone != db.zone)
            seg = allowed[0] if allowed else next((s for s in segs if s.zone == db.zone), segs[0])
            relays.append(Relay(centre, db.name, db.centre, seg.gw4, seg.gw6, RELAY_BASE_PORT + index,
                                db.ipv4, db.ipv6, PG_PORT, spec.path_latency_ms(centre, db.centre), db.zone,
                                bool(allowed)))
    return relays


def pg_sources(spec: LabSpec, zone: str) -> list[str]:
    """Zones the matrix allows to reach `zone` on TCP 5432."""
    return sorted({f.from_ for f in spec.flows if f.to == zone and f.protocol == "tcp"
                   and (not f.ports or PG_PORT in f.ports)})


def oob_addresses(index: int) -> tuple[str, str, str, str]:
    """(ops v4, router v4, ops v6, router v6) CIDRs of the out-of-band link to centre number `index`."""
    v4 = OOB_V4[2 * index], OOB_V4[2 * index + 1]
    v6 = OOB_V6[2 * index], OOB_V6[2 * index + 1]
    return f"{v4[0]}/31", f"{v4[1]}/31", f"{v6[0]}/127", f"{v6[1]}/127"
