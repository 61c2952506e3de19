"""Unit tests of the Patroni mode's pure parts: settings, the rendered configurations, the refusal of
a scenario the mode cannot run, the partition overlap. No namespaces, no root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from govcloud.drill import faults, record, scenarios
from govcloud.drill.ha import failback_dr, haproxy, lab_resource, patroni
from govcloud.drill.ha import steps as ha_steps
from govcloud.drill.ha.settings import PRESETS, HaSettings, HaSettingsError, resolve
from govcloud.drill.ha.steps import _overlap
from govcloud.drill.pgnode import PgNode
from govcloud.drill.run import run_drill
from govcloud.drill.safety import DrillRefusedError
from govcloud.drill.topology import from_lab_status
from tests.drill.conftest import synthetic_status

PASSWORDS = {"postgres": "p", "replicator": "r", "drill_app": "a"}


def test_settings_enforce_patronis_rule_and_minimums() -> None:
    with pytest.raises(HaSettingsError, match="loop_wait"):
        HaSettings(ttl=20, loop_wait=10, retry_timeout=10)  # 10 + 2 x 10 > 20
    with pytest.raises(HaSettingsError, match="ttl >= 20"):
        HaSettings(ttl=10, loop_wait=1, retry_timeout=3)  # Patroni would silently raise ttl to 20
    with pytest.raises(HaSettingsError, match="engine"):
        HaSettings(engine="repmgr")
    assert HaSettings(engine="manual", ttl=1).engine == "manual"  # timings do not apply


def test_cli_choice_wins_over_the_plan_and_the_plan_over_the_default() -> None:
    plan_ha = {"engine": "patroni", "ttl": 40, "loop_wait": 10, "retry_timeout": 10}
    assert resolve("patroni-lab", plan_ha) == PRESETS["patroni-lab"]
    assert resolve(None, plan_ha).ttl == 40
    assert resolve(None, None).engine == "manual"
    with pytest.raises(HaSettingsError, match="--ha"):
        resolve("fast", None)


def _member_config(tmp_path: Path, role: str, standby_of: tuple[str, int] | None) -> dict[str, object]:
    topo = from_lab_status(synthetic_status())
    node = topo.by_role(role)
    return patroni.render(
        stack="unit",
        node=node,
        pg=PgNode(node, tmp_path, tmp_path / "pgpass"),
        settings=PRESETS["patroni-lab"],
        etcd_hosts=["198.19.250.1:2379", "198.19.250.2:2379", "198.19.250.3:2379"],
        passwords=PASSWORDS,
        standby_of=standby_of,
    )


def test_main_cluster_member_is_synchronous_with_rewind(tmp_path: Path) -> None:
    conf = _member_config(tmp_path, "production", None)
    dcs = conf["bootstrap"]["dcs"]  # type: ignore[index]
    assert conf["scope"] == "gc-unit" and conf["name"] == "prod"
    assert dcs["synchronous_mode"] is True and "standby_cluster" not in dcs
    assert (dcs["ttl"], dcs["loop_wait"], dcs["retry_timeout"]) == (20, 1, 5)
    assert dcs["postgresql"]["use_pg_rewind"] is True
    pg = conf["postgresql"]
    assert pg["parameters"]["govcloud.node"] == "prod"  # type: ignore[index]
    assert any("127.0.0.1/32" in line for line in pg["pg_hba"])  # type: ignore[index]
    yaml.safe_dump(conf)  # serialisable as Patroni reads it


def test_dr_member_is_a_standby_cluster_of_the_leader_following_proxy(tmp_path: Path) -> None:
    conf = _member_config(tmp_path, "remote-dr", ("127.0.0.1", 5001))
    dcs = conf["bootstrap"]["dcs"]  # type: ignore[index]
    assert conf["scope"] == "gc-unit-dr"
    assert dcs["standby_cluster"]["host"] == "127.0.0.1" and dcs["standby_cluster"]["port"] == 5001
    assert dcs["synchronous_mode"] is False  # a standby cluster replicates asynchronously


def test_haproxy_checks_patroni_primary_and_cuts_sessions_of_a_demoted_leader(tmp_path: Path) -> None:
    text = haproxy.render([("prod", "198.19.251.1", 15001, "198.19.250.1")], tmp_path / "s.sock", 5001)
    assert "http-check send meth GET uri /primary" in text and "http-check expect status 200" in text
    assert "server prod 198.19.251.1:15001 check addr 198.19.250.1 port 8008" in text
    assert "on-marked-down shutdown-sessions" in text and "bind 127.0.0.1:5001" in text


def test_overlap_of_writable_intervals() -> None:
    old = [{"t_ns": 0, "writable": True}, {"t_ns": 5_000_000_000, "writable": False}]
    new = [{"t_ns": 0, "writable": False}, {"t_ns": 6_000_000_000, "writable": True}]
    assert _overlap(old, new) == 0
    late = [{"t_ns": 0, "writable": False}, {"t_ns": 4_000_000_000, "writable": True}]
    assert _overlap(old, late) == pytest.approx(1.0)


def test_dcs_partition_needs_patroni_and_is_refused_before_anything_runs(tmp_path: Path) -> None:
    assert scenarios.get("dcs-partition").engines == ("patroni",)
    with pytest.raises(DrillRefusedError, match="patroni"):
        run_drill("unit", "dcs-partition", ticket="CHG-1", status=synthetic_status(), plan=None, ha="manual")
    with pytest.raises(DrillRefusedError, match="--ha must be one of"):
        run_drill("unit", "samecity-failover", ticket="CHG-1", status=synthetic_status(), plan=None, ha="x")


def test_a_parameter_only_the_manual_mode_injects_is_refused_on_patroni() -> None:
    with pytest.raises(DrillRefusedError, match="manual mode only"):
        run_drill("unit", "regional-failover", ticket="CHG-1", status=synthetic_status(), plan=None,
                  ha="patroni-lab", params={"survivor_outage_before_fault_s": 1.0})


def _record(
    tmp_path: Path, scenario_id: str, steps: list[dict[str, object]], **files: object
) -> dict[str, object]:
    (tmp_path / "steps.jsonl").write_text("".join(json.dumps(s) + "\n" for s in steps), encoding="utf-8")
    for name, data in files.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    return record.build(
        drill_id=f"unit-{scenario_id}",
        scenario=scenarios.get(scenario_id),
        topo=from_lab_status(synthetic_status()),
        workdir=tmp_path,
        guard={"environment": "lab", "ticket": "CHG-1"},
        runner={"status": "successful", "rc": 0, "events": []},
        edition="2025",
        systems=("illustrative-default", []),
        started_ns=1,
        ended_ns=2,
        service_before={"patroni_version": "4.1.5"},
        service_after=None,
        endpoint="db.unit.gc.internal",
        provisioned=False,
        ha=PRESETS["patroni-lab"].to_dict(),
    ).dump()


def _step(phase: str, ok: bool, result: dict[str, object] | None = None) -> dict[str, object]:
    return {"phase": phase, "args": [], "ok": ok, "result": result, "error": None if ok else "boom",
            "start_ns": 1, "end_ns": 2, "start_wall_ns": 1, "end_wall_ns": 2}


def test_a_partition_that_found_split_brain_is_failed_and_says_so(tmp_path: Path) -> None:
    rec = _record(tmp_path, "dcs-partition", [_step("partition", False)], partition={"split_brain": True})
    assert rec["passed"] is False and rec["split_brain_observed"] is True
    assert any("split brain" in str(r) for r in rec["reasons"])  # type: ignore[attr-defined]


def test_a_restore_that_does_not_match_fails_the_drill(tmp_path: Path) -> None:
    rec = _record(tmp_path, "restore-test", [_step("restore-test", True, {"matched": False})])
    assert rec["passed"] is False
    rec = _record(tmp_path, "restore-test", [_step("restore-test", True, {"matched": True})])
    assert rec["passed"] is True and rec["restore_test"] == {"matched": True}
    assert "Patroni 4.1.5" in str(rec["service"])


def test_pulumi_up_declares_the_ha_stack_for_a_plan_with_a_patroni_system() -> None:
    from govcloud.drill.ha.lab_resource import topology  # noqa: PLC0415
    from govcloud.lab import latency  # noqa: PLC0415
    from govcloud.lab.spec import build_spec  # noqa: PLC0415
    from govcloud.labstack.program import resources  # noqa: PLC0415
    from govcloud.plan import load_plan  # noqa: PLC0415

    res = resources(build_spec(load_plan(stack="lab").to_json(), "unit"), "ssh-ed25519 AAAA", latency.RELAY)
    assert res.ha["settings"]["ttl"] == 20  # the lab plan's sjj-gxjh: ha {ttl 20, loop_wait 1, ...}
    topo = topology(res.ha)
    assert [n.role for n in topo.nodes] == ["production", "same-city", "remote-dr"]
    assert topo.relays and topo.client_netns == topo.remote.netns
    fixture = Path(__file__).parents[1] / "lab" / "fixtures" / "plan-lab.json"
    plan = json.loads(fixture.read_text(encoding="utf-8"))
    no_systems = resources(build_spec(plan, "unit"), "k", latency.RELAY)
    assert no_systems.ha == {}  # no system fails over on Patroni: no HA stack


class _FakeMember:
    def __init__(self, role: str, running: bool) -> None:
        self._role, self._running = role, running
        self.node = object()
        self.started = self.stopped = False

    def running(self) -> bool:
        return self._running

    def role(self) -> str:
        return self._role

    def start(self) -> None:
        self.started, self._running = True, True

    def stop(self) -> None:
        self.stopped, self._running, self._role = True, False, "stopped"


class _FakeEtcd:
    def __init__(self, running: set[str]) -> None:
        self._running = running
        self.started: list[str] = []

    def running(self, app: str) -> bool:
        return app in self._running

    def start(self, app: str, state: str) -> None:
        self.started.append(app)


class _FakeService:
    """What `steps.abort` touches of the Patroni service, after a failback from DR failed in its
    reattach: DR leads, production and same-city still listed as fenced."""

    remote = "dr"

    def __init__(
        self, members: dict[str, _FakeMember], primary: str, fenced: list[str], etcd_running: set[str]
    ) -> None:
        self.members = members
        self.nodes = dict(members)
        self.etcd = _FakeEtcd(etcd_running)
        self._state: dict[str, object] = {"primary": primary, "fenced": fenced}

    def state(self) -> dict[str, object]:
        return dict(self._state)

    def update(self, **kw: object) -> None:
        self._state.update(kw)

    def dcs_heal(self, app: str) -> bool:
        return False

    def leader(self) -> str:
        return str(self._state["primary"])

    def writable(self) -> list[str]:
        return [a for a, m in self.members.items() if m.role() == "primary"]

    def roles(self) -> dict[str, str]:
        return {a: m.role() for a, m in self.members.items()}


class _FakeCtx:
    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path
        self.topo = type("T", (), {"stack": "unit"})()

    def state(self) -> dict[str, object]:
        return {"events": [], "promoted": False}


def _abort_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, svc: _FakeService) -> dict[str, object]:
    monkeypatch.setattr(ha_steps, "patroni_service", lambda ctx: svc)
    monkeypatch.setattr(ha_steps, "leader_limit", lambda s: 1.0)
    monkeypatch.setattr(faults, "heal", lambda stack, node: False)
    monkeypatch.setattr(failback_dr, "abort_dr_demotion", lambda ctx, s: None)
    return ha_steps.abort(_FakeCtx(tmp_path))  # type: ignore[arg-type]


def test_an_aborted_failback_from_dr_keeps_the_lost_centres_fenced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Production came up as a primary beside the DR one: abort stops it and starts nothing of the
    lost centres (a main scope that is not yet a standby cluster of DR would make it primary again)."""
    members = {
        "prod": _FakeMember("primary", running=True),
        "samecity": _FakeMember("stopped", running=False),
        "dr": _FakeMember("primary", running=True),
    }
    svc = _FakeService(members, primary="dr", fenced=["prod", "samecity"], etcd_running={"dr"})
    out = _abort_with(monkeypatch, tmp_path, svc)
    assert members["prod"].stopped and not members["prod"].started
    assert not members["samecity"].started and svc.etcd.started == []
    assert out["writable"] == ["dr"] and out["single_writable"] is True
    assert any("stays fenced" in a for a in out["actions"])  # type: ignore[attr-defined]


def test_an_aborted_drill_restarts_what_it_stopped_when_production_leads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    members = {
        "prod": _FakeMember("primary", running=True),
        "samecity": _FakeMember("stopped", running=False),
        "dr": _FakeMember("standby_leader", running=True),
    }
    svc = _FakeService(members, primary="prod", fenced=["samecity"], etcd_running={"prod", "dr"})
    out = _abort_with(monkeypatch, tmp_path, svc)
    assert members["samecity"].started and not members["prod"].stopped
    assert svc.etcd.started == ["samecity"]
    assert "samecity: Patroni restarted" in out["actions"]  # type: ignore[operator]


class _FakeProvisioned:
    """The Patroni service as `lab_resource.present` sees it."""

    remote = "dr"

    def __init__(self, primary: str, leader: str | None) -> None:
        self._state: dict[str, object] = {"mode": "patroni", "primary": primary}
        self._state["ha"] = PRESETS["patroni-lab"].to_dict()
        self._leader = leader

    def exists(self) -> bool:
        return True

    def state(self) -> dict[str, object]:
        return self._state

    def leader(self) -> str | None:
        return self._leader


@pytest.mark.parametrize(
    ("primary", "leader", "present"),
    [("prod", "prod", True), ("samecity", "samecity", True), ("dr", "dr", False), ("prod", None, False)],
)
def test_the_lab_resource_is_not_the_declared_stack_while_the_dr_centre_leads(
    monkeypatch: pytest.MonkeyPatch, primary: str, leader: str | None, present: bool
) -> None:
    """After a regional drill, and through a failback's reattach until its switchover, the DR centre
    leads: `pulumi up` must see the stack as not the one the plan declares."""
    monkeypatch.setattr(lab_resource, "topology", lambda p: None)
    monkeypatch.setattr(lab_resource, "PatroniService", lambda topo: _FakeProvisioned(primary, leader))
    props = {"settings": PRESETS["patroni-lab"].to_dict()}
    assert lab_resource.present(props) is present
