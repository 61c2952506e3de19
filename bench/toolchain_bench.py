"""Measure the offline toolchain builds: cold (empty tool cache and empty Go build cache) and warm.

Usage: .venv/bin/python bench/toolchain_bench.py [--only opa,pulumi,kubernetes] [--cold-modules]
                                                 [--gogc 100,400 --rounds 2]

Cold runs use a temporary GOVCLOUD_CACHE and GOCACHE (and, with --cold-modules, a temporary
GOMODCACHE too, so every module is downloaded again from the proxy). Warm runs repeat the build
against the now-filled cache and must take well under a second. With --gogc, every cold build is
repeated for each GOGC value (interleaved, --rounds times, each with an empty Go build cache), and
the CPU time of the build's processes is recorded beside wall time: on a shared machine CPU time is
the fairer comparison. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build(env: dict[str, str], only: str) -> tuple[float, dict[str, object]]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "govcloud.toolchain.build", "--json", "--only", only],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"build of {only} failed:\n{proc.stderr[-3000:]}")
    return seconds, json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="opa,pulumi,kubernetes")
    parser.add_argument(
        "--cold-modules", action="store_true", help="also start from an empty Go module cache"
    )
    parser.add_argument("--gogc", default="", help="comma-separated GOGC values to compare (A/B)")
    parser.add_argument("--rounds", type=int, default=1, help="with --gogc: rounds of the comparison")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="govcloud-toolbench-"))
    base = dict(os.environ, GOVCLOUD_CACHE=str(scratch / "cache"), GOCACHE=str(scratch / "gocache"))
    if args.cold_modules:
        base["GOMODCACHE"] = str(scratch / "gomod")
        base["GOFLAGS"] = base.get("GOFLAGS", "") + " -modcacherw"
    gogcs = [g.strip() for g in args.gogc.split(",") if g.strip()] or [None]
    results = []
    try:
        for round_ in range(args.rounds if args.gogc else 1):
            for gogc in gogcs:
                env = dict(base) if gogc is None else dict(base, GOGC=gogc)
                for tool in args.only.split(","):
                    shutil.rmtree(scratch / "cache", ignore_errors=True)
                    shutil.rmtree(scratch / "gocache", ignore_errors=True)
                    load = os.getloadavg()[0]
                    cpu0 = _cpu()
                    cold, detail = _build(env, tool)
                    cpu = _cpu() - cpu0
                    warm, _ = _build(env, tool)
                    results.append(
                        {
                            "tool": tool,
                            "round": round_ + 1,
                            "gogc": gogc or os.environ.get("GOGC", "default"),
                            "cold_s": round(cold, 1),
                            "cold_cpu_s": round(cpu, 1),
                            "warm_s": round(warm, 2),
                            "load_at_start": round(load, 2),
                            "detail": detail,
                        }
                    )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        json.dumps(
            {
                "bench": "toolchain",
                "date": time.strftime("%Y-%m-%d"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "kernel": platform.release(),
                },
                "cold_modules": args.cold_modules,
                "results": results,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
