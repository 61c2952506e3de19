"""Backup restore test (数据备份恢复测试): take a base backup, verify it, restore it into a scratch
instance in the remote DR centre, and prove the restored data equals the source.

Evidence for 8.1.4.9.a (本地数据备份与恢复) and 8.2.4.6.a: a backup is only a backup once a restore
from it has been shown to work. Mode-independent: runs the same on the manual and the Patroni service.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import psycopg

from govcloud.drill.context import DrillContext, now
from govcloud.drill.pgbin import as_postgres, pg_bin
from govcloud.drill.pgnode import PgNode, chown_postgres
from govcloud.drill.pgservice import APP_DB
from govcloud.drill.steps import StepFailedError, _check
from govcloud.lab.sh import CommandError, run_proc

RESTORE_PORT = 5439


def restore_test(ctx: DrillContext) -> dict[str, Any]:
    svc = ctx.service
    primary = svc.state()["primary"]
    site = svc.remote if primary != svc.remote else svc.city
    node = svc.nodes[site]
    scratch = svc.root / f"restore-{ctx.drill_id}"
    backup = scratch / "backup"
    data = scratch / "data"
    sock = scratch / "sock"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    sock.mkdir()
    for path in (scratch, sock):
        chown_postgres(path, 0o700)
    checks: list[dict[str, Any]] = []
    phases: dict[str, Any] = {}
    # the reference: what the primary holds when the backup starts (no load runs in this scenario)
    reference = {
        **svc.digest(primary, None),
        "lsn": svc.nodes[primary].scalar("SELECT pg_current_wal_lsn()::text"),
    }
    host, port = svc.conninfo(site, primary)
    conninfo = PgNode(node.node, svc.root, svc.passfile).conninfo_to(host, port)
    t0 = time.monotonic()
    phases["backup_started"] = now()
    try:
        run_proc(
            as_postgres(
                node.node.netns,
                [
                    pg_bin("pg_basebackup"),
                    "-d",
                    conninfo,
                    "-D",
                    str(backup),
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                    "--manifest-checksums=SHA256",
                ],
            ),
            timeout=600,
        )
        backup_s = time.monotonic() - t0
        phases["backup_taken"] = now()
        t1 = time.monotonic()
        verified = run_proc(
            as_postgres(node.node.netns, [pg_bin("pg_verifybackup"), str(backup)]), timeout=600
        )
        verify_s = time.monotonic() - t1
        phases["backup_verified"] = now()
        _check(
            checks, "pg_verifybackup", True, verified.stdout.strip()[-200:], "backup successfully verified"
        )
        # restore: copy the verified backup, start it standalone (no standby.signal), compare
        t2 = time.monotonic()
        run_proc(["cp", "-a", str(backup), str(data)], timeout=600)
        for leftover in ("standby.signal", "recovery.signal"):
            (data / leftover).unlink(missing_ok=True)
        (data / "postgresql.auto.conf").write_text("# restored by govcloud restore-test\n", encoding="utf-8")
        chown_postgres(data / "postgresql.auto.conf", 0o600)
        log = scratch / "restored.log"
        run_proc(
            as_postgres(
                node.node.netns,
                [
                    pg_bin("pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "120",
                    "-o",
                    f"-p {RESTORE_PORT} -c listen_addresses='' -c unix_socket_directories={sock} "
                    "-c cluster_name=restore-test -c synchronous_standby_names='' -c archive_mode=off",
                    "start",
                ],
            ),
            timeout=150,
        )
        restore_s = time.monotonic() - t2
        phases["restored_instance_ready"] = now()
        restored = _digest_at(sock)
        _check(
            checks,
            "restored_rows_equal_source",
            restored["rows"] == reference["rows"],
            restored["rows"],
            reference["rows"],
        )
        _check(
            checks,
            "restored_checksum_equals_source",
            restored["md5"] == reference["md5"],
            restored["md5"],
            reference["md5"],
        )
        _check(checks, "restored_instance_writable", restored["writable"], restored["writable"], True)
    except CommandError as exc:
        raise StepFailedError(f"backup/restore failed (备份恢复失败): {exc}") from None
    finally:
        run_proc(
            as_postgres(node.node.netns, [pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
        )
        size = sum(p.stat().st_size for p in backup.rglob("*") if p.is_file()) if backup.exists() else 0
        shutil.rmtree(scratch, ignore_errors=True)
    result = {
        "backup_source": primary,
        "restore_site": site,
        "reference": reference,
        "restored": restored,
        "backup_bytes": size,
        "backup_s": round(backup_s, 3),
        "verify_s": round(verify_s, 3),
        "restore_s": round(restore_s, 3),
        "checks": checks,
        "phases": phases,
        "matched": all(c["ok"] for c in checks),
    }
    if not result["matched"]:
        raise StepFailedError("restored data differs from the source (恢复数据与源不一致): " + str(checks))
    return result


def _digest_at(sock: Path) -> dict[str, Any]:
    with psycopg.connect(
        host=str(sock), port=RESTORE_PORT, user="postgres", dbname=APP_DB, autocommit=True
    ) as conn:
        row = conn.execute(
            "SELECT count(*), coalesce(md5(string_agg(run_id || ':' || n || ':' || payload, ',' "
            "ORDER BY run_id, n)), '') FROM drill_seq"
        ).fetchone()
        writable = conn.execute("SELECT NOT pg_is_in_recovery()").fetchone()
    assert row is not None and writable is not None
    return {"rows": int(row[0]), "md5": str(row[1]), "writable": bool(writable[0])}
