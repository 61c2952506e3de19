"""Unit tests of the drill's pure parts: topology, measurement, safety, GB/T 20988 mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.drill import gbt20988, scenarios
from govcloud.drill.measure import analyse
from govcloud.drill.safety import DrillLock, DrillRefusedError, authorise, inventory_drillable
from govcloud.drill.topology import TopologyError, from_lab_status
from tests.drill.conftest import synthetic_status


def test_topology_picks_one_db_host_per_role_and_uses_relays() -> None:
    topo = from_lab_status(synthetic_status())
    assert [n.role for n in topo.nodes] == ["production", "same-city", "remote-dr"]
    assert topo.path(topo.same_city, topo.production) == ("198.19.251.1", 15001, 1.0)
    assert topo.path(topo.remote, topo.production) == (topo.production.ipv4, 5432, 0.0)
    assert topo.client_netns == "gc-unit-dr-db-1"  # the remote centre survives every scenario


def test_topology_refuses_a_lab_without_a_remote_db_host() -> None:
    with pytest.raises(TopologyError, match="remote-dr"):
        from_lab_status(synthetic_status(with_dr=False))


S = 1_000_000_000


def _ack(n: int, t: int, node: str) -> dict[str, object]:
    return {"n": n, "ev": "ack", "t": t, "wall": t, "node": node}


def test_analyse_counts_lost_in_doubt_and_rto() -> None:
    journal = [
        _ack(1, 1 * S, "prod"),
        _ack(2, 2 * S, "prod"),
        _ack(3, 3 * S, "prod"),
        {"n": 4, "ev": "err", "t": 4 * S, "wall": 4 * S},
        {"n": 5, "ev": "connfail", "t": 5 * S, "wall": 5 * S},
        _ack(6, 7 * S, "dr"),
    ]
    events = [{"kind": "unplanned-failover", "new_primary": "dr", "t_ns": 3 * S + S // 2, "wall_ns": 0}]
    result = analyse(journal, present={1, 4, 6}, events=events)
    assert result["rpo_writes_lost"] == 2
    assert result["lost_sample"] == [2, 3]
    assert result["writes_in_doubt"] == 1
    assert result["in_doubt_survived"] == 1
    assert result["unexpected_rows"] == 0
    assert result["events"][0]["rto_write_s"] == pytest.approx(3.5)
    assert result["rpo_s"] == pytest.approx(2.0)
    assert result["longest_write_gap_s"] == pytest.approx(4.0)


def test_analyse_flags_rows_the_client_never_wrote() -> None:
    result = analyse([_ack(1, 10, "prod")], present={1, 99}, events=[])
    assert result["unexpected_rows"] == 1
    assert result["rto_write_s"] is None


def test_guard_requires_a_ticket_even_in_the_lab() -> None:
    topo = from_lab_status(synthetic_status())
    with pytest.raises(DrillRefusedError, match="ticket"):
        authorise(topo, scenarios.get("planned-switchover"), None, confirmed=False)
    assert (
        authorise(topo, scenarios.get("samecity-failover"), "CHG-1", confirmed=False)["environment"] == "lab"
    )


def test_guard_outside_the_lab_needs_drillable_confirmation_and_no_fault(tmp_path: Path) -> None:
    topo = from_lab_status(synthetic_status(), lab=False)
    planned = scenarios.get("planned-switchover")
    with pytest.raises(DrillRefusedError, match="drillable"):
        authorise(topo, planned, "CHG-1", confirmed=True, inventory=None)
    inv = tmp_path / "inv.yml"
    inv.write_text(
        "all:\n  children:\n    db:\n      vars: {drillable: true}\n      hosts:\n"
        "        prod-db-1: {}\n        samecity-db-1: {}\n        dr-db-1: {drillable: false}\n",
        encoding="utf-8",
    )
    assert inventory_drillable(str(inv), ["prod-db-1", "dr-db-1"]) == {"prod-db-1": True, "dr-db-1": False}
    with pytest.raises(DrillRefusedError, match="drillable"):
        authorise(topo, planned, "CHG-1", confirmed=True, inventory=str(inv))
    inv.write_text(inv.read_text(encoding="utf-8").replace("{drillable: false}", "{}"), encoding="utf-8")
    with pytest.raises(DrillRefusedError, match="confirm"):
        authorise(topo, planned, "CHG-1", confirmed=False, inventory=str(inv))
    assert authorise(topo, planned, "CHG-1", confirmed=True, inventory=str(inv))["environment"] == "non-lab"
    with pytest.raises(DrillRefusedError, match="lab only"):
        authorise(topo, scenarios.get("samecity-failover"), "CHG-1", confirmed=True, inventory=str(inv))


def test_lock_refuses_a_second_drill(tmp_path: Path) -> None:
    path = tmp_path / "drill.lock"
    with DrillLock("first-drill", "unit", path), pytest.raises(DrillRefusedError, match="first-drill"):
        DrillLock("second-drill", "unit", path).__enter__()
    with DrillLock("third-drill", "unit", path):
        pass


def test_gbt20988_level_is_evidence_only_and_names_the_seven_elements() -> None:
    assert gbt20988.supported_level(2.0, 0.0, 0) == 6
    assert gbt20988.supported_level(2.0, 1.5, 120) == 5
    assert gbt20988.supported_level(2.0, 4000.0, 9) == 4
    a = gbt20988.assessment(
        edition="2025",
        scenario="samecity-failover",
        passed=True,
        rto_s=2.0,
        rpo_s=0.0,
        lost=0,
        target_level=6,
    )
    assert a["standard"] == "GB/T 20988-2025" and a["level_supported_as_evidence"] == 6
    assert len(a["elements"]) == 7
    assert {e["status"] for e in a["elements"]} >= {"evidenced", "not-evidenced", "partial"}
    failed = gbt20988.assessment(
        edition="2007",
        scenario="samecity-failover",
        passed=False,
        rto_s=2.0,
        rpo_s=0.0,
        lost=0,
        target_level=6,
    )
    assert failed["level_supported_as_evidence"] is None
