"""The plan document `govcloud.plan/v1` (规划文档) and its lock `govcloud.plan-lock/v1`.

The planner (govcloud.plan) writes the document: `Plan.document()` builds a `PlanDocument`, and
`Plan.to_json()` is its dump. Every reader takes the model: `read(PlanDocument, path)` for a file,
or the `PlanDocument` a caller already has.

What the contract checks: the shape and the types of every field, unique ids, and that every host
names a segment of the plan. What it leaves to others on purpose: the planner's *value* rules
(known zones, port ranges, digest-pinned images, the replication modes...) are checked on the way
in by the stack config's models (govcloud.plan.models, which narrow these same models), and a
plan document that breaks them is still read, so that the policy gate can report each violation
against its 等保 clause (a flow `from: "*"`, a segment without an IPv6 prefix) instead of one input
error. The models marked "shared" are also the stack config's: a field added here reaches both.
"""

from __future__ import annotations

import math
import re
import socket
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from govcloud.contracts.base import Document, FieldError, read
from govcloud.contracts.fields import (
    CentreRole,
    Digest,
    Family,
    HostRole,
    Level,
    Protection,
    Slug,
    Text,
    ZoneKind,
)

# A Kubernetes Service name (RFC 1035 label): a slug that starts with a letter.
DNS_1035 = r"^[a-z]([a-z0-9-]*[a-z0-9])?$"
# Kubernetes cpu: millicores (`500m`) or cores with at most 3 decimals (1m is the smallest unit).
CPU = re.compile(r"^(?:(?P<milli>[1-9][0-9]*)m|(?P<cores>[0-9]+(?:\.[0-9]{1,3})?))$")
MEMORY = re.compile(r"^[1-9][0-9]*(Ki|Mi|Gi|Ti)$")
# A container port name (IANA_SVC_NAME): at most 15 of a-z, 0-9 and '-', at least one letter,
# no '-' at either end and no '--'.
PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")
PLAN_SCHEMA = "govcloud.plan/v1"
LOCK_SCHEMA = "govcloud.plan-lock/v1"
INFRA = "infra"  # the owner of a segment that belongs to no system: the platform's own hosts


def _address(value: str, family: int) -> str:
    try:
        socket.inet_pton(socket.AF_INET if family == 4 else socket.AF_INET6, value)
    except (OSError, ValueError):
        raise ValueError(f"not an IPv{family} address: {value!r}") from None
    return value


def _network(value: str, family: int) -> str:
    """An IPv4/IPv6 prefix `address/length` with no host bits set, as written (not normalised).

    socket.inet_pton rather than ipaddress: a plan of 10,000 segments has 20,000 prefixes."""
    addr, slash, length = value.partition("/")
    bits = 32 if family == 4 else 128
    try:
        packed = socket.inet_pton(socket.AF_INET if family == 4 else socket.AF_INET6, addr)
    except (OSError, ValueError):
        packed = b""
    if not packed or not slash or not length.isdigit() or int(length) > bits:
        raise ValueError(f"not an IPv{family} prefix (address/length): {value!r}")
    if int.from_bytes(packed, "big") & ((1 << (bits - int(length))) - 1):
        raise ValueError(f"host bits set in {value!r}")
    return value


def _finite(value: object) -> object:
    """NaN or Infinity is no number of seconds (the report reads documents with Python's json)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    return value


IPv4Address = Annotated[str, AfterValidator(lambda v: _address(v, 4))]
IPv6Address = Annotated[str, AfterValidator(lambda v: _address(v, 6))]
IPv4Prefix = Annotated[str, AfterValidator(lambda v: _network(v, 4))]
IPv6Prefix = Annotated[str, AfterValidator(lambda v: _network(v, 6))]
Seconds = Annotated[int, Field(ge=0), BeforeValidator(_finite)]
Name = Annotated[Text, Field(min_length=1)]


class Part(BaseModel):
    """A part of a machine-written document: exact JSON types (no "yes" for true), finite numbers,
    unknown fields ignored (a newer writer may add optional ones). The stack config narrows the
    shared parts to its own rules (`extra="forbid"`, frozen) in govcloud.plan.models."""

    model_config = ConfigDict(extra="ignore", strict=True, populate_by_name=True, allow_inf_nan=False)


# ---- parts shared with the stack config ------------------------------------------------------


class Capacity(Part):
    """Shared. The centre's capacity (容量)."""

    vcpu: int = Field(ge=1)
    memory_gib: int = Field(ge=1)
    storage_tib: float = Field(gt=0)


class KubernetesRender(Part):
    """Shared. The Kubernetes provider writes manifests to a directory (renderYamlToDirectory); lab only."""

    mode: Literal["render"]
    directory: Name
    dns: bool = Field(True, description="an allow rule to kube-system DNS (port 53) in every namespace")


class KubernetesContext(Part):
    """Shared. A real cluster reached through a kubeconfig context."""

    mode: Literal["context"]
    context: Name
    dns: bool = True


KubernetesTarget = Annotated[KubernetesRender | KubernetesContext, Field(discriminator="mode")]


class Flow(Part):
    """Shared. One allowed flow of the zone flow matrix (访问控制策略): from a zone to a zone, through
    a boundary. The config takes only known zones and ports 1-65535; the document carries what the
    gate judges (a wildcard source, a missing boundary)."""

    id: Slug
    from_: str = Field(alias="from", description="source zone / 源区域")
    to: str = Field(description="destination zone / 目的区域")
    protocol: str = Field(description="tcp | udp | icmp / 协议")
    ports: list[int] = Field(default_factory=list, description="destination ports / 目的端口")
    boundary: str = Field(description="the boundary the flow crosses / 所经安全区域边界")
    encrypted: bool = Field(description="encrypted in transit / 传输加密")
    authenticated: bool = Field(
        False, description="authenticated without encryption (NTP symmetric keys) / 仅认证（如 NTP 密钥）"
    )
    log: bool = Field(False, description="the boundary logs the flow's connections / 记录日志")
    families: list[Family] = Field(min_length=1, description="ipv4, ipv6 / 地址族")
    description: Text = ""


class Department(Part):
    """Shared. A department (委办局) that owns systems."""

    id: Slug
    name: Name
    name_en: Name


class Standby(Part):
    """Shared. A standby centre of a system and how it is replicated to."""

    centre: Slug
    replication: str = Field(description="sync | async / 复制方式")


class Placement(Part):
    """Shared. Where a system runs: its active centres and its standbys."""

    mode: Literal["active-active", "active-standby"]
    active: list[Slug] = Field(min_length=1)
    standby: Sequence[Standby] = Field(default_factory=list)


class DrTargets(Part):
    """Shared. The system's recovery targets (恢复时间目标 RTO, 恢复点目标 RPO), in seconds."""

    rto_s: Seconds = Field(description="recovery time objective, s / 恢复时间目标（秒）")
    rpo_s: Seconds = Field(description="recovery point objective, s / 恢复点目标（秒）")


class Storage(Part):
    """Shared. The system's storage encryption (存储加密) and who holds the key."""

    encrypted: bool = Field(description="data at rest encrypted / 存储加密")
    key_owner: Literal["tenant", "platform"] = Field(description="who holds the key / 密钥持有方")


class HaConfig(Part):
    """Shared. How the system's database fails over (数据库高可用): PostgreSQL under Patroni, or
    govcloud's own runbook orchestration, with its leader lease kept in an etcd3 cluster (DCS) of one
    member per named centre. The stack config may write `ha: patroni`, `ha: manual` or a part of
    this mapping; the planner fills in the rest (docs/plan.md, "Database HA")."""

    engine: Literal["patroni", "manual"] = Field(
        description="patroni, or manual (govcloud's own runbook orchestration) / 切换方式"
    )
    dcs: Literal["etcd3"] = Field("etcd3", description="the distributed configuration store / 分布式配置存储")
    dcs_members: list[Slug] = Field(
        min_length=1, description="centre ids holding one etcd member each / 各持一个 etcd 成员的中心"
    )
    ttl: int = Field(ge=1, le=3600, description="leader lease, s / 主节点租约（秒）")
    loop_wait: int = Field(ge=1, description="seconds between HA loop runs / 高可用循环间隔（秒）")
    retry_timeout: int = Field(ge=1, description="DCS and PostgreSQL retry timeout, s / 重试超时（秒）")
    synchronous_mode: bool = Field(description="commit waits for a synchronous standby / 同步复制模式")
    maximum_lag_on_failover: int = Field(
        ge=0, description="a replica further behind (bytes) is never promoted / 可提升副本的最大延迟（字节）"
    )


def _port_name(value: str) -> str:
    if not PORT_NAME.match(value) or "--" in value or not re.search(r"[a-z]", value):
        raise ValueError(
            f"port name {value!r} is not a Kubernetes port name (IANA service name): at most 15 of a-z, "
            "0-9 and '-', at least one letter, no '-' at either end, no '--' / 端口名不合 Kubernetes 规则"
        )
    return value


class ContainerPort(Part):
    """Shared. A port a workload serves."""

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


class Workload(Part):
    """Shared. One workload of a system; also the name of its Deployment, Service,
    PodDisruptionBudget and container (a Service name is an RFC 1035 label). The config requires a
    digest-pinned image; the document carries any image, which the gate judges."""

    name: Annotated[str, AfterValidator(_workload_name)]
    image: Text
    replicas: int = Field(ge=1, le=100)
    ports: Sequence[ContainerPort] = Field(default_factory=list)
    cpu: Annotated[str, AfterValidator(_cpu)]
    memory: Annotated[str, AfterValidator(_memory)]


class SystemFields(Part):
    """Shared. An information system (信息系统) as configured; the document's `System` adds DR facts."""

    id: Slug
    department: Slug
    name: Name
    name_en: Text = ""
    level: Level = Field(description="等保 protection level / 保护等级")
    zone: Slug
    placement: Placement
    dr: DrTargets
    data_classification: Literal["public", "internal", "sensitive", "important", "core"] = Field(
        description="data classification / 数据分级（一般、敏感、重要、核心）"
    )
    data_residency: Name = Field(description="where the data must stay / 数据驻留地")
    storage: Storage
    internet_facing: bool = Field(False, description="reachable from the Internet / 面向互联网")
    protections: list[Protection] = Field(
        default_factory=list, description="security services protecting it / 防护所用安全服务"
    )
    hosts: int = Field(30, ge=1, le=16000, description="addresses the system's segment must hold")
    workloads: Sequence[Workload] = Field(description="the config requires at least one")
    ha: HaConfig | None = Field(
        None, description="database HA; null: none declared / 数据库高可用（null：未声明）"
    )


class Pool(Part):
    """Shared. An address pool: a centre's, or a zone's in a centre (地址池)."""

    centre: Slug
    zone: Slug | None = Field(None, description="a zone pool; else the centre-wide pool")
    ipv4: IPv4Prefix
    ipv6: IPv6Prefix
    public: bool = Field(False, description="public (globally routed) address space allowed")


class LinkPool(Part):
    """Shared. The pool the inter-centre links are numbered from."""

    ipv4: IPv4Prefix
    ipv6: IPv6Prefix
    public: bool = False


class Reserved(Part):
    """Shared. Address space the plan must not use; unreachable space (政务内网) no object may touch."""

    name: Name
    ipv4: list[IPv4Prefix] = Field(default_factory=list)
    ipv6: list[IPv6Prefix] = Field(default_factory=list)
    reachable: bool = Field(False, description="false: no plan object may touch it (政务内网) / 是否可达")


class LogIntegrity(Part):
    """Shared. How the central log store is sealed (日志完整性; govcloud logs seal/verify)."""

    seal: Literal["daily", "none"] = Field(description="how often the log store is sealed / 封存周期")
    digests: list[Digest] = Field(min_length=1, description="digests of each seal (SM3 for 密评) / 摘要算法")
    chained: bool = Field(description="each seal includes the previous one's digest / 链式封存")


# ---- parts only the document has -------------------------------------------------------------


class Centre(Part):
    """A centre (中心) of 两地三中心."""

    id: Slug
    role: CentreRole
    role_zh: Name
    name: Name
    city: Name
    distance_km: float = Field(ge=0)
    platform_level: Level = Field(description="the cloud platform's 等保 level / 云平台保护等级")
    capacity: Capacity
    kubernetes: KubernetesTarget


class Zone(Part):
    """A network zone (网络区域) of the 政务外网 zone model."""

    id: Slug
    kind: ZoneKind
    name_zh: Name
    name_en: Name
    department: Slug | None = Field(description="the department of a dedicated zone (专用网络区)")


class DrPlan(DrTargets):
    """The system's recovery targets and the GB/T 20988 level they imply (灾难恢复能力等级)."""

    gbt20988_level: int = Field(ge=1, le=6, description="GB/T 20988 level implied / 灾难恢复能力等级")
    gbt20988_basis: Name = Field(description="the table the level is read from / 等级依据")


class System(SystemFields):
    """An information system (信息系统) of the plan."""

    dr: DrPlan


class SegmentV4(Part):
    prefix: IPv4Prefix
    gateway: IPv4Address
    reserved: list[IPv4Address]
    usable: int = Field(ge=0)


class SegmentV6(Part):
    prefix: IPv6Prefix
    gateway: IPv6Address
    reserved: list[IPv6Address]


def _none(value: object) -> bool:
    return value is None


class Segment(Part):
    """A dual-stack segment (网段) of one zone in one centre, owned by a system or by the platform.

    The planner writes both families; a document without one is read so that the gate reports it
    (DJCP-NET-001, dual stack): the missing family is absent, never null."""

    id: str
    centre: Slug
    zone: Slug
    system: Slug | None = Field(description="the system that owns the segment; null: the platform's")
    owner: Slug = Field(description=f"the system, or {INFRA!r} for the platform's own hosts")
    hosts: int = Field(ge=0)
    ipv4: SegmentV4 | None = Field(None, exclude_if=_none)
    ipv6: SegmentV6 | None = Field(None, exclude_if=_none)
    utilisation: float = Field(ge=0)


class AddressPlan(Part):
    pools: list[Pool]
    link_pool: LinkPool
    reserved: list[Reserved] = Field(default_factory=list)
    segments: list[Segment]
    relocated: list[str] = Field(
        default_factory=list, description="lock entries that no longer fitted and were moved"
    )


class Link(Part):
    """An inter-centre link (中心间链路)."""

    id: Slug
    a: Slug
    b: Slug
    kind: Literal["same-city", "remote"]
    distance_km: float = Field(ge=0)
    latency_ms: float = Field(ge=0, description="one-way latency the lab emulates / 单向时延")
    loss_pct: float = Field(ge=0, le=100)
    bandwidth_mbit: int = Field(ge=1)
    encrypted: bool = Field(description="the link is encrypted (e.g. IPsec) / 链路加密")
    ipv4: IPv4Prefix
    ipv6: IPv6Prefix


class Host(Part):
    """A host (主机). Its `segment` is the segment it sits in: the host belongs to the system that owns
    that segment, or to the platform when the segment is the platform's (`owner: infra`). Like its
    segment, a host of a document the planner did not write may lack a family (absent, never null)."""

    name: Slug
    centre: Slug
    zone: Slug
    role: HostRole
    ipv4: IPv4Address | None = Field(None, exclude_if=_none)
    ipv6: IPv6Address | None = Field(None, exclude_if=_none)
    drillable: bool = Field(description="DR drills may fault this host / 可用于灾备演练")
    segment: str = Field(description="the id of the segment the host sits in / 所在网段")


class SecurityService(Part):
    """A security service (安全服务) of a centre and the host that provides it."""

    id: str
    kind: Protection
    kind_zh: Name
    centre: Slug
    zone: Slug
    host: Slug
    ipv4: IPv4Address | None = Field(None, exclude_if=_none, description="the host's addresses")
    ipv6: IPv6Address | None = Field(None, exclude_if=_none)
    monitors: list[str] | None = Field(
        None, exclude_if=_none, description="ids only: the boundaries its sensor watches / 入侵检测监测的边界"
    )


def _duplicates(key: str, values: Iterable[str], id_field: str) -> Iterator[FieldError]:
    seen: Counter[str] = Counter()
    for i, value in enumerate(values):
        seen[value] += 1
        if seen[value] == 2:
            yield FieldError((key, i, id_field), f"duplicate id {value!r} / 标识重复")


class PlanDocument(Document):
    """`govcloud.plan/v1`: the planned 政务云, as `govcloud plan --format json` writes it."""

    schema_: Literal["govcloud.plan/v1"] = Field("govcloud.plan/v1", alias="schema")
    stack: str
    name: Name
    lab: bool = Field(description="a lab plan (198.18.0.0/15, fd00::/8) / 实验环境规划")
    centres: list[Centre] = Field(min_length=1)
    zones: list[Zone] = Field(min_length=1)
    flows: list[Flow] = Field(description="the zone flow matrix: what is allowed; the rest is denied")
    departments: list[Department]
    systems: list[System]
    address_plan: AddressPlan
    links: list[Link]
    hosts: list[Host]
    security_services: list[SecurityService]
    log_retention_days: int = Field(ge=1, description="how long logs are kept (日志留存天数)")
    log_integrity: LogIntegrity

    @model_validator(mode="after")
    def _ids_and_references(self) -> PlanDocument:
        for problem in self.problems():
            raise problem
        return self

    def problems(self) -> Iterator[FieldError]:
        """Duplicate ids, and hosts in a segment the plan does not have."""
        yield from _duplicates("centres", (c.id for c in self.centres), "id")
        yield from _duplicates("zones", (z.id for z in self.zones), "id")
        yield from _duplicates("flows", (f.id for f in self.flows), "id")
        yield from _duplicates("departments", (d.id for d in self.departments), "id")
        yield from _duplicates("systems", (s.id for s in self.systems), "id")
        segments = self.address_plan.segments
        for err in _duplicates("segments", (s.id for s in segments), "id"):
            yield FieldError(("address_plan", *err.loc), err.reason)
        yield from _duplicates("links", (lk.id for lk in self.links), "id")
        yield from _duplicates("hosts", (h.name for h in self.hosts), "name")
        yield from _duplicates("security_services", (s.id for s in self.security_services), "id")
        ids = {s.id for s in segments}
        for i, h in enumerate(self.hosts):
            if h.segment not in ids:
                reason = f"no segment {h.segment!r} in address_plan.segments / 规划中没有该网段"
                yield FieldError(("hosts", i, "segment"), reason)

    # ---- lookups the readers share ----

    def segment(self, segment_id: str) -> Segment:
        return next(s for s in self.address_plan.segments if s.id == segment_id)

    def system_of(self, host: Host) -> str | None:
        """The system a host belongs to: the owner of its segment; None for the platform's hosts."""
        return self.segment(host.segment).system

    def host(self, name: str) -> Host | None:
        return next((h for h in self.hosts if h.name == name), None)

    def zone_kinds(self) -> dict[str, str]:
        return {z.id: z.kind for z in self.zones}


def as_plan(plan: PlanDocument | Mapping[str, Any], source: str = "(plan)") -> PlanDocument:
    """The plan as its model: the model itself, or JSON data read through the contract."""
    return plan if isinstance(plan, PlanDocument) else read(PlanDocument, plan, source=source)


class LockedPrefixes(Part):
    ipv4: IPv4Prefix
    ipv6: IPv6Prefix


class PlanLock(Document):
    """`govcloud.plan-lock/v1` (stacks/locks/<stack>.plan.lock.json): the prefixes of every segment and
    link, kept stable the next time the plan is made (`govcloud plan --write-lock`)."""

    schema_: Literal["govcloud.plan-lock/v1"] = Field("govcloud.plan-lock/v1", alias="schema")
    stack: str
    segments: dict[str, LockedPrefixes] = Field(description="segment or link id -> its prefixes")

