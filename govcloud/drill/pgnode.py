"""One PostgreSQL 15 instance inside a db host's network namespace (data under /run/govcloud)."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
from pathlib import Path
from typing import Any

import psycopg
from psycopg.sql import SQL, Composed

from govcloud.drill.pgbin import as_postgres, pg_bin
from govcloud.drill.topology import DbNode
from govcloud.lab.sh import CommandError, alive, run_proc
from govcloud.wait import until

POSTGRES_UID_NAME = "postgres"

COMMON_CONF = """
# govcloud drill service (灾备演练数据库服务): identical on every node; node-specific settings
# (cluster_name, socket directory) are passed on the command line so that pg_basebackup and
# pg_rewind, which copy configuration files in full, cannot carry them to another node.
listen_addresses = '*'
port = 5432
max_connections = 40
shared_buffers = '32MB'
wal_level = replica
max_wal_senders = 10
wal_keep_size = '128MB'
hot_standby = on
wal_log_hints = on
synchronous_commit = on
wal_sender_timeout = '3s'
wal_receiver_timeout = '3s'
wal_receiver_status_interval = '1s'
wal_retrieve_retry_interval = '1s'
recovery_target_timeline = 'latest'
log_line_prefix = '%m [%p] %q%a '
"""

HBA = """local   all          all                       peer map=gcadmin
host    all          all          198.18.0.0/15 scram-sha-256
host    all          all          fd00::/8      scram-sha-256
host    replication  replicator   198.18.0.0/15 scram-sha-256
host    replication  replicator   fd00::/8      scram-sha-256
"""

IDENT = "gcadmin root postgres\ngcadmin postgres postgres\n"


class NodeFencedError(RuntimeError):
    """The node carries the FENCED marker: it must be rewound before it may start (已隔离)."""


class PgNode:
    def __init__(self, node: DbNode, root: Path, passfile: Path) -> None:
        self.node = node
        self.dir = root / node.app
        self.data = self.dir / "data"
        self.sock = self.dir / "sock"
        self.log = self.dir / "postgres.log"
        self.fence_marker = self.dir / "FENCED"
        self.passfile = passfile

    @property
    def app(self) -> str:
        return self.node.app

    # -- lifecycle ---------------------------------------------------------------------------
    def _pg(self, tool: str, *args: str, timeout: float = 120.0, check: bool = True) -> str:
        proc = run_proc(as_postgres(self.node.netns, [pg_bin(tool), *args]), timeout=timeout, check=check)
        return proc.stdout + proc.stderr

    def prepare_dirs(self) -> None:
        for path in (self.dir, self.sock):
            path.mkdir(parents=True, exist_ok=True)
            _chown_postgres(path, 0o700)

    def options(self) -> str:
        return f"-c cluster_name={self.app} -c unix_socket_directories={self.sock}"

    def start(self, *, wait_s: float = 60.0) -> None:
        if self.fence_marker.exists():
            raise NodeFencedError(f"{self.app}: FENCED marker present ({self.fence_marker}); rewind first")
        pid = self.postmaster_pid()
        if pid is not None and not alive(pid):
            # a killed postmaster may linger as a zombie until PID 1 reaps it; postgres would take
            # the zombie for a live postmaster and refuse to start
            (self.data / "postmaster.pid").unlink(missing_ok=True)
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            str(int(wait_s)),
            "-o",
            self.options(),
            "start",
            timeout=wait_s + 10,
        )

    def stop(self, mode: str = "fast", *, wait_s: float = 60.0) -> None:
        if self.running():
            self._pg(
                "pg_ctl",
                "-D",
                str(self.data),
                "-m",
                mode,
                "-w",
                "-t",
                str(int(wait_s)),
                "stop",
                timeout=wait_s + 10,
            )

    def running(self) -> bool:
        """The postmaster named in postmaster.pid is alive (a zombie awaiting reaping is not)."""
        pid = self.postmaster_pid()
        return pid is not None and alive(pid)

    def postmaster_pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        try:
            return int(pidfile.read_text(encoding="utf-8").splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> int | None:
        """SIGKILL the postmaster's whole process group (power-off analogue). Returns the pid."""
        pid = self.postmaster_pid()
        if pid is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        until(lambda: not alive(pid), timeout=10, interval=0.05)
        return pid

    def fence_mark(self, reason: str) -> None:
        self.fence_marker.write_text(reason + "\n", encoding="utf-8")

    def fence_clear(self) -> None:
        self.fence_marker.unlink(missing_ok=True)

    # -- configuration -----------------------------------------------------------------------
    def initdb(self) -> None:
        self.prepare_dirs()
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
            "--data-checksums",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(COMMON_CONF)
        (self.data / "pg_hba.conf").write_text(HBA, encoding="utf-8")
        (self.data / "pg_ident.conf").write_text(IDENT, encoding="utf-8")

    def conninfo_to(self, host: str, port: int, user: str = "replicator") -> str:
        return (
            f"host={host} port={port} user={user} passfile={self.passfile} application_name={self.app} "
            "connect_timeout=2 keepalives_idle=2 keepalives_interval=1 keepalives_count=3 "
            "tcp_user_timeout=3000"
        )

    def write_standby_config(self, host: str, port: int) -> None:
        """Offline: standby.signal plus an auto.conf we own entirely (pg_rewind copies the source's)."""
        auto = self.data / "postgresql.auto.conf"
        auto.write_text(
            "# managed by govcloud.drill\n"
            f"primary_conninfo = '{self.conninfo_to(host, port)}'\n"
            "synchronous_standby_names = ''\n",
            encoding="utf-8",
        )
        (self.data / "standby.signal").write_text("", encoding="utf-8")
        for path in (auto, self.data / "standby.signal"):
            _chown_postgres(path, 0o600)

    def wipe_data(self) -> None:
        """An empty data directory (Patroni re-clones a member that has none)."""
        run_proc(["rm", "-rf", str(self.data)])

    def basebackup(self, host: str, port: int) -> None:
        self.prepare_dirs()
        self.wipe_data()
        self._pg(
            "pg_basebackup",
            "-d",
            self.conninfo_to(host, port),
            "-D",
            str(self.data),
            "-X",
            "stream",
            "-c",
            "fast",
            timeout=300,
        )

    def rewind(self, host: str, port: int) -> str:
        # a target not shut down cleanly is first recovered by pg_rewind in single-user mode, which
        # refuses standby mode: the signal files go (the caller writes its own standby settings after)
        for name in ("standby.signal", "recovery.signal"):
            (self.data / name).unlink(missing_ok=True)
        source = (
            f"host={host} port={port} user=postgres dbname=postgres passfile={self.passfile} "
            "connect_timeout=5"
        )
        return self._pg(
            "pg_rewind", "-D", str(self.data), f"--source-server={source}", "--progress", timeout=300
        )

    def controldata(self) -> dict[str, str]:
        out = self._pg("pg_controldata", "-D", str(self.data), timeout=30)
        result = {}
        for line in out.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                result[key.strip()] = value.strip()
        return result

    def waldump_commits(self, timeline: int, start_lsn: str) -> dict[str, Any]:
        """Server-side RPO cross-check: COMMIT records and WAL bytes after `start_lsn` in this pg_wal."""
        proc = run_proc(
            as_postgres(
                self.node.netns,
                [
                    pg_bin("pg_waldump"),
                    "-p",
                    str(self.data / "pg_wal"),
                    "-t",
                    str(timeline),
                    "-s",
                    start_lsn,
                    "-r",
                    "Transaction",
                ],
            ),
            check=False,
            timeout=120,
        )
        commits = sum(1 for line in proc.stdout.splitlines() if "COMMIT" in line)
        end = None
        for raw in proc.stderr.replace(",", " ").split():
            token = raw.strip(":;.")
            if "/" in token and all(
                part and all(c in "0123456789ABCDEF" for c in part) for part in token.split("/")
            ):
                end = token
        return {
            "timeline": timeline,
            "start_lsn": start_lsn,
            "end_lsn": end,
            "commits_after": commits,
            "wal_bytes_after": _lsn_diff(end, start_lsn) if end else None,
            "stderr": proc.stderr.strip()[-300:],
        }

    # -- SQL over the unix socket (out-of-band admin path) -------------------------------------
    def connect(self, dbname: str = "postgres", timeout: float = 5.0) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=str(self.sock),
            user="postgres",
            dbname=dbname,
            connect_timeout=max(2, int(timeout)),
            autocommit=True,
        )

    def query(
        self, stmt: str | SQL | Composed, params: tuple[Any, ...] = (), dbname: str = "postgres"
    ) -> list[tuple[Any, ...]]:
        with self.connect(dbname) as conn:
            cur = conn.execute(stmt.encode() if isinstance(stmt, str) else stmt, params)
            return cur.fetchall() if cur.description else []

    def scalar(
        self, stmt: str | SQL | Composed, params: tuple[Any, ...] = (), dbname: str = "postgres"
    ) -> Any:
        rows = self.query(stmt, params, dbname)
        return rows[0][0] if rows else None

    def in_recovery(self) -> bool:
        return bool(self.scalar("SELECT pg_is_in_recovery()"))


def _chown_postgres(path: Path, mode: int) -> None:
    pw = pwd.getpwnam(POSTGRES_UID_NAME)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    os.chmod(path, mode)


def chown_postgres(path: Path, mode: int) -> None:
    _chown_postgres(path, mode)


def lsn_int(lsn: str) -> int:
    hi, lo = lsn.split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


def _lsn_diff(a: str, b: str) -> int:
    return lsn_int(a) - lsn_int(b)


__all__ = ["CommandError", "NodeFencedError", "PgNode", "chown_postgres", "lsn_int"]
