"""The drill's own small testbed, shaped like the lab (contracts §8), used until the lab lands.

Namespaces `gc-ddev-wan` (the router between centres; also runs the delay relays, the service
DNS and the load generator) and one namespace per centre holding that centre's db host:
`gc-ddev-prod`, `gc-ddev-samecity`, `gc-ddev-dr`. Addresses: 198.19.240.0/20 and fd00:6c:dd::/48.
`up()` returns a `govcloud.lab-status/v1` dict; `down()` removes everything it made.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from govcloud.drill.shell import in_netns, netns_list, netns_pids, run

STACK = "ddev"
PREFIX = f"gc-{STACK}-"
ROUTER = f"{PREFIX}wan"
STATE = Path("/run/govcloud") / STACK
CENTRES: tuple[tuple[int, str, str, str], ...] = (
    (1, "prod", "production", "生产中心"),
    (2, "samecity", "same-city", "同城双活中心"),
    (3, "dr", "remote-dr", "异地灾备中心"),
)
LATENCY_MS = {
    frozenset({"prod", "samecity"}): 1.0,
    frozenset({"prod", "dr"}): 10.0,
    frozenset({"samecity", "dr"}): 10.0,
}


def _addr4(i: int, host: int) -> str:
    return f"198.19.{240 + i}.{host}"


def _addr6(i: int, host: int) -> str:
    return f"fd00:6c:dd:{i}::{host}"


def _ip(ns: str, *args: str) -> None:
    run(["ip", "-n", ns, *args])


def _sysctl(ns: str, *settings: str) -> None:
    run(in_netns(ns, ["sysctl", "-qw", *settings]))


def _build_network() -> None:
    run(["ip", "netns", "add", ROUTER])
    _ip(ROUTER, "link", "set", "lo", "up")
    _sysctl(ROUTER, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")
    for i, cid, _role, _zh in CENTRES:
        ns = f"{PREFIX}{cid}"
        host_if, router_if = f"{PREFIX}h{i}", f"{PREFIX}r{i}"
        run(["ip", "netns", "add", ns])
        _ip(ns, "link", "set", "lo", "up")
        run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", router_if])
        run(["ip", "link", "set", host_if, "netns", ns])
        run(["ip", "link", "set", router_if, "netns", ROUTER])
        _ip(ns, "link", "set", host_if, "name", "eth0")
        _sysctl(ns, "net.ipv6.conf.eth0.accept_dad=0", "net.ipv6.conf.eth0.keep_addr_on_down=1")
        _sysctl(ROUTER, f"net.ipv6.conf.{router_if}.accept_dad=0")
        _ip(ns, "addr", "add", f"{_addr4(i, 2)}/24", "dev", "eth0")
        _ip(ns, "addr", "add", f"{_addr6(i, 2)}/64", "dev", "eth0", "nodad")
        _ip(ROUTER, "addr", "add", f"{_addr4(i, 1)}/24", "dev", router_if)
        _ip(ROUTER, "addr", "add", f"{_addr6(i, 1)}/64", "dev", router_if, "nodad")
        _ip(ns, "link", "set", "eth0", "up")
        _ip(ROUTER, "link", "set", router_if, "up")
        _ip(ns, "route", "add", "default", "via", _addr4(i, 1))
        _ip(ns, "-6", "route", "add", "default", "via", _addr6(i, 1))


def _relay_specs() -> list[dict[str, Any]]:
    specs = []
    for i, src, _r, _z in CENTRES:
        for j, dst, _r2, _z2 in CENTRES:
            if src == dst:
                continue
            specs.append(
                {
                    "from_centre": src,
                    "to_host": f"{dst}-db-1",
                    "listen": f"{_addr4(i, 1)}:{15000 + j}",
                    "target": f"{_addr4(j, 2)}:5432",
                    "delay_ms": LATENCY_MS[frozenset({src, dst})],
                }
            )
    return specs


def _start_relays(specs: list[dict[str, Any]]) -> int:
    spec_file = STATE / "relays.json"
    spec_file.write_text(json.dumps(specs, indent=1), encoding="utf-8")
    log = STATE / "relays.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            in_netns(ROUTER, [sys.executable, "-m", "govcloud.drill.relay", str(spec_file)]),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if "ready" in log.read_text(encoding="utf-8"):
            return proc.pid
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"delay relays did not start: {log.read_text(encoding='utf-8')[-500:]}")


def status() -> dict[str, Any]:
    """The testbed's lab status (govcloud.lab-status/v1 shape), or up=false."""
    path = STATE / "testbed-status.json"
    if path.exists() and ROUTER in netns_list():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {"schema": "govcloud.lab-status/v1", "stack": STACK, "up": False}


def up() -> dict[str, Any]:
    """Build the testbed (after removing any leftover of an earlier run) and return its status."""
    down()
    STATE.mkdir(parents=True, exist_ok=True)
    os.chmod(STATE, 0o755)
    try:
        _build_network()
        specs = _relay_specs()
        relay_pid = _start_relays(specs)
    except BaseException:
        down()
        raise
    centres = [
        {"id": cid, "role": role, "role_zh": zh, "netns": f"{PREFIX}{cid}", "zones": []}
        for _i, cid, role, zh in CENTRES
    ]
    hosts = [
        {
            "name": f"{cid}-db-1",
            "centre": cid,
            "zone": "management",
            "role": "db",
            "netns": f"{PREFIX}{cid}",
            "rootfs": "/",
            "ipv4": _addr4(i, 2),
            "ipv6": _addr6(i, 2),
            "drillable": True,
            "reachable": {"ipv4": True, "ipv6": True},
        }
        for i, cid, _r, _z in CENTRES
    ]
    links = [
        {
            "id": "-".join(sorted(pair)),
            "a": sorted(pair)[0],
            "b": sorted(pair)[1],
            "latency_ms": ms,
            "mechanism": "userspace-relay",
        }
        for pair, ms in LATENCY_MS.items()
    ]
    data = {
        "schema": "govcloud.lab-status/v1",
        "stack": STACK,
        "up": True,
        "latency_mechanism": "userspace-relay",
        "centres": centres,
        "hosts": hosts,
        "links": links,
        "relays": [{k: v for k, v in s.items()} for s in specs],
        "inventory": None,
        "drill": {"client_netns": ROUTER, "testbed": True, "relay_pid": relay_pid},
    }
    (STATE / "testbed-status.json").write_text(
        json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return data


def _kill_all(ns: str) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = netns_pids(ns)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 5
        while netns_pids(ns) and time.monotonic() < deadline:
            time.sleep(0.1)


def down() -> list[str]:
    """Remove every gc-ddev namespace, its processes, links and state. Idempotent."""
    removed = []
    for ns in netns_list():
        if ns.startswith(PREFIX):
            _kill_all(ns)
            run(["ip", "netns", "del", ns], check=False)
            removed.append(ns)
    for line in run(["ip", "-o", "link", "show"], check=False).stdout.splitlines():
        name = line.split(":")[1].strip().split("@")[0] if ":" in line else ""
        if name.startswith(PREFIX):
            run(["ip", "link", "del", name], check=False)
    shutil.rmtree(STATE, ignore_errors=True)
    for path in Path("/etc/netns").glob(f"{PREFIX}*") if Path("/etc/netns").exists() else []:
        shutil.rmtree(path, ignore_errors=True)
    return removed
