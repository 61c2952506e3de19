"""A system's database HA (`ha`): the config's shorthand, the planner's defaults, the document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govcloud.contracts.plan import PlanDocument
from govcloud.plan import PlanError, load_plan
from govcloud.plan.loader import plan_from_raw
from govcloud.toolchain.versions import REPO_ROOT

DEFAULT = {
    "engine": "patroni",
    "dcs": "etcd3",
    "dcs_members": ["prod", "samecity", "dr"],
    "ttl": 30,
    "loop_wait": 10,
    "retry_timeout": 10,
    "synchronous_mode": True,
    "maximum_lag_on_failover": 1048576,
}
ACTIVE_STANDBY_ASYNC = {
    "mode": "active-standby",
    "active": ["prod"],
    "standby": [{"centre": "dr", "replication": "async"}],
}


def _systems(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in plan_from_raw(raw, "lab").to_json()["systems"]}


def _system(raw: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return plan_from_raw(raw, "lab").to_json()["systems"][index]


def test_lab_level_3_systems_get_the_default(lab_raw: dict[str, Any]) -> None:
    """sjj-gxjh is active-active (its second active centre holds the synchronous copy); wjw-qmjk and
    gaj-jqzh replicate to the same-city centre with sync; the level-2 portal has no standby: no ha."""
    systems = _systems(lab_raw)
    # sjj-gxjh declares the lab's Patroni timings; the rest of its ha comes from the defaults
    assert systems["sjj-gxjh"]["ha"] == {**DEFAULT, "ttl": 20, "loop_wait": 1, "retry_timeout": 5}
    assert systems["wjw-qmjk"]["ha"] == DEFAULT
    assert systems["gaj-jqzh"]["ha"] == DEFAULT
    assert systems["sjj-portal"]["ha"] is None


def test_default_follows_the_placement(lab_raw: dict[str, Any]) -> None:
    """dcs_members: the distinct centres of active + standby, in order; synchronous_mode: a sync copy."""
    system = lab_raw["systems"][3]  # gaj-jqzh, RPO 900 s
    system["placement"] = ACTIVE_STANDBY_ASYNC
    ha = _system(lab_raw, 3)["ha"]
    assert ha == {**DEFAULT, "dcs_members": ["prod", "dr"], "synchronous_mode": False}
    system["placement"] = {
        "mode": "active-standby",
        "active": ["dr"],
        "standby": [
            {"centre": "samecity", "replication": "sync"},
            {"centre": "prod", "replication": "async"},
        ],
    }
    assert _system(lab_raw, 3)["ha"] == {**DEFAULT, "dcs_members": ["dr", "samecity", "prod"]}


@pytest.mark.parametrize(
    ("level", "placement"),
    [
        (2, ACTIVE_STANDBY_ASYNC),
        (3, {"mode": "active-active", "active": ["prod", "samecity"]}),
    ],
    ids=["level-2", "no-standby"],
)
def test_no_default_below_level_3_or_without_standby(
    lab_raw: dict[str, Any], level: int, placement: dict[str, Any]
) -> None:
    system = lab_raw["systems"][3]
    system.update(level=level, placement=placement)
    assert _system(lab_raw, 3)["ha"] is None
    system["ha"] = None  # written out as null: the same as absent
    assert _system(lab_raw, 3)["ha"] is None


@pytest.mark.parametrize("engine", ["patroni", "manual"])
def test_shorthand_names_the_engine(lab_raw: dict[str, Any], engine: str) -> None:
    lab_raw["systems"][0]["ha"] = engine
    assert _system(lab_raw)["ha"] == {**DEFAULT, "engine": engine}


def test_shorthand_on_a_system_the_default_skips(lab_raw: dict[str, Any]) -> None:
    """sjj-portal (level 2, active-active, no standby) declared by hand: its two centres, synchronous."""
    lab_raw["systems"][1]["ha"] = "patroni"
    assert _system(lab_raw, 1)["ha"] == {**DEFAULT, "dcs_members": ["prod", "samecity"]}


def test_mapping_overrides_only_what_it_names(lab_raw: dict[str, Any]) -> None:
    lab_raw["systems"][0]["ha"] = {"engine": "manual", "ttl": 60, "loop_wait": 15, "synchronous_mode": False}
    ha = _system(lab_raw)["ha"]
    assert ha == {**DEFAULT, "engine": "manual", "ttl": 60, "loop_wait": 15, "synchronous_mode": False}
    full = {**DEFAULT, "dcs_members": ["dr", "prod", "samecity"], "maximum_lag_on_failover": 0}
    lab_raw["systems"][0]["ha"] = full
    assert _system(lab_raw)["ha"] == full


def _without_declared_ha(text: str) -> str:
    """The lab file without sjj-gxjh's own `ha:` line, so a test can write its own."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("      ha: {"))


def test_ha_written_before_the_placement_still_gets_its_defaults(tmp_path: Path) -> None:
    """Keys are read in the model's order, not the file's: `ha` sees the placement wherever it is."""
    text = _without_declared_ha((REPO_ROOT / "Pulumi.lab.yaml").read_text(encoding="utf-8"))
    (tmp_path / "Pulumi.halab.yaml").write_text(
        text.replace("      level: 3\n", "      level: 3\n      ha: {ttl: 40}\n", 1), encoding="utf-8"
    )
    system = load_plan(stack="halab", root=tmp_path).to_json()["systems"][0]
    assert system["ha"] == {**DEFAULT, "ttl": 40}


def test_stack_file_errors_name_the_config_key(tmp_path: Path) -> None:
    text = _without_declared_ha((REPO_ROOT / "Pulumi.lab.yaml").read_text(encoding="utf-8"))
    (tmp_path / "Pulumi.broken.yaml").write_text(
        text.replace("      level: 3\n", "      level: 3\n      ha: pacemaker\n", 1), encoding="utf-8"
    )
    with pytest.raises(PlanError) as err:
        load_plan(stack="broken", root=tmp_path)
    (issue,) = err.value.issues
    assert issue.path == "config.govcloud:systems[0].ha" and issue.file.endswith("Pulumi.broken.yaml")
    assert "ha is patroni, manual or a mapping" in issue.reason and "'pacemaker'" in issue.reason


def test_a_broken_placement_is_reported_without_noise_from_ha(lab_raw: dict[str, Any]) -> None:
    """ha's defaults need the placement: with the placement broken, only its own error is reported,
    and what the mapping itself gives is still checked."""
    system = lab_raw["systems"][0]
    system["placement"]["mode"] = "hot-hot"
    system["ha"] = {"ttl": 60}
    with pytest.raises(PlanError) as err:
        plan_from_raw(lab_raw, "lab")
    assert [i.path for i in err.value.issues] == ["systems[0].placement.mode"]
    system["ha"] = {"ttl": -1, "dcs_members": ["prod"], "synchronous_mode": True}
    with pytest.raises(PlanError) as err:
        plan_from_raw(lab_raw, "lab")
    assert [i.path for i in err.value.issues] == ["systems[0].placement.mode", "systems[0].ha.ttl"]


def test_chuzhou_systems_with_data_in_two_centres_keep_a_witness(chuzhou_raw: dict[str, Any]) -> None:
    """Every level-3 system of Chuzhou has an etcd member in each of the three centres (DJCP-DR-003);
    the two with data only in prod and dr declare the same-city member themselves."""
    systems = {s["id"]: s for s in plan_from_raw(chuzhou_raw, "chuzhou").to_json()["systems"]}
    for sid, s in systems.items():
        if s["level"] >= 3:
            assert s["ha"] is not None and sorted(s["ha"]["dcs_members"]) == ["dr", "prod", "samecity"], sid
    assert systems["gaj-hjyw"]["ha"]["synchronous_mode"] is False  # RPO 900 s, async only


def test_the_document_reads_ha_back(lab_raw: dict[str, Any]) -> None:
    doc = plan_from_raw(lab_raw, "lab").to_json()
    again = PlanDocument.model_validate(doc)
    ha = again.systems[0].ha
    assert ha is not None and ha.engine == "patroni" and ha.dcs_members == ["prod", "samecity", "dr"]
    assert again.systems[1].ha is None
