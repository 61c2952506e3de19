"""Reachability and latency probes, run inside a lab namespace (`ip netns exec NS python -m ...`).

Reads a JSON list of {"kind": "tcp"|"pg-rtt", "host", "port", "timeout"} on stdin and prints a JSON
list of {"ok": bool, "ms": float | None, "error": str | None} (same order).
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import time
from typing import Any

SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL SSLRequest: any server answers one byte


def tcp(host: str, port: int, timeout: float) -> dict[str, Any]:
    start = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return {"ok": True, "ms": (time.monotonic() - start) * 1000, "error": None}
    except OSError as exc:
        return {"ok": False, "ms": None, "error": str(exc)}


def pg_rtt(host: str, port: int, timeout: float) -> dict[str, Any]:
    """Round trip through a delay relay: SSLRequest, then the first byte or the close, whichever comes."""
    start = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(SSL_REQUEST)
            with contextlib.suppress(ConnectionResetError):
                sock.recv(1)
            return {"ok": True, "ms": (time.monotonic() - start) * 1000, "error": None}
    except OSError as exc:
        return {"ok": False, "ms": None, "error": str(exc)}


def main() -> int:
    jobs = json.load(sys.stdin)
    results = []
    for job in jobs:
        fn = pg_rtt if job.get("kind") == "pg-rtt" else tcp
        results.append(fn(job["host"], int(job["port"]), float(job.get("timeout", 2.0))))
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
