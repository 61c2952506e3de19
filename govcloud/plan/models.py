"""Pydantic models of the stack config: the `govcloud:` namespace of `Pulumi.<stack>.yaml`.

A plain YAML file with the same keys (without the `govcloud:` prefix) is read the same way.
These models check shape and types only; cross-references (unknown zone, centre...) and the
address plan are checked in `govcloud.plan.validate` and `govcloud.plan.addressing`.

The parts the plan document carries as configured (flows, departments, systems, pools...) are
defined once, in the document's contract (govcloud.contracts.plan); the classes here narrow them
to the config's rules: no unknown keys, frozen, and the values the planner accepts (known
protocols, ports 1-65535, digest-pinned images, sync/async replication).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from govcloud.contracts import plan as doc
from govcloud.contracts.fields import (
    DIGESTS,
    FAMILIES,
    CentreRole,
    Digest,
    Family,
    HostRole,
    Level,
    PortNumber,
    Protection,
    Slug,
    Text,
    V4Prefix,
    V6Prefix,
    ZoneKind,
)

DIGEST_IMAGE = re.compile(r"^[a-z0-9.\-_/:]+@sha256:[0-9a-f]{64}$")
# The stack config's rules on top of the shared models: unknown keys are errors (a typo is not
# silently dropped), values are frozen.
STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False, populate_by_name=True)


class Strict(BaseModel):
    # allow_inf_nan: `.inf` and `.nan` are no distance or latency, and JSON cannot carry them.
    model_config = STRICT


# ---- the parts shared with the plan document (govcloud.contracts.plan), with the config's rules ----


class Capacity(doc.Capacity):
    model_config = STRICT


class KubernetesRender(doc.KubernetesRender):
    model_config = STRICT


class KubernetesContext(doc.KubernetesContext):
    model_config = STRICT


KubernetesTarget = Annotated[KubernetesRender | KubernetesContext, Field(discriminator="mode")]


class FlowConfig(doc.Flow):
    """A flow as configured: between declared zones (govcloud.plan.validate), on ports 1-65535."""

    model_config = STRICT
    from_: Slug = Field(alias="from")
    to: Slug
    protocol: Literal["tcp", "udp", "icmp"]
    ports: list[PortNumber] = Field(default_factory=list)
    boundary: Slug
    families: list[Family] = Field(default_factory=lambda: list(FAMILIES), min_length=1)

    @model_validator(mode="after")
    def _ports(self) -> FlowConfig:
        if self.protocol == "icmp" and self.ports:
            raise ValueError("icmp flows take no ports (ports: [])")
        if self.protocol != "icmp" and not self.ports:
            raise ValueError(f"{self.protocol} flows need at least one port")
        return self


class DepartmentConfig(doc.Department):
    model_config = STRICT


class StandbyConfig(doc.Standby):
    model_config = STRICT
    replication: Literal["sync", "async"]


class Placement(doc.Placement):
    model_config = STRICT
    standby: list[StandbyConfig] = Field(default_factory=list)


class DrTargets(doc.DrTargets):
    model_config = STRICT


class Storage(doc.Storage):
    model_config = STRICT


class Port(doc.ContainerPort):
    model_config = STRICT


def _image(value: str) -> str:
    if not DIGEST_IMAGE.match(value):
        raise ValueError(f"image must be pinned by digest (name@sha256:<64 hex>): {value!r}")
    return value


class Workload(doc.Workload):
    model_config = STRICT
    image: Annotated[str, AfterValidator(_image)]
    ports: list[Port] = Field(default_factory=list)


class HaConfig(doc.HaConfig):
    model_config = STRICT


HA_ENGINES: tuple[str, ...] = get_args(doc.HaConfig.model_fields["engine"].annotation)
# The defaults of `ha` (docs/plan.md, "Database HA"): Patroni's own defaults, which keep its rule
# loop_wait + 2 * retry_timeout <= ttl (DJCP-DR-005); 1 MiB of lag is Patroni's default too.
HA_TIMING: dict[str, Any] = {
    "dcs": "etcd3",
    "ttl": 30,
    "loop_wait": 10,
    "retry_timeout": 10,
    "maximum_lag_on_failover": 1048576,
}


def synchronous_copy(placement: doc.Placement) -> bool:
    """The system keeps a synchronous copy of its data: two active centres (双活), or a standby
    replicated synchronously. RPO 0 needs one (govcloud.plan.validate, DJCP-DR-004)."""
    return len(placement.active) >= 2 or any(sb.replication == "sync" for sb in placement.standby)


def ha_defaults(placement: doc.Placement) -> dict[str, Any]:
    """Every field of `ha` for a system placed so: Patroni, one etcd member in each centre the system
    runs in (active centres, then standbys, in order), synchronous mode if it keeps a synchronous copy."""
    centres = [*placement.active, *(sb.centre for sb in placement.standby)]
    return {
        "engine": "patroni",
        **HA_TIMING,
        "dcs_members": list(dict.fromkeys(centres)),
        "synchronous_mode": synchronous_copy(placement),
    }


class SystemConfig(doc.SystemFields):
    model_config = STRICT
    placement: Placement
    dr: DrTargets
    storage: Storage
    workloads: list[Workload] = Field(min_length=1)
    # Runs on the default too: an absent `ha` gets the default of a level >= 3 system with a standby.
    ha: HaConfig | None = Field(None, validate_default=True)

    @field_validator("ha", mode="before")
    @classmethod
    def _ha(cls, value: Any, info: ValidationInfo) -> Any:
        """`ha: patroni`, `ha: manual`, or a mapping of some of its fields: the rest defaulted.

        Absent (or null): Patroni with the defaults for a level >= 3 system with at least one standby,
        else none. The defaults of dcs_members and synchronous_mode come from the placement, read
        before `ha` (fields validate in order); if the placement itself is invalid, only what the
        mapping gives can be checked, and a mapping that leaves those two out is not checked."""
        placement, level = info.data.get("placement"), info.data.get("level")
        if value is None:
            if placement is None or level is None or level < 3 or not placement.standby:
                return None
            return ha_defaults(placement)
        if isinstance(value, HaConfig):
            return value
        if isinstance(value, str) and value in HA_ENGINES:
            value = {"engine": value}
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "ha_setting",
                "ha is {engines} or a mapping of its fields (engine, dcs_members, ttl, loop_wait, "
                "retry_timeout, synchronous_mode, maximum_lag_on_failover) / ha 须为 {engines_zh} 或字段映射",
                {"engines": ", ".join(HA_ENGINES), "engines_zh": "、".join(HA_ENGINES)},
            )
        if placement is not None:
            return {**ha_defaults(placement), **value}
        if "dcs_members" not in value or "synchronous_mode" not in value:
            return None  # the placement's own error is reported; its defaults cannot be had
        return {"engine": "patroni", **HA_TIMING, **value}


class PoolConfig(doc.Pool):
    model_config = STRICT
    ipv4: V4Prefix
    ipv6: V6Prefix


class LinkPoolConfig(doc.LinkPool):
    model_config = STRICT
    ipv4: V4Prefix
    ipv6: V6Prefix


class ReservedConfig(doc.Reserved):
    model_config = STRICT
    ipv4: list[V4Prefix] = Field(default_factory=list)
    ipv6: list[V6Prefix] = Field(default_factory=list)


class LogIntegrityConfig(doc.LogIntegrity):
    """How the central log store is sealed (govcloud logs seal/verify)."""

    model_config = STRICT
    seal: Literal["daily", "none"] = "daily"
    digests: list[Digest] = Field(default_factory=lambda: list(DIGESTS), min_length=1)
    chained: bool = True


# ---- the parts only the config has ---------------------------------------------------------------


class CentreConfig(Strict):
    id: Slug
    role: CentreRole
    name: Text = Field(min_length=1)
    city: Text = Field(min_length=1)
    distance_km: float = Field(ge=0)
    platform_level: Level
    capacity: Capacity
    kubernetes: KubernetesTarget


class ZoneConfig(Strict):
    id: Slug
    kind: ZoneKind
    name_zh: Text | None = None
    name_en: Text | None = None
    department: Slug | None = None
    infra_hosts: int = Field(default=100, ge=1, le=4000)  # size of the per-centre infra segment


class PinConfig(Strict):
    ipv4: V4Prefix
    ipv6: V6Prefix


class HostRoleConfig(Strict):
    role: HostRole
    zone: Slug
    count: int = Field(default=1, ge=1, le=9)
    drillable: bool = True
    # Security services this role provides besides its own (e.g. the bastion also serves time).
    services: list[Protection] = Field(default_factory=list)
    # For a role providing ids: the boundaries its sensor watches (None: every boundary of the flows).
    monitors: list[Slug] | None = None


class LinkOverride(Strict):
    a: Slug
    b: Slug
    latency_ms: float | None = Field(default=None, gt=0)
    loss_pct: float = Field(default=0.0, ge=0, le=100)
    bandwidth_mbit: int = Field(default=1000, ge=1)
    encrypted: bool = True


class PlanConfig(Strict):
    """The whole `govcloud:` namespace."""

    name: Text = Field(min_length=1)
    lab: bool = False
    log_retention_days: int = Field(default=185, ge=1)
    log_integrity: LogIntegrityConfig = Field(default_factory=LogIntegrityConfig)
    centres: list[CentreConfig] = Field(min_length=1)
    zones: list[ZoneConfig] = Field(min_length=1)
    flows: list[FlowConfig] = Field(default_factory=list)
    departments: list[DepartmentConfig] = Field(default_factory=list)
    systems: list[SystemConfig] = Field(default_factory=list)
    pools: list[PoolConfig] = Field(min_length=1)
    link_pool: LinkPoolConfig
    reserved: list[ReservedConfig] = Field(default_factory=list)
    pins: dict[str, PinConfig] = Field(default_factory=dict)
    hosts: list[HostRoleConfig] = Field(default_factory=list)
    links: list[LinkOverride] = Field(default_factory=list)


CONFIG_KEYS: tuple[str, ...] = tuple(PlanConfig.model_fields)
