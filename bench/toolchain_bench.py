"""Measure the offline toolchain builds: cold (empty tool cache and empty Go build cache) and warm.

Usage: .venv/bin/python bench/toolchain_bench.py [--only opa,pulumi,kubernetes] [--cold-modules]

Cold runs use a temporary GOVCLOUD_CACHE and GOCACHE (and, with --cold-modules, a temporary
GOMODCACHE too, so every module is downloaded again from the proxy). Warm runs repeat the build
against the now-filled cache and must take well under a second. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


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
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="govcloud-toolbench-"))
    env = dict(os.environ, GOVCLOUD_CACHE=str(scratch / "cache"), GOCACHE=str(scratch / "gocache"))
    if args.cold_modules:
        env["GOMODCACHE"] = str(scratch / "gomod")
        env["GOFLAGS"] = env.get("GOFLAGS", "") + " -modcacherw"
    results = []
    try:
        for tool in args.only.split(","):
            cold, detail = _build(env, tool)
            warm, _ = _build(env, tool)
            results.append(
                {"tool": tool, "cold_s": round(cold, 1), "warm_s": round(warm, 2), "detail": detail}
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
