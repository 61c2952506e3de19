"""Patroni members (Patroni 高可用管理): configuration, process, REST API and patronictl.

Production and same-city form the main cluster (scope `gc-<stack>`, synchronous_mode); the remote
DR centre is a Patroni standby cluster (scope `gc-<stack>-dr`) replicating asynchronously from the
main cluster. Every member keeps the drill's node layout (data, socket) so the drill's SQL helpers
work unchanged, and its `govcloud.node` setting is the centre id (the load generator's journal names
the node that acknowledged each write; Patroni reserves `cluster_name` for the scope).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from govcloud.drill.ha import procs
from govcloud.drill.ha.settings import HaSettings
from govcloud.drill.pgbin import PG_BIN, as_postgres
from govcloud.drill.pgnode import COMMON_CONF, HBA, PgNode, chown_postgres
from govcloud.drill.topology import DbNode
from govcloud.lab.netns import entered
from govcloud.lab.sh import run_proc
from govcloud.toolchain import patroni as install
from govcloud.wait import until

REST_PORT = 8008
DCS_NAMESPACE = "/govcloud/"  # every scope's keys in etcd: <namespace><scope>/...

_SKIP = {"listen_addresses", "port", "hot_standby", "recovery_target_timeline", "synchronous_commit"}


def _pg_parameters() -> dict[str, Any]:
    """The drill's common postgresql.conf settings, as Patroni parameters."""
    params: dict[str, Any] = {}
    for line in COMMON_CONF.splitlines():
        key, sep, value = line.partition("=")
        if not sep or line.lstrip().startswith("#"):
            continue
        key = key.strip()
        if key not in _SKIP:
            params[key] = value.strip().strip("'")
    return params


def scope(stack: str, dr: bool = False) -> str:
    return f"gc-{stack}-dr" if dr else f"gc-{stack}"


def dcs_prefix(stack: str, dr: bool = False) -> str:
    """Where Patroni keeps the scope's keys in etcd."""
    return f"{DCS_NAMESPACE}{scope(stack, dr)}/"


def render(
    *,
    stack: str,
    node: DbNode,
    pg: PgNode,
    settings: HaSettings,
    etcd_hosts: list[str],
    passwords: dict[str, str],
    standby_of: tuple[str, int] | None,
) -> dict[str, Any]:
    """One member's patroni.yml."""
    dcs: dict[str, Any] = {
        "ttl": settings.ttl,
        "loop_wait": settings.loop_wait,
        "retry_timeout": settings.retry_timeout,
        "maximum_lag_on_failover": settings.maximum_lag_on_failover,
        "synchronous_mode": settings.synchronous_mode and standby_of is None,
        "synchronous_node_count": 1,
        "postgresql": {
            "use_pg_rewind": True,
            "use_slots": True,
            "parameters": {**_pg_parameters(), "max_replication_slots": 10},
        },
    }
    if standby_of is not None:
        dcs["standby_cluster"] = {
            "host": standby_of[0],
            "port": standby_of[1],
            "create_replica_methods": ["basebackup"],
        }
    hba = [line for line in HBA.splitlines() if line.strip()]
    return {
        "scope": scope(stack, dr=standby_of is not None),
        "namespace": DCS_NAMESPACE,
        "name": node.centre,
        "restapi": {"listen": f"0.0.0.0:{REST_PORT}", "connect_address": f"{node.ipv4}:{REST_PORT}"},
        "etcd3": {"hosts": etcd_hosts, "protocol": "http"},
        "bootstrap": {
            "dcs": dcs,
            "initdb": [{"encoding": "UTF8"}, "data-checksums", {"locale": "C.UTF-8"}],
        },
        "postgresql": {
            "listen": "*:5432",
            "connect_address": f"{node.ipv4}:5432",
            "data_dir": str(pg.data),
            "bin_dir": PG_BIN,
            "pgpass": str(pg.dir / "pgpass-patroni"),
            "use_unix_socket": True,
            "basebackup": [{"checkpoint": "fast"}],
            "authentication": {
                "superuser": {"username": "postgres", "password": passwords["postgres"]},
                "replication": {"username": "replicator", "password": passwords["replicator"]},
                "rewind": {"username": "postgres", "password": passwords["postgres"]},
            },
            # Patroni sets cluster_name to the scope; the centre that served a write is a custom setting
            "parameters": {"govcloud.node": node.centre, "unix_socket_directories": str(pg.sock)},
            # Patroni reads a member's own timeline over a local replication connection
            "pg_hba": [
                *hba,
                "local   replication  all          peer map=gcadmin",
                "host    replication  replicator   127.0.0.1/32  scram-sha-256",
                "host    replication  replicator   ::1/128       scram-sha-256",
            ],
            "pg_ident": ["gcadmin root postgres", "gcadmin postgres postgres"],
        },
        "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False},
    }


class PatroniMember:
    def __init__(self, node: DbNode, pg: PgNode) -> None:
        self.node = node
        self.pg = pg
        self.config = pg.dir / "patroni.yml"
        self.pidfile = pg.dir / "patroni.pid"
        self.log = pg.dir / "patroni.log"

    @property
    def centre(self) -> str:
        return self.node.centre

    def write_config(self, config: dict[str, Any]) -> None:
        self.pg.prepare_dirs()
        self.config.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
        chown_postgres(self.config, 0o600)

    def start(self) -> int:
        self.pg.prepare_dirs()
        argv = ["runuser", "-u", "postgres", "--", str(install.bin_path("patroni")), str(self.config)]
        # libpq in the WAL receiver inherits it: a dead host in the standby cluster's host list is given
        # up after 3 s instead of the kernel's SYN retries (about 2 minutes)
        return procs.start(self.node.netns, argv, self.pidfile, self.log, env={"PGCONNECT_TIMEOUT": "3"})

    def running(self) -> bool:
        return procs.read_pid(self.pidfile) is not None

    def stop(self) -> int | None:
        """Patroni stops its postgres cleanly on SIGTERM."""
        return procs.stop(self.pidfile, wait_s=60)

    def log_offset(self) -> int:
        """Bytes in the Patroni log now: pass to `log_since` to read what a phase added."""
        try:
            return int(self.log.stat().st_size)
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        try:
            return self.log.read_bytes()[offset:].decode("utf-8", "replace")
        except OSError:
            return ""

    def restart_agent(self) -> int:
        """Restart Patroni alone: its process group is killed, but the postmaster runs in a session
        of its own and keeps serving; the new agent adopts the running PostgreSQL and reads the DCS
        afresh (a Patroni crash and restart, as a service manager would do it)."""
        procs.kill(self.pidfile)
        return self.start()

    def kill(self) -> int | None:
        """Power-off analogue: Patroni and its postgres die at once."""
        pid = procs.kill(self.pidfile)
        self.pg.kill()
        return pid

    # -- REST API (from the member's own namespace) ------------------------------------------
    def rest(self, path: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
        url = f"http://{self.node.ipv4}:{REST_PORT}{path}"
        with entered(self.node.netns):
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    return int(resp.status), json.loads(resp.read() or b"{}")
            except urllib.error.HTTPError as exc:
                body = exc.read()
                try:
                    return int(exc.code), json.loads(body or b"{}")
                except ValueError:
                    return int(exc.code), {}
            except (OSError, ValueError):
                return 0, {}

    def role(self) -> str:
        """Patroni's view of this member: primary | replica | standby_leader | ... | unreachable."""
        code, body = self.rest("/patroni")
        return str(body.get("role", "unreachable")) if code else "unreachable"

    def ctl(self, *args: str, timeout: float = 60.0, check: bool = True) -> str:
        proc = run_proc(
            as_postgres(
                self.node.netns, [str(install.bin_path("patronictl")), "-c", str(self.config), *args]
            ),
            timeout=timeout,
            check=check,
        )
        return proc.stdout + proc.stderr

    def cluster(self) -> list[dict[str, Any]]:
        """`patronictl list -f json` of this member's scope."""
        out = self.ctl("list", "-f", "json", timeout=20)
        start = out.find("[")
        rows: list[dict[str, Any]] = json.loads(out[start:]) if start >= 0 else []
        return rows

    def wait_role(self, roles: tuple[str, ...], timeout: float) -> str:
        seen = ["unreachable"]

        def in_role() -> str | None:
            seen[0] = self.role()
            return seen[0] if seen[0] in roles else None

        role = until(in_role, timeout=timeout, interval=0.2)
        if role is not None:
            return role
        raise TimeoutError(f"{self.centre}: Patroni role {seen[0]}, expected {roles} within {timeout:.0f}s")


def rewound_by_patroni(log_text: str) -> bool:
    """Patroni's log (a part of it) shows a successful pg_rewind."""
    return "running pg_rewind from" in log_text and "pg_rewind exit code=0" in log_text


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
