"""Benchmark of issue 6: harden N hosts in parallel (first run) vs the idempotent re-run, then
`govcloud verify` on the same hosts. Prints one JSON document.

    .venv/bin/python bench/harden_bench.py --inventory INVENTORY.yml   # hosts must be FRESH

Target: the idempotent re-run takes under half the first run's time. Results: docs/bench-harden.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcloud.runner.harden import run_harden
from govcloud.runner.inventory import load_inventory
from govcloud.runner.verify import run_verify


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "python": platform.python_version(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inventory", type=Path, required=True, help="inventory of FRESH hosts")
    ap.add_argument("--level", type=int, default=3)
    ap.add_argument("--extra", default="{}", help="extra vars as JSON (e.g. the lab's management zone)")
    args = ap.parse_args(argv)
    extra = json.loads(args.extra)
    hosts = load_inventory(args.inventory)
    os.environ.setdefault("GOVCLOUD_STATE_DIR", tempfile.mkdtemp(prefix="gc-bench-harden-"))
    result: dict[str, Any] = {
        "schema": "govcloud.bench/v1",
        "bench": "harden",
        "date": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "machine": machine(),
        "hosts": len(hosts),
        "level": args.level,
    }
    t0 = time.monotonic()
    first = run_harden(args.inventory, stack="bench", level=args.level, extravars=extra)
    result["first_run_s"] = round(time.monotonic() - t0, 2)
    result["first_run"] = {"ok": first.ok, "changed": first.total_changed, "forks": first.forks}
    t0 = time.monotonic()
    again = run_harden(args.inventory, stack="bench", level=args.level, extravars=extra)
    result["rerun_s"] = round(time.monotonic() - t0, 2)
    result["rerun"] = {"ok": again.ok, "changed": again.total_changed}
    result["rerun_ratio"] = round(result["rerun_s"] / result["first_run_s"], 3)
    result["target_rerun_under_half"] = result["rerun_ratio"] < 0.5
    t0 = time.monotonic()
    verified = run_verify(args.inventory, stack="bench", level=args.level)
    result["verify_s"] = round(time.monotonic() - t0, 2)
    result["verify"] = verified.counts
    result["ok"] = first.ok and again.ok and again.total_changed == 0 and verified.ok
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
