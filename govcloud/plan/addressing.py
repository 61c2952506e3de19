"""The dual-stack address planner: every segment gets an IPv4 and an IPv6 prefix together.

Identity, not list order, decides where a segment lands (hash probing, see allocator.py).
Allocations can be held in place by `pins` in the config (hard: a clash is an error) or by a
lock file written from a previous plan (soft: an entry that no longer fits is re-planned and
reported in `relocated`). Pins and lock entries are placed first, the rest in a canonical
order (largest blocks first, then by id), so reordering the config changes nothing and adding
or removing a segment cannot move a locked one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import netaddr

from govcloud.plan.address_space import classify
from govcloud.plan.allocator import PoolAllocator, identity_hash
from govcloud.plan.errors import PlanError, PlanIssue
from govcloud.plan.models import LinkPoolConfig, PlanConfig, PoolConfig

LAB_V4 = netaddr.IPNetwork("198.18.0.0/15")
LAB_V6 = netaddr.IPNetwork("fd00::/8")
SEGMENT_V6_LEN = 64
LINK_V4_LEN = 31
LINK_V6_LEN = 127
V4_OVERHEAD = 5  # network, broadcast, gateway and two reserved (VRRP pair of the redundant gateway)


@dataclass(frozen=True)
class SegmentRequest:
    """A segment to plan: `centre/zone/owner` is its stable identity."""

    id: str
    centre: str
    zone: str
    system: str | None
    hosts: int


@dataclass(frozen=True)
class Prefixes:
    ipv4: netaddr.IPNetwork
    ipv6: netaddr.IPNetwork


@dataclass
class AddressResult:
    segments: dict[str, Prefixes]
    links: dict[str, Prefixes]
    relocated: list[str] = field(default_factory=list)  # lock entries that no longer fitted


def v4_prefixlen(hosts: int) -> int:
    """Smallest IPv4 prefix holding `hosts` plus network, broadcast, gateway and two reserved."""
    need = hosts + V4_OVERHEAD
    bits = max(3, (need - 1).bit_length())
    return 32 - bits


def _pool_key(centre: str, zone: str | None) -> str:
    return f"{centre}/{zone}" if zone else centre


@dataclass
class _Family:
    version: int
    pools: dict[str, PoolAllocator]


def _net(text: str) -> netaddr.IPNetwork:
    return netaddr.IPNetwork(text)


def _span(net: netaddr.IPNetwork) -> tuple[int, int]:
    return int(net.first), int(net.last) + 1


def _check_pools(config: PlanConfig) -> list[PlanIssue]:
    """Pools may not overlap each other, the link pool or unreachable reserved ranges."""
    issues: list[PlanIssue] = []
    named: list[tuple[str, str, netaddr.IPNetwork, str, str | None]] = []
    for i, pool in enumerate(config.pools):
        for fam in ("ipv4", "ipv6"):
            named.append((f"pools[{i}].{fam}", fam, _net(getattr(pool, fam)), pool.centre, pool.zone))
    for fam in ("ipv4", "ipv6"):
        named.append((f"link_pool.{fam}", fam, _net(getattr(config.link_pool, fam)), "", None))
    for a in range(len(named)):
        pa, fa, na, ca, za = named[a]
        for b in range(a + 1, len(named)):
            pb, fb, nb, cb, zb = named[b]
            if fa != fb or not (na.first <= nb.last and nb.first <= na.last):
                continue
            nested = ca == cb and ca != "" and (za is None) != (zb is None)
            centre_net, zone_net = (na, nb) if za is None else (nb, na)
            if nested and zone_net in centre_net:
                continue
            issues.append(PlanIssue(pb, f"pool {nb} overlaps {na} ({pa}) / 地址池重叠"))
    for r, res in enumerate(config.reserved):
        if res.reachable:
            continue
        for fam in ("ipv4", "ipv6"):
            for k, text in enumerate(getattr(res, fam)):
                rnet = _net(text)
                for path, f, net, _c, _z in named:
                    if f == fam and rnet.first <= net.last and net.first <= rnet.last:
                        issues.append(
                            PlanIssue(
                                path,
                                f"pool {net} overlaps reserved range {rnet} of {res.name} "
                                f"(reserved[{r}].{fam}[{k}], must never be reachable / 不可达保留地址)",
                            )
                        )
    if config.lab:
        for path, fam, net, _c, _z in named:
            lab = LAB_V4 if fam == "ipv4" else LAB_V6
            if net not in lab:
                issues.append(
                    PlanIssue(path, f"lab plans must lie in {lab}; {net} does not / 实验环境地址越界")
                )
    issues += _check_address_space(config)
    return issues


def _check_address_space(config: PlanConfig) -> list[PlanIssue]:
    """The address-space rule (govcloud.plan.address_space): private, placeholder, or public by opt-in."""
    issues: list[PlanIssue] = []
    pools: list[tuple[str, PoolConfig | LinkPoolConfig]] = [
        *((f"pools[{i}]", p) for i, p in enumerate(config.pools)),
        ("link_pool", config.link_pool),
    ]
    for where, pool in pools:
        if config.lab and pool.public:
            issues.append(
                PlanIssue(
                    f"{where}.public",
                    "lab plans use only the lab ranges; public: true does not apply / 实验环境不使用公网地址",
                )
            )
            continue
        kinds = []
        for fam in ("ipv4", "ipv6"):
            net = _net(getattr(pool, fam))
            space = classify(net)
            kinds.append(space.kind)
            if space.kind == "refused":
                if space.net is None or space.net == net:
                    what = f"{net} is {space.label}"
                else:
                    verb = "lies in" if net in space.net else "overlaps"
                    what = f"{net} {verb} {space.net}, {space.label}"
                issues.append(
                    PlanIssue(f"{where}.{fam}", f"{what}: no pool may use it / 该地址段不能用作地址池")
                )
            elif space.kind == "public" and not pool.public:
                issues.append(
                    PlanIssue(
                        f"{where}.{fam}",
                        f"{net} is public address space, not private (RFC 1918, ULA fc00::/7) nor a "
                        "documentation or benchmarking range: if it is allocated to you (the 政务外网's "
                        "国家/地方公共IP, a carrier's addresses) set `public: true` on the pool "
                        "/ 公网地址须在地址池上声明 public: true",
                    )
                )
        if pool.public and "public" not in kinds:
            issues.append(
                PlanIssue(
                    f"{where}.public",
                    "public: true, but neither prefix is public address space; remove it "
                    "/ 两个前缀都不是公网地址，请删除 public: true",
                )
            )
    return issues


def plan_addresses(
    config: PlanConfig,
    requests: Iterable[SegmentRequest],
    links: Iterable[str],
    lock: Mapping[str, Mapping[str, str]] | None = None,
) -> AddressResult:
    """Allocate every requested segment and link; raise PlanError naming segment and prefix."""
    issues = _check_pools(config)
    if issues:
        raise PlanError(issues)
    reqs = sorted(requests, key=lambda r: r.id)
    link_ids = sorted(links)
    fams = {4: _Family(4, {}), 6: _Family(6, {})}
    zone_pools: dict[tuple[str, str], str] = {}
    for pool in config.pools:
        key = _pool_key(pool.centre, pool.zone)
        for version, text in ((4, pool.ipv4), (6, pool.ipv6)):
            first, end = _span(_net(text))
            fams[version].pools[key] = PoolAllocator(key, first, end - first)
        if pool.zone:
            zone_pools[(pool.centre, pool.zone)] = key
    for version, text in ((4, config.link_pool.ipv4), (6, config.link_pool.ipv6)):
        first, end = _span(_net(text))
        fams[version].pools["links"] = PoolAllocator("links", first, end - first)
    # Zone pools nested in a centre pool are holes in it; reachable reserved ranges are holes everywhere.
    for (centre, _zone), key in zone_pools.items():
        for version in (4, 6):
            inner, outer = fams[version].pools[key], fams[version].pools.get(centre)
            if outer is not None and outer.contains(inner.base, inner.base + inner.size):
                outer.occupy(inner.base, inner.base + inner.size, f"zone pool {key}")
    for res in config.reserved:
        for version, texts in ((4, res.ipv4), (6, res.ipv6)):
            for text in texts:
                start, end = _span(_net(text))
                for alloc in fams[version].pools.values():
                    lo, hi = max(start, alloc.base), min(end, alloc.base + alloc.size)
                    if lo < hi and alloc.owner_of_clash(lo, hi) is None:
                        alloc.occupy(lo, hi, f"reserved {res.name} {text}")

    def pool_for(req: SegmentRequest) -> str | None:
        key = zone_pools.get((req.centre, req.zone))
        if key is not None:
            return key
        return req.centre if req.centre in fams[4].pools else None

    sizes: dict[str, tuple[int, int]] = {r.id: (v4_prefixlen(r.hosts), SEGMENT_V6_LEN) for r in reqs}
    sizes.update({lid: (LINK_V4_LEN, LINK_V6_LEN) for lid in link_ids})
    pool_of: dict[str, str] = {lid: "links" for lid in link_ids}
    for req in reqs:
        found = pool_for(req)
        if found is None:
            issues.append(PlanIssue(f"segments[{req.id}]", f"no address pool for centre {req.centre!r}"))
        else:
            pool_of[req.id] = found
    if issues:
        raise PlanError(issues)

    placed: dict[str, dict[int, netaddr.IPNetwork]] = {}
    relocated: list[str] = []

    def try_place(seg: str, nets: dict[int, netaddr.IPNetwork], hard: bool, path: str) -> bool:
        problems: list[str] = []
        for version, net in nets.items():
            alloc = fams[version].pools[pool_of[seg]]
            want = sizes[seg][0 if version == 4 else 1]
            start, end = _span(net)
            if not alloc.contains(start, end):
                problems.append(f"{net} lies outside pool {pool_of[seg]}")
            elif net.prefixlen > want:
                problems.append(f"{net} is smaller than the /{want} the segment needs")
            else:
                owner = alloc.owner_of_clash(start, end)
                if owner is not None:
                    problems.append(f"{net} overlaps {owner}")
        if problems:
            if hard:
                issues.extend(PlanIssue(path, f"segment {seg}: {p} / 固定地址冲突") for p in problems)
            return False
        for version, net in nets.items():
            start, end = _span(net)
            fams[version].pools[pool_of[seg]].occupy(start, end, seg)
        placed[seg] = nets
        return True

    for seg in sorted(config.pins):
        if seg not in sizes:
            issues.append(PlanIssue(f"pins.{seg}", "pins a segment the plan does not have / 未知网段"))
            continue
        pin = config.pins[seg]
        try_place(seg, {4: _net(pin.ipv4), 6: _net(pin.ipv6)}, True, f"pins.{seg}")
    if issues:
        raise PlanError(issues)
    for seg in sorted(lock or {}):
        if seg in placed or seg not in sizes:
            continue
        entry = (lock or {})[seg]
        try:
            nets: dict[int, netaddr.IPNetwork] = {4: _net(entry["ipv4"]), 6: _net(entry["ipv6"])}
        except (KeyError, netaddr.AddrFormatError, ValueError):
            relocated.append(seg)
            continue
        if not try_place(seg, nets, False, f"lock.{seg}"):
            relocated.append(seg)

    todo = sorted((s for s in sizes if s not in placed), key=lambda s: (sizes[s][0], s))
    for seg in todo:
        nets = {}
        seed = identity_hash(seg)
        for version, bits in ((4, 32), (6, 128)):
            alloc = fams[version].pools[pool_of[seg]]
            plen = sizes[seg][0 if version == 4 else 1]
            got = alloc.allocate(1 << (bits - plen), seg, seed)
            if got is None:
                pool_net = netaddr.IPNetwork(
                    (alloc.base, bits - (alloc.size.bit_length() - 1)), version=version
                )
                issues.append(
                    PlanIssue(
                        f"segments[{seg}]",
                        f"IPv{version} pool {pool_of[seg]} ({pool_net}) is exhausted: no free /{plen} "
                        f"left for segment {seg} / 地址池耗尽",
                    )
                )
                break
            nets[version] = netaddr.IPNetwork((got, plen), version=version)
        placed[seg] = nets
    if issues:
        raise PlanError(issues)
    segs = {
        s: Prefixes(placed[s][4], placed[s][6]) for s in sizes if s not in pool_of or pool_of[s] != "links"
    }
    lnks = {s: Prefixes(placed[s][4], placed[s][6]) for s in link_ids}
    return AddressResult(segs, lnks, sorted(relocated))


def lab_violations(nets: Iterable[tuple[str, netaddr.IPNetwork]]) -> list[PlanIssue]:
    """Paths of prefixes outside the lab ranges (198.18.0.0/15, fd00::/8)."""
    out: list[PlanIssue] = []
    for path, net in nets:
        lab = LAB_V4 if net.version == 4 else LAB_V6
        if net not in lab:
            out.append(PlanIssue(path, f"{net} is outside the lab range {lab}"))
    return out
