"""The planned 政务云: the config plus everything derived from it (addresses, hosts, links, DR)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

import netaddr

from govcloud.contracts.fields import PROTECTIONS
from govcloud.contracts.plan import (
    INFRA,
    PLAN_SCHEMA,
    AddressPlan,
    Centre,
    DrPlan,
    Host,
    Link,
    PlanDocument,
    PlanLock,
    SecurityService,
    Segment,
    SegmentV4,
    SegmentV6,
    System,
    Zone,
)
from govcloud.plan.addressing import AddressResult, SegmentRequest, plan_addresses
from govcloud.plan.dr import EDITION, gbt20988_level
from govcloud.plan.errors import PlanError, PlanIssue
from govcloud.plan.models import CentreConfig, HostRoleConfig, PlanConfig, SystemConfig, ZoneConfig
from govcloud.plan.names import (
    check_names,
    host_name,
    link_id,
    ordered_centres,
    segment_id,
    service_id,
)
from govcloud.plan.validate import validate

SCHEMA = PLAN_SCHEMA
ROLE_ZH = {"production": "生产中心", "same-city": "同城双活中心", "remote-dr": "异地灾备中心"}
ZONE_NAMES = {
    "public": ("公用网络区", "Public network zone"),
    "dedicated": ("专用网络区", "Dedicated network zone"),
    "internet": ("互联网接入区", "Internet access zone"),
    "management": ("运维管理区", "Operations management zone"),
    "security": ("安全管理区", "Security management zone"),
    "replication": ("灾备复制网络", "Inter-centre replication network"),
}
# Host addresses sit at fixed offsets per role inside the zone's infra segment, so adding a
# host of one role never renumbers another role's hosts (IPv6: the same digits, ::10 for .10).
ROLE_OFFSET = {
    "app": 10,
    "db": 20,
    "bastion": 30,
    "log-audit": 40,
    "time": 50,
    "ids": 60,
    "waf": 70,
    "lb": 80,
}
SECURITY_KIND_ZH = {
    "bastion": "堡垒机",
    "log-audit": "日志审计",
    "time": "时间同步",
    "ids": "入侵检测",
    "waf": "Web应用防火墙",
}
SAME_CITY_LATENCY_MS = 1.0


def ntop4(value: int) -> str:
    """IPv4 text of an integer (C inet_ntop: the planner formats tens of thousands of these)."""
    return socket.inet_ntop(socket.AF_INET, value.to_bytes(4, "big"))


def ntop6(value: int) -> str:
    """IPv6 text (RFC 5952 compressed form) of an integer."""
    return socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, "big"))


def remote_latency_ms(distance_km: float) -> float:
    """One-way latency to emulate on a remote link: 2 ms of equipment plus 10 µs per km of route."""
    return round(2.0 + distance_km * 0.01, 1)


@dataclass
class Plan:
    """A validated plan. `document()` is the `govcloud.plan/v1` document (govcloud.contracts.plan),
    `to_json()` its JSON form (docs/contracts.md §1)."""

    stack: str
    config: PlanConfig
    addresses: AddressResult
    requests: dict[str, SegmentRequest]
    hosts: list[Host] = field(default_factory=list)
    source: str = ""

    @property
    def lab(self) -> bool:
        return self.config.lab

    def centre(self, centre_id: str) -> CentreConfig:
        return next(c for c in self.config.centres if c.id == centre_id)

    def zone(self, zone_id: str) -> ZoneConfig:
        return next(z for z in self.config.zones if z.id == zone_id)

    def systems_in(self, centre_id: str) -> list[tuple[SystemConfig, str]]:
        """(system, 'active' | 'standby') for every system placed in the centre."""
        out: list[tuple[SystemConfig, str]] = []
        for s in self.config.systems:
            if centre_id in s.placement.active:
                out.append((s, "active"))
            elif any(sb.centre == centre_id for sb in s.placement.standby):
                out.append((s, "standby"))
        return out

    def lock(self) -> dict[str, Any]:
        """The allocations to keep stable next time (`plan.lock`, govcloud.plan-lock/v1)."""
        allocated = sorted([*self.addresses.segments.items(), *self.addresses.links.items()])
        segments = {k: {"ipv4": str(v.ipv4), "ipv6": str(v.ipv6)} for k, v in allocated}
        return PlanLock.model_validate({"stack": self.stack, "segments": segments}).dump()

    def to_json(self) -> dict[str, Any]:
        """The plan document as JSON-ready data: the dump of `document()`."""
        return self.document().dump()

    def document(self) -> PlanDocument:
        cfg = self.config
        return PlanDocument(
            stack=self.stack,
            name=cfg.name,
            lab=cfg.lab,
            centres=[_centre(c) for c in cfg.centres],
            zones=[_zone(z, cfg) for z in cfg.zones],
            flows=list(cfg.flows),
            departments=list(cfg.departments),
            systems=[_system(s) for s in cfg.systems],
            address_plan=AddressPlan(
                pools=list(cfg.pools),
                link_pool=cfg.link_pool,
                reserved=list(cfg.reserved),
                segments=[self._segment(sid) for sid in sorted(self.addresses.segments)],
                relocated=list(self.addresses.relocated),
            ),
            links=self._links(),
            hosts=list(self.hosts),
            security_services=self._security_services(),
            log_retention_days=cfg.log_retention_days,
            log_integrity=cfg.log_integrity,
        )

    def _segment(self, sid: str) -> Segment:
        req = self.requests[sid]
        pre = self.addresses.segments[sid]
        v4, v6 = int(pre.ipv4.first), int(pre.ipv6.first)
        usable = pre.ipv4.size - 5
        return Segment(
            id=sid,
            centre=req.centre,
            zone=req.zone,
            system=req.system,
            owner=req.system or INFRA,
            hosts=req.hosts,
            ipv4=SegmentV4(
                prefix=f"{ntop4(v4)}/{pre.ipv4.prefixlen}",
                gateway=ntop4(v4 + 1),
                reserved=[ntop4(v4 + 2), ntop4(v4 + 3)],
                usable=usable,
            ),
            ipv6=SegmentV6(
                prefix=f"{ntop6(v6)}/{pre.ipv6.prefixlen}",
                gateway=ntop6(v6 + 1),
                reserved=[ntop6(v6 + 2), ntop6(v6 + 3)],
            ),
            utilisation=round(req.hosts / usable, 3),
        )

    def _links(self) -> list[Link]:
        out = []
        for a, b in link_pairs(self.config):
            lid = link_id(a.id, b.id)
            override = next((o for o in self.config.links if {o.a, o.b} == {a.id, b.id}), None)
            remote = "remote-dr" in (a.role, b.role)
            default_latency = (
                remote_latency_ms(max(a.distance_km, b.distance_km)) if remote else SAME_CITY_LATENCY_MS
            )
            pre = self.addresses.links[lid]
            out.append(
                Link(
                    id=lid,
                    a=a.id,
                    b=b.id,
                    kind="remote" if remote else "same-city",
                    distance_km=abs(max(a.distance_km, b.distance_km)),
                    latency_ms=override.latency_ms if override and override.latency_ms else default_latency,
                    loss_pct=override.loss_pct if override else 0.0,
                    bandwidth_mbit=override.bandwidth_mbit if override else (1000 if remote else 10000),
                    encrypted=override.encrypted if override else True,
                    ipv4=str(pre.ipv4),
                    ipv6=str(pre.ipv6),
                )
            )
        return out

    def boundaries(self) -> list[str]:
        """The boundary ids of the flow matrix, sorted and unique."""
        return sorted({f.boundary for f in self.config.flows})

    def _security_services(self) -> list[SecurityService]:
        """One service per (centre, kind): the first host of a role that provides it, by its role or
        by the role's extra `services`. An ids sensor sits on the centre's boundary router and sees
        every inter-zone path, so it monitors every boundary unless the role narrows `monitors`."""
        roles: dict[str, HostRoleConfig] = {r.role: r for r in self.config.hosts}
        boundaries = self.boundaries()
        out: list[SecurityService] = []
        seen: set[tuple[str, str]] = set()
        for h in self.hosts:
            role = roles[h.role]
            provides = [kind for kind in PROTECTIONS if kind == h.role]  # its own, if a security role
            provides += [s for s in role.services if s not in provides]
            for kind in provides:
                if (h.centre, kind) in seen:
                    continue
                seen.add((h.centre, kind))
                monitors = None
                if kind == "ids":
                    monitors = sorted(role.monitors) if role.monitors is not None else boundaries
                out.append(
                    SecurityService(
                        id=service_id(h.centre, kind),
                        kind=kind,
                        kind_zh=SECURITY_KIND_ZH[kind],
                        centre=h.centre,
                        zone=h.zone,
                        host=h.name,
                        ipv4=h.ipv4,
                        ipv6=h.ipv6,
                        monitors=monitors,
                    )
                )
        return out

    def dr_topology(self) -> dict[str, Any]:
        """The DR part of the plan: centres, links and each system's placement and targets."""
        doc = self.to_json()
        return {
            "schema": SCHEMA,
            "centres": doc["centres"],
            "links": doc["links"],
            "systems": [
                {"id": s["id"], "level": s["level"], "placement": s["placement"], "dr": s["dr"]}
                for s in doc["systems"]
            ],
        }


def _centre(c: CentreConfig) -> Centre:
    return Centre(
        id=c.id,
        role=c.role,
        role_zh=ROLE_ZH[c.role],
        name=c.name,
        city=c.city,
        distance_km=c.distance_km,
        platform_level=c.platform_level,
        capacity=c.capacity,
        kubernetes=c.kubernetes,
    )


def _zone(z: ZoneConfig, cfg: PlanConfig) -> Zone:
    zh, en = ZONE_NAMES[z.kind]
    if z.kind == "dedicated":
        dept = next((d for d in cfg.departments if d.id == z.department), None)
        if dept is not None:
            zh, en = f"{zh}（{dept.name}）", f"{en} ({dept.name_en})"
    name_zh, name_en = z.name_zh or zh, z.name_en or en
    return Zone(id=z.id, kind=z.kind, name_zh=name_zh, name_en=name_en, department=z.department)


def _system(s: SystemConfig) -> System:
    dr = DrPlan(
        rto_s=s.dr.rto_s,
        rpo_s=s.dr.rpo_s,
        gbt20988_level=gbt20988_level(s.dr.rto_s, s.dr.rpo_s),
        gbt20988_basis=EDITION,
    )
    return System.model_validate({**dict(s), "dr": dr})


def link_pairs(cfg: PlanConfig) -> list[tuple[CentreConfig, CentreConfig]]:
    ordered = ordered_centres(cfg)
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]]


def segment_requests(cfg: PlanConfig) -> dict[str, SegmentRequest]:
    reqs: dict[str, SegmentRequest] = {}
    for s in cfg.systems:
        for centre in [*s.placement.active, *(sb.centre for sb in s.placement.standby)]:
            sid = segment_id(centre, s.zone, s.id)
            reqs[sid] = SegmentRequest(sid, centre, s.zone, s.id, s.hosts)
    for c in cfg.centres:
        for z in cfg.zones:
            if z.kind != "dedicated":
                sid = segment_id(c.id, z.id, INFRA)
                reqs[sid] = SegmentRequest(sid, c.id, z.id, None, z.infra_hosts)
    return reqs


def _hosts(cfg: PlanConfig, addresses: AddressResult) -> list[Host]:
    hosts: list[Host] = []
    issues: list[PlanIssue] = []
    for c in ordered_centres(cfg):
        for i, role in enumerate(cfg.hosts):
            sid = segment_id(c.id, role.zone, INFRA)
            pre = addresses.segments[sid]
            for n in range(1, role.count + 1):
                offset = ROLE_OFFSET[role.role] + n - 1
                if offset >= pre.ipv4.size - 1:
                    issues.append(
                        PlanIssue(
                            f"hosts[{i}]",
                            f"segment {sid} ({pre.ipv4}) is too small for host offset {offset}; "
                            f"raise zones[{role.zone}].infra_hosts",
                        )
                    )
                    continue
                v6 = netaddr.IPAddress(int(pre.ipv6.network) + int(str(offset), 16), 6)
                hosts.append(
                    Host(
                        name=host_name(c.id, role.role, n),
                        centre=c.id,
                        zone=role.zone,
                        role=role.role,
                        ipv4=str(pre.ipv4[offset]),
                        ipv6=str(v6),
                        drillable=role.drillable,
                        segment=sid,
                    )
                )
    if issues:
        raise PlanError(issues)
    return hosts


def build_plan(
    config: PlanConfig, stack: str, lock: dict[str, dict[str, str]] | None = None, source: str = ""
) -> Plan:
    """Validate the config and plan it; raise PlanError (with every problem found) if it cannot be."""
    validate(config)
    check_names(config, stack)
    reqs = segment_requests(config)
    link_ids = [link_id(a.id, b.id) for a, b in link_pairs(config)]
    addresses = plan_addresses(config, reqs.values(), link_ids, lock)
    plan = Plan(stack, config, addresses, reqs, source=source)
    plan.hosts = _hosts(config, addresses)
    return plan
