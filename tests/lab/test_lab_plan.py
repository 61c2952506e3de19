"""Plan validation and rule generation (pure: no root needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcloud.lab import firewall, naming
from govcloud.lab.spec import LabPlanError, build_spec
from govcloud.labstack.program import resources

FIXTURE = Path(__file__).parent / "fixtures" / "plan-lab.json"


def _plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_fixture_plan_builds_three_centres_with_a_db_host_each() -> None:
    spec = build_spec(_plan(), "lab")
    assert spec.centres == ["prod", "samecity", "dr"]
    assert {h.centre for h in spec.hosts if h.role == "db"} == set(spec.centres)
    assert all(len(b.name) <= 15 for b in spec.bridges)


def test_every_flow_gets_the_same_intent_for_both_families() -> None:
    spec = build_spec(_plan(), "lab")
    for flow in spec.flows:
        rules = firewall.flow_rules(spec, flow)
        if spec.zone_prefixes(flow.from_, 4) and spec.zone_prefixes(flow.to, 4):
            assert len(rules) == 2, flow
            v4, v6 = rules
            assert v4.startswith("ip saddr") and v6.startswith("ip6 saddr")
            as_v4 = v6.replace("ip6 ", "ip ").replace("_v6", "_v4").replace("ipv6-icmp", "icmp")
            assert v4 == as_v4, "identical intent for IPv4 and IPv6"
        else:
            assert rules == [], "a zone without lab segments (the internet) matches nothing"


def test_relays_use_path_latency_and_only_matrix_sources() -> None:
    spec = build_spec(_plan(), "lab")
    relay = next(r for r in spec.relays if r.from_centre == "samecity" and r.to_host == "prod-db-1")
    assert relay.delay_ms == 1.0 and relay.target_port == 5432
    assert firewall.relay_sources(spec, "replication") == ["replication"]


def test_routes_cover_every_remote_segment_for_both_families() -> None:
    spec = build_spec(_plan(), "lab")
    res = resources(spec, "ssh-ed25519 AAAA test")
    for centre, props in res.routes.items():
        prefixes = {r["prefix"] for r in props["routes"]}
        for seg in spec.segments:
            assert (seg.ipv4 in prefixes and seg.ipv6 in prefixes) == (seg.centre != centre)


def test_a_relay_the_matrix_forbids_is_marked() -> None:
    plan = _plan()
    plan["flows"] = [f for f in plan["flows"] if f["id"] != "replication-postgres"]
    spec = build_spec(plan, "lab")
    assert spec.relays and not any(r.allowed for r in spec.relays)
    assert all(r.allowed for r in build_spec(_plan(), "lab").relays)


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda p: p.update(lab=False), "$.lab"),
    (lambda p: p.update(schema="govcloud.plan/v0"), "$.schema"),
    (lambda p: p["hosts"][1].update(ipv4="198.18.99.10"), "$.hosts[1].ipv4"),
    (lambda p: p["address_plan"]["segments"][2]["ipv6"].update(prefix="fc00:1::/64", gateway="fc00:1::1"),
     "$.address_plan.segments[2].ipv6.prefix"),
    (lambda p: p["flows"][0].update(protocol="sctp"), "$.flows[0].protocol"),
    (lambda p: p.update(links=p["links"][:1]), "$.links"),
])
def test_bad_plans_name_the_field(mutate: Any, field: str) -> None:
    plan = _plan()
    mutate(plan)
    with pytest.raises(LabPlanError) as err:
        build_spec(plan, "lab")
    assert err.value.field == field


@pytest.mark.parametrize("stack", ["lab-x", "Lab", "", "averyveryverylongname"])
def test_lab_stack_names_cannot_prefix_other_stacks(stack: str) -> None:
    with pytest.raises(naming.LabNameError):
        naming.check_stack(stack)
