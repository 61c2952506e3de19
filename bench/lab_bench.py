"""Benchmark the embedded lab: `lab up` cold (no cached base image) and warm, `lab down`, per-host memory.

    sudo .venv/bin/python bench/lab_bench.py [--plan FILE] [--stack bench] [--skip-cold]

Prints one JSON document (schema govcloud.bench-lab/v1). The cold run uses a fresh, temporary
GOVCLOUD_LAB_CACHE so debootstrap runs; it is removed afterwards. Results: docs/bench-lab.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from govcloud.contracts.base import read  # noqa: E402
from govcloud.contracts.lab_status import LabStatus  # noqa: E402
from govcloud.lab import cleanup, naming, netns  # noqa: E402
from govcloud.labstack import automation  # noqa: E402


def _govcloud(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "govcloud", *args], capture_output=True, text=True,
                          timeout=1800, cwd=REPO, env=env, check=False)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"`govcloud {' '.join(args)}` failed:\n{done.stderr[-3000:]}")
    return elapsed, done


def _kib(pid: int, field: str, source: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text(encoding="ascii").splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _du_kib(path: Path) -> int:
    out = subprocess.run(["du", "-sk", "-x", str(path)], capture_output=True, text=True, check=False).stdout
    return int(out.split()[0]) if out else 0


def host_memory(status: LabStatus) -> list[dict[str, Any]]:
    """Per host: processes' RSS and PSS (sshd) and the overlay's upper layer (tmpfs, so RAM)."""
    rows = []
    for host in status.hosts:
        pids = netns.pids(host.netns)
        rows.append({
            "host": host.name,
            "processes": len(pids),
            "rss_kib": sum(_kib(p, "VmRSS", "status") for p in pids),
            "pss_kib": sum(_kib(p, "Pss", "smaps_rollup") for p in pids),
            "overlay_upper_kib": _du_kib(naming.host_dir(status.stack, host.name) / "upper"),
        })
    return rows


def relay_memory(status: LabStatus) -> dict[str, int]:
    pids = []
    for r in status.relays:
        f = naming.run_dir(status.stack) / "relays" / f"{r.from_centre}-to-{r.to_host}.pid"
        if f.is_file():
            pids.append(int(f.read_text(encoding="ascii").strip()))
    return {"relays": len(pids), "rss_kib": sum(_kib(p, "VmRSS", "status") for p in pids),
            "pss_kib": sum(_kib(p, "Pss", "smaps_rollup") for p in pids)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default=str(REPO / "tests" / "lab" / "fixtures" / "plan-lab.json"))
    parser.add_argument("--stack", default="bench")
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the lab builds namespaces / 需要 root 权限")
    stack = naming.check_stack(args.stack)
    env = dict(os.environ)
    result: dict[str, Any] = {"schema": "govcloud.bench-lab/v1", "date": dt.datetime.now(dt.UTC).isoformat(),
                              "machine": {"kernel": platform.release(), "cpus": os.cpu_count(),
                                          "python": platform.python_version()},
                              "plan": os.path.relpath(args.plan, REPO), "stack": stack}
    up = ["lab", "up", "--stack", stack, "--plan", args.plan, "--json"]
    down = ["lab", "down", "--stack", stack]
    cold_cache = Path(tempfile.mkdtemp(prefix="govcloud-lab-cold-"))
    try:
        if not args.skip_cold:
            cold_env = {**env, "GOVCLOUD_LAB_CACHE": str(cold_cache)}
            result["up_cold_s"], _ = _govcloud(up, cold_env)
            result["down_after_cold_s"], _ = _govcloud(down, cold_env)
            result["base_image_kib"] = _du_kib(cold_cache)
        warm, downs = [], []
        for run in range(2):
            t, done = _govcloud(up, env)
            warm.append(t)
            if run == 0:
                status = read(LabStatus, done.stdout, source="govcloud lab up --json")
                result["hosts"] = len(status.hosts)
                result["latency_mechanism"] = status.latency_mechanism
                result["per_host"] = host_memory(status)
                result["relays"] = relay_memory(status)
                result["measured_rtt_ms"] = {lk.id: lk.measured_rtt_ms for lk in status.links}
                # `up` again on the running lab: nothing to change (converge, status, inventory)
                result["up_noop_s"], _ = _govcloud(up, env)
            t, _ = _govcloud(down, env)
            downs.append(t)
        result["up_warm_s"] = {"runs": warm, "median": statistics.median(warm)}
        result["down_s"] = {"runs": downs, "median": statistics.median(downs)}
        ph = result["per_host"]
        result["per_host_summary_kib"] = {
            "pss_mean": round(statistics.mean(r["pss_kib"] for r in ph)),
            "rss_mean": round(statistics.mean(r["rss_kib"] for r in ph)),
            "overlay_upper_mean": round(statistics.mean(r["overlay_upper_kib"] for r in ph)),
        }
        result["leftovers_after_down"] = {k: v for k, v in cleanup.leftovers(stack).items() if v}
    finally:
        subprocess.run([sys.executable, "-m", "govcloud", "lab", "down", "--stack", stack],
                       capture_output=True, cwd=REPO, check=False, timeout=600)
        automation.forget(stack)
        shutil.rmtree(cold_cache, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
