"""Benchmark of the planner and of `pulumi preview` on synthetic plans; prints JSON.

    .venv/bin/python bench/plan_bench.py                      # planning + preview of 20x5, 40x5, 60x5
    .venv/bin/python bench/plan_bench.py --skip-preview       # planning only
    .venv/bin/python bench/plan_bench.py --skip-planning --keep-checkpoints --preview-sizes 10x1,20x1,40x1
    .venv/bin/python bench/plan_bench.py --skip-planning --operation up --sizes 10x1,20x1,40x1
    .venv/bin/python bench/plan_bench.py --skip-planning --operation up --keep-checkpoints \
        --sizes 60x5 --slices 12                              # the city as 12 stacks of 5 departments

Planning: 3 centres x 60 departments x 5 systems (each system active-active in prod and
same-city with an async standby in DR: 3 dual-stack segments per system, plus infra segments),
and a 10,000-segment plan (60 x 56 systems of 3 hosts). Median of --repeat runs; peak Python
memory from tracemalloc. Preview: the real engine, one fresh subprocess per size; peak RSS of
the engine's process tree (pulumi CLI, language host, provider) from getrusage(RUSAGE_CHILDREN).
By default the throwaway workspace skips the engine's per-step checkpoints (PULUMI_SKIP_CHECKPOINTS);
--keep-checkpoints measures Pulumi's default, which re-serialises the whole snapshot at every step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from govcloud.plan import plan_from_raw
from govcloud.plan.synthetic import synthetic_config

REPO = Path(__file__).resolve().parents[1]


def time_planning(departments: int, systems: int, hosts: int, repeat: int) -> dict[str, Any]:
    raw = synthetic_config(departments, systems, hosts=hosts)
    times, cpu_times, json_times = [], [], []
    segments = 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        plan = plan_from_raw(raw, "bench")
        t1, c1 = time.perf_counter(), time.process_time()
        plan.to_json()
        t2 = time.perf_counter()
        times.append(t1 - t0)
        cpu_times.append(c1 - c0)
        json_times.append(t2 - t1)
        segments = len(plan.addresses.segments)
    tracemalloc.start()
    plan_from_raw(raw, "bench").to_json()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "departments": departments,
        "systems_per_department": systems,
        "systems": departments * systems,
        "hosts_per_system": hosts,
        "segments": segments,
        "plan_s_median": round(statistics.median(times), 4),
        "plan_s_max": round(max(times), 4),
        "plan_cpu_s_median": round(statistics.median(cpu_times), 4),
        "to_json_s_median": round(statistics.median(json_times), 4),
        "python_peak_mib": round(peak / 2**20, 1),
        "repeat": repeat,
    }


def _changes(result: Any) -> dict[str, int]:
    from pulumi import automation as auto  # noqa: PLC0415

    changes = result.summary.resource_changes if isinstance(result, auto.UpResult) else result.change_summary
    return {str(getattr(k, "value", k)): int(v) for k, v in (changes or {}).items()}


def engine_one(
    departments: int, systems: int, operation: str, checkpoints: bool, slices: int = 1
) -> dict[str, Any]:
    """Run in a fresh process: `pulumi preview` (or `up`, rendering) of a synthetic plan.

    With `slices` > 1 the city is split into that many stacks of consecutive departments
    (`govcloud:deploy`), run one after the other, each with its own state.
    """
    from govcloud.components.workspace import ProgramWorkspace, stack_config_text  # noqa: PLC0415

    raw = synthetic_config(departments, systems)
    depts = [d["id"] for d in raw["departments"]]
    size = -(-len(depts) // slices)
    parts = [depts[i : i + size] for i in range(0, len(depts), size)]
    runs = []
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as tmp:
        # The plan goes in its own file (govcloud:planFile): a whole city's plan is larger than the
        # 128 KiB Pulumi may pass to the program in one environment variable.
        plan_yaml = Path(tmp) / "plan.yaml"
        plan_yaml.write_text(yaml.safe_dump({"govcloud": raw}, allow_unicode=True), encoding="utf-8")
        for n, part in enumerate(parts):
            settings: dict[str, object] = {"planFile": str(plan_yaml)}
            if slices > 1:
                settings["deploy"] = {"departments": part}
            cfg = Path(tmp) / f"config-{n}.yaml"
            cfg.write_text(stack_config_text(settings), encoding="utf-8")
            ws = ProgramWorkspace.create(Path(tmp) / f"ws-{n}", "bench", cfg, checkpoints=checkpoints)
            t0 = time.perf_counter()
            result = ws.up() if operation == "up" else ws.preview()
            elapsed = time.perf_counter() - t0
            ws.stack.workspace.remove_stack("bench", force=True)
            runs.append(
                {"departments": len(part), "resources": _changes(result).get("create", 0), "seconds": elapsed}
            )
    creates = sum(r["resources"] for r in runs)
    elapsed = sum(r["seconds"] for r in runs)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_kib = usage.ru_maxrss
    out: dict[str, Any] = {
        "departments": departments,
        "systems_per_department": systems,
        "systems": departments * systems,
        "operation": operation,
        "checkpoints": checkpoints,
        "resources": creates,
        "seconds": round(elapsed, 2),
        "s_per_100_resources": round(100 * elapsed / max(creates, 1), 3),
        "engine_peak_rss_mib": round(rss_kib / 1024, 1),
        # CPU of the engine's process tree: the steadier figure when the cores are shared
        "engine_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
    }
    if slices > 1:
        out["slices"] = [{**r, "seconds": round(r["seconds"], 2)} for r in runs]
    return out


def machine() -> dict[str, Any]:
    load = os.getloadavg()  # the machine is shared: contention inflates wall times
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_1m_at_start": round(load[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-preview", action="store_true")
    ap.add_argument("--skip-planning", action="store_true")
    ap.add_argument(
        "--sizes",
        "--preview-sizes",
        dest="preview_sizes",
        default="20x5,40x5,60x5",
        help="DEPTSxSYSTEMS,... (3 sizes; default up to the full 3 x 60 x 5 city)",
    )
    ap.add_argument("--timeout", type=float, default=3600, help="seconds allowed per engine run")
    ap.add_argument(
        "--keep-checkpoints",
        action="store_true",
        help="let the engine checkpoint the snapshot after every step (Pulumi's default; quadratic)",
    )
    ap.add_argument(
        "--operation",
        choices=("preview", "up"),
        default="preview",
        help="`up` renders every manifest and writes the state (default: preview)",
    )
    ap.add_argument(
        "--slices",
        type=int,
        default=1,
        help="split each city into this many stacks of departments (govcloud:deploy), run in turn",
    )
    ap.add_argument("--preview-one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.preview_one:
        d, s = (int(x) for x in args.preview_one.split("x"))
        print(json.dumps(engine_one(d, s, args.operation, args.keep_checkpoints, args.slices)))
        return 0
    started = datetime.now(UTC).isoformat(timespec="seconds")
    report: dict[str, Any] = {"schema": "govcloud.bench-plan/v2", "started": started, "machine": machine()}
    if not args.skip_planning:
        report["planning"] = [
            time_planning(60, 5, 30, args.repeat),
            time_planning(60, 56, 3, args.repeat),
        ]
        report["planning_target"] = {
            "segments": report["planning"][1]["segments"],
            "target_s": 2.0,
            "met_wall_median": report["planning"][1]["plan_s_median"] < 2.0,
            "met_cpu_median": report["planning"][1]["plan_cpu_s_median"] < 2.0,
        }
    if not args.skip_preview:
        runs = []
        for size in args.preview_sizes.split(","):
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(
                    [
                        sys.executable,
                        str(Path(__file__).resolve()),
                        "--preview-one",
                        size,
                        f"--operation={args.operation}",
                        f"--slices={args.slices}",
                        *(["--keep-checkpoints"] if args.keep_checkpoints else []),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=args.timeout,
                )
            except subprocess.TimeoutExpired:
                # a bound, not a result: say so (the engine's processes die with the session)
                runs.append({"size": size, "timed_out_after_s": round(time.perf_counter() - t0, 1)})
                continue
            if proc.returncode != 0:
                runs.append({"size": size, "error": proc.stderr[-2000:]})
                continue
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        report["engine_runs"] = runs
        ok = [r for r in runs if "seconds" in r]
        if len(ok) >= 2:
            per = [r["s_per_100_resources"] for r in ok]
            report["linearity"] = {
                "s_per_100_resources": per,
                "max_over_min": round(max(per) / min(per), 2),
            }
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
