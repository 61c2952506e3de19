"""nftables rule sets for a centre's boundary, generated from the plan's zone flow matrix.

One `inet` table per centre router (`gc_<stack>`), so IPv4 and IPv6 share one intent: default
deny, established traffic back, each flow of the matrix allowed for the families it names, the
out-of-band ops path allowed to SSH and ping, and every denied packet logged with a prefix and
counted.
"""

from __future__ import annotations

import re

from govcloud.contracts.plan import Flow
from govcloud.lab import naming
from govcloud.lab.spec import LabSpec, pg_sources

LOG_RATE = "limit rate 20/second burst 50 packets"


def set_name(zone: str, family: int) -> str:
    return f"z_{re.sub(r'[^a-z0-9]', '_', zone)}_v{family}"


def log_prefix(stack: str, centre: str, chain: str) -> str:
    return f"gc-{stack}-{centre} {chain} deny: "


def _proto_match(flow: Flow, family: int) -> str:
    if flow.protocol == "icmp":
        return "meta l4proto icmp" if family == 4 else "meta l4proto ipv6-icmp"
    if flow.ports:
        return f"{flow.protocol} dport {{ {', '.join(str(p) for p in flow.ports)} }}"
    return f"meta l4proto {flow.protocol}"


def flow_rules(spec: LabSpec, flow: Flow) -> list[str]:
    rules = []
    for family, fam_name, kw in ((4, "ipv4", "ip"), (6, "ipv6", "ip6")):
        if fam_name not in flow.families:
            continue
        if not spec.zone_prefixes(flow.from_, family) or not spec.zone_prefixes(flow.to, family):
            continue  # a zone without segments in the lab (e.g. the internet): nothing to match
        log = f"log prefix \"gc-{spec.stack} flow {flow.id}: \" level info " if flow.log else ""
        rules.append(
            f"{kw} saddr @{set_name(flow.from_, family)} {kw} daddr @{set_name(flow.to, family)} "
            f"{_proto_match(flow, family)} {log}counter accept comment \"flow {flow.id} ({flow.boundary})\""
        )
    return rules


def relay_sources(spec: LabSpec, zone: str) -> list[str]:
    """Zones the matrix allows to reach `zone` on TCP 5432: only they may use the relays to it."""
    return pg_sources(spec, zone)


def ruleset(spec: LabSpec, centre: str) -> str:
    """The complete `table inet gc_<stack>` for one centre router (applied with `nft -f`)."""
    table = naming.nft_table(spec.stack)
    lines = [f"table inet {table} {{"]
    for zone in spec.zones:
        for family, typ in ((4, "ipv4_addr"), (6, "ipv6_addr")):
            prefixes = spec.zone_prefixes(zone, family)
            lines.append(f"  set {set_name(zone, family)} {{")
            lines.append(f"    type {typ}; flags interval;")
            if prefixes:
                lines.append(f"    elements = {{ {', '.join(prefixes)} }}")
            lines.append("  }")
    lines += [
        "  chain forward {",
        "    type filter hook forward priority filter; policy drop;",
        "    ct state established,related accept",
        "    ct state invalid drop",
        f"    iifname \"{naming.OOB_ROUTER_IF}\" tcp dport 22 accept comment \"out-of-band ops ssh\"",
        f"    iifname \"{naming.OOB_ROUTER_IF}\" icmp type echo-request accept",
        f"    iifname \"{naming.OOB_ROUTER_IF}\" icmpv6 type echo-request accept",
    ]
    for flow in spec.flows:
        lines += [f"    {r}" for r in flow_rules(spec, flow)]
    lines += [
        f"    {LOG_RATE} log prefix \"{log_prefix(spec.stack, centre, 'fwd')}\" level info",
        "    counter comment \"denied\"",
        "  }",
        "  chain input {",
        "    type filter hook input priority filter; policy drop;",
        "    ct state established,related accept",
        "    iif lo accept",
        "    meta l4proto { icmp, ipv6-icmp } accept",
    ]
    for relay in (r for r in spec.relays if r.from_centre == centre):
        for family, kw in ((4, "ip"), (6, "ip6")):
            for zone in relay_sources(spec, relay.zone):
                if spec.zone_prefixes(zone, family):
                    lines.append(f"    {kw} saddr @{set_name(zone, family)} tcp dport {relay.port} accept "
                                 f"comment \"relay to {relay.to_host}\"")
    lines += [
        f"    {LOG_RATE} log prefix \"{log_prefix(spec.stack, centre, 'in')}\" level info",
        "    counter comment \"denied\"",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def loss_table(stack: str, link_id: str, ifname: str, loss_pct: float) -> str:
    """Random loss on a link's egress (nft numgen): the netem-free way to lose packets."""
    per_10k = round(loss_pct * 100)
    return (
        f"table inet {naming.nft_loss_table(stack, link_id)} {{\n"
        "  chain loss {\n"
        "    type filter hook postrouting priority -10; policy accept;\n"
        f"    oifname \"{ifname}\" numgen random mod 10000 < {per_10k} counter drop\n"
        "  }\n"
        "}\n"
    )
