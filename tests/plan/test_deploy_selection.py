"""`govcloud:deploy`: a stack deploys a slice (centres, departments) of one whole plan (issue 3).

The plan stays whole (addresses, flows, the policy verdict); only the Kubernetes objects are
limited to the slice, so a city can be split into stacks the file backend updates in useful time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from govcloud.components import Centre
from govcloud.components.config import stack_plan
from govcloud.plan import Plan, PlanError
from govcloud.plan.loader import load_plan, load_stack, lock_path, stack_lock_path, write_lock
from govcloud.plan.selection import WHOLE, DeploySelection
from govcloud.plan.synthetic import synthetic_config
from tests.plan.test_components_mocks import RecordingMocks, Registered


def _city(root: Path, deploy: object | None = None) -> Path:
    """A 4-department synthetic city in plans/city.yaml and a stack `part` pointing to it."""
    (root / "plans").mkdir(exist_ok=True)
    plan_file = root / "plans" / "city.yaml"
    plan_file.write_text(yaml.safe_dump({"govcloud": synthetic_config(4, 2)}), encoding="utf-8")
    config: dict[str, object] = {"govcloud:planFile": "plans/city.yaml"}
    if deploy is not None:
        config["govcloud:deploy"] = deploy
    (root / "Pulumi.part.yaml").write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return plan_file


def test_a_slice_keeps_the_whole_plan(tmp_path: Path) -> None:
    _city(tmp_path, {"departments": ["d001", "d003"], "centres": ["prod"]})
    plan, selection = load_stack("part", root=tmp_path, use_lock=False)
    assert len(plan.config.systems) == 8  # the plan (addresses, flows, policy input) is the city
    assert selection == DeploySelection(frozenset({"prod"}), frozenset({"d001", "d003"}))
    assert load_plan(stack="part", root=tmp_path, use_lock=False).to_json() == plan.to_json()


def test_no_deploy_setting_is_the_whole_plan(tmp_path: Path) -> None:
    _city(tmp_path)
    _plan, selection = load_stack("part", root=tmp_path, use_lock=False)
    assert selection == WHOLE and selection.whole


def test_slices_of_one_plan_share_its_lock(tmp_path: Path) -> None:
    plan_file = _city(tmp_path, {"departments": ["d000"]})
    assert stack_lock_path("part", tmp_path) == lock_path(None, plan_file)
    plan, _ = load_stack("part", root=tmp_path, use_lock=False)
    write_lock(plan, stack_lock_path("part", tmp_path))
    # the slice plans with that lock: a broken lock beside the plan file is reported from there
    lock_path(None, plan_file).write_text("{}", encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_stack("part", root=tmp_path)
    assert "city.plan.lock.json" in str(info.value)


BAD_SELECTIONS: list[tuple[str, object, str]] = [
    ("not a mapping", ["d001"], "config.govcloud:deploy: must be a mapping"),
    ("empty mapping", {}, "config.govcloud:deploy: must be a mapping"),
    ("unknown key", {"tenants": ["d001"]}, "config.govcloud:deploy.tenants: unknown setting"),
    ("empty list", {"departments": []}, "config.govcloud:deploy.departments: must be a non-empty list"),
    ("not a string", {"centres": [3]}, "config.govcloud:deploy.centres[0]: must be an id string"),
    ("duplicate", {"departments": ["d001", "d001"]}, "config.govcloud:deploy.departments[1]: duplicate"),
    ("unknown department", {"departments": ["d001", "d404"]}, "deploy.departments[1]: 'd404' is not in"),
    ("index as written", {"departments": ["d404", "d001"]}, "deploy.departments[0]: 'd404' is not in"),
    ("unknown centre", {"centres": ["moon"]}, "config.govcloud:deploy.centres[0]: 'moon' is not in"),
]


@pytest.mark.parametrize(("case", "deploy", "message"), BAD_SELECTIONS, ids=[c[0] for c in BAD_SELECTIONS])
def test_bad_selection_names_the_stack_file_and_field(
    tmp_path: Path, case: str, deploy: object, message: str
) -> None:
    _city(tmp_path, deploy)
    with pytest.raises(PlanError) as info:
        load_stack("part", root=tmp_path, use_lock=False)
    text = str(info.value)
    assert message in text, (case, text)
    assert "Pulumi.part.yaml" in text, (case, text)


def test_deploy_is_not_a_plan_setting(tmp_path: Path) -> None:
    """In a plain plan file `deploy` is unknown: the slice belongs to a stack, not to the plan."""
    raw: dict[str, Any] = synthetic_config(2, 1)
    raw["deploy"] = {"departments": ["d000"]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(PlanError, match="deploy: unknown setting"):
        load_plan(config=path, use_lock=False)


def _declare(plan: Plan, selection: DeploySelection) -> list[Registered]:
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="govcloud", stack=plan.stack, preview=True)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> pulumi.Output[list[str]]:
        centres = [
            Centre(c.id, plan, c.id, selection=selection)
            for c in plan.config.centres
            if selection.has_centre(c.id)
        ]
        return pulumi.Output.all(*[c.urn for c in centres])

    run()
    return mocks.resources


def test_the_program_declares_only_the_slice(tmp_path: Path) -> None:
    _city(tmp_path, {"departments": ["d001", "d003"], "centres": ["prod", "dr"]})
    plan, selection = load_stack("part", root=tmp_path, use_lock=False)
    resources = _declare(plan, selection)
    centres = sorted(r.name for r in resources if r.typ == "govcloud:index:Centre")
    assert centres == ["dr", "prod"]
    namespaces = [r for r in resources if r.typ == "kubernetes:core/v1:Namespace"]
    departments = {r.inputs["metadata"]["labels"]["govcloud.io/department"] for r in namespaces}
    assert departments == {"d001", "d003"}
    expected = sum(
        1 for c in ("prod", "dr") for s, _role in plan.systems_in(c) if s.department in {"d001", "d003"}
    )
    assert len(namespaces) == expected == 8  # 2 departments x 2 systems x 2 centres
    # together, slices over a partition of the departments declare what the whole plan declares
    whole = [r.name for r in _declare(plan, WHOLE) if r.typ.startswith("kubernetes:")]
    halves = [
        r.name
        for part in (frozenset({"d000", "d001"}), frozenset({"d002", "d003"}))
        for r in _declare(plan, DeploySelection(None, part))
        if r.typ.startswith("kubernetes:")
    ]
    assert sorted(halves) == sorted(whole)


def test_program_reads_the_slice_from_the_stack_config(tmp_path: Path) -> None:
    plan_file = _city(tmp_path)
    pulumi.runtime.set_mocks(RecordingMocks(), project="govcloud", stack="part", preview=True)
    try:
        pulumi.runtime.set_all_config(
            {"govcloud:planFile": str(plan_file), "govcloud:deploy": json.dumps({"departments": ["d002"]})}
        )
        plan, selection = stack_plan()
        assert len(plan.config.systems) == 8 and selection.departments == frozenset({"d002"})
        pulumi.runtime.set_all_config(
            {"govcloud:planFile": str(plan_file), "govcloud:deploy": json.dumps({"departments": ["x"]})}
        )
        with pytest.raises(pulumi.RunError, match=r"Pulumi\.part\.yaml: config\.govcloud:deploy\.depart"):
            stack_plan()
    finally:
        pulumi.runtime.set_all_config({})


@pytest.mark.engine
def test_real_engine_previews_only_the_slice(tmp_path: Path) -> None:
    """`pulumi preview` of one slice (one department, two centres) plans exactly its objects."""
    from govcloud.components import placements, system_manifests  # noqa: PLC0415
    from govcloud.components.workspace import ProgramWorkspace, stack_config_text  # noqa: PLC0415

    plan_file = _city(tmp_path)
    deploy = {"departments": ["d002"], "centres": ["prod", "samecity"]}
    config = tmp_path / "part.yaml"
    config.write_text(stack_config_text({"planFile": str(plan_file), "deploy": deploy}), encoding="utf-8")
    plan, _ = load_stack("part", root=tmp_path, use_lock=False)
    selection = DeploySelection(frozenset(deploy["centres"]), frozenset(deploy["departments"]))
    placed = [p for c in ("prod", "samecity") for p in placements(plan, c, selection)]
    objects = sum(len(system_manifests(p)) for p in placed)
    expected = 1 + 2 * 2 + len(placed) + objects  # stack, 2 x (Centre + provider), tenants, objects
    ws = ProgramWorkspace.create(tmp_path / "ws", "part", config)
    try:
        summary = ws.preview().change_summary or {}
    finally:
        ws.stack.workspace.remove_stack("part", force=True)
    creates = sum(int(v) for k, v in summary.items() if str(getattr(k, "value", k)) == "create")
    assert len(placed) == 4 and creates == expected, summary
