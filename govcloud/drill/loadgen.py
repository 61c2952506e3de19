"""Load generator: sequenced INSERTs through the service endpoint, every attempt journalled.

`python -m govcloud.drill.loadgen CONFIG.json` (run inside the client namespace). Each attempt n
is made once, in one autocommit transaction, and journalled as JSON lines:
  ack       the commit was acknowledged (node = the centre that served it: govcloud.node, else
            cluster_name; lsn)
  err       the statement was sent but no acknowledgement came back (in doubt: may or may not exist)
  connfail  no connection, nothing was sent for n
Bounded in count (max_writes) and time (max_seconds); stops early when stop_file appears.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from govcloud.drill import dnsquery

INSERT = (
    b"INSERT INTO drill_seq (run_id, n, payload, client_wall) VALUES (%s, %s, %s, %s) "
    b"RETURNING coalesce(current_setting('govcloud.node', true), current_setting('cluster_name')), "
    b"pg_current_wal_insert_lsn()::text"
)


def _connect(cfg: dict[str, Any]) -> tuple[psycopg.Connection[Any], str]:
    # a fixed address (HAProxy following Patroni's leader) or the DNS name resolved at every connect
    addr = cfg.get("hostaddr") or dnsquery.resolve(cfg["name"], cfg["dns_server"], int(cfg["family"]))
    conn = psycopg.connect(
        host=cfg["name"],
        hostaddr=addr,
        port=int(cfg.get("port", 5432)),
        dbname=cfg["dbname"],
        user=cfg["user"],
        password=cfg["password"],
        connect_timeout=2,
        tcp_user_timeout=1000,
        keepalives=1,
        keepalives_idle=1,
        keepalives_interval=1,
        keepalives_count=2,
        autocommit=True,
        application_name="govcloud-drill-loadgen",
    )
    return conn, addr


def run(cfg: dict[str, Any]) -> int:
    journal = Path(cfg["journal"])
    stop_file = Path(cfg["stop_file"])
    max_writes = int(cfg.get("max_writes", 50_000))
    deadline = time.monotonic() + float(cfg.get("max_seconds", 300))
    interval = float(cfg.get("interval_s", 0.01))
    run_id = str(cfg["run_id"])
    conn: psycopg.Connection[Any] | None = None
    addr = ""
    with journal.open("a", encoding="utf-8", buffering=1) as out:
        out.write(json.dumps({"ev": "start", "t": time.monotonic_ns(), "wall": time.time_ns()}) + "\n")
        for n in range(1, max_writes + 1):
            if time.monotonic() >= deadline or stop_file.exists():
                break
            rec: dict[str, Any] = {"n": n, "t0": time.monotonic_ns()}
            if conn is None:
                try:
                    conn, addr = _connect(cfg)
                except (psycopg.Error, OSError, LookupError) as exc:
                    rec.update(
                        ev="connfail", t=time.monotonic_ns(), wall=time.time_ns(), error=str(exc)[:120]
                    )
                    out.write(json.dumps(rec) + "\n")
                    time.sleep(0.05)
                    continue
            try:
                row = conn.execute(INSERT, (run_id, n, f"w{n}", time.time_ns())).fetchone()
                assert row is not None
                rec.update(
                    ev="ack", t=time.monotonic_ns(), wall=time.time_ns(), node=row[0], lsn=row[1], addr=addr
                )
            except (psycopg.Error, OSError) as exc:
                rec.update(
                    ev="err",
                    t=time.monotonic_ns(),
                    wall=time.time_ns(),
                    addr=addr,
                    error=str(exc).strip()[:120],
                )
                try:
                    conn.close()
                finally:
                    conn = None
            out.write(json.dumps(rec) + "\n")
            time.sleep(interval)
        out.write(json.dumps({"ev": "end", "t": time.monotonic_ns(), "wall": time.time_ns()}) + "\n")
    if conn is not None:
        conn.close()
    return 0


def read_journal(path: Path) -> list[dict[str, Any]]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a torn last line of a killed generator
    return records


def main(argv: list[str]) -> int:
    return run(json.loads(Path(argv[1]).read_text(encoding="utf-8")))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
