#!/usr/bin/env python3
"""Benchmark of the DR drills (灾备演练基准), side by side per HA mode: RTO and RPO over repeated runs.

Modes (`--modes`, default all three, one replicated database service each, same lab):
  manual       govcloud's own orchestration (witnesses, fencing, pg_promote, DNS endpoint)
  patroni      Patroni 4.1.5 + etcd 3.4 with Patroni's defaults (ttl 30 s, loop_wait 10 s, retry 10 s)
  patroni-lab  the same, tuned for the lab (ttl 20 s = Patroni's minimum, loop_wait 1 s, retry 5 s)
Each round runs:
  samecity-failover -> failback -> dcs-partition (Patroni only) -> planned-switchover
  -> restore-test -> regional-failover -> failback from DR
  -> regional-failover with a 1 s replication outage before the disaster -> failback from DR (manual)
and the figures come from each drill record (client journal: RTO = fault -> first write
acknowledged by the new primary; RPO = acknowledged writes lost). `--lab-status FILE` runs on a
lab described by `govcloud lab status --json` (bring one up with `govcloud lab up`).

Usage: sudo .venv/bin/python bench/drill_bench.py --lab-status S.json --plan P.json [--runs 5]
       [--modes manual,patroni,patroni-lab] [--only KEY,...] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.drill import DrillRecord
from govcloud.contracts.lab_status import LabStatus
from govcloud.drill import services
from govcloud.drill.ha.settings import PRESETS
from govcloud.drill.run import run_drill
from govcloud.drill.source import topology

TARGETS: dict[str, dict[str, Any]] = {
    "samecity-failover": {"rto_s": 60.0, "rpo_writes_lost": 0},
    "dcs-partition": {"rto_s": 60.0, "rpo_writes_lost": 0},
    "regional-failover": {"rto_s": 120.0},
    "regional-failover+outage": {"rto_s": 120.0},
    "planned-switchover": {"rto_s": None, "rpo_writes_lost": 0},
    "failback": {"rpo_writes_lost": 0},
    "failback-from-dr": {"rpo_writes_lost": 0},
    "restore-test": {},
}


def _figures(rec: DrillRecord) -> dict[str, Any]:
    a = rec.achieved
    return {
        "drill_id": rec.drill_id,
        "status": rec.status,
        "rto_write_s": a.rto_write_s,
        "rpo_writes_lost": a.rpo_writes_lost,
        "rpo_s": a.rpo_s,
        "writes_acknowledged": a.writes_acknowledged,
        "writes_in_doubt": a.writes_in_doubt,
        "longest_write_gap_s": a.longest_write_gap_s,
        "phase_durations_s": a.phase_durations_s,
        "server_side_commits_after": [s.get("commits_after") for s in a.server_side or []],
        "partition": {
            k: (rec.partition or {}).get(k)
            for k in (
                "old_leader_demoted_after_s",
                "new_leader_writable_after_s",
                "demoted_before_new_leader",
                "both_writable_overlap_s",
                "acks_on_old_leader_after_new_leader",
                "split_brain",
            )
        }
        if rec.partition
        else None,
        "restore": {
            k: (rec.restore_test or {}).get(k)
            for k in ("backup_s", "verify_s", "restore_s", "backup_bytes", "matched")
        }
        if rec.restore_test
        else None,
        "agent_restarts": [
            name
            for sw in rec.switchovers
            if isinstance(sw.get("phases"), dict)
            for name, phase in sw["phases"].items()
            if isinstance(phase, dict)
            for attempt in phase.get("attempts", [])
            if isinstance(attempt, dict) and "agent_restarted_at" in attempt
        ],
        "duration_s": rec.duration_s,
        "reasons": rec.reasons,
    }


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "max": None, "min": None}
    return {
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
        "min": round(min(values), 3),
    }


def summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, items in runs.items():
        rto = [float(r["rto_write_s"]) for r in items if r["rto_write_s"] is not None]
        lost = [float(r["rpo_writes_lost"]) for r in items if r["rpo_writes_lost"] is not None]
        rpo_s = [float(r["rpo_s"]) for r in items if r["rpo_s"] is not None]
        target: dict[str, Any] = TARGETS.get(key, {})
        summary: dict[str, Any] = {
            "runs": len(items),
            "passed": sum(1 for r in items if r["status"] == "passed"),
            "rto_write_s": _stats(rto),
            "rpo_writes_lost": _stats(lost),
            "rpo_s": _stats(rpo_s),
            "target": target,
        }
        if target.get("rto_s") is not None and rto:
            summary["rto_target_met_by_max"] = max(rto) < target["rto_s"]
        if "rpo_writes_lost" in target and lost:
            summary["rpo_target_met"] = max(lost) == target["rpo_writes_lost"]
        parts = [r["partition"] for r in items if r.get("partition")]
        if parts:
            summary["no_split_brain"] = f"{sum(1 for p in parts if p['split_brain'] is False)}/{len(parts)}"
            summary["old_leader_demoted_after_s"] = _stats(
                [float(p["old_leader_demoted_after_s"]) for p in parts]
            )
        if key == "failback-from-dr":
            restarted = [r for r in items if r.get("agent_restarts")]
            summary["runs_with_a_patroni_agent_restart"] = f"{len(restarted)}/{len(items)}"
            summary["agent_restarts_by_phase"] = {
                phase: sum(1 for r in items if phase in r.get("agent_restarts", []))
                for phase in ("dr_demoted", "leader_elected")
            }
        restores = [r["restore"] for r in items if r.get("restore")]
        if restores:
            summary["restore_s"] = _stats(
                [float(r["backup_s"] + r["verify_s"] + r["restore_s"]) for r in restores]
            )
            summary["restores_matched"] = f"{sum(1 for r in restores if r['matched'])}/{len(restores)}"
        out[key] = summary
    return out


def _bench_mode(
    mode: str,
    rounds: int,
    *,
    stack: str,
    status: LabStatus,
    the_plan: Any,
    topo: Any,
    only: set[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    settings = PRESETS[mode]
    patroni = settings.engine == "patroni"
    plan: list[tuple[str, str, dict[str, Any]]] = [
        ("samecity-failover", "samecity-failover", {}),
        ("failback", "failback", {}),
    ]
    if patroni:
        plan.append(("dcs-partition", "dcs-partition", {}))
    plan += [
        ("planned-switchover", "planned-switchover", {}),
        ("restore-test", "restore-test", {}),
        ("regional-failover", "regional-failover", {}),
        ("failback-from-dr", "failback", {}),
    ]
    if not patroni:  # the replication outage before the disaster is injected by the manual mode only
        plan += [
            ("regional-failover+outage", "regional-failover", {"survivor_outage_before_fault_s": 1.0}),
            ("failback-from-dr", "failback", {}),
        ]
    if only:
        plan = [step for step in plan if step[0] in only]
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k, _s, _p in plan}
    services.provision(topo, settings)
    for rnd in range(1, rounds + 1):
        for key, scenario, params in plan:
            rec = run_drill(
                stack,
                scenario,
                ticket=f"BENCH-{mode}-{rnd}",
                status=status,
                params=params or None,
                plan=the_plan,
                ha=mode,
            )
            fig = _figures(rec)
            runs[key].append(fig)
            print(
                f"{mode} round {rnd} {key}: {fig['status']} rto={fig['rto_write_s']} "
                f"lost={fig['rpo_writes_lost']} rpo_s={fig['rpo_s']}"
                + (f" split_brain={fig['partition']['split_brain']}" if fig.get("partition") else ""),
                file=sys.stderr,
                flush=True,
            )
            if rec.status != "passed":
                # counted as a failed run in the summary; the service is rebuilt and the next round
                # starts from the canonical layout (the rest of this round is skipped)
                print(f"{mode} round {rnd} {key} FAILED: {rec.reasons}", file=sys.stderr, flush=True)
                services.provision(topo, settings)
                break
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lab-status", type=Path, required=True, help="govcloud lab status --json output")
    parser.add_argument("--plan", type=Path, help="plan JSON of that lab (centre roles, system targets)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--modes", default="manual,patroni,patroni-lab", help="comma-separated HA modes")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenario keys to keep, in the round's order (e.g. "
        "regional-failover,failback-from-dr); default all",
    )
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("drill_bench needs root", file=sys.stderr)
        return 2
    if args.runs < 1:
        print("--runs must be at least 1", file=sys.stderr)
        return 2
    modes = [m for m in args.modes.split(",") if m]
    only = {k for k in args.only.split(",") if k}
    unknown_keys = only - set(TARGETS)
    if unknown_keys:
        print(f"unknown scenario key(s) {sorted(unknown_keys)}; known: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    unknown = [m for m in modes if m not in PRESETS]
    if unknown:
        print(f"unknown mode(s) {unknown}; known: {', '.join(PRESETS)}", file=sys.stderr)
        return 2
    os.environ.setdefault("GOVCLOUD_EVIDENCE_ROOT", tempfile.mkdtemp(prefix="gc-drill-bench-"))
    try:
        status = read(LabStatus, args.lab_status)
    except ContractError as exc:
        raise SystemExit(f"--lab-status: {exc}") from None
    stack = status.stack
    the_plan = json.loads(args.plan.read_text(encoding="utf-8")) if args.plan else None
    topo, _plan = topology(stack, status, the_plan)
    started = time.time()
    by_mode: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        for mode in modes:
            by_mode[mode] = _bench_mode(
                mode, args.runs, stack=stack, status=status, the_plan=the_plan, topo=topo, only=only
            )
    finally:
        services.open_service(topo).down()
    result = {
        "schema": "govcloud.bench.drill/v1",
        "machine": {
            "host": platform.node(),
            "kernel": platform.release(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_end": os.getloadavg(),
        },
        "topology": {
            "source": topo.source,
            "stack": stack,
            "latency_mechanism": topo.latency_mechanism,
            "links": topo.to_dict()["links"],
        },
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_s": round(time.time() - started, 1),
        "modes": {m: PRESETS[m].to_dict() for m in modes},
        "summary": {m: summarise(r) for m, r in by_mode.items()},
        "runs": by_mode,
    }
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
