"""Create, check and delete the lab's network objects: centre routers, links, routes, boundary, ops path.

Each function takes the plain property dicts the dynamic providers store, so a provider is a thin
shell around them and `lab down` can call the same deletes.
"""

from __future__ import annotations

from typing import Any

from govcloud.lab import latency, naming, netns, sh
from govcloud.lab.firewall import loss_table

# -- centre: router namespace with one bridge per zone (gateway addresses on the bridge) -------------


def centre_create(p: dict[str, Any]) -> dict[str, Any]:
    ns = p["netns"]
    netns.ensure(ns, forwarding=True)
    for br in p["bridges"]:
        netns.bridge(ns, br["name"])
        for cidr in [*br["ipv4"], *br["ipv6"]]:
            netns.addr(ns, br["name"], cidr)
    return {"netns": ns}


def centre_present(p: dict[str, Any]) -> bool:
    ns = p["netns"]
    return netns.exists(ns) and all(netns.link_exists(ns, br["name"]) for br in p["bridges"])


def centre_delete(p: dict[str, Any]) -> None:
    netns.delete(p["netns"])


# -- inter-centre link -----------------------------------------------------------------------------


def link_create(p: dict[str, Any]) -> dict[str, Any]:
    ns_a, ns_b, if_a, if_b = p["netns_a"], p["netns_b"], p["if_a"], p["if_b"]
    netns.veth(ns_a, if_a, ns_b, if_b)
    for ns, ifname, v4, v6 in ((ns_a, if_a, p["a4"], p["a6"]), (ns_b, if_b, p["b4"], p["b6"])):
        netns.addr(ns, ifname, v4)
        netns.addr(ns, ifname, v6)
        netns.up(ns, ifname)
        latency.shape(ns, ifname, p["mechanism"], p["latency_ms"], p.get("bandwidth_mbit"))
        if p["loss_pct"] > 0:
            table = naming.nft_loss_table(p["stack"], p["id"])
            sh.run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
                   input_text=f"table inet {table}\ndelete table inet {table}\n"
                   + loss_table(p["stack"], p["id"], ifname, p["loss_pct"]))
    return {"mechanism": p["mechanism"]}


def link_present(p: dict[str, Any]) -> bool:
    return netns.link_exists(p["netns_a"], p["if_a"]) and netns.link_exists(p["netns_b"], p["if_b"])


def link_delete(p: dict[str, Any]) -> None:
    for ns, ifname in ((p["netns_a"], p["if_a"]), (p["netns_b"], p["if_b"])):
        if netns.link_exists(ns, ifname):
            sh.run(["ip", "-n", ns, "link", "del", ifname], check=False)
        if netns.exists(ns):
            sh.run(["ip", "netns", "exec", ns, "nft", "delete", "table", "inet",
                    naming.nft_loss_table(p["stack"], p["id"])], check=False)


# -- routes of a centre router ---------------------------------------------------------------------


def routes_create(p: dict[str, Any]) -> dict[str, Any]:
    for r in p["routes"]:
        netns.route(p["netns"], r["prefix"], r["via"], r["dev"])
    return {}


def routes_present(p: dict[str, Any]) -> bool:
    if not netns.exists(p["netns"]):
        return False
    have = {str(r.get("dst")) for fam in ("-4", "-6") for r in netns.routes(p["netns"], fam)}
    return all(r["prefix"] in have for r in p["routes"])


def routes_delete(p: dict[str, Any]) -> None:
    if netns.exists(p["netns"]):
        for r in p["routes"]:
            fam = "-6" if ":" in r["prefix"] else "-4"
            sh.run(["ip", "-n", p["netns"], fam, "route", "del", r["prefix"]], check=False)


# -- boundary firewall -----------------------------------------------------------------------------


def firewall_create(p: dict[str, Any]) -> dict[str, Any]:
    sh.require("nft")
    table = p["table"]
    sh.run(["ip", "netns", "exec", p["netns"], "nft", "-f", "-"],
           input_text=f"table inet {table}\ndelete table inet {table}\n" + p["ruleset"])
    return {}


def firewall_present(p: dict[str, Any]) -> bool:
    return netns.exists(p["netns"]) and sh.ok(
        ["ip", "netns", "exec", p["netns"], "nft", "list", "table", "inet", p["table"]])


def firewall_delete(p: dict[str, Any]) -> None:
    if netns.exists(p["netns"]):
        sh.run(["ip", "netns", "exec", p["netns"], "nft", "delete", "table", "inet", p["table"]], check=False)


# -- out-of-band ops namespace ---------------------------------------------------------------------


def oob_create(p: dict[str, Any]) -> dict[str, Any]:
    ns = p["netns"]
    netns.ensure(ns)
    for leg in p["legs"]:
        netns.veth(ns, leg["ifname"], leg["router_netns"], naming.OOB_ROUTER_IF)
        netns.addr(ns, leg["ifname"], leg["ops4"])
        netns.addr(ns, leg["ifname"], leg["ops6"])
        netns.addr(leg["router_netns"], naming.OOB_ROUTER_IF, leg["router4"])
        netns.addr(leg["router_netns"], naming.OOB_ROUTER_IF, leg["router6"])
        netns.up(ns, leg["ifname"])
        netns.up(leg["router_netns"], naming.OOB_ROUTER_IF)
        for prefix in leg["prefixes"]:
            via = leg["router6"] if ":" in prefix else leg["router4"]
            netns.route(ns, prefix, via.split("/")[0], leg["ifname"])
        # replies to ops leave the router through its ops leg
        netns.route(leg["router_netns"], p["ops_v4"], leg["ops4"].split("/")[0], naming.OOB_ROUTER_IF)
        netns.route(leg["router_netns"], p["ops_v6"], leg["ops6"].split("/")[0], naming.OOB_ROUTER_IF)
    return {"netns": ns}


def oob_present(p: dict[str, Any]) -> bool:
    return netns.exists(p["netns"]) and all(netns.link_exists(p["netns"], leg["ifname"]) for leg in p["legs"])


def oob_delete(p: dict[str, Any]) -> None:
    netns.delete(p["netns"])
