"""Unit tests of the Pulumi components with mocks (no engine): what each centre declares."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

from govcloud.components import Centre
from govcloud.components.config import plan_from_stack
from govcloud.plan import Plan, load_plan


@dataclass(frozen=True)
class Registered:
    typ: str
    name: str
    inputs: dict[str, Any]


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[Registered] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs)))
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {}, None


def declare(plan: Plan) -> list[Registered]:
    """Declare every centre of the plan under mocks; return what was registered."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="govcloud", stack=plan.stack, preview=True)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> pulumi.Output[list[str]]:
        centres = [Centre(c.id, plan, c.id) for c in plan.config.centres]
        return pulumi.Output.all(*[c.urn for c in centres])

    run()
    return mocks.resources


@pytest.fixture(scope="module")
def lab_plan() -> Plan:
    return load_plan(stack="lab")


@pytest.fixture(scope="module")
def lab_resources(lab_plan: Plan) -> list[Registered]:
    return declare(lab_plan)


@pytest.fixture(scope="module")
def chuzhou_resources() -> tuple[Plan, list[Registered]]:
    plan = load_plan(stack="chuzhou")
    return plan, declare(plan)


def of_type(resources: list[Registered], typ: str) -> list[Registered]:
    return [r for r in resources if r.typ == typ]


def where(r: Registered) -> str:
    return f"{r.typ} {r.name}"


def test_one_component_and_provider_per_centre(lab_plan: Plan, lab_resources: list[Registered]) -> None:
    centres = of_type(lab_resources, "govcloud:index:Centre")
    assert sorted(r.name for r in centres) == sorted(c.id for c in lab_plan.config.centres)
    providers = of_type(lab_resources, "pulumi:providers:kubernetes")
    assert len(providers) == 3
    for p in providers:
        target = p.inputs.get("renderYamlToDirectory")
        assert target and target.endswith(f"out/lab/{p.name.removesuffix('-k8s')}"), where(p)
        assert "kubeconfig" not in p.inputs and "context" not in p.inputs, where(p)


def test_every_placed_system_is_a_tenant_component(lab_plan: Plan, lab_resources: list[Registered]) -> None:
    expected = {f"{c.id}-{s.id}" for c in lab_plan.config.centres for s, _r in lab_plan.systems_in(c.id)}
    got = {r.name for r in of_type(lab_resources, "govcloud:k8s:TenantSystem")}
    assert got == expected


def test_8_1_3_2_a_default_deny_both_ways_in_every_namespace(lab_resources: list[Registered]) -> None:
    namespaces = of_type(lab_resources, "kubernetes:core/v1:Namespace")
    deny = {
        (r.inputs["metadata"]["namespace"], r.name.split("-")[0])
        for r in of_type(lab_resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
        if r.inputs["metadata"]["name"] == "default-deny"
    }
    for ns in namespaces:
        key = (ns.inputs["metadata"]["name"], ns.name.split("-")[0])
        assert key in deny, f"{where(ns)} has no default-deny NetworkPolicy"
    for r in of_type(lab_resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy"):
        if r.inputs["metadata"]["name"] == "default-deny":
            assert r.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, where(r)


def test_flow_allows_follow_the_matrix(lab_plan: Plan, lab_resources: list[Registered]) -> None:
    policies = of_type(lab_resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    sjj = [r for r in policies if r.name.startswith("prod-sjj-gxjh-")]
    names = {r.inputs["metadata"]["name"] for r in sjj}
    assert "allow-in-public-to-sjj-api" in names
    assert "allow-out-sjj-logs-to-security" in names
    # the police zone's flows never appear in the data bureau's namespace (专用网络区 isolation)
    assert not any("gaj" in n for n in names), names
    rule = next(r for r in sjj if r.inputs["metadata"]["name"] == "allow-in-public-to-sjj-api")
    ingress = rule.inputs["spec"]["ingress"][0]
    assert ingress["from"] == [{"namespaceSelector": {"matchLabels": {"govcloud.io/zone": "public"}}}]
    assert ingress["ports"] == [{"protocol": "TCP", "port": 8443}]
    # ICMP cannot be a NetworkPolicy: it stays denied
    assert not any("ping" in r.inputs["metadata"]["name"] for r in policies)


def test_a_logged_flow_labels_its_network_policies(lab_plan: Plan, lab_resources: list[Registered]) -> None:
    """`flows[].log`: Kubernetes has no portable per-policy logging; the CNI selects `govcloud.io/log`."""
    logged = {f.id for f in lab_plan.config.flows if f.log}
    assert "mgmt-ssh-sjj" in logged
    policies = of_type(lab_resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    flows = [r for r in policies if "govcloud.io/flow" in r.inputs["metadata"]["labels"]]
    assert any(r.inputs["metadata"]["labels"]["govcloud.io/flow"] == "mgmt-ssh-sjj" for r in flows)
    for r in flows:
        labels = r.inputs["metadata"]["labels"]
        assert (labels.get("govcloud.io/log") == "true") == (labels["govcloud.io/flow"] in logged), labels


def test_namespace_labels_and_pod_security(lab_resources: list[Registered]) -> None:
    for ns in of_type(lab_resources, "kubernetes:core/v1:Namespace"):
        labels = ns.inputs["metadata"]["labels"]
        for key in ("department", "system", "level", "zone", "centre"):
            assert f"govcloud.io/{key}" in labels, f"{where(ns)} lacks govcloud.io/{key}"
        expected = "restricted" if int(labels["govcloud.io/level"]) >= 3 else "baseline"
        assert labels["pod-security.kubernetes.io/enforce"] == expected, where(ns)


def test_8_1_4_4_hardened_deployments(lab_plan: Plan, lab_resources: list[Registered]) -> None:
    deployments = of_type(lab_resources, "kubernetes:apps/v1:Deployment")
    assert deployments
    for d in deployments:
        pod = d.inputs["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False, where(d)
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True, where(d)
            assert sc["runAsNonRoot"] is True and sc["capabilities"] == {"drop": ["ALL"]}, where(d)
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, where(d)
            assert "@sha256:" in c["image"], where(d)
        system = d.inputs["metadata"]["namespace"]
        mode = next(s for s in lab_plan.config.systems if s.id == system).placement.mode
        assert ("affinity" in pod) == (mode == "active-active"), where(d)


def test_standby_centres_hold_zero_replicas_and_no_pdb(lab_resources: list[Registered]) -> None:
    standby = [
        d
        for d in of_type(lab_resources, "kubernetes:apps/v1:Deployment")
        if d.inputs["metadata"]["labels"]["govcloud.io/placement"] == "standby"
    ]
    assert {d.name.split("-")[0] for d in standby} == {"dr", "samecity"}
    assert all(d.inputs["spec"]["replicas"] == 0 for d in standby)
    pdbs = of_type(lab_resources, "kubernetes:policy/v1:PodDisruptionBudget")
    active = [d for d in of_type(lab_resources, "kubernetes:apps/v1:Deployment") if d not in standby]
    assert len(pdbs) == len(active)


def test_services_require_dual_stack(lab_resources: list[Registered]) -> None:
    services = of_type(lab_resources, "kubernetes:core/v1:Service")
    assert services
    for s in services:
        assert s.inputs["spec"]["ipFamilyPolicy"] == "RequireDualStack", where(s)
        assert s.inputs["spec"]["ipFamilies"] == ["IPv4", "IPv6"], where(s)


def test_quota_and_limits_per_namespace(lab_resources: list[Registered]) -> None:
    count = Counter(r.typ for r in lab_resources)
    ns = count["kubernetes:core/v1:Namespace"]
    assert count["kubernetes:core/v1:ResourceQuota"] == ns
    assert count["kubernetes:core/v1:LimitRange"] == ns


def test_chuzhou_targets_kube_contexts(chuzhou_resources: tuple[Plan, list[Registered]]) -> None:
    plan, resources = chuzhou_resources
    providers = of_type(resources, "pulumi:providers:kubernetes")
    assert sorted(p.inputs["context"] for p in providers) == [
        "chuzhou-dr",
        "chuzhou-prod",
        "chuzhou-samecity",
    ]
    assert not any("renderYamlToDirectory" in p.inputs for p in providers)
    placed = sum(len(plan.systems_in(c.id)) for c in plan.config.centres)
    assert len(of_type(resources, "kubernetes:core/v1:Namespace")) == placed


def test_invalid_stack_config_stops_the_program(lab_raw: dict[str, Any]) -> None:
    """Under the engine an invalid plan raises RunError before any resource is declared."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="govcloud", stack="broken", preview=True)
    lab_raw["systems"][0]["zone"] = "nowhere"
    pulumi.runtime.set_all_config(
        {f"govcloud:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in lab_raw.items()}
    )
    try:
        with pytest.raises(
            pulumi.RunError, match=r"config\.govcloud:systems\[0\]\.zone: unknown zone 'nowhere'"
        ):
            plan_from_stack()
        lab_raw["systems"][0]["zone"] = "dedicated-sjj"
        pulumi.runtime.set_all_config(
            {f"govcloud:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in lab_raw.items()}
        )
        assert plan_from_stack().stack == "broken"
    finally:
        pulumi.runtime.set_all_config({})
    assert mocks.resources == []


def test_derived_names_checked_by_the_plan_are_the_names_declared(
    lab_plan: Plan,
    lab_resources: list[Registered],
    chuzhou_resources: tuple[Plan, list[Registered]],
) -> None:
    """govcloud.plan.names predicts every Pulumi name the components declare, so its clash check
    (an error at `govcloud plan`) sees exactly what Pulumi would see."""
    from govcloud.plan import names  # noqa: PLC0415

    for plan, resources in ((lab_plan, lab_resources), chuzhou_resources):
        cfg = plan.config
        expected: set[tuple[str, str]] = set()
        for i, s, centre, role in names.placements(cfg):
            tenant = names.tenant_resource(centre, s.id)
            expected |= {("TenantSystem", tenant), ("Namespace", names.namespace_resource(tenant))}
            flows = [(j, f) for j, f in enumerate(cfg.flows) if s.zone in (f.from_, f.to)]
            dns = plan.centre(centre).kubernetes.dns
            for kind, name, _path in names.tenant_objects(i, s, role, flows, dns):
                expected.add((kind, names.object_resource(tenant, kind, name)))
        declared = {
            (r.typ.rsplit(":", 1)[-1], r.name)
            for r in resources
            if r.typ.startswith("kubernetes:") or r.typ == "govcloud:k8s:TenantSystem"
        }
        assert declared == expected, (declared ^ expected)
        providers = {r.name for r in of_type(resources, "pulumi:providers:kubernetes")}
        assert providers == {names.provider_resource(c.id) for c in cfg.centres}
