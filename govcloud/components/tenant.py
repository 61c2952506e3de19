"""TenantSystem: one department's information system (信息系统) in one centre's Kubernetes."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from govcloud.components.manifests import Manifest, SystemPlacement, system_manifests
from govcloud.plan.names import namespace_resource, object_resource

TYPE = "govcloud:k8s:TenantSystem"


def _resource(name: str, m: Manifest, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    kind, meta = m["kind"], m["metadata"]
    spec: Any = m.get("spec")
    if kind == "Namespace":
        return k8s.core.v1.Namespace(name, metadata=meta, opts=opts)
    if kind == "NetworkPolicy":
        return k8s.networking.v1.NetworkPolicy(name, metadata=meta, spec=spec, opts=opts)
    if kind == "ResourceQuota":
        return k8s.core.v1.ResourceQuota(name, metadata=meta, spec=spec, opts=opts)
    if kind == "LimitRange":
        return k8s.core.v1.LimitRange(name, metadata=meta, spec=spec, opts=opts)
    if kind == "Deployment":
        return k8s.apps.v1.Deployment(name, metadata=meta, spec=spec, opts=opts)
    if kind == "Service":
        return k8s.core.v1.Service(name, metadata=meta, spec=spec, opts=opts)
    if kind == "PodDisruptionBudget":
        return k8s.policy.v1.PodDisruptionBudget(name, metadata=meta, spec=spec, opts=opts)
    raise ValueError(f"no Pulumi resource for kind {kind!r}")


class TenantSystem(pulumi.ComponentResource):
    """Namespace (labels, PSA), default-deny + flow NetworkPolicies, quota, limits, workloads.

    Children are named `<name>-<kind>-<object>`; pass the centre's provider in `opts`.
    """

    namespace: pulumi.Output[str]
    kinds: dict[str, int]

    def __init__(
        self, name: str, placement: SystemPlacement, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        manifests = system_manifests(placement)
        child = pulumi.ResourceOptions(parent=self)
        ns = _resource(namespace_resource(name), manifests[0], child)
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[ns])
        self.kinds = {}
        for m in manifests:
            self.kinds[m["kind"]] = self.kinds.get(m["kind"], 0) + 1
        for m in manifests[1:]:
            _resource(object_resource(name, m["kind"], m["metadata"]["name"]), m, in_ns)
        self.namespace = pulumi.Output.from_input(placement.system.id)
        self.register_outputs({"namespace": self.namespace, "kinds": self.kinds})
