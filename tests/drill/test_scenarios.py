"""The four drill scenarios end to end, on real PostgreSQL in real namespaces (one service per
session, tests in order: each scenario starts from the state the previous one left).

No timing assertion here: RTO is measured by bench/drill_bench.py. Asserted are correctness
properties (no acknowledged write lost where replication was synchronous, exactly one writable
node, old primary fenced) and that the drill record is complete and consistent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.drill import faults
from govcloud.drill.pgnode import NodeFencedError
from govcloud.drill.run import run_drill
from govcloud.drill.safety import DrillLock, DrillRefusedError
from govcloud.lab.netns import entered
from tests.drill.conftest import DrillLab, as_written, run_on

pytestmark = [pytest.mark.lab]

CONTRACT_FIELDS = (
    "schema",
    "drill_id",
    "scenario",
    "environment",
    "change_ticket",
    "started_at",
    "ended_at",
    "steps",
    "timeline",
    "achieved",
    "targets",
    "replication_before_fault",
    "consistency",
    "gbt20988",
    "passed",
    "status",
    "ansible",
    "evidence",
)


def _drill(lab: DrillLab, scenario: str, **params: Any) -> dict[str, Any]:
    return run_on(lab, scenario, ha="manual", ticket="CHG-TEST-7", **params)


def assert_record_complete(rec: dict[str, Any]) -> None:
    for field in CONTRACT_FIELDS:
        assert field in rec, f"record lacks {field}"
    assert rec["schema"] == "govcloud.drill/v1"
    assert rec["started_at"] <= rec["ended_at"]
    for step in rec["steps"]:
        assert step["started_at"] <= step["ended_at"], step
    ats = [t["at"] for t in rec["timeline"]]
    assert ats == sorted(ats)
    assert rec["gbt20988"]["edition"] in ("2007", "2025") and len(rec["gbt20988"]["elements"]) == 7
    assert rec["ansible"]["status"] in ("successful", "failed")
    phases = {e["phase"] for e in rec["ansible"]["events"] if e["phase"]}
    assert "guard" in phases and "precheck" in phases
    assert rec["replication_before_fault"], "replication lag before the fault must be recorded"
    base = Path(rec["record_path"]).parent
    for item in rec["evidence"]:
        assert hashlib.sha256((base / item["path"]).read_bytes()).hexdigest() == item["sha256"]
    on_disk = json.loads(Path(rec["record_path"]).read_text(encoding="utf-8"))
    assert on_disk["drill_id"] == rec["drill_id"] and on_disk["passed"] == rec["passed"]


def assert_passed_with_measurement(rec: dict[str, Any]) -> None:
    assert rec["status"] == "passed", rec["reasons"]
    assert_record_complete(rec)
    a = rec["achieved"]
    assert a["writes_acknowledged"] > 0 and a["rto_write_s"] is not None
    assert a["unexpected_rows"] == 0
    assert rec["consistency"]["consistent"] is True
    digests = rec["consistency"]["digests"]
    assert len({(d["rows"], d["md5"]) for d in digests}) == 1, digests
    assert digests[0]["rows"] == a["writes_acknowledged"] - a["rpo_writes_lost"] + a["in_doubt_survived"]
    assert rec["split_brain_observed"] is False


def test_broken_precheck_aborts_cleanly_and_leaves_the_service_as_it_was(drill_lab: DrillLab) -> None:
    svc = drill_lab.service
    remote = svc.nodes[svc.remote]
    remote.stop("fast")  # replication to the remote centre is broken: the pre-check must refuse
    before = svc.state()
    rows_before = svc.digest(svc.prod, None)
    try:
        rec = _drill(drill_lab, "samecity-failover")
        assert rec["status"] == "aborted" and not rec["passed"]
        assert any("precheck" in r for r in rec["reasons"])
        executed = [s["phase"] for s in rec["steps"]]
        assert executed == ["precheck", "abort"], executed
        assert svc.state() == before
        assert svc.writable() == [svc.prod]
        assert svc.endpoint.current() == svc.prod
        assert not any(faults.isolated(drill_lab.stack, n.node) for n in svc.nodes.values())
        assert svc.digest(svc.prod, None) == rows_before
    finally:
        remote.start()
        svc.wait_streaming(svc.prod, svc.remote, 30)


def test_check_mode_runs_only_the_prechecks(drill_lab: DrillLab) -> None:
    before = drill_lab.service.state()
    rec = as_written(
        run_drill(
            drill_lab.stack,
            "samecity-failover",
            ticket="CHG-TEST-7",
            status=drill_lab.status,
            plan=drill_lab.plan,
            check=True,
        )
    )
    assert rec["status"] == "checked", rec["reasons"]
    assert [s["phase"] for s in rec["steps"]] == ["precheck"]
    assert rec["ansible"]["check_mode"] is True
    assert drill_lab.service.state() == before


def test_planned_switchover_and_back_loses_nothing(drill_lab: DrillLab) -> None:
    rec = _drill(drill_lab, "planned-switchover")
    assert_passed_with_measurement(rec)
    assert rec["achieved"]["rpo_writes_lost"] == 0
    assert [s["new_primary"] for s in rec["switchovers"]] == ["samecity", "prod"]
    assert drill_lab.service.state()["primary"] == drill_lab.service.prod


def test_samecity_failover_loses_no_acknowledged_write(drill_lab: DrillLab) -> None:
    rec = _drill(drill_lab, "samecity-failover")
    assert_passed_with_measurement(rec)
    assert rec["achieved"]["rpo_writes_lost"] == 0
    assert rec["new_primary"] == drill_lab.service.city
    assert rec["fencing"]["verified"] is True
    phases = rec["achieved"]["phase_durations_s"]
    assert phases["detected"] <= phases["fenced"] <= phases["promoted"] <= phases["endpoint_switched"]
    assert rec["gbt20988"]["level_supported_as_evidence"] is not None


def test_fencing_old_primary_cannot_accept_writes(drill_lab: DrillLab) -> None:
    svc = drill_lab.service
    old = svc.nodes[svc.prod]
    assert svc.state()["fenced"] == [svc.prod]
    assert not old.running()
    with pytest.raises(NodeFencedError):
        old.start()  # the FENCED marker keeps it from coming back as a primary
    parts = svc.app_dsn_parts()
    with entered(drill_lab.topo.client_netns), pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host=old.node.ipv4,
            port=5432,
            connect_timeout=2,
            dbname=parts["dbname"],
            user=parts["user"],
            password=parts["password"],
        ).execute("INSERT INTO drill_seq (run_id, n, payload, client_wall) VALUES ('fence', 1, 'x', 0)")
    assert svc.writable() == [svc.city]


def test_failback_after_samecity_failover(drill_lab: DrillLab) -> None:
    rec = _drill(drill_lab, "failback")
    assert_passed_with_measurement(rec)
    assert rec["achieved"]["rpo_writes_lost"] == 0
    assert rec["failback"]["nodes"]["prod"]["method"].startswith("pg_")
    state = drill_lab.service.state()
    assert state["primary"] == "prod" and state["fenced"] == [] and state["sync"] == "samecity"


def test_regional_failover_measures_rpo_exactly(drill_lab: DrillLab) -> None:
    # the remote link is down for 1 s before the disaster, so the async standby is behind
    rec = _drill(drill_lab, "regional-failover", survivor_outage_before_fault_s=1.0)
    assert_passed_with_measurement(rec)
    a = rec["achieved"]
    assert a["rpo_writes_lost"] > 0 and a["rpo_s"] > 0
    # server side: COMMIT records in the fenced old primary's WAL after the switch point are the
    # lost acknowledged writes plus in-doubt writes that had committed there
    prod = next(s for s in a["server_side"] if s["node"] == drill_lab.service.prod)
    assert a["rpo_writes_lost"] <= prod["commits_after"] <= a["rpo_writes_lost"] + a["writes_in_doubt"]
    assert rec["new_primary"] == drill_lab.service.remote


def test_failback_after_regional_failover_rewinds_both(drill_lab: DrillLab) -> None:
    rec = _drill(drill_lab, "failback")
    assert_passed_with_measurement(rec)
    assert sorted(rec["failback"]["nodes"]) == ["prod", "samecity"]
    assert drill_lab.service.state()["primary"] == "prod"


def test_second_drill_is_refused_while_one_runs(drill_lab: DrillLab) -> None:
    with DrillLock("holder-drill", drill_lab.stack), pytest.raises(DrillRefusedError, match="another drill"):
        _drill(drill_lab, "planned-switchover")


def test_cli_refuses_without_ticket_and_lists_scenarios(drill_lab: DrillLab) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["drill", "list", "--json"])
    assert listed.exit_code == 0
    assert {s["id"] for s in json.loads(listed.stdout)["scenarios"]} == {
        "planned-switchover",
        "samecity-failover",
        "regional-failover",
        "failback",
        "dcs-partition",
        "restore-test",
    }
    refused = runner.invoke(app, ["drill", "run", "planned-switchover", "--stack", drill_lab.stack])
    assert refused.exit_code == 2
