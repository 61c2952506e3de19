"""The drill record (演练记录, `govcloud.drill/v1`): written by `govcloud drill run`
(govcloud.drill.record.build), one file per run under the evidence directory's `drills/`, read by
the report (govcloud.report.evidence) and by the benches.

The parts a reader judges are typed (scenario, steps, achieved RTO/RPO, per-system targets,
consistency, replication before the fault, the GB/T 20988 assessment, pass/fail); the raw evidence
each phase collected (prechecks, fencing, switchovers, the Ansible run, the partition and restore
results) is kept as the phase wrote it. Machine-written: unknown fields are ignored within a version.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from govcloud.contracts.base import Document

DRILL_SCHEMA: Final = "govcloud.drill/v1"

Json = dict[str, Any]


class _Part(BaseModel):
    # NaN or Infinity is no measurement; a record holding one is corrupt.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class ScenarioRef(_Part):
    id: str = Field(description="scenario id (govcloud drill scenarios), e.g. samecity-failover")
    name_zh: str = ""
    name_en: str = ""
    unplanned: bool = False
    disruption: str = ""
    description: str = ""


class StepRecord(_Part):
    """One phase of the drill as the orchestrator ran it."""

    phase: str
    args: list[Any] = Field(default_factory=list)
    started_at: str | None = None
    ended_at: str | None = None
    duration_s: float | None = None
    ok: bool | None = None
    error: str | None = None


class TimelineEntry(_Part):
    phase: str
    at: str | None = None
    t_s: float | None = Field(None, description="seconds after the reference instant")
    source: str = ""


class Achieved(_Part):
    """What the client journal measured (RTO from the last acknowledged write before the fault to
    the first on the new primary; RPO from acknowledged writes missing afterwards)."""

    rto_write_s: float | None = None
    rpo_writes_lost: int | None = None
    rpo_s: float | None = None
    writes_attempted: int | None = None
    writes_acknowledged: int | None = None
    writes_in_doubt: int | None = None
    in_doubt_survived: int | None = None
    connection_failures: int | None = None
    unexpected_rows: int | None = None
    longest_write_gap_s: float | None = None
    nodes_served: list[str] | None = None
    events: list[Json] = Field(default_factory=list)
    server_side: Any = None
    lost_sample: list[Any] | None = None
    phase_durations_s: dict[str, float] | None = None


class SystemTarget(_Part):
    """One information system in the drill's scope: its plan targets and what the drill achieved."""

    system: str
    name: str | None = None
    rto_s: int | float
    rpo_s: int | float
    gbt20988_level: int | None = None
    achieved_rto_s: float | None = None
    achieved_rpo_s: float | None = None
    achieved_rpo_writes_lost: int | None = None
    rto_met: bool
    rpo_met: bool


class Targets(_Part):
    source: str = Field(description="where the targets came from (the plan's file or stack)")
    promoted_centre: str | None = None
    systems: list[SystemTarget] = Field(default_factory=list)
    all_met: bool


class Consistency(_Part):
    consistent: bool
    digests: list[Json] | None = None
    checks: list[Json] | None = None


class ReplicationSample(_Part):
    """One standby's replication state just before the fault (pg_stat_replication)."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    standby: str | None = None
    replay_lag_s: float | None = None
    replay_lag_bytes: int | None = None


class Gbt20988Element(_Part):
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    id: str = Field(description="one of GB/T 20988's seven elements, e.g. data-backup")
    zh: str = ""
    en: str = ""
    status: str = Field(description="evidenced | not_evidenced | ...")


class Gbt20988(_Part):
    """What the drill evidences of GB/T 20988's seven elements and capability levels."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    standard: str | None = None
    edition: str | None = None
    level_supported_as_evidence: int | None = None
    target_level: int | None = None
    elements: list[Gbt20988Element] = Field(default_factory=list)


class Service(_Part):
    """The database service the drill ran on."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    engine: str | None = Field(None, description="what ran the database and its failover")
    endpoint: Json | None = None
    provisioned_for_this_drill: bool | None = None
    before: Json | None = None
    after: Json | None = None
    nodes: list[Json] = Field(default_factory=list)


class EvidenceFileRef(_Part):
    path: str
    sha256: str


class DrillRecord(Document):
    """The drill record (演练记录)."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, populate_by_name=True)

    schema_: Literal["govcloud.drill/v1"] = Field(DRILL_SCHEMA, alias="schema")
    drill_id: str
    stack: str | None = None
    scenario: ScenarioRef
    drill_type: str | None = None
    environment: str | None = None
    topology_source: str | None = None
    latency_mechanism: str | None = None
    change_ticket: str | None = None
    guard: Json | None = None
    started_at: str | None = None
    ended_at: str | None = None
    duration_s: float | None = None
    status: Literal["passed", "failed", "aborted", "checked"]
    passed: bool
    reasons: list[str] = Field(default_factory=list)
    ha: Json | None = Field(None, description="the HA mode and its settings (engine manual | patroni)")
    service: Service | None = None
    steps: list[StepRecord] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    reference_instant: Json | None = None
    prechecks: list[Json] | None = None
    replication_before_fault: list[ReplicationSample] | None = None
    achieved: Achieved = Field(default_factory=Achieved)
    targets: Targets
    consistency: Consistency | None = None
    fencing: Json | None = None
    split_brain_observed: bool | None = None
    degraded_after: Any = None
    switchovers: list[Json] = Field(default_factory=list)
    failback: Json | None = None
    partition: Json | None = None
    restore_test: Json | None = None
    new_primary: str | None = None
    gbt20988: Gbt20988 | None = None
    clauses: list[Json] = Field(default_factory=list)
    ansible: Json | None = None
    evidence: list[EvidenceFileRef] = Field(default_factory=list)
    # where the writer put it (not part of the document)
    record_path: str | None = Field(None, exclude=True)

    @classmethod
    def field_names(cls) -> set[str]:
        """The document's keys, as written (aliases)."""
        return {f.alias or name for name, f in cls.model_fields.items() if not f.exclude}
