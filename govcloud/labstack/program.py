"""The lab's resources as property dicts (pure), and `declare_lab` which declares them in Pulumi."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from govcloud.contracts.plan import PlanDocument
from govcloud.lab import firewall, hosts, latency, locking, naming
from govcloud.lab.record import LabResources, save_record
from govcloud.lab.spec import OOB_V4, OOB_V6, LabSpec, build_spec, oob_addresses

Props = dict[str, Any]


def resources(spec: LabSpec, pubkey: str, mechanism: str = latency.RELAY) -> LabResources:
    st = spec.stack
    cache = str(naming.cache_dir())
    res = LabResources(image={"object_id": "base-image", "cache": cache})
    for c in spec.centres:
        res.centres[c] = {
            "object_id": naming.centre_netns(st, c), "stack": st, "netns": naming.centre_netns(st, c),
            "bridges": [{"name": b.name, "zone": b.zone, "ipv4": list(b.ipv4), "ipv6": list(b.ipv6)}
                        for b in spec.bridges if b.centre == c],
        }
        res.firewalls[c] = {
            "object_id": f"{naming.centre_netns(st, c)}/{naming.nft_table(st)}", "stack": st,
            "netns": naming.centre_netns(st, c), "table": naming.nft_table(st),
            "ruleset": firewall.ruleset(spec, c),
        }
    for lk in spec.links:
        res.links[lk.id] = {
            "object_id": f"gc-{st}-link-{lk.id}", "stack": st, "id": lk.id, "a": lk.a, "b": lk.b,
            "netns_a": naming.centre_netns(st, lk.a), "netns_b": naming.centre_netns(st, lk.b),
            "if_a": naming.link_ifname(lk.b), "if_b": naming.link_ifname(lk.a),
            "a4": lk.a4, "b4": lk.b4, "a6": lk.a6, "b6": lk.b6,
            "latency_ms": lk.latency_ms, "loss_pct": lk.loss_pct, "bandwidth_mbit": lk.bandwidth_mbit,
            "mechanism": mechanism,
        }
    for c in spec.centres:
        rts = []
        for other, (lk, peer) in sorted(spec.next_hops(c).items()):
            peer_is_b = lk.b == peer
            via4 = (lk.b4 if peer_is_b else lk.a4).split("/")[0]
            via6 = (lk.b6 if peer_is_b else lk.a6).split("/")[0]
            dev = naming.link_ifname(peer)
            for seg in spec.centre_segments(other):
                rts.append({"prefix": seg.ipv4, "via": via4, "dev": dev})
                rts.append({"prefix": seg.ipv6, "via": via6, "dev": dev})
        res.routes[c] = {"object_id": f"{naming.centre_netns(st, c)}/routes", "stack": st,
                         "netns": naming.centre_netns(st, c), "routes": rts}
    legs = []
    for i, c in enumerate(spec.centres):
        ops4, router4, ops6, router6 = oob_addresses(i)
        legs.append({"centre": c, "router_netns": naming.centre_netns(st, c), "ifname": naming.oob_ifname(c),
                     "ops4": ops4, "router4": router4, "ops6": ops6, "router6": router6,
                     "prefixes": [p for s in spec.centre_segments(c) for p in (s.ipv4, s.ipv6)]})
    res.oob = {"object_id": naming.oob_netns(st), "stack": st, "netns": naming.oob_netns(st), "legs": legs,
               "ops_v4": str(OOB_V4), "ops_v6": str(OOB_V6)}
    for h in spec.hosts:
        res.hosts[h.name] = {
            "object_id": naming.host_netns(st, h.name), "stack": st, "name": h.name, "centre": h.centre,
            "zone": h.zone, "role": h.role, "router_netns": naming.centre_netns(st, h.centre),
            "bridge": h.bridge, "ipv4": h.ipv4, "ipv6": h.ipv6, "prefix4": h.prefix4, "prefix6": h.prefix6,
            "gw4": h.gw4, "gw6": h.gw6, "pubkey": pubkey, "cache": cache,
        }
    if mechanism == latency.RELAY:
        for r in spec.relays:
            key = f"{r.from_centre}-to-{r.to_host}"
            res.relays[key] = {
                "object_id": f"gc-{st}-relay-{key}", "stack": st,
                "netns": naming.centre_netns(st, r.from_centre),
                "from_centre": r.from_centre, "to_host": r.to_host, "to_centre": r.to_centre,
                "listen4": r.listen4, "listen6": r.listen6, "port": r.port, "target4": r.target4,
                "target6": r.target6, "target_port": r.target_port, "delay_ms": r.delay_ms,
                "allowed_by_matrix": r.allowed,
            }
    _ha_stack(spec, res)
    if spec.plan.security_services:
        from govcloud.secsvc import host_services, sensor  # noqa: PLC0415 - lab plans with services only
        from govcloud.secsvc.layout import build_layout  # noqa: PLC0415

        layout = build_layout(spec)
        for h in spec.hosts:
            res.services[h.name] = host_services.props_for(layout, h)
        for c in spec.centres:
            sp = sensor.props_for(layout, c)
            if sp is not None:
                res.sensors[c] = sp
    return res


def _ha_stack(spec: LabSpec, res: LabResources) -> None:
    """The HA stack (etcd, Patroni, HAProxy) when a system of the plan fails over on Patroni."""
    from govcloud.drill.ha import lab_resource  # noqa: PLC0415 - plans with a Patroni system only
    from govcloud.drill.ha.settings import plan_ha, resolve  # noqa: PLC0415

    chosen = plan_ha(spec.plan.dump())
    if not chosen or chosen.get("engine") != "patroni":
        return
    roles = {c.id: c.role for c in spec.plan.centres}
    dbs = [p | {"netns": p["object_id"]} for p in res.hosts.values() if p["role"] == "db"]
    res.ha = lab_resource.props_for(spec.stack, roles, dbs, res.relays.values(), resolve(None, chosen))


def declare_lab(plan: PlanDocument | Mapping[str, Any], stack: str | None = None) -> None:
    """Declare the lab's resources (for `plan`) in the running Pulumi program.

    `stack` defaults to the running Pulumi stack; it must be a lab stack name (naming.check_stack).
    """
    import pulumi  # noqa: PLC0415 - only a Pulumi program needs the SDK

    from govcloud.labstack import providers as pv  # noqa: PLC0415

    stack_name = stack or pulumi.get_stack()
    spec = build_spec(plan, stack_name)
    preview = pulumi.runtime.is_dry_run()
    key = naming.key_path(spec.stack)
    if preview and (os.geteuid() != 0 or not key.is_file()):
        # a preview creates nothing: no key, no probe namespace (and may run without root)
        pubkey = key.with_suffix(".pub").read_text(encoding="ascii").strip() if key.is_file() else "(at up)"
        mechanism = latency.RELAY if os.geteuid() != 0 else latency.mechanism(spec.stack)
    else:
        if os.geteuid() != 0:
            raise PermissionError("the lab needs root / 实验环境需要 root 权限")
        if not preview:
            locking.hold_for_process(spec.stack)
        pubkey = hosts.ensure_key(key)
        mechanism = latency.mechanism(spec.stack)
    res = resources(spec, pubkey, mechanism)

    def opts(*deps: pulumi.Resource) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(depends_on=list(deps))

    base = pv.BaseImage("base-image", res.image)
    centres = {c: pv.Centre(f"centre-{c}", p) for c, p in res.centres.items()}
    firewalls = {c: pv.Firewall(f"firewall-{c}", p, opts(centres[c])) for c, p in res.firewalls.items()}
    links = [pv.Link(f"link-{k}", p, opts(centres[p["a"]], centres[p["b"]])) for k, p in res.links.items()]
    routes = [pv.Routes(f"routes-{c}", p, opts(centres[c], *links)) for c, p in res.routes.items()]
    ops = pv.OpsPath("ops-path", res.oob, opts(*centres.values()))
    host_res = {n: pv.Host(f"host-{n}", p, opts(base, centres[p["centre"]], ops))
                for n, p in res.hosts.items()}
    for rkey, p in res.relays.items():
        pv.DelayRelay(f"relay-{rkey}", p,
                      opts(firewalls[p["from_centre"]], host_res[p["to_host"]], *routes))
    # 安全管理中心 services (govcloud.secsvc): collectors first, then every host, then the sensors.
    def services_of(name: str) -> list[str]:
        return list(res.services[name]["services"])

    svc_res: dict[str, pulumi.Resource] = {}
    order = sorted(res.services,
                   key=lambda n: ("log-audit" not in services_of(n), "bastion" in services_of(n)))
    for n in order:
        p = res.services[n]
        deps: list[pulumi.Resource] = [host_res[n], *firewalls.values(), *routes]
        deps += [svc_res[c] for c in svc_res if "log-audit" in services_of(c)]
        if "bastion" in p["services"]:
            deps += list(host_res.values())  # it learns every host's key
        svc_res[n] = pv.HostServices(f"services-{n}", p, opts(*deps))
    for c, p in res.sensors.items():
        pv.IdsSensor(f"ids-{c}", p, opts(host_res[p["host"]], svc_res[p["host"]], *routes, *links))
    if res.ha:  # the drill database's HA stack on the db hosts, through the relays and boundary firewalls
        db_hosts = [host_res[h["name"]] for h in res.ha["hosts"]]
        pv.HaStack("ha-stack", res.ha, opts(*db_hosts, *firewalls.values(), *routes, *links))
    if not preview:
        save_record(spec.stack, res, mechanism)
        plan_copy = naming.run_dir(spec.stack) / "plan.json"  # the plan the lab was built from (soc)
        plan_copy.write_text(json.dumps(spec.plan.dump(), ensure_ascii=False), encoding="utf-8")
    pulumi.export("lab_stack", spec.stack)
    pulumi.export("latency_mechanism", mechanism)
    pulumi.export("hosts", {n: {"ipv4": p["ipv4"], "ipv6": p["ipv6"]} for n, p in res.hosts.items()})
