"""`govcloud lab status`: what the lab built and whether it answers, as the contract's model
(govcloud.contracts.lab_status.LabStatus, docs/contracts.md §8)."""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

from govcloud.contracts.lab_status import LabStatus
from govcloud.lab import hosts, naming, netns, relays, sh, topology
from govcloud.lab.record import load_record
from govcloud.toolchain import versions


def probe(ns: str, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run govcloud.lab.probe inside namespace `ns` (one process for all jobs)."""
    if not jobs or not netns.exists(ns):
        return [{"ok": False, "ms": None, "error": f"namespace {ns} missing"} for _ in jobs]
    out = sh.run(sh.nsexec(ns, sys.executable, "-m", "govcloud.lab.probe"), input_text=json.dumps(jobs),
                 check=False, timeout=30 + 5 * len(jobs))
    try:
        result: list[dict[str, Any]] = json.loads(out)
        return result
    except json.JSONDecodeError:
        return [{"ok": False, "ms": None, "error": "probe failed"} for _ in jobs]


def _inventory_display(stack: str) -> str:
    path = naming.inventory_path(stack)
    try:
        return str(path.relative_to(versions.REPO_ROOT))
    except ValueError:
        return str(path)


def build(stack: str, measure: bool = True) -> LabStatus:
    naming.check_stack(stack)
    record = load_record(stack)
    if record is None:
        return LabStatus(stack=stack, up=False)
    res = record["resources"]
    mech = record["latency_mechanism"]
    centres = [{
        "id": cid, "netns": p["netns"], "present": topology.centre_present(p),
        "firewall": {"table": f"inet {res['firewalls'][cid]['table']}",
                     "present": topology.firewall_present(res["firewalls"][cid])},
        "zones": [{"id": b["zone"], "bridge": b["name"],
                   "ipv4": b["ipv4"][0] if b["ipv4"] else None, "ipv6": b["ipv6"][0] if b["ipv6"] else None,
                   "gateways": [*b["ipv4"], *b["ipv6"]]} for b in p["bridges"]],
    } for cid, p in res["centres"].items()]

    key = str(naming.key_path(stack))
    host_list = []
    jobs = []
    for name, p in res["hosts"].items():
        jobs += [{"kind": "tcp", "host": p["ipv4"], "port": 22, "timeout": 2},
                 {"kind": "tcp", "host": p["ipv6"], "port": 22, "timeout": 2}]
        host_list.append({
            "name": name, "centre": p["centre"], "zone": p["zone"], "role": p["role"],
            "netns": naming.host_netns(stack, name), "rootfs": str(naming.host_dir(stack, name) / "root"),
            "ipv4": p["ipv4"], "ipv6": p["ipv6"], "present": hosts.present(p),
            "ssh": {"user": "root", "port": 22, "key": key},
        })
    answers = probe(naming.oob_netns(stack), jobs)
    for i, h in enumerate(host_list):
        h["reachable"] = {"ipv4": bool(answers[2 * i]["ok"]), "ipv6": bool(answers[2 * i + 1]["ok"])}

    relay_list = [{
        "from_centre": p["from_centre"], "to_host": p["to_host"], "to_centre": p["to_centre"],
        "listen": f"{p['listen4']}:{p['port']}", "listen_ipv6": f"[{p['listen6']}]:{p['port']}",
        "target": f"{p['target4']}:{p['target_port']}", "target_ipv6": f"[{p['target6']}]:{p['target_port']}",
        "delay_ms": p["delay_ms"], "netns": p["netns"], "running": relays.present(p),
        # false: the plan's flow matrix allows no zone of this centre to reach the db on 5432,
        # so the boundary drops what the relay forwards (the lab enforces the plan)
        "allowed_by_matrix": p.get("allowed_by_matrix", True),
    } for p in res["relays"].values()]

    link_list = []
    for lid, p in res["links"].items():
        link_list.append({
            "id": lid, "a": p["a"], "b": p["b"], "latency_ms": p["latency_ms"], "loss_pct": p["loss_pct"],
            "bandwidth_mbit": p["bandwidth_mbit"], "mechanism": mech, "present": topology.link_present(p),
            "measured_rtt_ms": _measure(p, res, mech) if measure else None,
        })
    up = (all(c["present"] and c["firewall"]["present"] for c in centres)
          and all(h["present"] for h in host_list) and all(lk["present"] for lk in link_list)
          and all(r["running"] for r in relay_list))
    return LabStatus.model_validate({
        "stack": stack, "up": up, "latency_mechanism": mech, "centres": centres, "hosts": host_list,
        "links": link_list, "relays": relay_list, "ops_netns": naming.oob_netns(stack),
        "inventory": _inventory_display(stack),
    })


def _measure(link: dict[str, Any], res: dict[str, Any], mech: str) -> float | None:
    """RTT on the emulated path: through a relay (userspace) or by ping between the routers (netem)."""
    if mech == "netem":
        out = sh.run(sh.nsexec(link["netns_a"], "ping", "-c", "3", "-i", "0.2", "-W", "2",
                               link["b4"].split("/")[0]), check=False, timeout=20)
        for line in out.splitlines():
            if "min/avg/max" in line:
                return float(line.split("=")[1].split("/")[1])
        return None
    for a, b in ((link["a"], link["b"]), (link["b"], link["a"])):
        for r in res["relays"].values():
            if (r["from_centre"] == a and r["to_centre"] == b and r["delay_ms"] == link["latency_ms"]
                    and r.get("allowed_by_matrix", True)):
                jobs = [{"kind": "pg-rtt", "host": r["listen4"], "port": r["port"], "timeout": 5}] * 3
                samples = [j["ms"] for j in probe(r["netns"], jobs) if j["ok"]]
                return round(statistics.median(samples), 2) if samples else None
    return None
