"""The drill record (演练记录): builds `govcloud.contracts.drill.DrillRecord` (`govcloud.drill/v1`)
from what the drill's phases wrote in its work directory (fields in docs/drills.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from govcloud.contracts.drill import DRILL_SCHEMA, DrillRecord
from govcloud.drill import gbt20988
from govcloud.drill.scenarios import Scenario
from govcloud.drill.topology import Topology

SCHEMA = DRILL_SCHEMA
CLAUSES = [
    {"standard": "GB/T 22239-2019", "clause": "8.1.10.13", "zh": "应急预案管理：定期培训和演练"},
    {"standard": "GB/T 22239-2019", "clause": "8.1.4.9", "zh": "数据备份恢复：异地实时备份、热冗余"},
    {"standard": "GB/T 20988", "clause": "演练/测试", "zh": "灾难恢复预案的演练与记录"},
]


def iso(wall_ns: int | None) -> str | None:
    if wall_ns is None:
        return None
    return (
        dt.datetime.fromtimestamp(wall_ns / 1e9, tz=dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def read_steps(workdir: Path) -> list[dict[str, Any]]:
    path = workdir / "steps.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _step_result(steps: list[dict[str, Any]], phase: str) -> dict[str, Any] | None:
    found = [s for s in steps if s["phase"] == phase and s.get("ok")]
    result: dict[str, Any] | None = found[-1].get("result") if found else None
    return result


def _read_json(path: Path) -> dict[str, Any] | None:
    """A phase's evidence file, written before the phase decides (so a failed phase leaves it)."""
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _timeline(
    steps: list[dict[str, Any]],
    ref_ns: int | None,
    measurement: dict[str, Any] | None,
    journal_first: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []

    def add(phase: str, t_ns: int, wall_ns: int, source: str) -> None:
        items.append(
            {
                "phase": phase,
                "at": iso(wall_ns),
                "t_s": None if ref_ns is None else round((t_ns - ref_ns) / 1e9, 3),
                "source": source,
            }
        )

    for step in steps:
        add(f"step:{step['phase']}:start", step["start_ns"], step["start_wall_ns"], "orchestrator")
        result = step.get("result") or {}
        if step["phase"] == "fault" and "t_ns" in result:
            add("fault_injected", result["t_ns"], result["wall_ns"], "orchestrator")
        for name, phase in (result.get("phases") or {}).items():
            if isinstance(phase, dict) and "t_ns" in phase:
                add(name, phase["t_ns"], phase["wall_ns"], "orchestrator")
        add(f"step:{step['phase']}:end", step["end_ns"], step["end_wall_ns"], "orchestrator")
    if journal_first:
        add("first_write_on_new_primary", journal_first["t"], journal_first["wall"], "client-journal")
    items.sort(key=lambda i: i["at"] or "")
    return items


def _system_in_scope(system: dict[str, Any], promoted_centre: str) -> bool:
    placement = system.get("placement", {})
    centres = set(placement.get("active", [])) | {s["centre"] for s in placement.get("standby", [])}
    return promoted_centre in centres


def targets(
    systems: list[dict[str, Any]], source: str, scenario: Scenario, topo: Topology, achieved: dict[str, Any]
) -> dict[str, Any]:
    promoted = (
        topo.by_role(scenario.promotes).centre
        if scenario.id != "planned-switchover"
        else topo.same_city.centre
    )
    rto = achieved.get("rto_write_s")
    rpo = achieved.get("rpo_s")
    lost = achieved.get("rpo_writes_lost")
    rows = []
    for system in systems:
        dr = system.get("dr") or {}
        if not dr or not _system_in_scope(system, promoted):
            continue
        rto_met = rto is not None and rto <= dr["rto_s"]
        rpo_met = (
            lost is not None and rpo is not None and (lost == 0 if dr["rpo_s"] == 0 else rpo <= dr["rpo_s"])
        )
        rows.append(
            {
                "system": system["id"],
                "name": system.get("name"),
                "rto_s": dr["rto_s"],
                "rpo_s": dr["rpo_s"],
                "gbt20988_level": dr.get("gbt20988_level"),
                "achieved_rto_s": rto,
                "achieved_rpo_s": rpo,
                "achieved_rpo_writes_lost": lost,
                "rto_met": rto_met,
                "rpo_met": rpo_met,
            }
        )
    return {
        "source": source,
        "promoted_centre": promoted,
        "systems": rows,
        "all_met": all(r["rto_met"] and r["rpo_met"] for r in rows),
    }


def evidence_files(workdir: Path) -> list[dict[str, str]]:
    out = []
    for path in sorted(workdir.rglob("*")):
        if path.is_file() and path.name not in ("loadgen.json", "context.json"):
            out.append(
                {
                    "path": str(path.relative_to(workdir.parent)),
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                }
            )
    return out


def build(
    *,
    drill_id: str,
    scenario: Scenario,
    topo: Topology,
    workdir: Path,
    guard: dict[str, Any],
    runner: dict[str, Any],
    edition: str,
    systems: tuple[str, list[dict[str, Any]]],
    started_ns: int,
    ended_ns: int,
    service_before: dict[str, Any],
    service_after: dict[str, Any] | None,
    endpoint: str,
    provisioned: bool,
    ha: dict[str, Any] | None = None,
) -> DrillRecord:
    steps = read_steps(workdir)
    measurement = _step_result(steps, "measure")
    verify = _step_result(steps, "verify")
    fault = _step_result(steps, "fault")
    precheck = _step_result(steps, "precheck")
    failover = _step_result(steps, "failover")
    reattach = _step_result(steps, "reattach")
    partition = _step_result(steps, "partition") or _read_json(workdir / "partition.json")
    restore = _step_result(steps, "restore-test")
    ha = ha or {"engine": "manual"}
    switchovers = [s["result"] for s in steps if s["phase"] == "switchover" and s.get("ok")]
    failed_steps = [s for s in steps if not s.get("ok")]
    events: list[dict[str, Any]] = list((measurement or {}).get("events") or [])
    journal_first = None
    if measurement and events and events[0].get("first_write_n") is not None:
        journal = workdir / "load-journal.jsonl"
        wanted = events[-1]["first_write_n"]
        for line in journal.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("n") == wanted and rec.get("ev") == "ack":
                journal_first = rec
                break
    state_path = workdir / "drill-state.json"
    dstate = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    ref = dstate.get("events", [{}])[0] if dstate.get("events") else None
    ref_ns = ref["t_ns"] if ref else (steps[0]["start_ns"] if steps else None)
    achieved: dict[str, Any] = {}
    if measurement:
        achieved = {
            k: measurement.get(k)
            for k in (
                "rto_write_s",
                "rpo_writes_lost",
                "rpo_s",
                "writes_attempted",
                "writes_acknowledged",
                "writes_in_doubt",
                "in_doubt_survived",
                "connection_failures",
                "unexpected_rows",
                "longest_write_gap_s",
                "nodes_served",
                "events",
                "server_side",
                "lost_sample",
            )
        }
        fo_phases = (failover or {}).get("phases", {})
        if ref and fo_phases:
            achieved["phase_durations_s"] = {
                name: round((p["t_ns"] - ref["t_ns"]) / 1e9, 3)
                for name, p in fo_phases.items()
                if "t_ns" in p
            }
    check_mode = bool(runner.get("check_mode"))
    fencing = None
    if failover:
        fenced = failover["phases"].get("fenced", {})
        fencing = {
            "method": fenced.get("method"),
            "verified": fenced.get("verified", False),
            "evidence_at_failover": fenced.get("evidence"),
            "evidence_at_verify": (verify or {}).get("fencing"),
        }
    writable_ok = any(
        c["check"] == "exactly_one_writable_node" and c["ok"] for c in (verify or {}).get("checks", [])
    )
    tgt: dict[str, Any] = (
        targets(systems[1], systems[0], scenario, topo, achieved)
        if measurement
        else {"source": systems[0], "systems": [], "all_met": False}
    )
    reasons: list[str] = []
    if runner["status"] != "successful":
        reasons.append(f"ansible-runner status {runner['status']} (rc {runner['rc']})")
    reasons += [f"step {s['phase']} failed: {str(s.get('error'))[:300]}" for s in failed_steps]
    if not check_mode and not scenario.measured:
        if not restore or not restore.get("matched"):
            reasons.append("the restored backup does not match the source (or no restore ran)")
    elif not check_mode:
        if scenario.id == "dcs-partition" and (not partition or partition.get("split_brain") is not False):
            reasons.append("split brain not excluded: no clean demotion of the partitioned leader observed")
        if not measurement:
            reasons.append("no measurement")
        else:
            if achieved.get("rto_write_s") is None:
                reasons.append("writes did not resume on the new primary")
            if scenario.rpo_zero_required and achieved.get("rpo_writes_lost") != 0:
                reasons.append(f"{achieved.get('rpo_writes_lost')} acknowledged writes lost (must be 0)")
            if achieved.get("unexpected_rows"):
                reasons.append("rows present that the client never wrote")
            if not tgt["all_met"]:
                reasons.append("a system's RTO/RPO target was not met")
        if not verify or not verify.get("consistent"):
            reasons.append("data consistency not verified")
        if verify and not writable_ok:
            reasons.append("split brain: more than one writable node")
    aborted = any(s["phase"] == "abort" for s in steps)
    passed = not reasons
    status = (
        "checked" if check_mode and passed else "passed" if passed else "aborted" if aborted else "failed"
    )
    last_event = events[-1] if events else {}
    systems_rows: list[dict[str, Any]] = list(tgt["systems"])
    level_target = max((int(r["gbt20988_level"] or 0) for r in systems_rows), default=0) or None
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "drill_id": drill_id,
        "stack": topo.stack,
        "scenario": {
            "id": scenario.id,
            "name_zh": scenario.name_zh,
            "name_en": scenario.name_en,
            "unplanned": scenario.unplanned,
            "disruption": scenario.disruption,
            "description": scenario.description,
        },
        "drill_type": "模拟演练 / simulated drill (lab)" if topo.lab else "实际切换演练 / live switchover",
        "environment": guard["environment"],
        "topology_source": topo.source,
        "latency_mechanism": topo.latency_mechanism,
        "change_ticket": guard["ticket"],
        "guard": guard,
        "started_at": iso(started_ns),
        "ended_at": iso(ended_ns),
        "duration_s": round((ended_ns - started_ns) / 1e9, 3),
        "status": status,
        "passed": passed,
        "reasons": reasons,
        "ha": ha,
        "service": {
            "engine": "PostgreSQL 15 (Debian)"
            + (
                f" + Patroni {service_before.get('patroni_version')} + etcd 3.4 (DCS)"
                if ha["engine"] == "patroni"
                else ""
            ),
            "endpoint": (
                {"kind": "haproxy", "name": endpoint, "follows": "Patroni REST GET /primary"}
                if ha["engine"] == "patroni"
                else {"kind": "dns", "name": endpoint, "ttl_s": 0}
            ),
            "provisioned_for_this_drill": provisioned,
            "before": service_before,
            "after": service_after,
            "nodes": [
                {
                    "centre": n.centre,
                    "role": n.role,
                    "host": n.name,
                    "netns": n.netns,
                    "ipv4": n.ipv4,
                    "ipv6": n.ipv6,
                }
                for n in topo.nodes
            ],
        },
        "steps": [
            {
                "phase": s["phase"],
                "args": s.get("args", []),
                "started_at": iso(s["start_wall_ns"]),
                "ended_at": iso(s["end_wall_ns"]),
                "duration_s": round((s["end_ns"] - s["start_ns"]) / 1e9, 3),
                "ok": s.get("ok"),
                "error": s.get("error"),
            }
            for s in steps
        ],
        "timeline": _timeline(steps, ref_ns, measurement, journal_first),
        "reference_instant": {"kind": ref.get("kind"), "at": iso(ref.get("wall_ns"))} if ref else None,
        "prechecks": (precheck or {}).get("checks"),
        "replication_before_fault": (fault or {}).get("replication_at_fault")
        or next((sw["replication_at_start"] for sw in switchovers if sw.get("replication_at_start")), None)
        or (precheck or {}).get("replication"),
        "achieved": achieved,
        "targets": tgt,
        "consistency": {
            "consistent": bool(verify and verify.get("consistent")),
            "digests": (verify or {}).get("digests"),
            "checks": (verify or {}).get("checks"),
        },
        "fencing": fencing,
        "split_brain_observed": (bool(verify) and not writable_ok)
        or bool((partition or {}).get("split_brain")),
        "degraded_after": ((failover or {}).get("phases", {}).get("standbys_repointed", {}) or {}).get(
            "degraded"
        ),
        "switchovers": switchovers,
        "failback": reattach,
        "partition": partition,
        "restore_test": restore,
        "new_primary": last_event.get("new_primary"),
        "gbt20988": gbt20988.assessment(
            edition=edition,
            scenario=scenario.id,
            passed=passed and not check_mode,
            rto_s=achieved.get("rto_write_s"),
            rpo_s=achieved.get("rpo_s"),
            lost=achieved.get("rpo_writes_lost"),
            target_level=level_target,
        ),
        "clauses": CLAUSES,
        "ansible": {
            k: runner.get(k) for k in ("status", "rc", "stats", "check_mode", "events_file", "artifacts_dir")
        }
        | {"events": runner.get("events", [])},
        "evidence": evidence_files(workdir),
    }
    unknown = set(doc) - DrillRecord.field_names()
    if unknown:  # a field the contract does not have would be dropped from the record: add it there
        raise TypeError(f"fields missing from govcloud.contracts.drill.DrillRecord: {sorted(unknown)}")
    return DrillRecord.model_validate(doc)
