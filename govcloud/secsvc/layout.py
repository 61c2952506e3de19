"""Which lab host runs which security service, from the plan's `security_services` (pure).

Every host ships its logs to the log collector (日志审计) of its own centre, or of the first centre
that has one; uses the time service (时间同步) the same way; accepts administrative SSH only from
the bastions (堡垒机) and from the out-of-band management network the automation uses. Each
centre's IDS sensor (入侵检测) runs on the centre's boundary router with the configuration and
binaries of the centre's IDS host; each WAF fronts the portal (an app host in a zone of kind
public) of its centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govcloud.contracts.fields import PROTECTIONS
from govcloud.lab.spec import OOB_V4, OOB_V6, Host, LabPlanError, LabSpec

KINDS = PROTECTIONS


class LayoutError(LabPlanError):
    """A security service the lab cannot place: JSON path (`field`) and `reason`."""


@dataclass
class Layout:
    spec: LabSpec
    zone_kinds: dict[str, str]
    by_kind: dict[str, dict[str, Host]] = field(default_factory=dict)  # kind -> centre -> host

    def provider(self, kind: str, centre: str) -> Host | None:
        """The host of `kind` serving `centre`: its own centre's, else the first centre's that has one."""
        found = self.by_kind.get(kind, {})
        if centre in found:
            return found[centre]
        for c in self.spec.centres:
            if c in found:
                return found[c]
        return None

    def services_of(self, host: str) -> list[str]:
        return [k for k in KINDS for h in self.by_kind.get(k, {}).values() if h.name == host]

    @property
    def bastions(self) -> list[Host]:
        return [self.by_kind["bastion"][c] for c in self.spec.centres if c in self.by_kind.get("bastion", {})]

    def admin_sources(self, host: Host) -> tuple[list[str], list[str]]:
        """Addresses (v4, v6) allowed to open SSH to `host`: the bastions and the OOB network."""
        v4 = [b.ipv4 for b in self.bastions if b.name != host.name] + [str(OOB_V4)]
        v6 = [b.ipv6 for b in self.bastions if b.name != host.name] + [str(OOB_V6)]
        return v4, v6

    def portal(self, centre: str) -> Host | None:
        """The portal behind `centre`'s WAF: the first app host in a zone of kind public there."""
        for h in self.spec.hosts:
            if h.centre == centre and h.role == "app" and self.zone_kinds.get(h.zone) == "public":
                return h
        return None

    def host(self, name: str) -> Host:
        for h in self.spec.hosts:
            if h.name == name:
                return h
        raise KeyError(name)


def build_layout(spec: LabSpec) -> Layout:
    """The lab host of each of the plan's security services (its kind is checked by the contract)."""
    layout = Layout(spec, spec.plan.zone_kinds())
    names = {h.name: h for h in spec.hosts}
    for i, svc in enumerate(spec.plan.security_services):
        if svc.host not in names:
            raise LayoutError(("security_services", i, "host"),
                              f"{svc.host!r} is not a host of the plan / 规划中没有该主机")
        h = names[svc.host]
        layout.by_kind.setdefault(svc.kind, {}).setdefault(h.centre, h)
    return layout
