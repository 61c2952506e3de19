"""Host verification evidence (`govcloud.host-evidence/v1`, hosts.json): written by `govcloud verify`
(govcloud.runner.verify, from the testinfra results of tests/infra), read by the report.
Machine-written: unknown fields are ignored within a version.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from govcloud.contracts.base import Document

HOST_EVIDENCE_SCHEMA: Final = "govcloud.host-evidence/v1"

HostStatus = Literal["pass", "fail", "error", "not_applicable"]


class _Part(BaseModel):
    # NaN or Infinity is no value; a document holding one is corrupt.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class HostResult(_Part):
    """One check on one host."""

    clause: str = Field(description="the GB/T 22239 clause item the check evidences (tests/infra marker)")
    check: str = Field(description="the test's name")
    status: HostStatus = Field(
        description="not_applicable: the check cannot be decided on this host (e.g. a kernel-wide setting "
        "on a lab host that shares the machine's kernel); it never counts as a pass"
    )
    observed: Any = None
    expected: Any = None
    at: str | None = None


class HostEvidence(_Part):
    host: str
    results: list[HostResult]


class HostEvidenceDocument(Document):
    """Host verification evidence (主机核查证据)."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, populate_by_name=True)

    schema_: Literal["govcloud.host-evidence/v1"] = Field(HOST_EVIDENCE_SCHEMA, alias="schema")
    generated_at: str
    stack: str | None = None
    hosts: list[HostEvidence]

    def counts(self) -> dict[HostStatus, int]:
        out: dict[HostStatus, int] = {"pass": 0, "fail": 0, "error": 0, "not_applicable": 0}
        for host in self.hosts:
            for res in host.results:
                out[res.status] += 1
        return out
