"""Pydantic models of the stack config: the `govcloud:` namespace of `Pulumi.<stack>.yaml`.

A plain YAML file with the same keys (without the `govcloud:` prefix) is read the same way.
These models check shape and types only; cross-references (unknown zone, centre...) and the
address plan are checked in `govcloud.plan.validate` and `govcloud.plan.addressing`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

import netaddr
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from govcloud.plan.errors import unprintable

SLUG = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
# A Kubernetes Service name (RFC 1035 label): a slug that starts with a letter.
DNS_1035 = r"^[a-z]([a-z0-9-]*[a-z0-9])?$"
DIGEST_IMAGE = re.compile(r"^[a-z0-9.\-_/:]+@sha256:[0-9a-f]{64}$")
# Kubernetes cpu: millicores (`500m`) or cores with at most 3 decimals (1m is the smallest unit).
CPU = re.compile(r"^(?:(?P<milli>[1-9][0-9]*)m|(?P<cores>[0-9]+(?:\.[0-9]{1,3})?))$")
MEMORY = re.compile(r"^[1-9][0-9]*(Ki|Mi|Gi|Ti)$")
# A container port name (IANA_SVC_NAME): at most 15 of a-z, 0-9 and '-', at least one letter,
# no '-' at either end and no '--'.
PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")


def _text(value: str) -> str:
    bad = unprintable(value)
    if bad:
        raise ValueError(
            f"contains control or invisible characters ({', '.join(bad[:5])}): write printable text only "
            "/ 含控制字符或不可见字符（如终端转义、双向文本控制符）"
        )
    return value


def _whole(value: object) -> object:
    """Strict types: `3.0` is not the level 3 (pydantic's Literal would take it as equal)."""
    if isinstance(value, float):
        raise PydanticCustomError(
            "level_not_whole",
            "Input should be 2, 3 or 4, written as a whole number, not a float / 等级须写作整数 2、3 或 4",
        )
    return value


Slug = Annotated[str, Field(pattern=SLUG, max_length=63)]
# Free text (names, descriptions, paths): anything printable; no control characters (NUL, ESC),
# no bidi overrides or zero-width characters, which would hide or reorder what a reviewer reads.
Text = Annotated[str, AfterValidator(_text)]
Level = Annotated[Literal[2, 3, 4], BeforeValidator(_whole)]
CentreRole = Literal["production", "same-city", "remote-dr"]
ZoneKind = Literal["public", "dedicated", "internet", "management", "security", "replication"]
HostRole = Literal["app", "db", "bastion", "log-audit", "time", "ids", "waf", "lb"]
# A security service (安全服务) a system may be protected by and a host role may provide.
Protection = Literal["bastion", "log-audit", "time", "ids", "waf"]
Digest = Literal["sha256", "sm3"]
DIGESTS: tuple[Digest, ...] = ("sha256", "sm3")
Family = Literal["ipv4", "ipv6"]
FAMILIES: tuple[Family, ...] = ("ipv4", "ipv6")


def _prefix(value: str, version: int) -> str:
    try:
        net = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError(f"not an IPv{version} prefix: {value!r}") from exc
    if net.version != version or "/" not in value:
        raise ValueError(f"not an IPv{version} prefix (address/length): {value!r}")
    if net.ip != net.network:
        raise ValueError(f"host bits set in {value!r}; the network is {net.cidr}")
    return str(net.cidr)


def _v4(value: str) -> str:
    return _prefix(value, 4)


def _v6(value: str) -> str:
    return _prefix(value, 6)


V4Prefix = Annotated[str, AfterValidator(_v4)]
V6Prefix = Annotated[str, AfterValidator(_v6)]


class Strict(BaseModel):
    # allow_inf_nan: `.inf` and `.nan` are no distance or latency, and JSON cannot carry them.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Capacity(Strict):
    vcpu: int = Field(ge=1)
    memory_gib: int = Field(ge=1)
    storage_tib: float = Field(gt=0)


class KubernetesRender(Strict):
    """The Kubernetes provider writes manifests to a directory (renderYamlToDirectory); lab only."""

    mode: Literal["render"]
    directory: Text = Field(min_length=1)
    dns: bool = True  # render an allow rule to kube-system DNS (port 53) in every namespace


class KubernetesContext(Strict):
    """A real cluster reached through a kubeconfig context."""

    mode: Literal["context"]
    context: Text = Field(min_length=1)
    dns: bool = True


KubernetesTarget = Annotated[KubernetesRender | KubernetesContext, Field(discriminator="mode")]


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


class FlowConfig(Strict):
    id: Slug
    from_: Slug = Field(alias="from")
    to: Slug
    protocol: Literal["tcp", "udp", "icmp"]
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(default_factory=list)
    boundary: Slug
    encrypted: bool
    # Authenticated without encryption: NTP with chrony symmetric keys (SHA256). See docs/policy.md.
    authenticated: bool = False
    families: list[Family] = Field(default_factory=lambda: list(FAMILIES), min_length=1)
    description: Text = ""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, allow_inf_nan=False, populate_by_name=True
    )

    @model_validator(mode="after")
    def _ports(self) -> FlowConfig:
        if self.protocol == "icmp" and self.ports:
            raise ValueError("icmp flows take no ports (ports: [])")
        if self.protocol != "icmp" and not self.ports:
            raise ValueError(f"{self.protocol} flows need at least one port")
        return self


class DepartmentConfig(Strict):
    id: Slug
    name: Text = Field(min_length=1)
    name_en: Text = Field(min_length=1)


class StandbyConfig(Strict):
    centre: Slug
    replication: Literal["sync", "async"]


class Placement(Strict):
    mode: Literal["active-active", "active-standby"]
    active: list[Slug] = Field(min_length=1)
    standby: list[StandbyConfig] = Field(default_factory=list)


class DrTargets(Strict):
    rto_s: int = Field(ge=0)
    rpo_s: int = Field(ge=0)


class Storage(Strict):
    encrypted: bool
    key_owner: Literal["tenant", "platform"]


class Port(Strict):
    port: int = Field(ge=1, le=65535)
    protocol: Literal["TCP", "UDP"] = "TCP"
    name: Annotated[str, AfterValidator(_port_name)]


def _workload_name(value: str) -> str:
    if len(value) > 63 or not re.match(DNS_1035, value):
        raise ValueError(
            f"workload name {value!r} is not a Kubernetes Service name (RFC 1035 label): a letter "
            "first, then a-z, 0-9 and '-', at most 63, no '-' at the end / 工作负载名不合 Kubernetes 规则"
        )
    return value


def _port_name(value: str) -> str:
    if not PORT_NAME.match(value) or "--" in value or not re.search(r"[a-z]", value):
        raise ValueError(
            f"port name {value!r} is not a Kubernetes port name (IANA service name): at most 15 of a-z, "
            "0-9 and '-', at least one letter, no '-' at either end, no '--' / 端口名不合 Kubernetes 规则"
        )
    return value


def _image(value: str) -> str:
    if not DIGEST_IMAGE.match(value):
        raise ValueError(f"image must be pinned by digest (name@sha256:<64 hex>): {value!r}")
    return value


def _cpu(value: str) -> str:
    m = CPU.match(value)
    if m is None or (m["cores"] is not None and Decimal(m["cores"]) == 0):
        raise ValueError(
            f"cpu must be a Kubernetes quantity above zero such as 500m, 1 or 1.5 (millicores, or cores "
            f"with at most 3 decimals): {value!r} / CPU 配额须为大于零的 Kubernetes 数量"
        )
    return value


def _memory(value: str) -> str:
    if not MEMORY.match(value):
        raise ValueError(f"memory must be a Kubernetes quantity such as 512Mi or 2Gi: {value!r}")
    return value


class Workload(Strict):
    # Also the name of its Deployment, Service, PodDisruptionBudget and container: a Service name is
    # an RFC 1035 label (starts with a letter).
    name: Annotated[str, AfterValidator(_workload_name)]
    image: Annotated[str, AfterValidator(_image)]
    replicas: int = Field(ge=1, le=100)
    ports: list[Port] = Field(default_factory=list)
    cpu: Annotated[str, AfterValidator(_cpu)]
    memory: Annotated[str, AfterValidator(_memory)]


class SystemConfig(Strict):
    id: Slug
    department: Slug
    name: Text = Field(min_length=1)
    name_en: Text = ""
    level: Level
    zone: Slug
    placement: Placement
    dr: DrTargets
    data_classification: Literal["public", "internal", "sensitive", "important", "core"]
    data_residency: Text = Field(min_length=1)
    storage: Storage
    internet_facing: bool = False
    protections: list[Protection] = Field(default_factory=list)
    hosts: int = Field(default=30, ge=1, le=16000)  # addresses the system's segment must hold
    workloads: list[Workload] = Field(min_length=1)


class PoolConfig(Strict):
    centre: Slug
    zone: Slug | None = None  # a zone pool; else the centre-wide pool
    ipv4: V4Prefix
    ipv6: V6Prefix
    # Public (globally routed) address space is allowed only when the pool says so: the 政务外网's
    # 国家/地方公共IP, or a carrier's addresses for the 互联网接入区 (docs/plan.md, "Address space").
    public: bool = False


class LinkPoolConfig(Strict):
    ipv4: V4Prefix
    ipv6: V6Prefix
    public: bool = False


class ReservedConfig(Strict):
    name: Text = Field(min_length=1)
    ipv4: list[V4Prefix] = Field(default_factory=list)
    ipv6: list[V6Prefix] = Field(default_factory=list)
    reachable: bool = False  # False: e.g. 政务内网, which no plan object may touch


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


class LogIntegrityConfig(Strict):
    """How the central log store is sealed (govcloud logs seal/verify)."""

    seal: Literal["daily", "none"] = "daily"
    digests: list[Digest] = Field(default_factory=lambda: list(DIGESTS), min_length=1)
    chained: bool = True


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
