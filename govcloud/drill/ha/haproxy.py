"""Endpoints that follow Patroni's leader (跟随主库的服务入口): HAProxy.

Two of them: the clients' endpoint in the client's namespace, and in the remote DR centre the
standby cluster's replication source (through the inter-centre delay relays), so the DR cluster
keeps replicating from whichever main-cluster member leads.

Every member is a backend; HAProxy asks each member's Patroni REST API `GET /primary` twice a
second and sends connections only to the one that answers 200. When a member is marked down its
sessions are shut, so clients reconnect to the new leader.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

from govcloud.drill.ha import procs
from govcloud.drill.ha.patroni import REST_PORT
from govcloud.drill.topology import DbNode
from govcloud.lab.netns import entered
from govcloud.wait import until

HAPROXY = "/usr/sbin/haproxy"
LISTEN_PORT = 5000
LISTEN4 = "127.0.0.1"


Backend = tuple[str, str, int, str]  # name, address, port, Patroni REST address to check


def render(backends: list[Backend], stats_socket: Path, port: int) -> str:
    servers = "\n".join(
        f"  server {name} {addr}:{p} check addr {check} port {REST_PORT}" for name, addr, p, check in backends
    )
    return f"""# govcloud: follows Patroni's leader (/primary answers 200 on the leader only)
global
  maxconn 256
  stats socket {stats_socket} mode 600 level admin

defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 1s

listen primary
  bind {LISTEN4}:{port}
  bind [::1]:{port}
  option httpchk
  http-check send meth GET uri /primary
  http-check expect status 200
  default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
{servers}
"""


def direct(nodes: tuple[DbNode, ...]) -> list[Backend]:
    return [(n.centre, n.ipv4, 5432, n.ipv4) for n in nodes]


class HaproxyEndpoint:
    def __init__(
        self, netns: str, backends: list[Backend], root: Path, name: str, port: int = LISTEN_PORT
    ) -> None:
        self.netns = netns
        self.backends = backends
        self.port = port
        self.dir = root
        self.config = root / "haproxy.cfg"
        self.socket = root / "haproxy.sock"
        self.pidfile = root / "haproxy.pid"
        self.name = name

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config.write_text(render(self.backends, self.socket, self.port), encoding="utf-8")
        if procs.read_pid(self.pidfile):
            return
        procs.start(
            self.netns, [HAPROXY, "-db", "-f", str(self.config)], self.pidfile, self.dir / "haproxy.log"
        )
        if until(self.socket.exists, timeout=10, interval=0.05):
            return
        raise RuntimeError(f"haproxy did not start; see {self.dir / 'haproxy.log'} / HAProxy 未能启动")

    def stop(self) -> None:
        procs.stop(self.pidfile, wait_s=5)

    def running(self) -> bool:
        return procs.read_pid(self.pidfile) is not None

    def stat(self) -> dict[str, str]:
        """server (centre) -> HAProxy's status (UP / DOWN / ...), from the stats socket."""
        if not self.socket.exists():
            return {}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(str(self.socket))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        out: dict[str, str] = {}
        lines = data.decode("utf-8", "replace").splitlines()
        if not lines:
            return out
        head = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            row = dict(zip(head, line.split(","), strict=False))
            if row.get("pxname") == "primary" and row.get("svname") not in ("FRONTEND", "BACKEND"):
                out[row["svname"]] = row.get("status", "")
        return out

    def current(self) -> str | None:
        """The one backend HAProxy sends clients to, or None (none or several UP)."""
        up = [name for name, status in self.stat().items() if status.startswith("UP")]
        return up[0] if len(up) == 1 else None

    def wait_current(self, centre: str, timeout: float) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.current() == centre:
                return time.monotonic() - t0
            time.sleep(0.1)
        raise TimeoutError(
            f"endpoint did not follow the leader to {centre} in {timeout:.0f}s: {self.stat()} / "
            "服务入口未跟随主库"
        )

    def reachable(self, timeout: float = 1.0) -> bool:
        with entered(self.netns):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((LISTEN4, self.port))
            return True
        except OSError:
            return False
        finally:
            sock.close()
