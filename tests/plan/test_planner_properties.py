"""Property tests of the dual-stack planner (hypothesis)."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import netaddr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcloud.plan import Plan, PlanError, plan_from_raw
from govcloud.plan.addressing import v4_prefixlen
from govcloud.plan.synthetic import synthetic_config, system

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PLACEMENTS = {
    "aa": {
        "mode": "active-active",
        "active": ["prod", "samecity"],
        "standby": [{"centre": "dr", "replication": "async"}],
    },
    "as": {
        "mode": "active-standby",
        "active": ["prod"],
        "standby": [{"centre": "dr", "replication": "async"}],
    },
    "a2": {"mode": "active-active", "active": ["samecity", "dr"], "standby": []},
}

# A system: (stable number, host count, placement)
system_spec = st.tuples(st.integers(0, 500), st.integers(1, 120), st.sampled_from(sorted(PLACEMENTS)))
systems_st = st.lists(system_spec, min_size=1, max_size=25, unique_by=lambda s: s[0])


def build(
    specs: list[tuple[int, int, str]], lock: dict[str, dict[str, str]] | None = None, small: bool = False
) -> Plan:
    raw = synthetic_config(1, 0)
    if small:  # room for a handful of segments only
        raw["pools"] = [
            {"centre": "prod", "ipv4": "198.18.0.0/24", "ipv6": "fd00:6c:1::/60"},
            {"centre": "samecity", "ipv4": "198.18.1.0/24", "ipv6": "fd00:6c:2::/60"},
            {"centre": "dr", "ipv4": "198.18.2.0/24", "ipv6": "fd00:6c:3::/60"},
        ]
        raw["zones"] = [z for z in raw["zones"] if z["kind"] == "public"]
        raw["hosts"] = []
        raw["flows"] = []
    systems = []
    for n, hosts, pl in specs:
        s = system("d000", n, hosts=hosts, zone="public")
        s["placement"] = copy.deepcopy(PLACEMENTS[pl])
        if pl == "as":
            s["dr"]["rpo_s"] = 900
        systems.append(s)
    raw["systems"] = systems
    return plan_from_raw(raw, "prop", lock=lock)


def prefixes(plan: Plan) -> dict[str, tuple[str, str]]:
    return {k: (str(v.ipv4), str(v.ipv6)) for k, v in plan.addresses.segments.items()}


def assert_disjoint(nets: list[netaddr.IPNetwork]) -> None:
    ordered = sorted(nets, key=lambda n: (n.version, n.first))
    for a, b in itertools.pairwise(ordered):
        if a.version == b.version:
            assert a.last < b.first, f"{a} overlaps {b}"


@SETTINGS
@given(systems_st)
def test_no_overlaps_and_every_segment_dual_stack(specs: list[tuple[int, int, str]]) -> None:
    plan = build(specs)
    segs = plan.addresses.segments
    assert_disjoint([p.ipv4 for p in segs.values()] + [p.ipv4 for p in plan.addresses.links.values()])
    assert_disjoint([p.ipv6 for p in segs.values()] + [p.ipv6 for p in plan.addresses.links.values()])
    pools = {p.centre: (netaddr.IPNetwork(p.ipv4), netaddr.IPNetwork(p.ipv6)) for p in plan.config.pools}
    for sid, pre in segs.items():
        req = plan.requests[sid]
        assert pre.ipv4.version == 4 and pre.ipv6.version == 6, sid
        assert pre.ipv6.prefixlen == 64, sid
        assert pre.ipv4.prefixlen == v4_prefixlen(req.hosts), sid
        assert pre.ipv4.size - 5 >= req.hosts, sid
        assert pre.ipv4 in pools[req.centre][0] and pre.ipv6 in pools[req.centre][1], sid
        assert pre.ipv4 not in netaddr.IPNetwork("198.19.240.0/21"), sid


@SETTINGS
@given(systems_st, st.randoms(use_true_random=False))
def test_reordering_changes_nothing(specs: list[tuple[int, int, str]], rnd: Any) -> None:
    shuffled = list(specs)
    rnd.shuffle(shuffled)
    assert prefixes(build(specs)) == prefixes(build(shuffled))


@SETTINGS
@given(systems_st, system_spec)
def test_insertion_never_renumbers_existing_segments(
    specs: list[tuple[int, int, str]], new: tuple[int, int, str]
) -> None:
    if any(s[0] == new[0] for s in specs):
        new = (max(s[0] for s in specs) + 1, new[1], new[2])
    before = build(specs)
    after = build([*specs[: len(specs) // 2], new, *specs[len(specs) // 2 :]], lock=before.lock()["segments"])
    old, now = prefixes(before), prefixes(after)
    for sid, pre in old.items():
        assert now[sid] == pre, f"{sid} moved from {pre} to {now[sid]}"
    assert not after.addresses.relocated


@SETTINGS
@given(systems_st.filter(lambda s: len(s) >= 2), st.data())
def test_removal_never_renumbers_remaining_segments(
    specs: list[tuple[int, int, str]], data: st.DataObject
) -> None:
    gone = data.draw(st.sampled_from(specs))
    before = build(specs)
    after = build([s for s in specs if s != gone], lock=before.lock()["segments"])
    old, now = prefixes(before), prefixes(after)
    assert set(now) <= set(old)
    for sid, pre in now.items():
        assert old[sid] == pre, f"{sid} moved from {old[sid]} to {pre}"


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(1, 250), st.just("aa")),
        min_size=1,
        max_size=12,
        unique_by=lambda s: s[0],
    )
)
def test_exhaustion_is_detected(specs: list[tuple[int, int, str]]) -> None:
    """prod holds a /24 (256 addresses) for the public infra segment and every system."""
    demand = 2 ** (32 - v4_prefixlen(100)) + sum(2 ** (32 - v4_prefixlen(h)) for _n, h, _p in specs)
    if demand > 256:
        with pytest.raises(PlanError, match="exhausted") as err:
            build(specs, small=True)
        assert any("segments[" in i.path and "/" in i.reason for i in err.value.issues)
    else:  # fits: buddy allocation of power-of-two blocks never fails when the sum fits
        plan = build(specs, small=True)
        assert len(plan.addresses.segments) >= len(specs)


def test_pinned_segment_is_kept_and_clash_is_named() -> None:
    specs = [(1, 30, "aa"), (2, 30, "aa")]
    free = build(specs)
    sid = "prod/public/d000-s1"
    raw_pin = {"ipv4": "198.18.0.0/26", "ipv6": "fd00:6c:1:42::/64"}
    raw = synthetic_config(1, 0)
    raw["systems"] = [system("d000", 1, 30, "public"), system("d000", 2, 30, "public")]
    raw["pins"] = {sid: raw_pin}
    plan = plan_from_raw(raw, "pins")
    assert str(plan.addresses.segments[sid].ipv4) == "198.18.0.0/26"
    assert free.addresses.segments[sid] is not None
    raw["pins"]["prod/public/d000-s2"] = {"ipv4": "198.18.0.0/25", "ipv6": "fd00:6c:1:43::/64"}
    with pytest.raises(PlanError) as err:
        plan_from_raw(raw, "pins")
    text = str(err.value)
    assert "prod/public/d000-s2" in text and "198.18.0.0/25" in text and sid in text
