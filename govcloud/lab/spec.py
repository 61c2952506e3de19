"""From a `govcloud.plan/v1` document to what the lab builds: centres, bridges, links, hosts, relays.

Validation errors name the plan field (JSON path) and the reason; nothing here touches the machine.
"""

from __future__ import annotations

import ipaddress
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

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


class PlanError(ValueError):
    """The plan cannot be built as a lab: `field` is the JSON path, the message says why."""

    def __init__(self, field_: str, reason: str) -> None:
        super().__init__(f"{field_}: {reason}")
        self.field = field_
        self.reason = reason


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


@dataclass(frozen=True)
class Flow:
    id: str
    src: str
    dst: str
    protocol: str
    ports: tuple[int, ...]
    boundary: str
    families: tuple[str, ...]


@dataclass
class LabSpec:
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


def _get(obj: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...] = str) -> Any:
    if key not in obj:
        raise PlanError(f"{path}.{key}", "missing / 缺少该字段")
    value = obj[key]
    if not isinstance(value, kind):
        raise PlanError(f"{path}.{key}", f"expected {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _net(value: str, path: str, lab_range: IPNet) -> IPNet:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise PlanError(path, f"not a network prefix: {value!r} ({exc})") from None
    if net.version != lab_range.version or not net.subnet_of(lab_range):  # type: ignore[arg-type]
        raise PlanError(
            path, f"{value} lies outside the lab range {lab_range} / 实验环境地址必须在 {lab_range} 内"
        )
    return net


def _addr(value: str, path: str, within: IPNet) -> IPAddr:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise PlanError(path, f"not an address: {value!r}") from None
    if address.version != within.version or address not in within:
        raise PlanError(path, f"{value} lies outside {within} / 地址不在 {within} 内")
    return address


def build_spec(plan: dict[str, Any], stack: str | None = None) -> LabSpec:
    """Validate the plan for the lab and derive the lab's objects."""
    if not isinstance(plan, dict):
        raise PlanError("$", "the plan must be a JSON object")
    if plan.get("schema") != "govcloud.plan/v1":
        raise PlanError("$.schema", f"unknown schema {plan.get('schema')!r}; expected 'govcloud.plan/v1'")
    if plan.get("lab") is not True:
        raise PlanError("$.lab", "the lab builds only plans with \"lab\": true / 仅可用 lab=true 的规划")
    stack_name = naming.check_stack(stack or str(plan.get("stack", "")))

    centres = [_get(c, "id", f"$.centres[{i}]") for i, c in enumerate(_get(plan, "centres", "$", list))]
    if not centres:
        raise PlanError("$.centres", "at least one centre is needed")
    zones = [_get(z, "id", f"$.zones[{i}]") for i, z in enumerate(_get(plan, "zones", "$", list))]

    segments: list[Segment] = []
    ap = _get(plan, "address_plan", "$", dict)
    for i, s in enumerate(_get(ap, "segments", "$.address_plan", list)):
        p = f"$.address_plan.segments[{i}]"
        centre = _get(s, "centre", p)
        zone = _get(s, "zone", p)
        if centre not in centres:
            raise PlanError(f"{p}.centre", f"unknown centre {centre!r}")
        if zone not in zones:
            raise PlanError(f"{p}.zone", f"unknown zone {zone!r}")
        v4 = _get(s, "ipv4", p, dict)
        v6 = _get(s, "ipv6", p, dict)
        n4 = _net(_get(v4, "prefix", f"{p}.ipv4"), f"{p}.ipv4.prefix", LAB_V4)
        n6 = _net(_get(v6, "prefix", f"{p}.ipv6"), f"{p}.ipv6.prefix", LAB_V6)
        g4 = _addr(_get(v4, "gateway", f"{p}.ipv4"), f"{p}.ipv4.gateway", n4)
        g6 = _addr(_get(v6, "gateway", f"{p}.ipv6"), f"{p}.ipv6.gateway", n6)
        for net, oob, fam in ((n4, OOB_V4, "ipv4"), (n6, OOB_V6, "ipv6")):
            if net.overlaps(oob):
                raise PlanError(f"{p}.{fam}.prefix", f"{net} overlaps the lab's management range {oob}")
        segments.append(Segment(_get(s, "id", p), centre, zone, str(n4), str(n6), str(g4), str(g6)))

    bridges: list[Bridge] = []
    for centre in centres:
        for zone in zones:
            segs = [s for s in segments if s.centre == centre and s.zone == zone]
            if segs:
                bridges.append(Bridge(centre, zone, naming.bridge_name(centre, zone),
                                      tuple(s.gw4_cidr for s in segs), tuple(s.gw6_cidr for s in segs)))

    links: list[Link] = []
    for i, lk in enumerate(plan.get("links", []) or []):
        p = f"$.links[{i}]"
        a, b = _get(lk, "a", p), _get(lk, "b", p)
        for end, val in (("a", a), ("b", b)):
            if val not in centres:
                raise PlanError(f"{p}.{end}", f"unknown centre {val!r}")
        n4 = _net(_get(lk, "ipv4", p), f"{p}.ipv4", LAB_V4)
        n6 = _net(_get(lk, "ipv6", p), f"{p}.ipv6", LAB_V6)
        if n4.num_addresses < 2 or n6.num_addresses < 2:
            raise PlanError(p, "link prefixes need two addresses (IPv4 /31, IPv6 /127)")
        latency = float(_get(lk, "latency_ms", p, (int, float)))
        loss = float(lk.get("loss_pct", 0.0) or 0.0)
        if latency < 0 or not 0 <= loss < 100:
            raise PlanError(p, "latency_ms must be >= 0 and loss_pct in [0, 100)")
        bw = lk.get("bandwidth_mbit")
        links.append(Link(
            _get(lk, "id", p), a, b, latency, loss, float(bw) if bw else None,
            f"{n4[0]}/{n4.prefixlen}", f"{n4[1]}/{n4.prefixlen}",
            f"{n6[0]}/{n6.prefixlen}", f"{n6[1]}/{n6.prefixlen}",
        ))

    hosts: list[Host] = []
    for i, h in enumerate(_get(plan, "hosts", "$", list)):
        p = f"$.hosts[{i}]"
        name = _get(h, "name", p)
        if not HOST_RE.match(name):
            raise PlanError(f"{p}.name", f"host name {name!r} must be a slug")
        centre, zone = _get(h, "centre", p), _get(h, "zone", p)
        if centre not in centres:
            raise PlanError(f"{p}.centre", f"unknown centre {centre!r}")
        a4 = _addr(_get(h, "ipv4", p), f"{p}.ipv4", LAB_V4)
        a6 = _addr(_get(h, "ipv6", p), f"{p}.ipv6", LAB_V6)
        seg = next((s for s in segments if s.centre == centre and s.zone == zone
                    and a4 in ipaddress.ip_network(s.ipv4)), None)
        if seg is None:
            raise PlanError(f"{p}.ipv4", f"{a4} is in no segment of centre {centre!r} zone {zone!r}")
        if a6 not in ipaddress.ip_network(seg.ipv6):
            raise PlanError(f"{p}.ipv6", f"{a6} is not in segment {seg.id} ({seg.ipv6})")
        if str(a4) == seg.gw4 or str(a6) == seg.gw6:
            raise PlanError(p, f"host address equals the gateway of segment {seg.id}")
        hosts.append(Host(name, centre, zone, str(h.get("role", "app")), str(a4), str(a6),
                          ipaddress.ip_network(seg.ipv4).prefixlen, ipaddress.ip_network(seg.ipv6).prefixlen,
                          seg.gw4, seg.gw6, naming.bridge_name(centre, zone)))
    if len({h.name for h in hosts}) != len(hosts):
        raise PlanError("$.hosts", "host names must be unique")

    flows: list[Flow] = []
    for i, f in enumerate(plan.get("flows", []) or []):
        p = f"$.flows[{i}]"
        proto = _get(f, "protocol", p)
        if proto not in ("tcp", "udp", "icmp"):
            raise PlanError(f"{p}.protocol", f"unknown protocol {proto!r} (tcp | udp | icmp)")
        src, dst = _get(f, "from", p), _get(f, "to", p)
        for end, val in (("from", src), ("to", dst)):
            if val not in zones:
                raise PlanError(f"{p}.{end}", f"unknown zone {val!r}")
        ports = tuple(int(x) for x in f.get("ports", []) or [])
        if any(not 0 < x < 65536 for x in ports):
            raise PlanError(f"{p}.ports", "ports must be 1..65535")
        fams = tuple(f.get("families", ["ipv4", "ipv6"]) or [])
        flows.append(Flow(_get(f, "id", p), src, dst, proto, ports, str(f.get("boundary", "")), fams))

    spec = LabSpec(stack_name, centres, zones, segments, bridges, links, hosts, flows)
    for c in centres:  # every centre must reach every other one
        missing = [o for o in centres if o != c and o not in spec.next_hops(c)]
        if missing:
            raise PlanError("$.links", f"centre {c!r} has no path to {missing}")
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
    return sorted({f.src for f in spec.flows if f.dst == zone and f.protocol == "tcp"
                   and (not f.ports or PG_PORT in f.ports)})


def oob_addresses(index: int) -> tuple[str, str, str, str]:
    """(ops v4, router v4, ops v6, router v6) CIDRs of the out-of-band link to centre number `index`."""
    v4 = OOB_V4[2 * index], OOB_V4[2 * index + 1]
    v6 = OOB_V6[2 * index], OOB_V6[2 * index + 1]
    return f"{v4[0]}/31", f"{v4[1]}/31", f"{v6[0]}/127", f"{v6[1]}/127"
