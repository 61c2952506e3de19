"""Inter-centre latency on the emulated paths matches the plan (generous tolerance); loss, bandwidth."""

from __future__ import annotations

import statistics
import subprocess
from typing import Any

import pytest
from labhelpers import EchoServer, connect, host_by_name

pytestmark = pytest.mark.lab


def _netem_in_kernel(stack: str) -> bool:
    ns = f"gc-{stack}-netemtest"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        cmd = ["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"]
        return subprocess.run(cmd, capture_output=True, check=False).returncode == 0
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


def test_status_names_the_active_mechanism(lab: dict[str, Any]) -> None:
    expected = "netem" if _netem_in_kernel(lab["stack"]) else "userspace-relay"
    assert lab["latency_mechanism"] == expected
    assert all(link["mechanism"] == expected for link in lab["links"])
    if expected == "userspace-relay":
        db_hosts = [h for h in lab["hosts"] if h["role"] == "db"]
        pairs = {(r["from_centre"], r["to_host"]) for r in lab["relays"]}
        for db in db_hosts:
            for centre in lab["centres"]:
                if centre["id"] != db["centre"]:
                    assert (centre["id"], db["name"]) in pairs, f"no relay {centre['id']} -> {db['name']}"


@pytest.mark.parametrize(("from_centre", "to_host"), [("samecity", "prod-db-1"), ("prod", "dr-db-1")])
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_measured_latency_matches_plan(lab: dict[str, Any], from_centre: str, to_host: str,
                                      family: str) -> None:
    target = host_by_name(lab, to_host)
    client = next(h for h in lab["hosts"] if h["centre"] == from_centre and h["role"] == "db")
    link = next(lk for lk in lab["links"] if {lk["a"], lk["b"]} == {from_centre, target["centre"]})
    if lab["latency_mechanism"] == "userspace-relay":
        relay = next(r for r in lab["relays"] if r["from_centre"] == from_centre and r["to_host"] == to_host)
        listen = relay["listen"] if family == "ipv4" else relay["listen_ipv6"]
        host, port = listen.rsplit(":", 1)
        host = host.strip("[]")
        assert relay["delay_ms"] == link["latency_ms"]
    else:
        host, port = target[family], "5432"
    with EchoServer(target["netns"], 5432):
        result = connect(client["netns"], host, int(port), rounds=7, timeout=5)
    assert result["ok"], result["error"]
    rtt = statistics.median(result["rtt_ms"])
    expected = 2 * link["latency_ms"]
    # generous: at least 80 % of the planned round trip, at most planned + 20 ms of scheduling noise
    assert expected * 0.8 <= rtt <= expected + 20, f"median RTT {rtt:.2f} ms vs planned {expected} ms"


def test_link_status_reports_a_measured_rtt(lab: dict[str, Any]) -> None:
    for link in lab["links"]:
        assert link["measured_rtt_ms"] is not None, link
        assert link["measured_rtt_ms"] >= 2 * link["latency_ms"] * 0.8, link


def test_loss_and_bandwidth_are_configured_on_the_links(lab: dict[str, Any]) -> None:
    for link in lab["links"]:
        for end, peer in ((link["a"], link["b"]), (link["b"], link["a"])):
            ns = f"gc-{lab['stack']}-{end}"
            tables = subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "tables"], capture_output=True,
                                    text=True, check=True).stdout
            loss_table = f"gc_{lab['stack']}_loss_{link['id'].replace('-', '_')}"
            assert (loss_table in tables) == (link["loss_pct"] > 0), (ns, tables)
            if link["bandwidth_mbit"]:
                qdisc = subprocess.run(["ip", "netns", "exec", ns, "tc", "qdisc", "show", "dev",
                                        f"wan-{peer}"],
                                       capture_output=True, text=True, check=True).stdout
                assert ("tbf" in qdisc or "netem" in qdisc), qdisc
