"""Names derived from the plan's ids, and the checks on them (派生名称).

Ids are checked by the models (slugs of at most 63 characters); the names built from them are
checked here, because a valid id can still make an invalid or clashing name:

* host names `<centre>-<role>-<n>` are DNS labels and Linux host names: at most 63 characters;
* segment ids `<centre>/<zone>/<system>` share the address plan (and the lock) with the
  infrastructure segments `<centre>/<zone>/infra`, so `infra` is no system id;
* a system id is a Kubernetes namespace in every centre it is placed in: not `default` nor a
  `kube-` namespace;
* link ids `<a>-<b>`, security-service ids `<centre>-<kind>` and the Pulumi resource names of the
  program (`<centre>-<system>`, `<centre>-<system>-<kind>-<object>`) must be unique, or one object
  would silently replace another (or Pulumi would stop on a duplicate URN);
* in a lab plan, centre routers and hosts are network namespaces `gc-<stack>-<centre|host>`
  (govcloud.lab.naming), beside the management namespace `gc-<stack>-oob`.

Every builder of these names (the planner, the Pulumi components) uses the functions below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from govcloud.contracts.fields import PROTECTIONS
from govcloud.contracts.plan import INFRA
from govcloud.lab import naming as lab_naming
from govcloud.plan.errors import PlanError, PlanIssue
from govcloud.plan.models import CentreConfig, FlowConfig, PlanConfig, SystemConfig

ROLE_ORDER = {"production": 0, "same-city": 1, "remote-dr": 2}
SECURITY_KINDS = PROTECTIONS
HOST_NAME_MAX = 63
RESERVED_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def ordered_centres(config: PlanConfig) -> list[CentreConfig]:
    """Centres in role order (production, same-city, remote-dr): the order of links and hosts."""
    return sorted(config.centres, key=lambda c: (ROLE_ORDER[c.role], c.id))


def segment_id(centre: str, zone: str, owner: str) -> str:
    """A segment: `<centre>/<zone>/<system id>` or `<centre>/<zone>/infra`."""
    return f"{centre}/{zone}/{owner}"


def link_id(a: str, b: str) -> str:
    return f"{a}-{b}"


def host_name(centre: str, role: str, n: int) -> str:
    return f"{centre}-{role}-{n}"


def service_id(centre: str, kind: str) -> str:
    return f"{centre}-{kind}"


def provider_resource(centre: str) -> str:
    """The Pulumi name of a centre's Kubernetes provider."""
    return f"{centre}-k8s"


def tenant_resource(centre: str, system: str) -> str:
    """The Pulumi name of the TenantSystem component of a system in a centre."""
    return f"{centre}-{system}"


def namespace_resource(tenant: str) -> str:
    return f"{tenant}-ns"


def object_resource(tenant: str, kind: str, name: str) -> str:
    """The Pulumi name of a Kubernetes object of a TenantSystem (other than its namespace)."""
    return f"{tenant}-{kind.lower()}-{name}"


def tenant_objects(
    index: int, system: SystemConfig, role: str, flows: Iterable[tuple[int, FlowConfig]], dns: bool
) -> Iterator[tuple[str, str, str]]:
    """(kind, name, config path) of every object but the namespace that the Pulumi program declares
    for `systems[index]` placed in a centre as `role`, given the flows touching its zone
    (`govcloud.components.manifests.system_manifests`; a test keeps the two equal)."""
    here = f"systems[{index}].id"
    yield "NetworkPolicy", "default-deny", here
    yield "NetworkPolicy", "allow-same-system", here
    if dns:
        yield "NetworkPolicy", "allow-dns", here
    for j, f in flows:
        if f.protocol == "icmp":
            continue
        if f.to == system.zone:
            yield "NetworkPolicy", f"allow-in-{f.id}", f"flows[{j}].id"
        if f.from_ == system.zone:
            yield "NetworkPolicy", f"allow-out-{f.id}", f"flows[{j}].id"
    yield "ResourceQuota", "quota", here
    yield "LimitRange", "limits", here
    for k, w in enumerate(system.workloads):
        where = f"systems[{index}].workloads[{k}].name"
        yield "Deployment", w.name, where
        if w.ports:
            yield "Service", w.name, where
        if role == "active":
            yield "PodDisruptionBudget", w.name, where


def placements(config: PlanConfig) -> Iterator[tuple[int, SystemConfig, str, str]]:
    """(index, system, centre, active|standby) for every place a system is deployed."""
    for i, s in enumerate(config.systems):
        for c in s.placement.active:
            yield i, s, c, "active"
        for sb in s.placement.standby:
            yield i, s, sb.centre, "standby"


class _Registry:
    """Derived names per family, each with where it came from; reports every clash."""

    def __init__(self) -> None:
        # (family, name) -> its first (config path, description); clashes keep every origin in order
        self.first: dict[tuple[str, str], tuple[str, str]] = {}
        self.clashes: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def add(self, family: str, name: str, path: str, made_by: str) -> None:
        key, origin = (family, name), (path, made_by)
        first = self.first.setdefault(key, origin)
        if first != origin:
            origins = self.clashes.setdefault(key, [first])
            if origin not in origins:
                origins.append(origin)

    def issues(self) -> list[PlanIssue]:
        out = []
        reported: set[tuple[str, ...]] = set()
        for (family, name), origins in self.clashes.items():
            makers = tuple(made_by for _path, made_by in origins)
            # One clash of two objects is reported once (a clash of TenantSystem components repeats
            # in the name of every one of their children).
            if makers in reported:
                continue
            reported.add(makers)
            others = " and ".join(makers[1:])
            out.append(
                PlanIssue(
                    origins[1][0],
                    f"derived {family} {name!r} clashes: made by {makers[0]} and by {others}; "
                    "rename one of the ids / 派生名称冲突",
                )
            )
        return out


def check_names(config: PlanConfig, stack: str) -> None:
    """Raise PlanError listing every invalid or clashing derived name."""
    issues: list[PlanIssue] = []
    centres = {c.id: (i, c) for i, c in enumerate(config.centres)}
    reg = _Registry()

    for i, s in enumerate(config.systems):
        if s.id == INFRA:
            issues.append(
                PlanIssue(
                    f"systems[{i}].id",
                    f"{INFRA!r} is reserved: it names every zone's infrastructure segment "
                    f"(<centre>/<zone>/{INFRA}) / 保留名称",
                )
            )
        if s.id in RESERVED_NAMESPACES or s.id.startswith("kube-"):
            issues.append(
                PlanIssue(
                    f"systems[{i}].id",
                    f"{s.id!r} is a Kubernetes system namespace (default, kube-*), and a system id names "
                    "its namespace / 与 Kubernetes 系统命名空间冲突",
                )
            )

    zone_flows: dict[str, list[tuple[int, FlowConfig]]] = defaultdict(list)
    for j, f in enumerate(config.flows):
        zone_flows[f.from_].append((j, f))
        if f.to != f.from_:
            zone_flows[f.to].append((j, f))
    for i, s, centre, role in placements(config):
        made_by = f"systems[{i}] ({s.id}) in centre {centre}"
        if s.id != INFRA:  # reported above
            reg.add("segment id", segment_id(centre, s.zone, s.id), f"systems[{i}].id", made_by)
        if centre not in centres:
            continue
        tenant = tenant_resource(centre, s.id)
        reg.add("Pulumi resource TenantSystem", tenant, f"systems[{i}].id", made_by)
        reg.add("Pulumi resource Namespace", namespace_resource(tenant), f"systems[{i}].id", made_by)
        dns = centres[centre][1].kubernetes.dns
        for kind, name, path in tenant_objects(i, s, role, zone_flows.get(s.zone, ()), dns):
            reg.add(f"Pulumi resource {kind}", object_resource(tenant, kind, name), path, made_by)
    for c in config.centres:
        for j, z in enumerate(config.zones):
            if z.kind != "dedicated":
                made_by = f"zones[{j}] ({z.id}) in centre {c.id}"
                reg.add("segment id", segment_id(c.id, z.id, INFRA), f"zones[{j}].id", made_by)

    ordered = ordered_centres(config)
    for k, a in enumerate(ordered):
        for b in ordered[k + 1 :]:
            path = f"centres[{centres[b.id][0]}].id"
            reg.add("link id", link_id(a.id, b.id), path, f"the link of centres {a.id} and {b.id}")

    hosts: list[tuple[str, str, str]] = []
    for c in ordered:
        ci = centres[c.id][0]
        for i, h in enumerate(config.hosts):
            for n in range(1, h.count + 1):
                name = host_name(c.id, h.role, n)
                if n == 1 and len(name) > HOST_NAME_MAX:  # n is one digit: all as long
                    issues.append(
                        PlanIssue(
                            f"centres[{ci}].id",
                            f"host name {name!r} (<centre>-<role>-<n>, hosts[{i}]) has {len(name)} "
                            f"characters; a host name (DNS label) has at most {HOST_NAME_MAX}: shorten the "
                            "centre id / 派生主机名超过 63 个字符",
                        )
                    )
                made_by = f"hosts[{i}] ({h.role}) in centre {c.id}"
                reg.add("host name", name, f"hosts[{i}]", made_by)
                hosts.append((name, f"hosts[{i}]", made_by))
            for kind in (h.role, *h.services):
                if kind in SECURITY_KINDS:  # one service per (centre, kind), whichever roles provide it
                    sid = service_id(c.id, kind)
                    reg.add("security service id", sid, f"centres[{ci}].id", f"centre {c.id}")

    if config.lab:
        # The lab builds every centre router and host as a network namespace gc-<stack>-<name>,
        # beside its management namespace gc-<stack>-oob.
        netns = "lab network namespace"
        reg.add(netns, lab_naming.oob_netns(stack), "(lab)", "the lab's management namespace")
        for c in config.centres:
            ci = centres[c.id][0]
            reg.add(netns, lab_naming.centre_netns(stack, c.id), f"centres[{ci}].id", f"centre {c.id}")
        for name, path, made_by in hosts:
            reg.add(netns, lab_naming.host_netns(stack, name), path, made_by)

    issues += reg.issues()
    if issues:
        raise PlanError(issues)
