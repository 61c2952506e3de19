"""The boundary firewall enforces the plan's flow matrix for IPv4 and IPv6: allowed passes, the rest drops."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from labhelpers import EchoServer, connect, host_by_name, nft_denied_count

pytestmark = pytest.mark.lab

PG = 5432


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize(("client", "server", "port"), [
    ("samecity-db-1", "prod-db-1", PG),   # replication -> replication, across the same-city link
    ("prod-db-1", "dr-db-1", PG),         # replication -> replication, across the remote link
])
def test_allowed_flow_passes(lab: dict[str, Any], family: str, client: str, server: str, port: int) -> None:
    src, dst = host_by_name(lab, client), host_by_name(lab, server)
    with EchoServer(dst["netns"], port):
        result = connect(src["netns"], dst[family], port, rounds=2)
    assert result["ok"], f"{client} -> {server}:{port} over {family} should pass: {result['error']}"


FORBIDDEN = [
    ("prod-app-1", "prod-db-1", PG, "prod"),          # public -> replication inside one centre
    ("prod-app-1", "samecity-db-1", PG, "prod"),      # public -> replication in another centre
    ("samecity-db-1", "prod-app-1", 8443, "samecity"),  # replication -> public: not in the matrix
    ("prod-db-1", "dr-db-1", 22, "prod"),             # replication -> replication, but not port 22
]


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("case", FORBIDDEN, ids=[f"{c}-{s}-{p}" for c, s, p, _ in FORBIDDEN])
def test_forbidden_flow_is_dropped_and_counted(lab: dict[str, Any], family: str,
                                               case: tuple[str, str, int, str]) -> None:
    client, server, port, boundary = case
    src, dst = host_by_name(lab, client), host_by_name(lab, server)
    router = f"gc-{lab['stack']}-{boundary}"
    table = f"gc_{lab['stack']}"
    before = nft_denied_count(router, table)
    with EchoServer(dst["netns"], port) if port != 22 else _nothing():
        result = connect(src["netns"], dst[family], port, timeout=1.5)
    assert not result["ok"], f"{client} -> {server}:{port} over {family} must be denied"
    assert result["error"] == "timeout", f"denied traffic is dropped (no reset): {result['error']}"
    assert nft_denied_count(router, table) > before, "the denied packet is counted by the boundary"


class _nothing:  # noqa: N801 - a tiny null context manager
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_boundary_tables_are_inet_default_deny_and_log(lab: dict[str, Any]) -> None:
    for centre in lab["centres"]:
        ruleset = subprocess.run(["ip", "netns", "exec", centre["netns"], "nft", "list", "table", "inet",
                                  f"gc_{lab['stack']}"], capture_output=True, text=True, check=True).stdout
        assert "hook forward priority filter; policy drop;" in ruleset
        assert "hook input priority filter; policy drop;" in ruleset
        assert f'log prefix "gc-{lab["stack"]}-{centre["id"]} fwd deny: "' in ruleset
        assert "ip saddr @z_replication_v4 ip daddr @z_replication_v4 tcp dport 5432" in ruleset
        assert "ip6 saddr @z_replication_v6 ip6 daddr @z_replication_v6 tcp dport 5432" in ruleset
    root = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, check=True).stdout
    assert f"gc_{lab['stack']}" not in root, "the lab never writes into the machine's own nftables"


def test_a_logged_flow_is_logged_by_every_boundary(lab: dict[str, Any]) -> None:
    """`flows[].log` (记录日志): the boundary logs the flow's new connections before it accepts them."""
    prefix = f'log prefix "gc-{lab["stack"]} flow management-to-public-ssh: "'
    for centre in lab["centres"]:
        ruleset = subprocess.run(["ip", "netns", "exec", centre["netns"], "nft", "list", "table", "inet",
                                  f"gc_{lab['stack']}"], capture_output=True, text=True, check=True).stdout
        logged = [line for line in ruleset.splitlines() if prefix in line]
        assert len(logged) == 2, ruleset  # IPv4 and IPv6
        assert all("tcp dport 22" in line and line.find("accept") > line.find(prefix) for line in logged)
        assert "flow internet-to-public-https" in ruleset
        assert 'flow internet-to-public-https: "' not in ruleset, "a flow without log is not logged"
