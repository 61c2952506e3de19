"""The service endpoint: a DNS name (`db.<stack>.gc.internal`, TTL 0) served by dnsmasq in the
client namespace, pointing at the current primary's IPv4 and IPv6 addresses.

Switching the endpoint = rewrite the hosts file + SIGHUP (dnsmasq re-reads --addn-hosts), then
check the answer. Withdrawing it (part of fencing) = empty hosts file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

from govcloud.drill import dnsquery
from govcloud.drill.topology import DbNode, Topology
from govcloud.lab.netns import setns_path
from govcloud.lab.sh import nsexec, run_proc
from govcloud.wait import until

DNS_LISTEN = "127.0.0.1"


def service_name(stack: str) -> str:
    return f"db.{stack}.gc.internal"


class Endpoint:
    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        self.dir = topo.state_dir / "dns"
        self.hosts = self.dir / "hosts"
        self.pidfile = self.dir / "dnsmasq.pid"
        self.name = service_name(topo.stack)

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text(encoding="utf-8").strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def start(self, node: DbNode | None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self._write(node)
        if self.pid():
            return
        run_proc(
            nsexec(
                self.topo.client_netns,
                "dnsmasq",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                f"--addn-hosts={self.hosts}",
                "--local-ttl=0",
                "--neg-ttl=0",
                f"--listen-address={DNS_LISTEN}",
                "--bind-interfaces",
                "--port=53",
                f"--pid-file={self.pidfile}",
                f"--local=/{self.name.split('.', 1)[1]}/",
            )
        )
        until(self.pid, timeout=5, interval=0.05)

    def stop(self) -> None:
        pid = self.pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            until(lambda: not self.pid(), timeout=5, interval=0.05)

    def _write(self, node: DbNode | None) -> None:
        text = "" if node is None else f"{node.ipv4} {self.name}\n{node.ipv6} {self.name}\n"
        tmp = self.hosts.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o644)
        tmp.replace(self.hosts)

    def point(self, node: DbNode | None, *, verify_s: float = 3.0) -> float:
        """Point the name at `node` (None: withdraw it). Returns seconds until the answer changed."""
        t0 = time.monotonic()
        self._write(node)
        pid = self.pid()
        if pid is None:
            raise RuntimeError("service DNS (dnsmasq) is not running")
        os.kill(pid, signal.SIGHUP)
        want = node.ipv6 if node else None
        if until(lambda: self.answer(6) == want, timeout=verify_s - (time.monotonic() - t0), interval=0.02):
            return time.monotonic() - t0
        raise RuntimeError(f"service DNS did not switch to {node.app if node else 'nothing'}")

    def answer(self, family: int = 6) -> str | None:
        """What a client in the client namespace gets for the service name right now."""
        try:
            return _resolve_in(self.topo.client_netns, self.name, family)
        except (LookupError, OSError):
            return None

    def current(self) -> str | None:
        """The centre id the name points to, from the hosts file."""
        text = self.hosts.read_text(encoding="utf-8") if self.hosts.exists() else ""
        for node in self.topo.nodes:
            if f"{node.ipv4} " in text:
                return node.app
        return None


def _resolve_in(netns: str, name: str, family: int) -> str:
    """Resolve from inside `netns` (the DNS server listens on that namespace's loopback)."""
    result: dict[str, str | BaseException] = {}

    def worker() -> None:
        try:
            setns_path(netns)
            result["addr"] = dnsquery.resolve(name, DNS_LISTEN, family)
        except BaseException as exc:
            result["err"] = exc

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    thread.join(timeout=3)
    if "addr" in result:
        return str(result["addr"])
    err = result.get("err")
    if isinstance(err, LookupError | OSError):
        raise err
    raise LookupError(f"{name}: no answer")
