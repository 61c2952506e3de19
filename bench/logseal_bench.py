"""Benchmark: seal and verify one synthetic day of central log audit files (日志审计), time per GB.

    .venv/bin/python bench/logseal_bench.py [--mib 1024] [--hosts 8] [--files-per-host 4]

Writes --mib MiB of syslog-like text as <tmp>/<host>/<day>/*.log, seals the day (SHA-256 and SM3
of every file, streamed in 1 MiB chunks), verifies it, and removes the temporary directory. The
page cache is dropped for the bench's own files only (posix_fadvise DONTNEED after fsync) before
the cold seal and the cold verify; a second verify runs with the files cached (hot). Prints one
JSON object with seconds and seconds per GB (10^9 bytes) for each pass. docs/bench-logaudit.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from govcloud.logaudit import seal, verify

MIB = 1 << 20
DAY = dt.date(2026, 11, 28)
TODAY = dt.date(2026, 11, 29)


def _block(host: str) -> bytes:
    """About 1 MiB of syslog-like lines (content does not change hashing speed)."""
    lines = []
    size = 0
    i = 0
    while size < MIB:
        line = (
            f"{DAY}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}+08:00 {host} sshd[{1000 + i % 97}]: "
            f"Accepted publickey for ops{i % 13} from 10.20.{i % 250}.{i % 199} port {40000 + i % 9999} ssh2 "
            f"审计 seq={i}\n"
        ).encode()
        lines.append(line)
        size += len(line)
        i += 1
    return b"".join(lines)[:MIB]


def _evict(paths: list[Path]) -> None:
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _write(root: Path, mib: int, hosts: int, per_host: int) -> list[Path]:
    nfiles = hosts * per_host
    base, extra = divmod(mib, nfiles)
    paths = []
    for h in range(hosts):
        host = f"host-{h:03d}"
        block = _block(host)
        d = root / host / DAY.isoformat()
        d.mkdir(parents=True)
        for f in range(per_host):
            n = base + (1 if h * per_host + f < extra else 0)
            p = d / f"{['messages', 'auth', 'secure', 'audit'][f % 4]}-{f}.log"
            with p.open("wb") as fh:
                for _ in range(n):
                    fh.write(block)
            paths.append(p)
    return paths


def _per_gb(seconds: float, nbytes: int) -> float:
    return round(seconds / (nbytes / 1e9), 2) if nbytes else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=1024, help="total size of the day in MiB (default 1024)")
    ap.add_argument("--hosts", type=int, default=8)
    ap.add_argument("--files-per-host", type=int, default=4)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="logseal-bench-"))
    try:
        t = time.monotonic()
        paths = _write(tmp, args.mib, args.hosts, args.files_per_host)
        write_s = time.monotonic() - t
        nbytes = sum(p.stat().st_size for p in paths)
        _evict(paths)
        cpu = time.process_time()
        t = time.monotonic()
        entry = seal(tmp, DAY, today=TODAY)
        seal_s, seal_cpu = time.monotonic() - t, time.process_time() - cpu
        _evict(paths)
        cpu = time.process_time()
        t = time.monotonic()
        cold = verify(tmp, today=TODAY)
        verify_s, verify_cpu = time.monotonic() - t, time.process_time() - cpu
        cpu = time.process_time()
        t = time.monotonic()
        hot = verify(tmp, today=TODAY)
        hot_s, hot_cpu = time.monotonic() - t, time.process_time() - cpu
        if not (cold.ok and hot.ok):
            raise SystemExit("verify did not pass on an untouched day")
        result: dict[str, Any] = {
            "bench": "logseal",
            "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "bytes": nbytes,
            "mib": round(nbytes / MIB, 1),
            "full_gib": nbytes >= 1 << 30,
            "files": len(entry["files"]),
            "hosts": args.hosts,
            "write_s": round(write_s, 2),
            "seal_cold_s": round(seal_s, 2),
            "seal_cold_cpu_s": round(seal_cpu, 2),
            "seal_s_per_gb": _per_gb(seal_s, nbytes),
            "verify_cold_s": round(verify_s, 2),
            "verify_cold_cpu_s": round(verify_cpu, 2),
            "verify_s_per_gb": _per_gb(verify_s, nbytes),
            "verify_hot_s": round(hot_s, 2),
            "verify_hot_cpu_s": round(hot_cpu, 2),
            "verify_hot_s_per_gb": _per_gb(hot_s, nbytes),
            "cpus": os.cpu_count(),
            "loadavg_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
        }
        if nbytes < 1 << 30:
            result["note"] = f"used {result['mib']} MiB, less than 1 GiB; per-GB figures are extrapolated"
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
