"""Structural checks across the config: unknown references, duplicates, impossible placements.

Compliance questions (a level-3 system without a standby, a level-4 system on a level-3
platform...) are NOT rejected here: they are the policy gate's, which must see them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from govcloud.plan.errors import PlanError, PlanIssue
from govcloud.plan.models import PlanConfig, synchronous_copy

ROLES = ("production", "same-city", "remote-dr")


def _dupes(path: str, values: Iterable[str], what: str) -> list[PlanIssue]:
    items = list(values)
    if len(set(items)) == len(items):
        return []
    counts = Counter(items)
    return [
        PlanIssue(path, f"duplicate {what} {v!r} (appears {n} times) / 名称重复")
        for v, n in sorted(counts.items())
        if n > 1
    ]


def validate(config: PlanConfig) -> None:
    """Raise PlanError listing every structural problem found (all of them, not just the first)."""
    issues: list[PlanIssue] = []
    add = issues.append
    centres = {c.id for c in config.centres}
    zones = {z.id: z for z in config.zones}
    departments = {d.id for d in config.departments}

    issues += _dupes("centres", (c.id for c in config.centres), "centre id")
    issues += _dupes("zones", (z.id for z in config.zones), "zone id")
    issues += _dupes("departments", (d.id for d in config.departments), "department id")
    issues += _dupes("departments", (d.name for d in config.departments), "department name")
    issues += _dupes("systems", (s.id for s in config.systems), "system id")
    issues += _dupes("flows", (f.id for f in config.flows), "flow id")
    issues += _dupes("hosts", (h.role for h in config.hosts), "host role")

    roles: Counter[str] = Counter(c.role for c in config.centres)
    for role in ROLES:
        if roles[role] != 1:
            add(
                PlanIssue(
                    "centres", f"need exactly one centre of role {role!r}, found {roles[role]} / 两地三中心"
                )
            )
    for i, c in enumerate(config.centres):
        if c.role == "production" and c.distance_km != 0:
            add(
                PlanIssue(
                    f"centres[{i}].distance_km", "the production centre is the origin: distance_km must be 0"
                )
            )

    dedicated_of: Counter[str] = Counter()
    for i, z in enumerate(config.zones):
        if z.kind == "dedicated":
            if z.department is None:
                add(PlanIssue(f"zones[{i}].department", "a dedicated zone (专用网络区) names its department"))
            elif z.department not in departments:
                add(PlanIssue(f"zones[{i}].department", f"unknown department {z.department!r}"))
            else:
                dedicated_of[z.department] += 1
        elif z.department is not None:
            add(
                PlanIssue(
                    f"zones[{i}].department", f"only dedicated zones belong to a department, not {z.kind}"
                )
            )
    for dept, n in dedicated_of.items():
        if n > 1:
            add(PlanIssue("zones", f"department {dept!r} has {n} dedicated zones; one per department"))

    for i, f in enumerate(config.flows):
        for end, zid in (("from", f.from_), ("to", f.to)):
            if zid not in zones:
                add(
                    PlanIssue(
                        f"flows[{i}].{end}", f"unknown zone {zid!r} (known: {', '.join(sorted(zones))})"
                    )
                )

    for i, s in enumerate(config.systems):
        p = f"systems[{i}]"
        if s.department not in departments:
            add(PlanIssue(f"{p}.department", f"unknown department {s.department!r}"))
        zone = zones.get(s.zone)
        if zone is None:
            add(PlanIssue(f"{p}.zone", f"unknown zone {s.zone!r} (known: {', '.join(sorted(zones))})"))
        elif zone.kind == "dedicated" and zone.department != s.department:
            add(
                PlanIssue(
                    f"{p}.zone",
                    f"zone {s.zone!r} is the dedicated zone of {zone.department!r}, not of {s.department!r}",
                )
            )
        pl = s.placement
        for j, cid in enumerate(pl.active):
            if cid not in centres:
                add(
                    PlanIssue(
                        f"{p}.placement.active[{j}]",
                        f"unknown centre {cid!r} (known: {', '.join(sorted(centres))})",
                    )
                )
        for j, sb in enumerate(pl.standby):
            if sb.centre not in centres:
                add(PlanIssue(f"{p}.placement.standby[{j}].centre", f"unknown centre {sb.centre!r}"))
            if sb.centre in pl.active:
                add(
                    PlanIssue(f"{p}.placement.standby[{j}].centre", f"centre {sb.centre!r} is already active")
                )
        all_centres = [*pl.active, *(sb.centre for sb in pl.standby)]
        issues += _dupes(f"{p}.placement", all_centres, "centre")
        if pl.mode == "active-active" and len(pl.active) < 2:
            add(PlanIssue(f"{p}.placement.active", "active-active needs at least two active centres / 双活"))
        if pl.mode == "active-standby":
            if len(pl.active) != 1:
                add(PlanIssue(f"{p}.placement.active", "active-standby has exactly one active centre"))
            if not pl.standby:
                add(PlanIssue(f"{p}.placement.standby", "active-standby needs a standby centre"))
        if s.dr.rpo_s == 0 and not synchronous_copy(pl):
            add(
                PlanIssue(
                    f"{p}.dr.rpo_s",
                    "RPO 0 (zero data loss) needs synchronous replication, but the only standby copies are "
                    "asynchronous / RPO=0 需要同步复制",
                )
            )
        if s.ha is not None:
            for j, cid in enumerate(s.ha.dcs_members):
                if cid not in centres:
                    add(
                        PlanIssue(
                            f"{p}.ha.dcs_members[{j}]",
                            f"unknown centre {cid!r} (known: {', '.join(sorted(centres))}) / 未知中心",
                        )
                    )
            issues += _dupes(f"{p}.ha.dcs_members", s.ha.dcs_members, "centre")
        issues += _dupes(f"{p}.workloads", (w.name for w in s.workloads), "workload name")
        for k, w in enumerate(s.workloads):
            issues += _dupes(f"{p}.workloads[{k}].ports", (pt.name for pt in w.ports), "port name")

    pool_keys: list[str] = []
    for i, pool in enumerate(config.pools):
        if pool.centre not in centres:
            add(PlanIssue(f"pools[{i}].centre", f"unknown centre {pool.centre!r}"))
        if pool.zone is not None and pool.zone not in zones:
            add(PlanIssue(f"pools[{i}].zone", f"unknown zone {pool.zone!r}"))
        pool_keys.append(f"{pool.centre}/{pool.zone or '*'}")
    issues += _dupes("pools", pool_keys, "pool")

    for i, h in enumerate(config.hosts):
        zone = zones.get(h.zone)
        if zone is None:
            add(PlanIssue(f"hosts[{i}].zone", f"unknown zone {h.zone!r}"))
        elif zone.kind == "dedicated":
            add(
                PlanIssue(
                    f"hosts[{i}].zone",
                    "platform hosts live in shared zones, not a department's dedicated zone",
                )
            )
    issues += _host_services(config)
    issues += _dupes("log_integrity.digests", config.log_integrity.digests, "digest")
    for i, lo in enumerate(config.links):
        for end in ("a", "b"):
            if getattr(lo, end) not in centres:
                add(PlanIssue(f"links[{i}].{end}", f"unknown centre {getattr(lo, end)!r}"))
        if lo.a == lo.b:
            add(PlanIssue(f"links[{i}]", "a link joins two different centres"))
    if issues:
        raise PlanError(issues)


def _host_services(config: PlanConfig) -> list[PlanIssue]:
    """hosts[].services and hosts[].monitors: no service twice, none equal to the role, monitors only
    on a role that provides ids and only naming boundaries the flow matrix has."""
    issues: list[PlanIssue] = []
    boundaries = sorted({f.boundary for f in config.flows})
    for i, h in enumerate(config.hosts):
        issues += _dupes(f"hosts[{i}].services", h.services, "service")
        for j, svc in enumerate(h.services):
            if svc == h.role:
                issues.append(
                    PlanIssue(
                        f"hosts[{i}].services[{j}]",
                        f"{svc!r} is already the role of this host; list only extra services / 与角色重复",
                    )
                )
        if h.monitors is None:
            continue
        if h.role != "ids" and "ids" not in h.services:
            issues.append(
                PlanIssue(
                    f"hosts[{i}].monitors",
                    f"only a host role that provides ids (入侵检测) has monitors; {h.role!r} does not",
                )
            )
        issues += _dupes(f"hosts[{i}].monitors", h.monitors, "boundary")
        for j, b in enumerate(h.monitors):
            if b not in boundaries:
                issues.append(
                    PlanIssue(
                        f"hosts[{i}].monitors[{j}]",
                        f"unknown boundary {b!r} (known from flows: {', '.join(boundaries) or 'none'}) "
                        "/ 未知边界",
                    )
                )
    return issues
