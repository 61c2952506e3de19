"""Network namespaces: the one helper for them. Namespace and link primitives over iproute2
(idempotent, every name given by naming.py), and sockets opened inside another namespace from this
process (setns on the calling thread, for probes without forking `ip netns exec`; namespaces are per
thread on Linux and a socket keeps the namespace it was created in)."""

from __future__ import annotations

import ctypes
import functools
import json
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from govcloud.lab.sh import CommandError, alive, nsexec, ok, run
from govcloud.wait import until

NETNS_DIR = "/run/netns"


def exists(netns: str) -> bool:
    return os.path.exists(os.path.join(NETNS_DIR, netns))


def list_netns(prefix: str) -> list[str]:
    if not os.path.isdir(NETNS_DIR):
        return []
    return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(prefix))


def ensure(netns: str, *, forwarding: bool = False) -> None:
    """Create the namespace (if absent) with lo up, no IPv6 DAD, and optionally forwarding on."""
    if not exists(netns):
        run(["ip", "netns", "add", netns])
    run(["ip", "-n", netns, "link", "set", "lo", "up"])
    sysctls = [
        "net.ipv6.conf.all.accept_dad=0",
        "net.ipv6.conf.default.accept_dad=0",
        "net.ipv6.conf.all.accept_ra=0",
        "net.ipv6.conf.default.accept_ra=0",
        "net.ipv6.conf.all.keep_addr_on_down=1",
        "net.ipv6.conf.default.keep_addr_on_down=1",
    ]
    if forwarding:
        sysctls += ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]
    run(nsexec(netns, "sysctl", "-qw", *sysctls))


def pids(netns: str) -> list[int]:
    if not exists(netns):
        return []
    out = run(["ip", "netns", "pids", netns], check=False)
    return [int(p) for p in out.split() if p.isdigit()]


def kill_pids(found: list[int], grace_s: float = 3.0) -> None:
    """TERM, wait up to grace_s, then KILL (bounded)."""
    def all_gone(pids: list[int]) -> bool:
        return not any(alive(p) for p in pids)

    for sig in (signal.SIGTERM, signal.SIGKILL):
        signalled: list[int] = []
        for pid in found:
            try:
                os.kill(pid, sig)
                signalled.append(pid)
            except ProcessLookupError:
                pass
        if not signalled:
            return
        until(functools.partial(all_gone, signalled), timeout=grace_s, interval=0.05)
        found = [p for p in signalled if alive(p)]


def rooted_at(root: Path) -> list[int]:
    """Processes whose root directory is `root` or below (daemons chrooted into a lab host)."""
    prefix = str(root).rstrip("/")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            target = os.readlink(entry / "root")
        except OSError:
            continue
        if target == prefix or target.startswith(prefix + "/"):
            found.append(int(entry.name))
    return found


def delete(netns: str) -> None:
    """Stop every process in the namespace, then delete it (its veth ends go with it)."""
    if not exists(netns):
        return
    kill_pids(pids(netns))
    run(["ip", "netns", "del", netns], check=False)
    if exists(netns):  # a stale mount point with no namespace behind it
        run(["umount", "-l", os.path.join(NETNS_DIR, netns)], check=False)
        run(["rm", "-f", os.path.join(NETNS_DIR, netns)], check=False)


def link_exists(netns: str, ifname: str) -> bool:
    return exists(netns) and ok(["ip", "-n", netns, "link", "show", "dev", ifname])


def veth(ns_a: str, if_a: str, ns_b: str, if_b: str) -> None:
    """A veth pair created directly inside the two namespaces: never visible in the root namespace."""
    if link_exists(ns_a, if_a):
        run(["ip", "-n", ns_a, "link", "del", if_a])
    if link_exists(ns_b, if_b):
        run(["ip", "-n", ns_b, "link", "del", if_b])
    run(["ip", "link", "add", if_a, "netns", ns_a, "type", "veth", "peer", "name", if_b, "netns", ns_b])
    for ns, ifname in ((ns_a, if_a), (ns_b, if_b)):
        run(nsexec(ns, "sysctl", "-qw", f"net.ipv6.conf.{ifname}.accept_dad=0",
                   f"net.ipv6.conf.{ifname}.keep_addr_on_down=1"))


def bridge(netns: str, name: str) -> None:
    if not link_exists(netns, name):
        run(["ip", "-n", netns, "link", "add", name, "type", "bridge"])
    run(nsexec(netns, "sysctl", "-qw", f"net.ipv6.conf.{name}.accept_dad=0",
               f"net.ipv6.conf.{name}.keep_addr_on_down=1"))
    up(netns, name)


def enslave(netns: str, ifname: str, bridge_name: str) -> None:
    run(["ip", "-n", netns, "link", "set", ifname, "master", bridge_name])


def up(netns: str, ifname: str) -> None:
    run(["ip", "-n", netns, "link", "set", ifname, "up"])


def addr(netns: str, ifname: str, cidr: str) -> None:
    """`ip addr replace` (idempotent); IPv6 with nodad so the address is usable at once."""
    extra = ["nodad"] if ":" in cidr else []
    run(["ip", "-n", netns, "addr", "replace", cidr, "dev", ifname, *extra])


def route(netns: str, prefix_: str, via: str, dev: str | None = None) -> None:
    fam = "-6" if ":" in prefix_ or ":" in via else "-4"
    cmd = ["ip", "-n", netns, fam, "route", "replace", prefix_, "via", via]
    if dev:
        cmd += ["dev", dev]
    run(cmd)


def routes(netns: str, family: str) -> list[dict[str, Any]]:
    out = run(["ip", "-j", "-n", netns, family, "route", "show"], check=False)
    try:
        data = json.loads(out or "[]")
    except json.JSONDecodeError:
        return []
    return data if isinstance(data, list) else []


def addresses(netns: str, ifname: str) -> list[str]:
    if not link_exists(netns, ifname):
        return []
    out = run(["ip", "-j", "-n", netns, "addr", "show", "dev", ifname], check=False)
    result: list[str] = []
    try:
        for item in json.loads(out or "[]"):
            for a in item.get("addr_info", []):
                result.append(f"{a['local']}/{a['prefixlen']}")
    except (json.JSONDecodeError, KeyError):
        raise CommandError(f"cannot parse addresses of {ifname} in {netns}") from None
    return result


# ---- in-process: enter a namespace on the calling thread --------------------------------------------

CLONE_NEWNET = 0x40000000
_LIBC = ctypes.CDLL(None, use_errno=True)
_LOCK = threading.Lock()


def _setns(fd: int) -> None:
    if _LIBC.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def setns_path(netns: str) -> None:
    """Move the calling thread into /run/netns/<netns> for good (use in a dedicated thread)."""
    fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        _setns(fd)
    finally:
        os.close(fd)


@contextmanager
def entered(netns: str) -> Iterator[None]:
    """Switch the calling thread into /run/netns/<netns> for the duration of the block."""
    with _LOCK:
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
        try:
            _setns(target)
            try:
                yield
            finally:
                _setns(home)
        finally:
            os.close(target)
            os.close(home)


def tcp_open(netns: str, host: str, port: int, timeout: float) -> bool:
    """True when a TCP connection from `netns` to host:port is accepted within `timeout` seconds."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with entered(netns):
        sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((host, port))
        return True
    except OSError:
        return False
    finally:
        sock.close()
