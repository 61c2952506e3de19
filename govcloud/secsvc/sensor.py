"""A centre's IDS sensor (入侵检测): Suricata on the boundary router (operations of `IdsSensor`).

Binaries, configuration and logs live in the centre's IDS host (its root); the process runs in the
centre router's network namespace, where every inter-zone and inter-centre packet passes, and in a
private mount namespace with that root's /proc and /sys.
"""

from __future__ import annotations

from typing import Any

from govcloud.lab import naming, sh
from govcloud.lab.sh import CommandError, alive
from govcloud.lab.spec import LAB_V4, LAB_V6
from govcloud.secsvc import process, suricata_conf
from govcloud.secsvc.layout import Layout
from govcloud.wait import until

Props = dict[str, Any]
NAME = "suricata"


def props_for(layout: Layout, centre: str) -> Props | None:
    spec = layout.spec
    ids = layout.by_kind.get("ids", {}).get(centre)
    if ids is None:
        return None
    ifaces = [b.name for b in spec.bridges if b.centre == centre]
    for lk in spec.links:
        if centre in (lk.a, lk.b):
            ifaces.append(naming.link_ifname(lk.b if lk.a == centre else lk.a))
    v4, v6 = layout.admin_sources(ids)
    bastions = [a for b in layout.bastions for a in (b.ipv4, b.ipv6)]
    admin = sorted(set(bastions + v4 + v6))
    return {
        "object_id": f"{naming.centre_netns(spec.stack, centre)}/ids", "stack": spec.stack, "centre": centre,
        "router_netns": naming.centre_netns(spec.stack, centre), "host": ids.name, "interfaces": ifaces,
        "config": suricata_conf.config(centre, ifaces, [str(LAB_V4), str(LAB_V6)], admin),
        "rules": suricata_conf.RULES_SOURCE.read_text(encoding="utf-8"),
    }


def create(p: Props) -> Props:
    stack, host = p["stack"], p["host"]
    root = process.rootfs(stack, host)
    process.write(root, suricata_conf.CONF, p["config"])
    process.write(root, suricata_conf.RULES, p["rules"])
    logdir = root / suricata_conf.LOG_DIR.lstrip("/")
    logdir.mkdir(parents=True, exist_ok=True)
    process.stop(stack, host, NAME)
    (logdir / "suricata.log").unlink(missing_ok=True)
    script = (f"mount -t proc proc {root}/proc && mount -t sysfs sysfs {root}/sys && "
              f"exec chroot {root} suricata -c {suricata_conf.CONF} --af-packet -l {suricata_conf.LOG_DIR}")
    cmd = ["ip", "netns", "exec", p["router_netns"], "unshare", "--mount", "--propagation", "private",
           "sh", "-c", script]
    pid = process.spawn_cmd(stack, host, NAME, cmd)
    log = logdir / "suricata.log"

    def started_or_exited() -> str | None:
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        if "engine started" in text.lower():
            return "started"
        return None if alive(pid) else "exited"

    if until(started_or_exited, timeout=90, interval=0.25) == "started":
        return {"pid": pid, "interfaces": p["interfaces"]}
    out = (naming.host_dir(stack, host) / f"{NAME}.log").read_text(encoding="utf-8", errors="replace")
    process.stop(stack, host, NAME)
    raise CommandError(f"Suricata on the boundary of {p['centre']} did not start: {out[-1500:]}")


def present(p: Props) -> bool:
    ns_ok = sh.ok(["ip", "netns", "exec", p["router_netns"], "true"])
    return ns_ok and process.running(p["stack"], p["host"], NAME)


def delete(p: Props) -> None:
    process.stop(p["stack"], p["host"], NAME)
