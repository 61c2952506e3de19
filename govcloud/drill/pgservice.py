"""The replicated database service (灾备演练数据库服务): PostgreSQL 15 primary in the production
centre, synchronous standby in the same-city centre, asynchronous standby in the remote DR centre,
replication over the inter-centre paths (through the lab's delay relays), DNS service endpoint.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from govcloud.drill import faults
from govcloud.drill.endpoint import DNS_LISTEN, Endpoint
from govcloud.drill.pgnode import CommandError, PgNode, chown_postgres, lsn_int
from govcloud.drill.topology import Topology
from govcloud.lab.netns import tcp_open
from govcloud.lab.sh import sweep
from govcloud.wait import until

SERVICE_SCHEMA = "govcloud.drill-service/v1"
APP_DB = "govcloud"
APP_USER = "drill_app"

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS drill_seq (
  run_id      text        NOT NULL,
  n           bigint      NOT NULL,
  payload     text        NOT NULL,
  client_wall bigint      NOT NULL,
  server_ts   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (run_id, n)
)
"""


class ServiceError(RuntimeError):
    """The database service is not in the state a step needs (数据库服务状态异常)."""


class Service:
    mode = "manual"

    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        self.root = topo.state_dir / "pg"
        self.secrets = topo.state_dir / "secrets"
        self.passfile = self.secrets / "pgpass"
        self.state_file = topo.state_dir / "service.json"
        self.nodes = {n.app: PgNode(n, self.root, self.passfile) for n in topo.nodes}
        self.endpoint = Endpoint(topo)
        self.prod = topo.production.app
        self.city = topo.same_city.app
        self.remote = topo.remote.app

    # -- state ---------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.state_file.exists()

    def state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            raise ServiceError(
                f"no drill database service for stack {self.topo.stack} (run: govcloud drill service up)"
            )
        data: dict[str, Any] = json.loads(self.state_file.read_text(encoding="utf-8"))
        return data

    def save(self, state: dict[str, Any]) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        tmp.replace(self.state_file)

    def update(self, **changes: Any) -> dict[str, Any]:
        state = self.state()
        state.update(changes)
        self.save(state)
        return state

    def password(self, user: str) -> str:
        data: dict[str, str] = json.loads((self.secrets / "passwords.json").read_text(encoding="utf-8"))
        return data[user]

    def client_endpoint(self, family: int) -> dict[str, Any]:
        """How the load generator reaches the primary: the DNS name, resolved at every connect."""
        return {"name": self.endpoint.name, "dns_server": DNS_LISTEN, "family": family}

    def refusal(self, scenario: str) -> str | None:
        """Why a drill of `scenario` must not start on this service (None: nothing against it)."""
        return None

    def endpoint_current(self) -> str | None:
        return self.endpoint.current()

    def app_dsn_parts(self) -> dict[str, str]:
        return {"dbname": APP_DB, "user": APP_USER, "password": self.password(APP_USER)}

    # -- bootstrap / teardown ------------------------------------------------------------------
    def prepare_dirs_and_secrets(self, *extra: Path) -> dict[str, str]:
        """State directories, fresh passwords (postgres, replicator, the app user) and the passfile."""
        for path in (self.topo.state_dir.parent, self.topo.state_dir, self.root, *extra):
            path.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o755)
        self.secrets.mkdir(parents=True, exist_ok=True)
        chown_postgres(self.secrets, 0o700)
        passwords = {u: secrets.token_urlsafe(18) for u in ("postgres", "replicator", APP_USER)}
        (self.secrets / "passwords.json").write_text(json.dumps(passwords), encoding="utf-8")
        os.chmod(self.secrets / "passwords.json", 0o600)
        self.passfile.write_text("".join(f"*:*:*:{u}:{p}\n" for u, p in passwords.items()), encoding="utf-8")
        chown_postgres(self.passfile, 0o600)
        return passwords

    def create_app_database(self, primary: PgNode, passwords: dict[str, str]) -> None:
        """The drill's application role, database and sequenced-writes table, on the primary."""
        for stmt in (
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(APP_USER), sql.Literal(passwords[APP_USER])
            ),
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(APP_DB), sql.Identifier(APP_USER)),
        ):
            primary.query(stmt)
        primary.query(SCHEMA_SQL, dbname=APP_DB)
        primary.query(
            sql.SQL("ALTER TABLE drill_seq OWNER TO {}").format(sql.Identifier(APP_USER)), dbname=APP_DB
        )

    def up(self) -> dict[str, Any]:
        self.down()
        passwords = self.prepare_dirs_and_secrets()
        try:
            primary = self.nodes[self.prod]
            primary.initdb()
            primary.start()
            for stmt in (
                sql.SQL("ALTER ROLE postgres PASSWORD {}").format(sql.Literal(passwords["postgres"])),
                sql.SQL("CREATE ROLE replicator REPLICATION LOGIN PASSWORD {}").format(
                    sql.Literal(passwords["replicator"])
                ),
            ):
                primary.query(stmt)
            self.create_app_database(primary, passwords)
            for app in (self.city, self.remote):
                node = self.nodes[app]
                host, port, _ = self.topo.path(node.node, primary.node)
                node.basebackup(host, port)
                node.write_standby_config(host, port)
                node.start()
            for app in (self.city, self.remote):
                self.wait_streaming(self.prod, app, 30)
            self.set_sync(self.prod, self.city)
            self.endpoint.start(primary.node)
        except BaseException:
            self.down()
            raise
        return self.save_initial_state()

    def save_initial_state(self, **extra: Any) -> dict[str, Any]:
        """The service's state document as provisioned: canonical roles, nothing fenced."""
        state = {
            "schema": SERVICE_SCHEMA,
            "stack": self.topo.stack,
            "mode": self.mode,
            **extra,
            "primary": self.prod,
            "upstream": {self.city: self.prod, self.remote: self.prod},
            "sync": self.city,
            "fenced": [],
            "endpoint": self.prod,
            "created": time.time(),
        }
        self.save(state)
        return state

    def down(self) -> None:
        """Stop every postgres and the DNS of this service, drop its nft tables, remove its files."""
        for node in self.nodes.values():
            if node.postmaster_pid() is not None:
                node.kill()
            faults.heal(self.topo.stack, node.node)
            faults.unfence(self.topo.stack, node.node)
        self.endpoint.stop()
        sweep(self.topo.state_dir)
        for path in (self.root, self.secrets, self.endpoint.dir):
            shutil.rmtree(path, ignore_errors=True)
        self.state_file.unlink(missing_ok=True)

    # -- replication -----------------------------------------------------------------------------
    def replication(self, primary: str) -> list[dict[str, Any]]:
        rows = self.nodes[primary].query(
            "SELECT application_name, state, sync_state, pg_current_wal_lsn()::text, sent_lsn::text, "
            "flush_lsn::text, replay_lsn::text, "
            "pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn)::bigint, "
            "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, "
            "extract(epoch FROM now() - reply_time)::float8, "
            "extract(epoch FROM flush_lag)::float8, extract(epoch FROM replay_lag)::float8 "
            "FROM pg_stat_replication ORDER BY application_name"
        )
        keys = (
            "standby",
            "state",
            "sync_state",
            "primary_lsn",
            "sent_lsn",
            "flush_lsn",
            "replay_lsn",
            "flush_lag_bytes",
            "replay_lag_bytes",
            "reply_age_s",
            "flush_lag_s",
            "replay_lag_s",
        )
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def wait_streaming(self, primary: str, standby: str, timeout: float) -> dict[str, Any]:
        last: list[dict[str, Any]] = []

        def streaming() -> dict[str, Any] | None:
            try:
                last[:] = self.replication(primary)
            except psycopg.OperationalError:  # the primary restarting (e.g. under Patroni): retry
                return None
            return next((r for r in last if r["standby"] == standby and r["state"] == "streaming"), None)

        row = until(streaming, timeout=timeout)
        if row is not None:
            return row
        raise ServiceError(f"{standby} is not streaming from {primary} after {timeout:.0f}s: {last}")

    def wait_caught_up(self, primary: str, standby: str, timeout: float) -> bool:
        target = lsn_int(str(self.nodes[primary].scalar("SELECT pg_current_wal_lsn()::text")))
        def replayed() -> bool:
            replay = self.nodes[standby].scalar("SELECT pg_last_wal_replay_lsn()::text")
            return bool(replay) and lsn_int(str(replay)) >= target

        return bool(until(replayed, timeout=timeout))

    def set_sync(self, primary: str, standby: str | None) -> None:
        value = f'FIRST 1 ("{standby}")' if standby else ""
        node = self.nodes[primary]
        node.query(sql.SQL("ALTER SYSTEM SET synchronous_standby_names = {}").format(sql.Literal(value)))
        node.query("SELECT pg_reload_conf()")

    def conninfo(self, standby: str, upstream: str) -> tuple[str, int]:
        host, port, _ = self.topo.path(self.nodes[standby].node, self.nodes[upstream].node)
        return host, port

    def following(self, standby: str, upstream: str) -> bool:
        """The standby's WAL receiver streams the upstream's current timeline."""
        tli = int(self.nodes[upstream].scalar("SELECT timeline_id FROM pg_control_checkpoint()"))
        rows = self.nodes[standby].query("SELECT status, received_tli FROM pg_stat_wal_receiver")
        return bool(rows) and rows[0][0] == "streaming" and int(rows[0][1] or 0) >= tli

    def repoint(self, standby: str, upstream: str, timeout: float = 15.0) -> bool:
        """Online re-point (primary_conninfo is reloadable since PG 13); False if it cannot follow."""
        node = self.nodes[standby]
        host, port = self.conninfo(standby, upstream)
        node.query(
            sql.SQL("ALTER SYSTEM SET primary_conninfo = {}").format(
                sql.Literal(node.conninfo_to(host, port))
            )
        )
        node.query("SELECT pg_reload_conf()")
        return bool(until(lambda: self.following(standby, upstream), timeout=timeout, interval=0.2))

    def rebuild_as_standby(self, app: str, upstream: str) -> dict[str, Any]:
        """pg_rewind `app` against `upstream` (re-basebackup if rewind fails) and start it as standby."""
        node = self.nodes[app]
        entry: dict[str, Any] = {}
        if node.running():
            node.stop("fast")
        host, port = self.conninfo(app, upstream)
        until(lambda: tcp_open(node.node.netns, host, port, 0.5), timeout=10)  # P6: a heal may take a moment
        t0 = time.monotonic()
        try:
            entry["rewind_output"] = node.rewind(host, port)[-600:]
            entry["method"] = "pg_rewind"
        except CommandError as exc:
            entry["rewind_error"] = exc.stderr[-600:]
            node.basebackup(host, port)
            entry["method"] = "pg_basebackup (rewind failed)"
        entry["rewind_s"] = round(time.monotonic() - t0, 3)
        node.write_standby_config(host, port)
        node.fence_clear()
        node.start()
        self.wait_streaming(upstream, app, 60)
        return entry

    def detach(self, standby: str) -> None:
        """Stop a standby's replication (empty primary_conninfo): it keeps what it has replayed."""
        node = self.nodes[standby]
        node.query("ALTER SYSTEM SET primary_conninfo = ''")
        node.query("SELECT pg_reload_conf()")

    def promote(self, app: str) -> dict[str, Any]:
        node = self.nodes[app]
        t0 = time.monotonic()
        ok = node.scalar("SELECT pg_promote(true, 30)")
        if not ok:
            raise ServiceError(f"pg_promote on {app} did not complete")
        t_promoted = time.monotonic()
        node.query("CHECKPOINT")  # else a later pg_rewind may see timeline 1 in pg_control (P10)
        return {
            "promote_s": t_promoted - t0,
            "checkpoint_s": time.monotonic() - t_promoted,
            "timeline": node.scalar("SELECT timeline_id FROM pg_control_checkpoint()"),
        }

    def switch_point(self, app: str) -> tuple[int, str] | None:
        """(parent timeline, LSN) where the newest timeline of `app` forked: last line of its history."""
        # the timeline of the WAL being written now: pg_control's checkpoint timeline lags a promotion
        # until the next checkpoint (Patroni does not force one), and would name an older fork
        walfile = str(self.nodes[app].scalar("SELECT pg_walfile_name(pg_current_wal_lsn())"))
        tli = int(walfile[:8], 16)
        if tli < 2:
            return None
        text = str(self.nodes[app].scalar("SELECT pg_read_file(%s)", (f"pg_wal/{tli:08X}.history",)))
        last = [line for line in text.splitlines() if line.strip()][-1].split()
        return int(last[0]), last[1]

    def writable(self) -> list[str]:
        """Every running node that answers pg_is_in_recovery() = false (split-brain check)."""
        found = []
        for app, node in self.nodes.items():
            if node.running():
                try:
                    if not node.in_recovery():
                        found.append(app)
                except Exception:
                    continue
        return found

    def digest(self, app: str, run_id: str | None) -> dict[str, Any]:
        """Row count and checksum of the drill table on one node (optionally one run)."""
        where = "WHERE run_id = %s" if run_id else ""
        params: tuple[Any, ...] = (run_id,) if run_id else ()
        row = self.nodes[app].query(
            "SELECT count(*), coalesce(md5(string_agg(run_id || ':' || n || ':' || payload, ',' "
            f"ORDER BY run_id, n)), '') FROM drill_seq {where}",
            params,
            dbname=APP_DB,
        )[0]
        return {"node": app, "rows": int(row[0]), "md5": str(row[1])}
