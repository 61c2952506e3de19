"""Which information system a finding's resource or a host belongs to.

A piece of evidence is attributed to a system when the plan ties it to exactly one: a ``System``
resource or a ``systems[i]`` path, a Kubernetes namespace named after the system, or a host of the
system. Everything else is *stack-wide* evidence: it is shown in the platform scope and in every
system's scope, because it concerns them all (flows, zones, the address plan, shared services).

The system of a host is the owner of the segment the plan puts it in (``hosts[].segment`` →
``address_plan.segments[].system``). A host in a segment that no system owns (``owner: infra``) is a
platform host (云平台主机): the planner puts every host it plans (application, database, bastion,
log audit, IDS, WAF...) in its zone's infra segment, where it serves every system of that zone, so
its evidence is the platform's and stack-wide.
"""

from __future__ import annotations

import re

from govcloud.contracts.findings import Resource
from govcloud.contracts.plan import PlanDocument

_SYSTEMS_PATH = re.compile(r"^systems\[(\d+)\]")


class Attributor:
    def __init__(self, plan: PlanDocument | None) -> None:
        self.systems: list[str] = [s.id for s in plan.systems] if plan else []
        self._system_ids = set(self.systems)
        # host -> its system; None: a platform host (its segment belongs to no system)
        self.host_system: dict[str, str | None] = {}
        if plan is not None:
            self.host_system = {h.name: plan.system_of(h) for h in plan.hosts}

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
