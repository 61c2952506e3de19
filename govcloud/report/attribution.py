"""Which information system a finding's resource or a host belongs to.

A piece of evidence is attributed to a system when the plan ties it to exactly one: a ``System``
resource or a ``systems[i]`` path, a Kubernetes namespace named after the system, or a host whose
address lies in one of the system's segments. Everything else is *stack-wide* evidence: it is shown
in the platform scope and in every system's scope, because it concerns them all (flows, zones, the
address plan, shared services).
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict

from govcloud.contracts.findings import Resource
from govcloud.report.evidence import Plan

_SYSTEMS_PATH = re.compile(r"^systems\[(\d+)\]")


class Attributor:
    def __init__(self, plan: Plan | None) -> None:
        self.systems: list[str] = [s.id for s in plan.systems] if plan else []
        self._system_ids = set(self.systems)
        self.host_system: dict[str, str | None] = {}
        self.host_centre: dict[str, str] = {}
        if plan is None:
            return
        nets: dict[tuple[str, str], list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]]]
        nets = defaultdict(list)
        for seg in plan.address_plan.segments:
            if not seg.system:
                continue
            for pre in (seg.ipv4, seg.ipv6):
                if pre is None:
                    continue
                try:
                    nets[(seg.centre, seg.zone)].append(
                        (ipaddress.ip_network(pre.prefix, strict=False), seg.system)
                    )
                except ValueError:
                    continue
        for h in plan.hosts:
            self.host_centre[h.name] = h.centre
            owner: str | None = None
            for addr in (h.ipv4, h.ipv6):
                if not addr or owner:
                    continue
                try:
                    ip = ipaddress.ip_address(addr)
                except ValueError:
                    continue
                for net, system in nets.get((h.centre, h.zone), []):
                    if ip.version == net.version and ip in net:
                        owner = system
                        break
            self.host_system[h.name] = owner

    def for_host(self, host: str) -> str | None:
        return self.host_system.get(host)

    def for_resource(self, res: Resource) -> str | None:
        if res.kind == "System" and res.name in self._system_ids:
            return res.name
        if res.path:
            m = _SYSTEMS_PATH.match(res.path)
            if m and int(m.group(1)) < len(self.systems):
                return self.systems[int(m.group(1))]
        if res.namespace and res.namespace in self._system_ids:
            return res.namespace
        if res.kind == "Host" and res.name:
            return self.for_host(res.name)
        return None
