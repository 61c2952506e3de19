"""The drill phases when Patroni runs the database (Patroni 模式的演练步骤).

Patroni decides; the drill injects the fault, watches, measures and verifies from Patroni's and
PostgreSQL's own state. The phase names and the playbooks are the manual mode's; what differs:
  failover     the armed failover is Patroni itself: the phase waits for the fault, then for Patroni's
               new leader and for HAProxy to follow it. For a regional disaster the DCS quorum is
               gone with the two centres, so the declared-disaster runbook restores etcd on the
               survivor (a snapshot of its database restored as a one-member cluster) and promotes
               the standby cluster (removes `standby_cluster` from its dynamic configuration).
  partition    (dcs-partition) the production centre loses the etcd quorum, nothing else: the old
               leader must demote itself before the same-city replica takes the lease, and no write
               may be acknowledged by two primaries (split brain).
  switchover   `patronictl switchover`; from the DR centre, the DR and main clusters swap roles
               (failback_dr: DR demoted to a standby cluster, then the main cluster promoted).
  reattach     the fenced centre comes back: Patroni rewinds it (`use_pg_rewind`) and it rejoins;
               after a regional failover, as a standby cluster of the DR primary (failback_dr).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from govcloud.drill import faults
from govcloud.drill import steps as manual
from govcloud.drill.context import DrillContext, now
from govcloud.drill.ha import failback_dr
from govcloud.drill.ha.leader import leader_limit, patroni_service, wait_leader
from govcloud.drill.ha.patroni import log_tail, rewound_by_patroni
from govcloud.drill.ha.service import PatroniService
from govcloud.drill.loadgen import read_journal
from govcloud.drill.pgnode import lsn_int
from govcloud.drill.pgservice import ServiceError
from govcloud.drill.steps import StepFailedError, _check
from govcloud.lab.netns import tcp_open
from govcloud.wait import until


def _cluster_view(svc: PatroniService) -> dict[str, Any]:
    """`patronictl list` of both scopes, from a running member of each (evidence)."""
    view: dict[str, Any] = {}
    for app, member in svc.members.items():
        if not member.running():
            continue
        scope = "dr" if app == svc.remote else "main"
        if scope in view:
            continue
        try:
            view[scope] = member.cluster()
        except Exception as exc:  # evidence only: an unreachable DCS is itself a finding
            view[scope] = {"error": str(exc)[-300:]}
    return view


# -- precheck ---------------------------------------------------------------------------------------
def precheck(ctx: DrillContext) -> dict[str, Any]:
    svc = patroni_service(ctx)
    scenario = ctx.data["scenario"]
    checks: list[dict[str, Any]] = []
    ticket = str(ctx.data.get("ticket") or "")
    _check(checks, "change_ticket", bool(ticket), ticket or None, "a change ticket id (变更单号)")
    quorum = svc.etcd.quorum_report()
    st = svc.state()
    fenced = list(st.get("fenced", []))
    for centre, item in quorum.items():
        if centre in fenced:
            continue
        _check(checks, f"etcd_member_healthy[{centre}]", item["healthy"], item, "running and healthy")
    if not any(item["healthy"] for item in quorum.values()):
        raise StepFailedError(
            "etcd is unreachable: no member of the DCS answers, so Patroni cannot elect a leader; the drill "
            "does not start (etcd 不可达，Patroni 无法选主，演练不启动) | " + json.dumps(quorum)
        )
    roles = svc.roles()
    primary = st["primary"]
    leader = svc.leader()
    _check(checks, "patroni_leader", leader == primary, roles, f"{primary} is Patroni's leader")
    writable = svc.writable()
    _check(checks, "single_writable_primary", writable == [primary], writable, [primary])
    endpoint = svc.endpoint_current()
    _check(checks, "endpoint_follows_leader", endpoint == primary, svc.proxy.stat(), primary)
    rows = {r["standby"]: r for r in svc.replication(primary)}
    if scenario == "failback":
        _check(
            checks,
            "something_to_fail_back",
            bool(fenced) or primary != svc.prod,
            {"primary": primary, "fenced": fenced},
            "fenced nodes or primary outside production",
        )
    else:
        _check(
            checks,
            "canonical_roles",
            primary == svc.prod and not fenced,
            {"primary": primary, "fenced": fenced},
            {"primary": svc.prod, "fenced": []},
        )
        for app in (svc.city, svc.remote):
            row = rows.get(app)
            _check(
                checks,
                f"replication_streaming[{app}]",
                bool(row and row["state"] == "streaming"),
                row["state"] if row else "absent",
                "streaming",
            )
        if svc.settings.synchronous_mode:
            row = rows.get(svc.city)
            _check(
                checks,
                "same_city_is_synchronous",
                bool(row and row["sync_state"] in ("sync", "quorum")),
                row["sync_state"] if row else "absent",
                "sync (Patroni synchronous_mode)",
            )
    failed = [c for c in checks if not c["ok"]]
    result = {
        "checks": checks,
        "roles": roles,
        "etcd": quorum,
        "settings": svc.settings.to_dict(),
        "replication": list(rows.values()),
        "primary": primary,
    }
    if failed:
        raise StepFailedError(
            "pre-check failed (预检查未通过): "
            + ", ".join(c["check"] for c in failed)
            + " | "
            + json.dumps(result, default=str)
        )
    return result


# -- fault: a centre is lost (links cut, Patroni + postgres + etcd member killed) ---------------------
def fault(ctx: DrillContext, victims: list[str]) -> dict[str, Any]:
    if not ctx.data.get("lab"):
        raise StepFailedError("fault injection is for the lab only (故障注入仅限实验环境)")
    svc = patroni_service(ctx)
    primary = svc.state()["primary"]
    replication = svc.replication(primary)
    lsn = svc.nodes[primary].scalar("SELECT pg_current_wal_lsn()::text")
    if not until((ctx.dir / "failover.armed").exists, timeout=30, interval=0.05):
        raise StepFailedError("the failover watch was not armed; no fault injected (未就绪，未注入故障)")
    for app in victims:
        faults.isolate(ctx.topo.stack, svc.nodes[app].node)
    killed = {}
    for app in victims:
        killed[app] = {
            "patroni_pid": svc.members[app].kill(),
            "etcd_pid": svc.etcd.kill(app),
        }
    instant = now()
    state = ctx.state()
    state.update(fault=instant, victims=victims, old_primary=primary)
    ctx.save_state(state)
    return {
        "victims": victims,
        "survivors": [a for a in svc.nodes if a not in victims],
        "killed": killed,
        "replication_at_fault": replication,
        "primary_lsn_at_fault": lsn,
        **instant,
    }


def _fencing_evidence(ctx: DrillContext, svc: PatroniService, victims: list[str]) -> list[dict[str, Any]]:
    evidence = []
    for app in victims:
        node = svc.nodes[app]
        item = {
            "node": app,
            "patroni_running": svc.members[app].running(),
            "postmaster_running": node.running(),
            "port_5432_reachable_from_clients": tcp_open(ctx.topo.client_netns, node.node.ipv4, 5432, 0.3),
            "patroni_role_seen_by_rest": svc.members[app].role(),
            "endpoint_backend_status": svc.proxy.stat().get(app),
        }
        item["verified"] = (
            not (
                item["patroni_running"]
                or item["postmaster_running"]
                or item["port_5432_reachable_from_clients"]
            )
            and item["patroni_role_seen_by_rest"] == "unreachable"
            and not str(item["endpoint_backend_status"] or "").startswith("UP")
        )
        evidence.append(item)
    return evidence


# -- failover: Patroni is the armed failover; the drill watches ---------------------------------------
def failover(ctx: DrillContext, target: str, victims_arg: list[str] | None = None) -> dict[str, Any]:
    """Patroni's unplanned failover, phase by phase: wait for the injected fault, (regional: declare
    the disaster and promote the standby cluster), the leader elected through etcd, the endpoint
    following it, fencing verified, the survivors streaming from the new leader."""
    svc = patroni_service(ctx)
    old = svc.state()["primary"]
    victims = list(victims_arg or [old])
    phases: dict[str, Any] = {"armed": now()}
    was_sync = next(
        (r["standby"] for r in svc.replication(old) if r["sync_state"] in ("sync", "quorum")), None
    )
    _await_fault(ctx)
    if target == svc.remote:
        phases.update(_declare_regional_disaster(svc, target))
    phases["leader_elected"] = wait_leader(svc, target, leader_limit(svc))
    phases["endpoint_switched"] = {
        **now(),
        "waited_s": round(svc.proxy.wait_current(target, 30), 3),
        "backends": svc.proxy.stat(),
    }
    _record_promotion(ctx, target)
    phases["fenced"] = _verify_fenced(ctx, svc, victims)
    if ctx.data["scenario"] == "samecity-failover" and was_sync != target:
        raise StepFailedError(
            f"Patroni promoted {target}, which was not the synchronous standby ({was_sync})"
        )
    _follow_new_leader(svc, target, victims)
    phases["cluster"] = {**now(), "view": _cluster_view(svc), "was_sync": was_sync}
    return {"phases": phases, "old_primary": old, "new_primary": target, "settings": svc.settings.to_dict()}


def _await_fault(ctx: DrillContext) -> None:
    """Arm the watch, then wait for the fault step to inject (or for the drill to disarm it)."""
    (ctx.dir / "failover.armed").write_text("patroni\n", encoding="utf-8")

    def injected_or_disarmed() -> str | None:
        if "fault" in ctx.state():
            return "injected"
        return "disarmed" if (ctx.dir / "failover.disarm").exists() else None

    armed_s = float(ctx.params.get("armed_max_seconds", 180))
    if until(injected_or_disarmed, timeout=armed_s, interval=0.02) != "injected":
        raise StepFailedError("no fault was injected; nothing to fail over (未注入故障)")


def _declare_regional_disaster(svc: PatroniService, target: str) -> dict[str, Any]:
    """Two of three etcd members are gone, so is the quorum. Declared-disaster runbook (灾难宣告后):
    etcd on the survivor from a snapshot of its own data, then promote the standby cluster."""
    declared = {**now(), "by": "drill (regional disaster declared / 宣告区域性灾难)"}
    phases: dict[str, Any] = {"declared": declared}
    member = svc.members[target]
    restored = svc.etcd.restore_alone(target)
    phases["dcs_restored"] = {**now(), "etcd": restored}
    member.wait_role(("standby_leader", "primary"), 60)
    out = member.ctl("edit-config", "--force", "-s", "standby_cluster=null", timeout=30)
    phases["standby_cluster_promoted"] = {**now(), "patronictl": out.strip()[-300:]}
    return phases


def _record_promotion(ctx: DrillContext, target: str) -> None:
    state = ctx.state()
    state["promoted"] = True
    state["new_primary"] = target
    state.setdefault("events", []).append(
        {
            "kind": "unplanned-failover",
            "new_primary": target,
            **{k: state["fault"][k] for k in ("t_ns", "wall_ns")},
        }
    )
    ctx.save_state(state)


def _verify_fenced(ctx: DrillContext, svc: PatroniService, victims: list[str]) -> dict[str, Any]:
    evidence = _fencing_evidence(ctx, svc, victims)
    fenced = {
        **now(),
        "method": ["centre isolated (links cut)", "Patroni + postgres + etcd member killed (power-off)"],
        "evidence": evidence,
        "verified": all(e["verified"] for e in evidence),
    }
    if not fenced["verified"]:
        raise StepFailedError(f"fence not verified: {evidence}")
    return fenced


def _follow_new_leader(svc: PatroniService, target: str, victims: list[str]) -> None:
    survivors = [a for a in svc.nodes if a not in victims and a != target]
    for app in survivors:
        svc.wait_streaming(target, app, 60)
    svc.update(
        primary=target,
        fenced=sorted(set(svc.state().get("fenced", [])) | set(victims)),
        sync=None,
        endpoint=target,
        upstream={a: target for a in survivors},
    )


# -- DCS partition: the leader's centre cut off from the etcd quorum -----------------------------------
def partition(ctx: DrillContext) -> dict[str, Any]:
    """Cut production from etcd (replication and clients untouched); sample which nodes accept writes
    (each sample stamped when taken, one pair about every 50 ms) until production has demoted itself
    and same-city leads; read the old leader's WAL past the fork; then heal.

    Split brain is shown by evidence, not assumed away: both nodes seen writable at once, or a write
    the old leader acknowledged at an LSN past the new timeline's fork. A node whose local socket does
    not answer (postgres restarting to demote) counts as not writable: no client can write to it then.
    """
    svc = patroni_service(ctx)
    old, new = svc.prod, svc.city
    pairs = (old, new)
    limit = leader_limit(svc)
    samples: dict[str, list[dict[str, Any]]] = {a: [] for a in pairs}
    out = ctx.dir / "partition.json"

    def sample(app: str) -> dict[str, Any]:
        t = time.monotonic_ns()
        try:
            return {"t_ns": t, "writable": not svc.nodes[app].in_recovery()}
        except Exception:
            return {"t_ns": t, "writable": None}

    svc.dcs_cut(old)
    instant = now()
    state = ctx.state()
    state.update(fault=instant, victims=[], old_primary=old, partitioned=[old])
    ctx.save_state(state)
    marks: dict[str, int] = {}  # demoted / promoted: the first sample showing it

    def leader_changed() -> bool:
        for app in pairs:
            got = sample(app)
            if not samples[app] or samples[app][-1]["writable"] != got["writable"]:
                samples[app].append(got)
            if app == old and got["writable"] is False:
                marks.setdefault("demoted", got["t_ns"])
            if app == new and got["writable"] is True:
                marks.setdefault("promoted", got["t_ns"])
        return len(marks) == 2 and svc.members[new].role() == "primary"

    if not until(leader_changed, timeout=limit, interval=0.05):
        out.write_text(
            json.dumps({"partitioned": old, "split_brain": None, "samples": samples}), encoding="utf-8"
        )
        raise StepFailedError(
            f"partition: no clean leader change within {limit:.0f}s (未完成切换): {json.dumps(samples)}"
        )
    demoted_at, promoted_at = marks["demoted"], marks["promoted"]
    overlap_s = _overlap(samples[old], samples[new])
    state = ctx.state()
    state["promoted"] = True
    state["new_primary"] = new
    state.setdefault("events", []).append(
        {"kind": "dcs-partition", "new_primary": new, "t_ns": instant["t_ns"], "wall_ns": instant["wall_ns"]}
    )
    ctx.save_state(state)
    endpoint_s = svc.proxy.wait_current(new, 30)
    # the fork of the new timeline, and what the old leader wrote past it (pg_rewind erases it on rejoin)
    fork = svc.switch_point(new)
    wal_past_fork = svc.nodes[old].waldump_commits(*fork) if fork else None
    acks_past_fork = [
        r
        for r in read_journal(ctx.dir / "load-journal.jsonl")
        if r.get("ev") == "ack"
        and r.get("node") == old
        and fork
        and lsn_int(str(r["lsn"])) >= lsn_int(fork[1])
    ]
    old_log = svc.members[old].log.read_text(encoding="utf-8", errors="replace")
    demote_lines = [
        line
        for line in old_log.splitlines()
        if re.search(r"demot|failed to update leader lock|Loop time exceeded|DCS", line)
    ][-6:]
    split_brain = overlap_s > 0 or bool(acks_past_fork)
    result = {
        "partitioned": old,
        **instant,
        "old_leader_demoted_after_s": round((demoted_at - instant["t_ns"]) / 1e9, 3),
        "new_leader_writable_after_s": round((promoted_at - instant["t_ns"]) / 1e9, 3),
        "demoted_before_new_leader": demoted_at <= promoted_at,
        "both_writable_overlap_s": round(overlap_s, 3),
        "fork": {"timeline": fork[0], "lsn": fork[1]} if fork else None,
        "acks_on_old_leader_past_fork": len(acks_past_fork),
        "old_leader_wal_past_fork": wal_past_fork,
        "split_brain": split_brain,
        "endpoint_followed_s": round(endpoint_s, 3),
        "samples": samples,
        "old_leader_patroni_log": demote_lines,
    }
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    if split_brain:
        raise StepFailedError(f"SPLIT BRAIN (脑裂): {json.dumps({k: result[k] for k in list(result)[:10]})}")
    result["healed"] = now()
    svc.dcs_heal(old)
    try:
        svc.members[old].wait_role(("replica",), 120)
        svc.wait_streaming(new, old, 120)
    except (TimeoutError, ServiceError) as exc:
        receiver = svc.nodes[old].query(
            "SELECT status, received_tli, latest_end_lsn::text FROM pg_stat_wal_receiver"
        )
        raise StepFailedError(
            f"the old leader {old} did not rejoin after the partition healed (分区恢复后未重新加入): {exc}; "
            f"wal receiver: {receiver}; Patroni log:\n{log_tail(svc.members[old].log, 40)}"
        ) from None
    svc.update(primary=new, sync=None, endpoint=new, upstream={old: new, svc.remote: new})
    result["cluster"] = _cluster_view(svc)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def _overlap(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> float:
    """Seconds during which both sample series said writable."""

    def intervals(series: list[dict[str, Any]]) -> list[tuple[int, int]]:
        out = []
        end_all = time.monotonic_ns()
        for i, s in enumerate(series):
            if s["writable"]:
                end = series[i + 1]["t_ns"] if i + 1 < len(series) else end_all
                out.append((s["t_ns"], end))
        return out

    total = 0
    for s1, e1 in intervals(a):
        for s2, e2 in intervals(b):
            total += max(0, min(e1, e2) - max(s1, s2))
    return total / 1e9


# -- planned switchover -------------------------------------------------------------------------------
def switchover(ctx: DrillContext, target: str) -> dict[str, Any]:
    svc = patroni_service(ctx)
    old = svc.state()["primary"]
    if target == old:
        return {"skipped": f"{target} is already the primary", "old_primary": old, "new_primary": target}
    from_dr = old == svc.remote
    if from_dr:  # the main cluster streams from the DR primary as its standby cluster
        svc.wait_streaming(old, target, 60)
    elif svc.settings.synchronous_mode:
        # Patroni switches over only to the synchronous standby in synchronous_mode
        svc.wait_sync_standby(old, target, 60)
    replication_at_start = svc.replication(old)
    start = now()
    state = ctx.state()
    state.setdefault("switchovers", []).append({"from": old, "to": target, **start})
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
    if from_dr:
        phases_dr = failback_dr.switch_back_from_dr(ctx, svc, target)
        return {
            "phases": phases_dr,
            "method": "DR cluster demoted to a standby cluster, main cluster promoted "
            "(patronictl edit-config)",
            "old_primary": old,
            "new_primary": target,
            "replication_at_start": replication_at_start,
        }
    out = svc.members[old].ctl("switchover", "--primary", old, "--candidate", target, "--force", timeout=120)
    phases: dict[str, Any] = {"patronictl": {**now(), "output": out.strip()[-400:]}}
    if "switched over" not in out.lower():
        raise StepFailedError(f"patronictl switchover did not switch over (切换未执行): {out.strip()[-600:]}")
    phases["leader_elected"] = wait_leader(svc, target, leader_limit(svc))
    phases["endpoint_switched"] = {**now(), "waited_s": round(svc.proxy.wait_current(target, 30), 3)}
    svc.members[old].wait_role(("replica",), 120)
    svc.wait_streaming(target, old, 120)
    phases["old_primary_attached_as_standby"] = now()
    svc.update(primary=target, endpoint=target, sync=old, upstream={old: target, svc.remote: target})
    return {
        "phases": phases,
        "old_primary": old,
        "new_primary": target,
        "replication_at_start": replication_at_start,
    }


# -- failback ------------------------------------------------------------------------------------------
def reattach(ctx: DrillContext) -> dict[str, Any]:
    """Bring the lost centres back: links healed, etcd member restarted, Patroni rewinds and rejoins.
    After a regional failover they come back as a standby cluster of the DR primary (failback_dr)."""
    svc = patroni_service(ctx)
    st = svc.state()
    primary = st["primary"]
    if primary == svc.remote:
        return failback_dr.reattach_from_dr(ctx, svc)
    result: dict[str, Any] = {"primary": primary, "nodes": {}}
    for app in st.get("fenced", []):
        member = svc.members[app]
        entry: dict[str, Any] = {"start": now(), "healed": faults.heal(ctx.topo.stack, member.node)}
        faults.unfence(ctx.topo.stack, member.node)
        if not svc.etcd.running(app):
            svc.etcd.start(app, state="existing")
        svc.etcd.wait_healthy([app], 60)
        log_start = member.log_offset()
        member.start()
        member.wait_role(("replica",), 180)
        svc.wait_streaming(primary, app, 120)
        text = member.log_since(log_start)
        lines = [ln for ln in text.splitlines() if re.search(r"rewind|bootstrap|replica", ln)]
        entry["patroni_log"] = lines[-8:]
        rewound = rewound_by_patroni(text)
        entry["method"] = "pg_rewind (Patroni use_pg_rewind)" if rewound else "rejoined without rewind"
        entry["end"] = now()
        result["nodes"][app] = entry
        svc.update(
            fenced=[a for a in svc.state()["fenced"] if a != app],
            upstream={**svc.state()["upstream"], app: primary},
        )
    return result


def restore_roles(ctx: DrillContext) -> dict[str, Any]:
    """Production leads, same-city is Patroni's synchronous standby, the DR standby cluster streams."""
    svc = patroni_service(ctx)
    if svc.leader() != svc.prod:
        raise StepFailedError(f"production is not Patroni's leader ({svc.roles()})")
    svc.wait_sync_standby(svc.prod, svc.city, 60)
    svc.wait_streaming(svc.prod, svc.remote, 60)
    svc.update(
        primary=svc.prod,
        sync=svc.city,
        endpoint=svc.prod,
        upstream={svc.city: svc.prod, svc.remote: svc.prod},
    )
    return {"replication": svc.replication(svc.prod), "roles": svc.roles()}


# -- verify -----------------------------------------------------------------------------------------
def verify(ctx: DrillContext) -> dict[str, Any]:
    svc = patroni_service(ctx)
    st = svc.state()
    primary = st["primary"]
    checks: list[dict[str, Any]] = []
    writable = svc.writable()
    _check(checks, "exactly_one_writable_node", writable == [primary], writable, [primary])
    _check(checks, "patroni_leader", svc.leader() == primary, svc.roles(), primary)
    _check(checks, "endpoint_follows_leader", svc.endpoint_current() == primary, svc.proxy.stat(), primary)
    digests = manual.consistency_checks(ctx, primary, checks)
    fencing = _fencing_evidence(ctx, svc, list(st.get("fenced", [])))
    for item in fencing:
        _check(
            checks,
            f"old_primary_cannot_accept_writes[{item['node']}]",
            item["verified"],
            item,
            "Patroni and postgres not running, port unreachable",
        )
    result = {
        "checks": checks,
        "digests": digests,
        "fencing": fencing,
        "primary": primary,
        "cluster": _cluster_view(svc),
        "consistent": all(c["ok"] for c in checks if c["check"].startswith("consistent")),
    }
    failed = [c for c in checks if not c["ok"]]
    if failed:
        raise StepFailedError("verification failed (验证未通过): " + json.dumps(failed, default=str))
    return result


# -- abort ------------------------------------------------------------------------------------------
def abort(ctx: DrillContext) -> dict[str, Any]:
    """Stop the load, heal injected faults and the DCS cut; Patroni keeps (or restores) one leader."""
    svc = patroni_service(ctx)
    actions: list[str] = []
    (ctx.dir / "failover.disarm").write_text("abort\n", encoding="utf-8")
    if ctx.state().get("loadgen_pid"):
        manual.load_stop(ctx, wait_for_recovery=False)
        actions.append("load generator stopped")
    state = ctx.state()
    for app in svc.nodes:
        if svc.dcs_heal(app):
            actions.append(f"{app}: DCS partition healed")
    # While the DR centre leads (a failback from DR aborted), the lost centres stay fenced: started
    # here, on a main scope that is not yet a standby cluster of DR, production would come up as a
    # second primary. The next failback run brings them back.
    service_state = svc.state()
    dr_leads = service_state.get("primary") == svc.remote
    kept_fenced = set(service_state.get("fenced", [])) if dr_leads else set()
    for app in sorted(kept_fenced):
        if svc.members[app].running() and svc.members[app].role() not in ("standby_leader", "replica"):
            svc.members[app].stop()
            actions.append(f"{app}: Patroni stopped (stays fenced while the DR centre leads)")
    if not state.get("promoted"):
        for app, member in svc.members.items():
            if app in kept_fenced:
                continue
            if faults.heal(ctx.topo.stack, member.node):
                actions.append(f"{app}: injected fault healed")
            if not svc.etcd.running(app):
                svc.etcd.start(app, state="existing")
                actions.append(f"{app}: etcd member restarted")
            if not member.running():
                member.start()
                actions.append(f"{app}: Patroni restarted")
    undone = failback_dr.abort_dr_demotion(ctx, svc)
    if undone:
        actions.append(undone)
    leader = until(svc.leader, timeout=leader_limit(svc), interval=0.5)
    if leader:
        svc.update(primary=leader, endpoint=leader)
    if state.get("promoted"):  # the lost centres stay fenced until a failback brings them back
        lost = set(state.get("victims", []))
        svc.update(fenced=sorted(set(svc.state().get("fenced", [])) | lost))
    writable = svc.writable()
    return {
        "actions": actions,
        "leader": leader,
        "writable": writable,
        "roles": svc.roles(),
        "documented_state": "unchanged" if not state.get("promoted") else "failed over",
        "single_writable": len(writable) == 1,
    }


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    **manual.PHASES,
    "precheck": precheck,
    "fault": fault,
    "failover": failover,
    "partition": partition,
    "switchover": switchover,
    "reattach": reattach,
    "restore-roles": restore_roles,
    "verify": verify,
    "abort": abort,
}
