"""Pulumi ComponentResources that build the plan: Centre (per centre) and TenantSystem (per system)."""

from govcloud.components.centre import Centre, placements
from govcloud.components.manifests import SystemPlacement, system_manifests
from govcloud.components.tenant import TenantSystem

__all__ = ["Centre", "SystemPlacement", "TenantSystem", "placements", "system_manifests"]
