"""The drill phases (演练步骤). Each is run by one Ansible task through `govcloud.drill.step`.

Every phase returns a JSON-able dict that lands in the step log; raising `StepFailedError` fails the
task, and the playbook's rescue runs `abort`, which leaves the service in a documented state.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from govcloud.drill import faults, witness
from govcloud.drill.context import DrillContext, now
from govcloud.drill.loadgen import read_journal
from govcloud.drill.measure import analyse
from govcloud.drill.pgnode import lsn_int
from govcloud.drill.pgservice import APP_DB, Service
from govcloud.lab.netns import tcp_open
from govcloud.lab.sh import alive, nsexec
from govcloud.wait import until

DEFAULT_MAX_LAG_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_REPLY_AGE_S = 5.0
WITNESS_ROUNDS = 3
WITNESS_INTERVAL_S = 0.1
WITNESS_TIMEOUT_S = 0.2
DETECT_LIMIT_S = 30.0


class StepFailedError(RuntimeError):
    """A phase found the service not as required; the drill aborts (步骤失败，演练中止)."""


def _check(checks: list[dict[str, Any]], name: str, ok: bool, observed: Any, expected: Any) -> None:
    checks.append({"check": name, "ok": bool(ok), "observed": observed, "expected": expected})


def _check_primary_and_endpoint(checks: list[dict[str, Any]], svc: Service, primary: str, name: str) -> None:
    """Exactly the primary accepts writes, and the service endpoint names it (IPv6 answer)."""
    writable = svc.writable()
    _check(checks, name, writable == [primary], writable, [primary])
    answer = svc.endpoint.answer(6)
    expected = svc.nodes[primary].node.ipv6
    _check(checks, "endpoint_points_to_primary", answer == expected, answer, expected)


def _follow(ctx: DrillContext, app: str, upstream: str) -> str:
    """Make `app` a standby of `upstream`: online re-point, else rewind."""
    if ctx.service.repoint(app, upstream):
        return "re-pointed"
    ctx.service.rebuild_as_standby(app, upstream)
    return "rewound"


def preferred_sync(ctx: DrillContext, primary: str) -> str:
    svc = ctx.service
    return svc.city if primary == svc.prod else svc.prod


# -- precheck ---------------------------------------------------------------------------------------
def precheck(ctx: DrillContext) -> dict[str, Any]:
    svc = ctx.service
    scenario = ctx.data["scenario"]
    checks: list[dict[str, Any]] = []
    ticket = str(ctx.data.get("ticket") or "")
    _check(checks, "change_ticket", bool(ticket), ticket or None, "a change ticket id (变更单号)")
    state = svc.state()
    primary = state["primary"]
    fenced = list(state.get("fenced", []))
    _check_primary_and_endpoint(checks, svc, primary, "single_writable_primary")
    if scenario == "failback":
        _check(
            checks,
            "something_to_fail_back",
            bool(fenced) or primary != svc.prod,
            {"primary": primary, "fenced": fenced},
            "fenced nodes or primary outside production",
        )
        ok_hints = svc.nodes[primary].scalar("SHOW wal_log_hints") == "on"
        _check(checks, "rewind_possible_wal_log_hints", ok_hints, ok_hints, True)
    else:
        _check(
            checks,
            "canonical_roles",
            primary == svc.prod and not fenced,
            {"primary": primary, "fenced": fenced},
            {"primary": svc.prod, "fenced": []},
        )
    max_lag = int(ctx.params.get("max_lag_bytes", DEFAULT_MAX_LAG_BYTES))
    max_age = float(ctx.params.get("max_reply_age_s", DEFAULT_MAX_REPLY_AGE_S))
    rows = {r["standby"]: r for r in svc.replication(primary)}
    expected_standbys = [a for a in svc.nodes if a != primary and a not in fenced]
    for app in expected_standbys:
        row = rows.get(app)
        _check(
            checks,
            f"replication_streaming[{app}]",
            bool(row and row["state"] == "streaming"),
            row["state"] if row else "absent",
            "streaming",
        )
        lag = row["flush_lag_bytes"] if row else None
        _check(
            checks, f"replication_lag_bytes[{app}]", lag is not None and lag <= max_lag, lag, f"<= {max_lag}"
        )
        age = row["reply_age_s"] if row else None
        _check(
            checks, f"standby_reply_age_s[{app}]", age is not None and age <= max_age, age, f"<= {max_age}"
        )
    if scenario != "failback":
        sync_row = rows.get(svc.city)
        _check(
            checks,
            "same_city_is_synchronous",
            bool(sync_row and sync_row["sync_state"] == "sync"),
            sync_row["sync_state"] if sync_row else "absent",
            "sync",
        )
    failed = [c for c in checks if not c["ok"]]
    result = {"checks": checks, "replication": list(rows.values()), "primary": primary}
    if failed:
        raise StepFailedError(
            "pre-check failed (预检查未通过): "
            + ", ".join(c["check"] for c in failed)
            + " | "
            + json.dumps(result, default=str)
        )
    return result


# -- load generator ---------------------------------------------------------------------------------
def load_start(ctx: DrillContext) -> dict[str, Any]:
    svc = ctx.service
    cfg = {
        **svc.client_endpoint(int(ctx.params.get("family", 6))),
        **svc.app_dsn_parts(),
        "run_id": ctx.drill_id,
        "journal": str(ctx.dir / "load-journal.jsonl"),
        "stop_file": str(ctx.dir / "load.stop"),
        "max_writes": int(ctx.params.get("max_writes", 60_000)),
        "max_seconds": float(ctx.params.get("max_load_seconds", 300)),
        "interval_s": float(ctx.params.get("interval_s", 0.01)),
    }
    cfg_path = ctx.dir / "loadgen.json"
    cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
    os.chmod(cfg_path, 0o600)
    log = (ctx.dir / "loadgen.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(
        nsexec(ctx.topo.client_netns, sys.executable, "-m", "govcloud.drill.loadgen", str(cfg_path)),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    state = ctx.state()
    state["loadgen_pid"] = proc.pid
    ctx.save_state(state)
    need = int(ctx.params.get("steady_acks", 30))
    journal = ctx.dir / "load-journal.jsonl"
    acks = [0]

    def steady_or_exited() -> str | None:
        acks[0] = sum(1 for r in read_journal(journal) if r.get("ev") == "ack") if journal.exists() else 0
        if acks[0] >= need:
            return "steady"
        return "exited" if proc.poll() is not None else None

    if until(steady_or_exited, timeout=20) == "steady":
        return {"loadgen_pid": proc.pid, "steady_state_acks": acks[0], "service_name": cfg["name"]}
    raise StepFailedError(f"load generator did not reach steady state ({acks[0]} acks)")


def _wait_recovered(ctx: DrillContext, events: list[dict[str, Any]], after_acks: int, limit_s: float) -> bool:
    """Let the load run until `after_acks` writes were acknowledged by the newest primary."""
    last = events[-1]
    journal = ctx.dir / "load-journal.jsonl"

    def recovered() -> bool:
        acks = [
            r
            for r in read_journal(journal)
            if r.get("ev") == "ack"
            and int(r["t"]) > int(last["t_ns"])
            and r.get("node") == last["new_primary"]
        ]
        return len(acks) >= after_acks

    return bool(until(recovered, timeout=limit_s))


def load_stop(ctx: DrillContext, wait_for_recovery: bool = True) -> dict[str, Any]:
    state = ctx.state()
    recovered = None
    if (
        wait_for_recovery
        and state.get("events")
        and state.get("loadgen_pid")
        and alive(int(state["loadgen_pid"]))
    ):
        recovered = _wait_recovered(
            ctx,
            state["events"],
            int(ctx.params.get("recovered_acks", 30)),
            float(ctx.params.get("recovery_wait_s", 60)),
        )
    (ctx.dir / "load.stop").write_text("stop\n", encoding="utf-8")
    pid = ctx.state().get("loadgen_pid")
    if pid:
        until(lambda: not alive(int(pid)), timeout=10, interval=0.05)
        if alive(int(pid)):
            os.killpg(int(pid), signal.SIGKILL)
    journal = ctx.dir / "load-journal.jsonl"
    records = read_journal(journal) if journal.exists() else []
    return {
        "stopped": True,
        "acks": sum(1 for r in records if r.get("ev") == "ack"),
        "writes_resumed_on_new_primary": recovered,
    }


# -- fault injection (lab only) ---------------------------------------------------------------------
def fault(ctx: DrillContext, victims: list[str]) -> dict[str, Any]:
    if not ctx.data.get("lab"):
        raise StepFailedError("fault injection is for the lab only (故障注入仅限实验环境)")
    svc = ctx.service
    primary = svc.state()["primary"]
    replication = svc.replication(primary)
    lsn = svc.nodes[primary].scalar("SELECT pg_current_wal_lsn()::text")
    survivors = [a for a in svc.nodes if a not in victims]
    # the automatic failover must be armed (witnesses watching) before anything is broken
    def armed() -> bool:
        return any(r.get("ev") == "start" for r in witness.read(ctx.dir / "witness.jsonl"))

    if not until(armed, timeout=30, interval=0.05):
        raise StepFailedError("the automatic failover was not armed; no fault injected (未就绪，未注入故障)")
    # optional: replication to the survivors stops for a while before the disaster (a degraded
    # inter-centre link), so the asynchronous standby falls behind and the regional RPO is > 0
    # (measured exactly). Client traffic is not touched.
    pre_outage_s = float(ctx.params.get("survivor_outage_before_fault_s", 0))
    pre_outage = None
    if pre_outage_s > 0:
        for app in survivors:
            svc.detach(app)
        state = ctx.state()
        state["detached"] = survivors
        ctx.save_state(state)
        pre_outage = {"nodes": survivors, "seconds": pre_outage_s, **now()}
        time.sleep(pre_outage_s)
        replication = svc.replication(primary)
        lsn = svc.nodes[primary].scalar("SELECT pg_current_wal_lsn()::text")
    killed = {}
    for app in victims:
        faults.isolate(ctx.topo.stack, svc.nodes[app].node)
    for app in victims:
        killed[app] = svc.nodes[app].kill()
    instant = now()  # after the injection took effect (pitfall P8)
    state = ctx.state()
    state.update(fault=instant, victims=victims, old_primary=primary)
    ctx.save_state(state)
    return {
        "victims": victims,
        "survivors": survivors,
        "survivor_outage_before_fault": pre_outage,
        "killed_postmaster_pids": killed,
        "replication_at_fault": replication,
        "primary_lsn_at_fault": lsn,
        **instant,
    }


# -- unplanned failover: detect, fence, promote, endpoint ------------------------------------------
def failover(ctx: DrillContext, target: str, victims_arg: list[str] | None = None) -> dict[str, Any]:
    """Armed automatic failover: started (async) before the fault, it watches the primary through
    the witnesses, and on declaration fences, promotes and switches the endpoint at once."""
    svc = ctx.service
    old = svc.state()["primary"]
    victims = list(victims_arg or [old])
    survivors = [a for a in svc.nodes if a not in victims]
    if target not in survivors:
        raise StepFailedError(f"promotion target {target} is not a surviving centre")
    phases: dict[str, Any] = {"armed": now()}
    phases["detected"] = _detect(ctx, old, survivors)
    phases["fenced"] = _fence(ctx, victims)
    lsns = {app: svc.nodes[app].scalar("SELECT pg_last_wal_receive_lsn()::text") for app in survivors}
    phases["promoted"] = _promote(ctx, target, lsns)
    phases["endpoint_switched"] = _switch_endpoint(ctx, target)
    _record_promotion(ctx, target)
    phases["standbys_repointed"] = _repoint_survivors(ctx, target, victims, survivors, lsns)
    return {"phases": phases, "old_primary": old, "new_primary": target}


def _detect(ctx: DrillContext, old: str, survivors: list[str]) -> dict[str, Any]:
    """Witnesses in every surviving centre; a failure is declared after N failed rounds in a row, and
    acted on only if this drill injected it."""
    svc = ctx.service
    (ctx.dir / "failover.pid").write_text(str(os.getpid()), encoding="utf-8")
    witness.monitor(
        {
            "host": svc.nodes[old].node.ipv4,
            "port": 5432,
            "witnesses": [svc.nodes[a].node.netns for a in survivors],
            "timeout_s": WITNESS_TIMEOUT_S,
            "interval_s": WITNESS_INTERVAL_S,
            "rounds": WITNESS_ROUNDS,
            "out": str(ctx.dir / "witness.jsonl"),
            "stop_file": str(ctx.dir / "failover.disarm"),
            "max_seconds": float(ctx.params.get("armed_max_seconds", 180)),
        }
    )
    declared = next((r for r in witness.read(ctx.dir / "witness.jsonl") if r.get("ev") == "declared"), None)
    if declared is None:
        raise StepFailedError(
            "failover disarmed or no failure declared by the witnesses (未确认故障，未切换)"
        )
    # the fault step records its instant right after the injection
    if not until(lambda: "fault" in ctx.state(), timeout=10, interval=0.02):
        raise StepFailedError("witnesses declared a failure that this drill did not inject; not failing over")
    return {
        "t_ns": declared["t"],
        "wall_ns": declared["wall"],
        "witnesses": survivors,
        "rounds": WITNESS_ROUNDS,
        "probe_timeout_s": WITNESS_TIMEOUT_S,
        "interval_s": WITNESS_INTERVAL_S,
    }


def _fence(ctx: DrillContext, victims: list[str]) -> dict[str, Any]:
    """Withdraw the endpoint, power-off analogue, FENCED marker, network fence; then verify each."""
    svc = ctx.service
    svc.endpoint.point(None)
    evidence = []
    for app in victims:
        node = svc.nodes[app]
        pid_left = node.kill() if node.postmaster_pid() else None
        node.fence_mark(f"fenced by drill {ctx.drill_id}")
        faults.fence(ctx.topo.stack, node.node)
        running = node.running()
        reachable = tcp_open(ctx.topo.client_netns, node.node.ipv4, 5432, 0.2)
        evidence.append(
            {
                "node": app,
                "postmaster_running": running,
                "fence_marker": node.fence_marker.exists(),
                "nft_fence": faults.fenced(ctx.topo.stack, node.node),
                "port_5432_reachable_from_clients": reachable,
                "killed_again": pid_left,
            }
        )
        if running or reachable:
            raise StepFailedError(f"fence of {app} not verified: {evidence[-1]}")
    return {
        **now(),
        "method": ["endpoint_withdrawn", "postmaster_killed", "fenced_marker", "nft_drop_5432"],
        "evidence": evidence,
        "verified": True,
    }


def _promote(ctx: DrillContext, target: str, lsns: dict[str, Any]) -> dict[str, Any]:
    """Promote the candidate; the same-city drill promotes only the node that was synchronous."""
    svc = ctx.service
    was_sync = svc.state().get("sync")
    if ctx.data["scenario"] == "samecity-failover" and was_sync != target:
        raise StepFailedError(
            f"refusing to promote {target}: it was not the synchronous standby ({was_sync})"
        )
    promo = svc.promote(target)
    return {**now(), "candidate": target, "was_sync": was_sync == target, "received_lsn": lsns, **promo}


def _switch_endpoint(ctx: DrillContext, target: str) -> dict[str, Any]:
    svc = ctx.service
    switch_s = svc.endpoint.point(svc.nodes[target].node)
    return {**now(), "service_name": svc.endpoint.name, "to": target, "dns_switch_s": round(switch_s, 3)}


def _record_promotion(ctx: DrillContext, target: str) -> None:
    state = ctx.state()
    state["promoted"] = True
    state["new_primary"] = target
    state.setdefault("events", []).append(
        {
            "kind": "unplanned-failover",
            "new_primary": target,
            "t_ns": state["fault"]["t_ns"],
            "wall_ns": state["fault"]["wall_ns"],
        }
    )
    ctx.save_state(state)


def _repoint_survivors(
    ctx: DrillContext, target: str, victims: list[str], survivors: list[str], lsns: dict[str, Any]
) -> dict[str, Any]:
    """Re-point the remaining standbys (after the endpoint: not on the RTO path). An async standby
    may have received WAL beyond the promoted node's switch point (in-flight, never acknowledged):
    it cannot follow the new timeline and is rewound instead."""
    svc = ctx.service
    fork = svc.switch_point(target)
    point = fork[1] if fork else None
    repointed: dict[str, Any] = {}
    for app in survivors:
        if app == target:
            continue
        ahead = bool(point and lsns.get(app) and lsn_int(str(lsns[app])) > lsn_int(point))
        if not ahead and svc.repoint(app, target):
            repointed[app] = {"method": "re-pointed", "received_lsn": lsns.get(app), "switch_point": point}
        else:
            repointed[app] = {
                "method": "rewound",
                "ahead_of_switch_point": ahead,
                "received_lsn": lsns.get(app),
                "switch_point": point,
                **svc.rebuild_as_standby(app, target),
            }
    svc.update(
        primary=target,
        fenced=sorted(set(svc.state().get("fenced", [])) | set(victims)),
        sync=None,
        endpoint=target,
        upstream={a: target for a in survivors if a != target},
    )
    return {
        **now(),
        "result": repointed,
        "degraded": "no synchronous standby until failback (降级运行：无同步备库)",
    }


# -- planned switchover -----------------------------------------------------------------------------
def switchover(ctx: DrillContext, target: str) -> dict[str, Any]:
    svc = ctx.service
    st = svc.state()
    old = st["primary"]
    if target == old:
        return {"skipped": f"{target} is already the primary", "old_primary": old, "new_primary": target}
    phases: dict[str, Any] = {}
    if st.get("sync") != target:
        svc.set_sync(old, target)
        def synchronous() -> bool:
            rows = {r["standby"]: r for r in svc.replication(old)}
            return bool(rows.get(target, {}).get("sync_state") == "sync")

        if not until(synchronous, timeout=15):
            raise StepFailedError(f"{target} did not become synchronous before the switchover")
    phases["target_synchronous"] = now()
    replication_at_start = svc.replication(old)
    start = now()
    state = ctx.state()
    state.setdefault("switchovers", []).append({"from": old, "to": target, **start})
    ctx.save_state(state)
    svc.endpoint.point(None)
    phases["endpoint_withdrawn"] = now()
    svc.nodes[old].stop("fast")  # walsenders ship everything up to the shutdown checkpoint first
    ckpt = svc.nodes[old].controldata()["Latest checkpoint location"]
    phases["old_primary_stopped"] = {**now(), "shutdown_checkpoint": ckpt}
    received: list[Any] = [None]

    def has_checkpoint() -> bool:
        received[0] = svc.nodes[target].scalar("SELECT pg_last_wal_receive_lsn()::text")
        return bool(received[0]) and lsn_int(str(received[0])) >= lsn_int(ckpt)

    if not until(has_checkpoint, timeout=10, interval=0.05):
        svc.nodes[old].start()
        svc.endpoint.point(svc.nodes[old].node)
        raise StepFailedError(
            f"{target} lacks the shutdown checkpoint {ckpt} (has {received[0]}); switched back"
        )
    phases["target_has_shutdown_checkpoint"] = {**now(), "received_lsn": received[0], "checkpoint": ckpt}
    promo = svc.promote(target)
    phases["promoted"] = {**now(), **promo}
    svc.endpoint.point(svc.nodes[target].node)
    phases["endpoint_switched"] = {**now(), "to": target}
    state = ctx.state()
    state["promoted"] = True
    state.setdefault("events", []).append(
        {
            "kind": "planned-switchover",
            "new_primary": target,
            "t_ns": start["t_ns"],
            "wall_ns": start["wall_ns"],
        }
    )
    ctx.save_state(state)
    host, port = svc.conninfo(old, target)
    svc.nodes[old].write_standby_config(host, port)
    svc.nodes[old].start()
    repointed: dict[str, str] = {old: "restarted as standby"}
    for app in svc.nodes:
        if app not in (old, target) and app not in st.get("fenced", []):
            repointed[app] = _follow(ctx, app, target)
    svc.wait_streaming(target, old, 30)
    sync = preferred_sync(ctx, target)
    if sync in repointed:
        svc.wait_streaming(target, sync, 30)
        svc.set_sync(target, sync)
    svc.update(primary=target, sync=sync, endpoint=target, upstream={a: target for a in repointed})
    phases["old_primary_attached_as_standby"] = {**now(), "repointed": repointed, "sync": sync}
    return {
        "phases": phases,
        "old_primary": old,
        "new_primary": target,
        "replication_at_start": replication_at_start,
    }


# -- failback: rewind and re-attach the fenced nodes ------------------------------------------------
def reattach(ctx: DrillContext) -> dict[str, Any]:
    svc = ctx.service
    st = svc.state()
    primary = st["primary"]
    fenced = list(st.get("fenced", []))
    result: dict[str, Any] = {"primary": primary, "nodes": {}}
    svc.nodes[primary].query("CHECKPOINT")  # pitfall P10
    for app in fenced:
        node = svc.nodes[app]
        entry: dict[str, Any] = {"start": now()}
        entry["healed"] = faults.heal(ctx.topo.stack, node.node)
        if node.running():
            node.kill()
        entry.update(svc.rebuild_as_standby(app, primary))
        faults.unfence(ctx.topo.stack, node.node)
        entry["end"] = now()
        result["nodes"][app] = entry
        st = svc.update(
            fenced=[a for a in svc.state()["fenced"] if a != app],
            upstream={**svc.state().get("upstream", {}), app: primary},
        )
    sync = preferred_sync(ctx, primary)
    svc.set_sync(primary, sync)
    svc.update(sync=sync)
    result["sync"] = sync
    return result


def restore_roles(ctx: DrillContext) -> dict[str, Any]:
    """After the switchover back: production primary, same-city sync, remote DR async from production."""
    svc = ctx.service
    st = svc.state()
    if st["primary"] != svc.prod:
        raise StepFailedError(f"production is not the primary ({st['primary']})")
    repointed = {}
    for app in (svc.city, svc.remote):
        if st.get("upstream", {}).get(app) != svc.prod:
            repointed[app] = _follow(ctx, app, svc.prod)
        svc.wait_streaming(svc.prod, app, 30)
    svc.set_sync(svc.prod, svc.city)
    svc.update(sync=svc.city, upstream={svc.city: svc.prod, svc.remote: svc.prod})
    return {"repointed": repointed, "replication": svc.replication(svc.prod)}


# -- verification and measurement -----------------------------------------------------------------
def consistency_checks(ctx: DrillContext, primary: str, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every running, unfenced standby replays to the primary's LSN, then holds the same rows (count
    and MD5 of this drill's rows and of all runs) as the primary. Returns the digests."""
    svc = ctx.service
    fenced = svc.state().get("fenced", [])
    running = [a for a in svc.nodes if a not in fenced and svc.nodes[a].running()]
    for app in running:
        if app != primary:
            caught_up = svc.wait_caught_up(primary, app, 30)
            _check(checks, f"caught_up[{app}]", caught_up, app, "replayed to primary LSN")
    digests = [{**svc.digest(app, ctx.drill_id), "all_runs": svc.digest(app, None)} for app in running]
    ref = digests[[d["node"] for d in digests].index(primary)]
    for d in digests:
        same = (
            d["rows"] == ref["rows"]
            and d["md5"] == ref["md5"]
            and d["all_runs"] == {**ref["all_runs"], "node": d["node"]}
        )
        _check(
            checks,
            f"consistent[{d['node']}]",
            same,
            {"rows": d["rows"], "md5": d["md5"]},
            {"rows": ref["rows"], "md5": ref["md5"]},
        )
    return digests


def verify(ctx: DrillContext) -> dict[str, Any]:
    svc = ctx.service
    st = svc.state()
    primary = st["primary"]
    checks: list[dict[str, Any]] = []
    _check_primary_and_endpoint(checks, svc, primary, "exactly_one_writable_node")
    digests = consistency_checks(ctx, primary, checks)
    fencing = []
    for app in st.get("fenced", []):
        node = svc.nodes[app]
        reachable = tcp_open(ctx.topo.client_netns, node.node.ipv4, 5432, 0.3)
        item = {
            "node": app,
            "postmaster_running": node.running(),
            "port_5432_reachable": reachable,
            "fence_marker": node.fence_marker.exists(),
        }
        fencing.append(item)
        _check(
            checks,
            f"old_primary_cannot_accept_writes[{app}]",
            not item["postmaster_running"] and not reachable and item["fence_marker"],
            item,
            "not running, unreachable, marked FENCED",
        )
    result = {
        "checks": checks,
        "digests": digests,
        "fencing": fencing,
        "primary": primary,
        "consistent": all(c["ok"] for c in checks if c["check"].startswith("consistent")),
    }
    failed = [c for c in checks if not c["ok"]]
    if failed:
        raise StepFailedError("verification failed (验证未通过): " + json.dumps(failed, default=str))
    return result


def measure(ctx: DrillContext) -> dict[str, Any]:
    svc = ctx.service
    st = svc.state()
    primary = st["primary"]
    journal = read_journal(ctx.dir / "load-journal.jsonl")
    present = {
        int(r[0])
        for r in svc.nodes[primary].query(
            "SELECT n FROM drill_seq WHERE run_id = %s", (ctx.drill_id,), dbname=APP_DB
        )
    }
    state = ctx.state()
    result = analyse(journal, present, state.get("events", []))
    result["final_primary"] = primary
    # server-side cross-check on the fenced old primary: WAL after the new timeline's switch point
    server = []
    if state.get("victims") and state.get("new_primary"):
        fork = svc.switch_point(state["new_primary"])
        for app in state["victims"]:
            if fork and app in st.get("fenced", []):
                server.append({"node": app, **svc.nodes[app].waldump_commits(*fork)})
    result["server_side"] = server
    (ctx.dir / "measurement.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


# -- abort (rescue path) ----------------------------------------------------------------------------
def abort(ctx: DrillContext) -> dict[str, Any]:
    """Leave the service in a documented state: as it was if nothing was promoted, else one primary."""
    svc = ctx.service
    actions: list[str] = []
    (ctx.dir / "failover.disarm").write_text("abort\n", encoding="utf-8")
    pid_file = ctx.dir / "failover.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text(encoding="utf-8"))
        until(lambda: not alive(pid), timeout=120)  # let a failover already past its declaration finish
        actions.append("armed failover disarmed")
    if ctx.state().get("loadgen_pid"):
        load_stop(ctx, wait_for_recovery=False)
        actions.append("load generator stopped")
    state = ctx.state()
    st = svc.state()
    if not state.get("promoted"):
        for node in svc.nodes.values():
            if faults.heal(ctx.topo.stack, node.node):
                actions.append(f"{node.app}: injected fault healed")
        for app in state.get("victims", []):
            node = svc.nodes[app]
            faults.unfence(ctx.topo.stack, node.node)
            node.fence_clear()
        for app in [st["primary"], *state.get("victims", [])]:
            if not svc.nodes[app].running():
                svc.nodes[app].start()
                actions.append(f"{app}: restarted")
        for app in state.get("detached", []):
            svc.repoint(app, st["primary"])
            actions.append(f"{app}: replication re-attached")
        if svc.endpoint.current() != st["primary"]:
            svc.endpoint.point(svc.nodes[st["primary"]].node)
            actions.append(f"endpoint restored to {st['primary']}")
    else:
        for app, node in svc.nodes.items():
            if app not in st.get("fenced", []) and faults.heal(ctx.topo.stack, node.node):
                actions.append(f"{app}: pre-fault outage healed")
        writable = svc.writable()
        if len(writable) == 1 and svc.endpoint.current() != writable[0]:
            svc.endpoint.point(svc.nodes[writable[0]].node)
            actions.append(f"endpoint pointed at the only writable node {writable[0]}")
    writable = svc.writable()
    return {
        "actions": actions,
        "writable": writable,
        "service": svc.state(),
        "documented_state": "unchanged" if not state.get("promoted") else "failed over",
        "single_writable": len(writable) == 1,
    }


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "precheck": precheck,
    "load-start": load_start,
    "load-stop": load_stop,
    "fault": fault,
    "failover": failover,
    "switchover": switchover,
    "reattach": reattach,
    "restore-roles": restore_roles,
    "verify": verify,
    "measure": measure,
    "abort": abort,
}
