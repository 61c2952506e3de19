"""The real Pulumi engine on the lab stack: preview, up (rendering manifests), destroy.

One session-scoped run records every phase; the tests below read the record. A broken copy of
the lab config is run too: it must fail with the plan error and deploy nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcloud.components import placements, system_manifests
from govcloud.components.workspace import ProgramWorkspace
from govcloud.plan import Plan, load_plan, plan_from_raw
from govcloud.plan.loader import extract_namespace
from govcloud.plan.models import KubernetesRender
from govcloud.toolchain.versions import REPO_ROOT

pytestmark = pytest.mark.engine


@dataclass
class EngineRun:
    plan: Plan
    preview_summary: dict[str, int]
    up_result: str
    up_summary: dict[str, int]
    outputs: dict[str, Any]
    rendered: dict[str, list[dict[str, Any]]]  # centre -> objects found in its render directory
    after_destroy: dict[str, list[str]] = field(default_factory=dict)  # centre -> files left
    resources_after_destroy: int = -1


def read_rendered(directory: Path) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for path in sorted(directory.rglob("*.yaml")):
        objs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return objs


def _summary(changes: Any) -> dict[str, int]:
    return {str(getattr(k, "value", k)): int(v) for k, v in (changes or {}).items()}


def run_stack(root: Path, stack: str, config: Path, plan: Plan, full: bool = True) -> EngineRun:
    """preview, up, read the rendered manifests, destroy; record every phase.

    `full=False` runs `up` only and drops the private stack afterwards (the render directory is
    temporary): for the big chuzhou plan, where each engine pass costs minutes on this machine.
    """
    ws = ProgramWorkspace.create(root, stack, config)
    render_dirs = {
        c.id: ws.render_root / c.kubernetes.directory
        for c in plan.config.centres
        if isinstance(c.kubernetes, KubernetesRender)
    }
    try:
        preview_summary = _summary(ws.preview().change_summary) if full else {}
        up = ws.up()
        outputs = {k: v.value for k, v in up.outputs.items()}
        rendered = {cid: read_rendered(d) for cid, d in render_dirs.items()}
        run = EngineRun(
            plan,
            preview_summary,
            up.summary.result,
            _summary(up.summary.resource_changes),
            outputs,
            rendered,
        )
        if not full:
            return run
        ws.stack.destroy(color="never", suppress_progress=True)
        run.after_destroy = {cid: [p.name for p in d.rglob("*.yaml")] for cid, d in render_dirs.items()}
        state = ws.stack.export_stack().deployment or {}
        run.resources_after_destroy = len(state.get("resources") or [])
    finally:
        ws.stack.workspace.remove_stack(stack, force=True)
    return run


@pytest.fixture(scope="session")
def lab_run(tmp_path_factory: pytest.TempPathFactory) -> EngineRun:
    plan = load_plan(stack="lab")
    return run_stack(tmp_path_factory.mktemp("engine-lab"), "lab", REPO_ROOT / "Pulumi.lab.yaml", plan)


@pytest.fixture(scope="session")
def chuzhou_rendered(tmp_path_factory: pytest.TempPathFactory) -> EngineRun:
    """The chuzhou stack with its kube contexts swapped for render directories (no cluster here)."""
    root = tmp_path_factory.mktemp("engine-chuzhou")
    doc = yaml.safe_load((REPO_ROOT / "Pulumi.chuzhou.yaml").read_text(encoding="utf-8"))
    for centre in doc["config"]["govcloud:centres"]:
        centre["kubernetes"] = {"mode": "render", "directory": f"out/chuzhou/{centre['id']}"}
    config = root / "Pulumi.chuzhou.yaml"
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    raw, _prefix = extract_namespace(doc)
    plan = plan_from_raw(raw, "chuzhou")
    return run_stack(root / "ws", "chuzhou", config, plan, full=False)


def expected_objects(plan: Plan, centre: str) -> list[dict[str, Any]]:
    return [m for p in placements(plan, centre) for m in system_manifests(p)]


def test_preview_plans_every_resource(lab_run: EngineRun) -> None:
    plan = lab_run.plan
    k8s_objects = sum(len(expected_objects(plan, c.id)) for c in plan.config.centres)
    tenants = sum(len(plan.systems_in(c.id)) for c in plan.config.centres)
    centres = len(plan.config.centres)
    expected = 1 + centres * 2 + tenants + k8s_objects  # stack, centre + provider, tenants, objects
    assert lab_run.preview_summary == {"create": expected}, lab_run.preview_summary


def test_up_succeeds(lab_run: EngineRun) -> None:
    assert lab_run.up_result == "succeeded"
    assert lab_run.up_summary.get("create") == lab_run.preview_summary["create"]


def assert_kinds_match(run: EngineRun) -> None:
    assert sorted(run.rendered) == sorted(c.id for c in run.plan.config.centres)
    for centre, objs in run.rendered.items():
        want = Counter(m["kind"] for m in expected_objects(run.plan, centre))
        got = Counter(o["kind"] for o in objs)
        assert got == want, f"{centre}: rendered {dict(got)} != planned {dict(want)}"


def test_rendered_manifests_match_the_plan_per_kind(lab_run: EngineRun) -> None:
    assert_kinds_match(lab_run)


def test_chuzhou_renders_what_it_plans(chuzhou_rendered: EngineRun) -> None:
    assert chuzhou_rendered.up_result == "succeeded"
    assert_kinds_match(chuzhou_rendered)


def test_rendered_namespaces_carry_the_plan_labels(lab_run: EngineRun) -> None:
    for centre, objs in lab_run.rendered.items():
        for ns in (o for o in objs if o["kind"] == "Namespace"):
            system = next(s for s in lab_run.plan.config.systems if s.id == ns["metadata"]["name"])
            labels = ns["metadata"]["labels"]
            assert labels["govcloud.io/department"] == system.department
            assert labels["govcloud.io/level"] == str(system.level)
            assert labels["govcloud.io/zone"] == system.zone
            assert labels["govcloud.io/centre"] == centre
            if system.level >= 3:
                assert labels["pod-security.kubernetes.io/enforce"] == "restricted", ns["metadata"]["name"]


def test_rendered_network_policies_are_the_flow_matrix(lab_run: EngineRun) -> None:
    for centre, objs in lab_run.rendered.items():
        got = {
            (o["metadata"]["namespace"], o["metadata"]["name"]) for o in objs if o["kind"] == "NetworkPolicy"
        }
        want = {
            (m["metadata"]["namespace"], m["metadata"]["name"])
            for m in expected_objects(lab_run.plan, centre)
            if m["kind"] == "NetworkPolicy"
        }
        assert got == want, centre
        for o in objs:
            if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "default-deny":
                assert sorted(o["spec"]["policyTypes"]) == ["Egress", "Ingress"]
                assert "ingress" not in o["spec"] and "egress" not in o["spec"]


def test_rendered_services_are_dual_stack(lab_run: EngineRun) -> None:
    services = [o for objs in lab_run.rendered.values() for o in objs if o["kind"] == "Service"]
    assert services
    assert all(s["spec"]["ipFamilyPolicy"] == "RequireDualStack" for s in services)


def test_stack_outputs_are_the_plan(lab_run: EngineRun) -> None:
    doc = json.loads(json.dumps(lab_run.plan.to_json()))
    assert lab_run.outputs["schema"] == "govcloud.plan/v1"
    assert lab_run.outputs["address_plan"] == doc["address_plan"]
    hosts = lab_run.outputs["hosts"]
    assert sorted(hosts) == sorted(c.id for c in lab_run.plan.config.centres)
    assert [h for c in hosts for h in hosts[c]] == [
        h for c in hosts for h in doc["hosts"] if h["centre"] == c
    ]
    assert lab_run.outputs["dr_topology"]["links"] == doc["links"]


def test_destroy_removes_everything(lab_run: EngineRun) -> None:
    assert all(not files for files in lab_run.after_destroy.values()), lab_run.after_destroy
    assert lab_run.resources_after_destroy == 0


@pytest.fixture(scope="session")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Path], int]:
    root = tmp_path_factory.mktemp("engine-broken")
    text = (REPO_ROOT / "Pulumi.lab.yaml").read_text(encoding="utf-8")
    broken = root / "broken.yaml"
    # 警情综合 (systems[3]) keeps only its asynchronous DR standby and claims RPO 0: a plan error.
    sync_standby = "standby: [{centre: samecity, replication: sync}, {centre: dr, replication: async}]"
    head, found, tail = text.rpartition(sync_standby)
    assert found, "Pulumi.lab.yaml changed: update this test's mutation"
    text = head + "standby: [{centre: dr, replication: async}]" + tail
    broken.write_text(text.replace("rpo_s: 900}", "rpo_s: 0}", 1), encoding="utf-8")
    ws = ProgramWorkspace.create(root / "ws", "lab", broken)
    try:
        with pytest.raises(Exception) as err:  # the Automation API raises CommandError
            ws.up()
        state = ws.stack.export_stack().deployment or {}
        # the engine always records the stack itself; nothing else may exist
        resources = len([r for r in state.get("resources") or [] if r.get("type") != "pulumi:pulumi:Stack"])
    finally:
        ws.stack.workspace.remove_stack("lab", force=True)
    return str(err.value), list((ws.render_root).rglob("*.yaml")), resources


def test_broken_plan_deploys_nothing(broken_run: tuple[str, list[Path], int]) -> None:
    message, files, resources = broken_run
    assert "config.govcloud:systems[3].dr.rpo_s" in message and "asynchronous" in message, message
    assert files == [] and resources == 0
