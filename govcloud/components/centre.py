"""Centre: one of the 两地三中心 with its Kubernetes target and the tenant systems placed there."""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from govcloud.components.manifests import SystemPlacement
from govcloud.components.tenant import TenantSystem
from govcloud.plan import Plan
from govcloud.plan.models import KubernetesRender
from govcloud.plan.names import provider_resource, tenant_resource
from govcloud.plan.selection import WHOLE, DeploySelection
from govcloud.toolchain.versions import REPO_ROOT

TYPE = "govcloud:index:Centre"


def render_directory(directory: str) -> str:
    """Relative render directories resolve against $GOVCLOUD_RENDER_ROOT or the repository root."""
    path = Path(directory)
    if path.is_absolute():
        return str(path)
    return str(Path(os.environ.get("GOVCLOUD_RENDER_ROOT") or REPO_ROOT) / path)


def placements(plan: Plan, centre_id: str, selection: DeploySelection = WHOLE) -> list[SystemPlacement]:
    """The systems placed in a centre, limited to the departments of the stack's slice."""
    centre = plan.centre(centre_id)
    out = []
    for system, role in plan.systems_in(centre_id):
        if not selection.has_department(system.department):
            continue
        flows = tuple(f for f in plan.config.flows if system.zone in (f.from_, f.to))
        out.append(SystemPlacement(system, centre_id, role, centre.kubernetes.dns, flows))
    return out


class Centre(pulumi.ComponentResource):
    """A centre: one Kubernetes provider (rendering for the lab, a kube context otherwise)."""

    systems: dict[str, TenantSystem]
    target: str

    def __init__(
        self,
        name: str,
        plan: Plan,
        centre_id: str,
        opts: pulumi.ResourceOptions | None = None,
        selection: DeploySelection = WHOLE,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        centre = plan.centre(centre_id)
        kube = centre.kubernetes
        if isinstance(kube, KubernetesRender):
            self.target = render_directory(kube.directory)
            provider = k8s.Provider(
                provider_resource(name),
                render_yaml_to_directory=self.target,
                opts=pulumi.ResourceOptions(parent=self),
            )
        else:
            self.target = f"context:{kube.context}"
            provider = k8s.Provider(
                provider_resource(name),
                context=kube.context,
                enable_server_side_apply=True,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.systems = {}
        for p in placements(plan, centre_id, selection):
            self.systems[p.system.id] = TenantSystem(
                tenant_resource(name, p.system.id),
                p,
                pulumi.ResourceOptions(parent=self, providers=[provider]),
            )
        self.register_outputs({"target": self.target, "systems": sorted(self.systems)})
