"""The drills on Patroni + etcd + HAProxy (issue 16), on the session lab, in order: each test starts
from the state the previous one left. No timing assertion (bench/drill_bench.py measures): asserted
are who leads according to etcd and Patroni, lost acknowledged writes, split brain, consistency.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from govcloud.drill.ha.procs import read_pid
from govcloud.drill.ha.service import PatroniService
from govcloud.drill.pgnode import lsn_int
from govcloud.drill.safety import DrillRefusedError
from govcloud.wait import until
from tests.drill.conftest import DrillLab, run_on
from tests.drill.test_scenarios import assert_passed_with_measurement, assert_record_complete

pytestmark = [pytest.mark.lab]


def _svc(lab: DrillLab) -> PatroniService:
    assert isinstance(lab.service, PatroniService)
    return lab.service


def _drill(lab: DrillLab, scenario: str, **params: Any) -> dict[str, Any]:
    return run_on(lab, scenario, ha="patroni-lab", ticket="CHG-TEST-16", **params)


def test_the_leader_is_elected_through_etcd(patroni_lab: DrillLab) -> None:
    svc = _svc(patroni_lab)
    assert svc.roles() == {svc.prod: "primary", svc.city: "replica", svc.remote: "standby_leader"}
    members = svc.etcd.members(svc.remote)
    assert sorted(m["name"] for m in members) == sorted(svc.nodes)
    key = f"/govcloud/gc-{patroni_lab.stack}/leader"
    assert svc.etcd.ctl(svc.remote, "get", key, "--print-value-only").strip() == svc.prod
    # the same-city replica is Patroni's synchronous standby; the DR centre replicates asynchronously
    rows = {r["standby"]: r for r in svc.replication(svc.prod)}
    assert rows[svc.city]["sync_state"] == "sync" and rows[svc.remote]["sync_state"] == "async"
    assert svc.endpoint_current() == svc.prod


def test_replication_takes_the_inter_centre_relay_paths(patroni_lab: DrillLab) -> None:
    svc = _svc(patroni_lab)
    addrs = {
        str(r[0]): str(r[1])
        for r in svc.nodes[svc.prod].query("SELECT application_name, client_addr FROM pg_stat_replication")
    }
    # the replicas reach production through their centre's delay relay, not directly
    assert addrs[svc.city] != svc.nodes[svc.city].node.ipv4, addrs
    relays = {r.listen_host for r in patroni_lab.topo.relays}
    assert addrs[svc.city] in relays, (addrs, relays)


def test_samecity_failover_loses_no_acknowledged_write(patroni_lab: DrillLab) -> None:
    rec = _drill(patroni_lab, "samecity-failover")
    assert_passed_with_measurement(rec)
    assert rec["ha"]["engine"] == "patroni" and "Patroni" in rec["service"]["engine"]
    assert rec["achieved"]["rpo_writes_lost"] == 0
    assert rec["new_primary"] == patroni_lab.service.city
    # fencing is read from Patroni's and PostgreSQL's own state, not assumed
    evidence = rec["fencing"]["evidence_at_verify"]
    assert rec["fencing"]["verified"] is True and evidence
    assert all(not e["patroni_running"] and not e["postmaster_running"] for e in evidence)
    assert _svc(patroni_lab).leader() == patroni_lab.service.city


def test_failback_rewinds_the_old_primary_with_pg_rewind(patroni_lab: DrillLab) -> None:
    rec = _drill(patroni_lab, "failback")
    assert_passed_with_measurement(rec)
    assert rec["achieved"]["rpo_writes_lost"] == 0
    assert rec["failback"]["nodes"]["prod"]["method"].startswith("pg_rewind")
    svc = _svc(patroni_lab)
    assert svc.leader() == svc.prod and svc.state()["fenced"] == []


def test_dcs_partition_demotes_the_old_leader_without_split_brain(patroni_lab: DrillLab) -> None:
    rec = _drill(patroni_lab, "dcs-partition")
    assert_passed_with_measurement(rec)
    part = rec["partition"]
    # the lease did its job: the old leader stopped taking writes before the new one started
    assert part["demoted_before_new_leader"] is True, part["samples"]
    assert part["old_leader_demoted_after_s"] < part["new_leader_writable_after_s"]
    # evidence read from the old leader's own WAL before pg_rewind could erase it
    assert part["fork"] is not None and isinstance(part["old_leader_wal_past_fork"]["commits_after"], int)
    assert part["split_brain"] is False and rec["split_brain_observed"] is False
    assert rec["achieved"]["rpo_writes_lost"] == 0
    svc = _svc(patroni_lab)
    assert svc.leader() == svc.prod  # switched back at the end of the drill


def test_planned_switchover_with_patronictl(patroni_lab: DrillLab) -> None:
    rec = _drill(patroni_lab, "planned-switchover")
    assert_passed_with_measurement(rec)
    assert rec["achieved"]["rpo_writes_lost"] == 0
    assert [s["new_primary"] for s in rec["switchovers"]] == ["samecity", "prod"]


def test_backup_restores_to_the_same_data(patroni_lab: DrillLab) -> None:
    rec = _drill(patroni_lab, "restore-test")
    assert rec["status"] == "passed", rec["reasons"]
    assert_record_complete(rec)
    restore = rec["restore_test"]
    assert restore["matched"] is True and restore["restore_site"] == patroni_lab.service.remote
    assert restore["restored"]["rows"] == restore["reference"]["rows"] > 0
    assert restore["restored"]["md5"] == restore["reference"]["md5"]


def test_unreachable_etcd_refuses_the_drill(patroni_lab: DrillLab) -> None:
    svc = _svc(patroni_lab)
    for centre in svc.nodes:
        svc.etcd.stop(centre)
    try:
        with pytest.raises(DrillRefusedError, match="etcd has no quorum"):
            _drill(patroni_lab, "samecity-failover")
    finally:
        for centre in svc.nodes:
            svc.etcd.start(centre, state="existing")
        svc.etcd.wait_healthy(list(svc.nodes), 60)
    deadline = time.monotonic() + 120
    while svc.leader() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    leader = svc.leader()
    assert leader is not None, svc.roles()
    if leader != svc.prod:  # Patroni re-elected another member: put production back in front
        svc.wait_sync_standby(leader, svc.prod, 60)
        svc.members[leader].ctl("switchover", "--primary", leader, "--candidate", svc.prod, "--force")
    while svc.leader() != svc.prod and time.monotonic() < deadline:
        time.sleep(0.5)
    svc.update(primary=svc.prod, endpoint=svc.prod, sync=svc.city)
    svc.wait_sync_standby(svc.prod, svc.city, 60)


def test_regional_failover_promotes_the_standby_cluster(patroni_lab: DrillLab) -> None:
    rec = _drill(patroni_lab, "regional-failover")
    assert_passed_with_measurement(rec)
    svc = _svc(patroni_lab)
    assert rec["new_primary"] == svc.remote and svc.leader() == svc.remote
    phases = rec["achieved"]["phase_durations_s"]
    assert phases["dcs_restored"] <= phases["standby_cluster_promoted"] <= phases["leader_elected"]
    # etcd on the survivor alone, restored from a snapshot of its own database
    assert [m.get("name") for m in svc.etcd.members(svc.remote)] == [svc.remote]
    # the standby cluster is gone from the DR scope's configuration: it is a primary cluster now
    key = f"/govcloud/gc-{patroni_lab.stack}-dr/config"
    config = json.loads(svc.etcd.ctl(svc.remote, "get", key, "--print-value-only"))
    assert "standby_cluster" not in config
    # while the DR centre leads, only the failback drill may run
    with pytest.raises(DrillRefusedError, match="regional failover"):
        _drill(patroni_lab, "samecity-failover")


def test_failback_from_dr_restores_the_original_layout(patroni_lab: DrillLab) -> None:
    rec = _drill(patroni_lab, "failback")
    assert_passed_with_measurement(rec)
    assert rec["achieved"]["rpo_writes_lost"] == 0
    svc = _svc(patroni_lab)
    nodes = rec["failback"]["nodes"]
    assert sorted(nodes) == sorted([svc.prod, svc.city])
    assert nodes[svc.prod]["role"] == "standby_leader" and nodes[svc.city]["role"] == "replica"
    assert all(nodes[a]["method"].startswith("pg_rewind") for a in (svc.prod, svc.city)), nodes
    # the etcd quorum is three members again, one per centre
    assert sorted(m["name"] for m in svc.etcd.members(svc.remote)) == sorted(svc.nodes)
    # the original layout: production leads, same-city synchronous, DR a standby cluster again
    assert svc.roles() == {svc.prod: "primary", svc.city: "replica", svc.remote: "standby_leader"}
    rows = {r["standby"]: r for r in svc.replication(svc.prod)}
    assert rows[svc.city]["sync_state"] == "sync" and rows[svc.remote]["state"] == "streaming"
    key = f"/govcloud/gc-{patroni_lab.stack}-dr/config"
    config = json.loads(svc.etcd.ctl(svc.remote, "get", key, "--print-value-only"))
    assert config["standby_cluster"]["port"] == 5001
    main = json.loads(svc.etcd.ctl(svc.prod, "get", f"/govcloud/gc-{patroni_lab.stack}/config",
                                   "--print-value-only"))
    assert "standby_cluster" not in main
    assert svc.endpoint_current() == svc.prod and svc.state()["fenced"] == []
    # the primary moved between the clusters in order: DR demoted, production caught up, then promoted
    (switch,) = rec["switchovers"]
    ph = switch["phases"]
    assert ph["dr_demoted"]["t_ns"] <= ph["main_caught_up"]["t_ns"] <= ph["leader_elected"]["t_ns"]
    # Patroni acted on each configuration change, itself or after its agent was restarted
    for phase in ("dr_demoted", "leader_elected"):
        assert ph[phase]["by"].startswith("Patroni") and ph[phase]["attempts"][-1]["acted"] is True
    assert rec["failback"]["etcd_applied_index"] and rec["failback"]["dr_agent_restarted"]
    # the record shows the wait for the lock production's lost agent held, before production started
    released = rec["failback"]["lost_lock_released"]
    assert released["waited_s"] >= 0 and released["t_ns"] <= rec["failback"]["nodes"][svc.prod]["end"]["t_ns"]
    # the regrown members serve the survivor's data: the same keys at the same revisions
    assert until(lambda: _stable_keys_agree(svc), timeout=10, interval=0.5), {
        c: _stable_keys(svc, c) for c in svc.nodes
    }
    caught = ph["main_caught_up"]
    assert lsn_int(caught["production_replayed_lsn"]) >= lsn_int(caught["dr_last_lsn"])


def _stable_keys(svc: PatroniService, centre: str) -> dict[str, int]:
    """Keys no agent rewrites every loop (configurations, initialize, history), with their
    mod_revision, as the member at `centre` serves them."""
    keys = svc.etcd.dcs_view(centre, "/govcloud/").get("keys", {})
    stable = ("config", "initialize", "history")
    return {k: v["mod"] for k, v in keys.items() if k.rsplit("/", 1)[-1] in stable}


def _stable_keys_agree(svc: PatroniService) -> bool:
    views = [_stable_keys(svc, c) for c in svc.nodes]
    return bool(views[0]) and all(v == views[0] for v in views)


def test_restarting_the_patroni_agent_keeps_postgres_running(patroni_lab: DrillLab) -> None:
    # the failback's remedy for an agent with a stale view of the DCS: Patroni restarted alone
    svc = _svc(patroni_lab)
    leader = svc.leader()
    assert leader is not None
    postmaster = svc.nodes[leader].postmaster_pid()
    member = svc.members[leader]
    old_agent = read_pid(member.pidfile)
    new_agent = member.restart_agent()
    assert member.wait_role(("primary",), 60) == "primary"
    assert svc.nodes[leader].postmaster_pid() == postmaster  # PostgreSQL was not restarted
    assert svc.writable() == [leader] and svc.leader() == leader
    assert old_agent is not None and new_agent != old_agent and read_pid(member.pidfile) == new_agent
