"""Failback from the remote DR centre on Patroni (异地切换后的回切).

After a regional failover the DR centre leads alone: a one-member etcd (restored from a snapshot) and
the DR scope promoted from standby cluster to primary cluster; production and same-city are fenced.
Failing back is Patroni's documented way of moving the primary between two clusters, in two phases:

  reattach    the lost centres come back as a *standby cluster of DR*: links healed, their etcd
              members re-added one by one (as learners first, so the running cluster never loses its
              quorum), the main scope's dynamic configuration given `standby_cluster` (the DR
              primary), production started: Patroni rewinds it from the DR primary (`pg_rewind`,
              `use_pg_rewind`) and makes it the standby leader; same-city, which Patroni could only
              rewind from a primary, is rewound by the drill from the DR primary, then Patroni starts
              it as a replica of the standby leader (cascading).
  switchover  planned and without loss: the DR scope becomes a standby cluster of the main one
              (Patroni demotes the DR primary with a clean shutdown, so every WAL record it wrote is
              sent), the drill waits until production has replayed the DR centre's last record, then
              removes `standby_cluster` from the main scope: Patroni promotes production, same-city
              becomes its synchronous standby, and the DR standby cluster follows production again
              through its replication HAProxy.
"""

from __future__ import annotations

import json
import re
from typing import Any

from govcloud.drill import faults
from govcloud.drill.context import DrillContext, now
from govcloud.drill.ha.leader import leader_limit
from govcloud.drill.ha.patroni import dcs_prefix, log_tail, rewound_by_patroni
from govcloud.drill.ha.service import REPLICATION_PORT, PatroniService
from govcloud.drill.pgnode import CommandError, lsn_int
from govcloud.drill.pgservice import ServiceError
from govcloud.drill.steps import StepFailedError
from govcloud.lab.sh import nsexec, run_proc
from govcloud.wait import until

PG_PORT = 5432


def reattach_from_dr(ctx: DrillContext, svc: PatroniService) -> dict[str, Any]:
    """The lost centres rejoin as a standby cluster of the DR primary (see the module docstring)."""
    dr = svc.remote
    st = svc.state()
    lost = [a for a in (svc.prod, svc.city) if a in st.get("fenced", [])]
    source = (svc.nodes[dr].node.ipv4, PG_PORT)
    result: dict[str, Any] = {"primary": dr, "nodes": {}, "etcd": {}}
    for app in lost:
        member = svc.members[app]
        result["nodes"][app] = {"start": now(), "healed": faults.heal(ctx.topo.stack, member.node)}
        faults.unfence(ctx.topo.stack, member.node)
        member.kill()  # nothing of the lost centre may run on its own while the cluster is rebuilt
    try:
        for app in (svc.prod, svc.city):
            result["etcd"][app] = svc.etcd.rejoin(app, dr)
    except Exception as exc:
        raise StepFailedError(
            f"etcd could not be regrown from the DR member (etcd 扩容失败): {exc}"
        ) from None
    result["etcd_members"] = [m.get("name") for m in svc.etcd.members(dr)]
    try:
        result["etcd_applied_index"] = svc.etcd.wait_converged(list(svc.nodes))
    except Exception as exc:
        raise StepFailedError(f"the regrown etcd members did not converge (etcd 未同步): {exc}") from None
    # The DR agent lived through the restore and the regrowth. It reads etcd serializably from
    # whichever member it is connected to, and a member added a moment ago serves an empty or partial
    # store until its snapshot is in (Patroni's stale-member guard compares only the Raft term).
    # Restarted alone, PostgreSQL untouched, it builds its view from the regrown cluster.
    dr_member = svc.members[dr]
    dr_member.restart_agent()
    try:
        dr_member.wait_role(("primary",), leader_limit(svc))
    except TimeoutError as exc:
        raise StepFailedError(f"the DR agent did not resume as leader after its restart: {exc}") from None
    result["dr_agent_restarted"] = now()
    result["main_standby_of"] = {"host": source[0], "port": source[1]}
    result["patronictl"] = svc.set_standby_cluster(svc.prod, source).strip()[-300:]
    # Patroni reads etcd serializably: production's agent must not start before every member has
    # applied this edit, or it may read the old configuration and come up as a second primary
    shown = svc.standby_cluster_set(svc.prod)
    if shown is not True:
        out = svc.members[svc.prod].ctl("show-config", timeout=20, check=False).strip()[-600:]
        raise StepFailedError(
            "the main cluster's configuration "
            + ("cannot be read" if shown is None else "does not show standby_cluster")
            + f" after the edit (主集群配置未生效); patronictl show-config:\n{out}"
        )
    svc.etcd.wait_converged(list(svc.nodes))
    limit = leader_limit(svc)
    result["lost_lock_released"] = _wait_lost_lock_released(svc)
    if svc.prod in lost:
        result["nodes"][svc.prod].update(_production_as_standby_leader(svc, dr, limit))
    if svc.city in lost:
        result["nodes"][svc.city].update(_same_city_as_cascading_replica(svc, source, limit))
    for app in lost:
        result["nodes"][app]["end"] = now()
    svc.update(
        fenced=[a for a in svc.state().get("fenced", []) if a not in lost],
        upstream={svc.prod: dr, svc.city: svc.prod},
    )
    return result


def _production_as_standby_leader(svc: PatroniService, dr: str, limit: float) -> dict[str, Any]:
    member = svc.members[svc.prod]
    start = member.log_offset()
    before = _main_scope_views(svc)
    member.start()
    try:
        member.wait_role(("standby_leader",), limit)
        svc.wait_streaming(dr, svc.prod, limit)
    except (TimeoutError, ServiceError) as exc:
        after = _main_scope_views(svc)
        first = "\n".join(member.log_since(start).splitlines()[:25])
        stopped = ""
        if member.role() == "primary":  # never leave a second primary beside the DR one
            member.stop()
            stopped = " Production came up as a primary; its Patroni and PostgreSQL were stopped again."
        raise StepFailedError(
            f"production did not come back as the standby leader of the DR primary (生产中心未能作为备集群"
            f"主节点重新加入): {exc}.{stopped}\n--- main scope in etcd, per member, before the start ---\n"
            f"{json.dumps(before, default=str)}\n--- and now ---\n{json.dumps(after, default=str)}\n"
            f"--- Patroni log from the start ---\n{first}\n--- Patroni log, last lines ---\n"
            f"{log_tail(member.log, 10)}"
        ) from None
    text = member.log_since(start)
    rewound = rewound_by_patroni(text)
    return {
        "role": "standby_leader",
        "method": "pg_rewind by Patroni (use_pg_rewind, from the DR primary)"
        if rewound
        else "rejoined without rewind",
        "patroni_log": [ln for ln in text.splitlines() if re.search(r"rewind|standby|leader", ln)][-8:],
    }


def _wait_lost_lock_released(svc: PatroniService) -> dict[str, Any]:
    """The main scope's leader key, held by production's agent when the region was lost, lives until
    its lease expires (up to `ttl` after etcd was restored; etcd renews every lease of a new leader).
    Production's agent, started while its old lock is still there, would find itself the leader with
    the lock. Wait for the key to go (read linearizably), at most ttl + 10 s."""
    prefix = dcs_prefix(svc.topo.stack)
    seen: dict[str, Any] = {}

    def released() -> bool:
        view = svc.etcd.dcs_view(svc.remote, prefix, linearizable=True)
        seen.update(view)
        return "error" not in view and "leader" not in view.get("keys", {})

    t0 = now()
    limit = float(svc.settings.ttl + 10)
    if not until(released, timeout=limit, interval=0.5):
        raise StepFailedError(
            f"the main scope's leader key (held by the lost centre) is still there after {limit:.0f}s "
            f"(失联中心的主锁未释放): {json.dumps(seen.get('keys', {}).get('leader', seen), default=str)}"
        )
    end = now()
    return {**end, "waited_s": round((end["t_ns"] - t0["t_ns"]) / 1e9, 3)}


def _main_scope_views(svc: PatroniService) -> dict[str, Any]:
    """The main scope's keys as each etcd member serves them to Patroni (serializable reads), short:
    the member's revision, each key's mod_revision, the lock holder and whether the configuration
    has `standby_cluster`. Members that disagree show it here."""
    prefix = dcs_prefix(svc.topo.stack)
    views: dict[str, Any] = {}
    for centre in svc.nodes:
        view = svc.etcd.dcs_view(centre, prefix)
        keys = view.get("keys", {})
        short: dict[str, Any] = {k: v.get("mod") for k, v in keys.items()}
        if "leader" in keys:
            short["leader"] = f"{keys['leader'].get('value')}@{keys['leader'].get('mod')}"
        if "config" in keys:
            short["config_standby_cluster"] = '"standby_cluster"' in str(keys["config"].get("value"))
        views[centre] = {"revision": view.get("revision"), **short} if "error" not in view else view
    return views


def _same_city_as_cascading_replica(
    svc: PatroniService, source: tuple[str, int], limit: float
) -> dict[str, Any]:
    node = svc.nodes[svc.city]
    entry: dict[str, Any] = {}
    try:
        entry["rewind_output"] = node.rewind(*source)[-400:]
        entry["method"] = (
            "pg_rewind by the drill (from the DR primary; a standby leader cannot be its source)"
        )
    except CommandError as exc:  # Patroni re-clones an empty member from the standby leader
        entry["rewind_error"] = exc.stderr[-400:]
        node.wipe_data()
        entry["method"] = "re-cloned by Patroni with pg_basebackup (pg_rewind failed)"
    member = svc.members[svc.city]
    member.start()
    try:
        member.wait_role(("replica",), limit)
        entry["receiver"] = svc.wait_receiving(svc.city, limit)
    except (TimeoutError, ServiceError) as exc:
        raise StepFailedError(
            f"same-city did not come back as a replica of production (同城中心未能重新加入): {exc}\n"
            f"--- Patroni log ---\n{log_tail(member.log, 40)}"
        ) from None
    entry["role"] = "replica"
    return entry


def switch_back_from_dr(ctx: DrillContext, svc: PatroniService, target: str) -> dict[str, Any]:
    """Planned move of the primary from the DR cluster back to the main cluster (see the module docstring).
    The caller has recorded the switchover's start (the RTO clock)."""
    dr = svc.remote
    if target != svc.prod:
        raise StepFailedError(f"after a regional failover the failback goes to production, not {target}")
    limit = leader_limit(svc)
    phases: dict[str, Any] = {}
    state = ctx.state()
    state["dr_demote_requested"] = True
    ctx.save_state(state)
    phases["dr_demote_requested"] = now()
    dr_source = ("127.0.0.1", REPLICATION_PORT)
    phases["dr_demoted"] = _apply_and_await(svc, dr, dr_source, ("standby_leader",), limit)
    phases["main_caught_up"] = _wait_main_has_dr_wal(svc, dr, limit)
    phases["main_promote_requested"] = now()
    phases["leader_elected"] = _apply_and_await(svc, svc.prod, None, ("primary",), limit)
    phases["endpoint_switched"] = {**now(), "waited_s": round(svc.proxy.wait_current(svc.prod, 30), 3)}
    try:
        svc.repl_proxy.wait_current(svc.prod, 30)
        svc.wait_streaming(svc.prod, dr, limit)
        svc.wait_streaming(svc.prod, svc.city, limit)
    except (TimeoutError, ServiceError) as exc:
        raise StepFailedError(
            f"the DR standby cluster or same-city does not follow production again (未恢复复制): {exc}\n"
            f"--- DR Patroni log ---\n{log_tail(svc.members[dr].log, 30)}"
        ) from None
    phases["dr_follows_production"] = now()
    svc.update(
        primary=svc.prod,
        endpoint=svc.prod,
        sync=None,
        upstream={svc.city: svc.prod, dr: svc.prod},
    )
    return phases


def _apply_and_await(
    svc: PatroniService,
    app: str,
    source: tuple[str, int] | None,
    roles: tuple[str, ...],
    limit: float,
) -> dict[str, Any]:
    """Set (or remove, `source` None) `standby_cluster` in the dynamic configuration of `app`'s
    cluster and wait for Patroni to act on it (`app` reaching one of `roles`).

    A safety net, kept from when etcd was regrown from a `--force-new-cluster` member whose data
    differed from its Raft log (docs/drills.md): agents connected to it never saw an edit ("no
    action. I am (dr), the leader with the lock"). Each attempt checks, as patronictl reads it,
    that the configuration says what was set (re-applying it if not), and restarts the agent alone
    (PostgreSQL keeps running) when Patroni has not acted within three loops. Three attempts; the
    record lists them, so a run that needed one shows it."""
    member = svc.members[app]
    patience = 3.0 * svc.settings.loop_wait + 5.0
    attempts: list[dict[str, Any]] = []
    for attempt in range(1, 4):
        entry: dict[str, Any] = {"attempt": attempt, **now()}
        if attempt == 1 or svc.standby_cluster_set(app) != (source is not None):
            entry["edit"] = svc.set_standby_cluster(app, source).strip()[-300:]
            svc.etcd.wait_converged(list(svc.nodes))  # every member serves the edit to a local read
        wait_s = patience if attempt < 3 else limit
        try:
            role = member.wait_role(roles, wait_s)
        except TimeoutError:
            entry["not_acted_within_s"] = wait_s
            entry["config_as_set"] = svc.standby_cluster_set(app) == (source is not None)
            entry["log_before_restart"] = log_tail(member.log, 4).splitlines()
            entry["etcd_connections_before_restart"] = [
                ln
                for ln in run_proc(
                    nsexec(member.node.netns, "ss", "-tnpH", "dport = :2379"), check=False, timeout=10
                ).stdout.splitlines()
                if "patroni" in ln or "python" in ln
            ]
            attempts.append(entry)
            if attempt < 3:
                member.restart_agent()
                entry["agent_restarted_at"] = now()
            continue
        attempts.append({**entry, "acted": True})
        remedied = len(attempts) > 1
        return {
            **now(),
            "role": role,
            "by": "Patroni after its agent was restarted" if remedied else "Patroni",
            "attempts": attempts,
        }
    config = member.ctl("show-config", timeout=20, check=False)
    raise StepFailedError(
        f"Patroni did not act on the standby_cluster change of {app}'s cluster in 3 attempts "
        f"(Patroni 未执行配置变更): {json.dumps(attempts, default=str)[-1500:]}\n--- show-config ---\n"
        f"{config.strip()[-600:]}\n--- Patroni log ---\n{log_tail(member.log, 30)}"
    )


def _wait_main_has_dr_wal(svc: PatroniService, dr: str, limit: float) -> dict[str, Any]:
    """Production (standby leader of the main cluster) has replayed the DR centre's last WAL record:
    nothing the DR primary acknowledged can be lost by promoting production now."""
    seen: dict[str, Any] = {}

    def replay(app: str) -> int | None:
        try:
            value = svc.nodes[app].scalar("SELECT pg_last_wal_replay_lsn()::text")
        except Exception:
            return None
        seen[app] = value
        return lsn_int(str(value)) if value else None

    final = until(lambda: replay(dr), timeout=30, interval=0.2)
    if final is None:
        raise StepFailedError(f"the demoted DR node does not report its last WAL position: {seen}")

    def caught_up() -> bool:
        got = replay(svc.prod)
        return got is not None and got >= final

    if not until(caught_up, timeout=limit, interval=0.1):
        raise StepFailedError(
            f"production did not replay the DR centre's last WAL record within {limit:.0f}s "
            f"(生产中心未追平灾备中心): {seen}"
        )
    return {**now(), "dr_last_lsn": seen[dr], "production_replayed_lsn": seen[svc.prod]}


def abort_dr_demotion(ctx: DrillContext, svc: PatroniService) -> str | None:
    """A failback aborted between the DR demotion and production's promotion leaves no primary: make
    the DR cluster primary again (production stays a standby cluster of it)."""
    if not ctx.state().get("dr_demote_requested") or svc.leader() is not None:
        return None
    if svc.members[svc.prod].role() == "primary":
        return None
    svc.set_standby_cluster(svc.prod, (svc.nodes[svc.remote].node.ipv4, PG_PORT))
    svc.set_standby_cluster(svc.remote, None)
    return "DR cluster promoted again (failback aborted before production was promoted)"
