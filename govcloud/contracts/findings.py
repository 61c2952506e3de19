"""The gate's findings (`govcloud.findings/v1`, findings.json): written by `govcloud check`, read by
the report.

Three producers build `Finding`s: the OPA decision (govcloud.policy.engine, source `opa`), checkov
(govcloud.policy.checkov_scan, source `checkov`) and expired waivers (govcloud.policy.waivers,
source `govcloud`). A finding carries only the fields its producer knows: a field a producer
never sets is left out of the document (`Finding.as_json`, `Findings.dump`), so a reader tells
"not known" from "empty". Machine-written: unknown fields are ignored within a version.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from govcloud.contracts.base import Document

FINDINGS_SCHEMA: Final = "govcloud.findings/v1"
Status = Literal["fail", "pass", "waived"]


class _Part(BaseModel):
    # NaN or Infinity is no value; a document holding one is corrupt.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, populate_by_name=True)


class Bilingual(_Part):
    zh: str = ""
    en: str = ""


class Resource(_Part):
    """What a finding is about: a Kubernetes object, a plan element (path `flows[3]`), a task …"""

    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    path: str | None = None


class Location(_Part):
    """Where the resource is written down (file and lines), when the gate knows it."""

    file: str
    start_line: int | None = None
    end_line: int | None = None


class WaiverRecord(_Part):
    """The waiver that covers a finding (or that expired), as recorded in the finding."""

    id: str
    approver: str
    ticket: str | None = None
    expires: str = Field(description="YYYY-MM-DD; the waiver holds to the end of that day")
    reason: str = ""


class Finding(_Part):
    """One result of one check on one resource."""

    rule_id: str = Field(description="DJCP-… (Rego), CKV_… (checkov) or GOVCLOUD-WAIVER-EXPIRED")
    clause: str = Field(description="the GB/T 22239 clause (level-3 numbering): the rule's primary clause")
    family: str = ""
    severity: str = ""
    status: Status
    blocking: bool = False
    resource: Resource = Field(default_factory=Resource)
    message: Bilingual = Field(default_factory=Bilingual)
    remediation: Bilingual | None = None
    title: Bilingual | None = None
    equivalents: dict[str, str] | None = Field(None, description="the clause at levels 2 and 4")
    test_code: str | None = Field(None, description="GB/T 28448 test code")
    related: list[str] | None = Field(None, description="other clauses the rule relates to")
    source: str = Field("opa", description="opa | checkov | govcloud")
    related_rego: str | None = Field(None, description="checkov: the Rego rule the check duplicates")
    line_range: list[int] | None = None
    location: Location | None = None
    waiver: WaiverRecord | None = None

    def as_json(self) -> dict[str, Any]:
        """The finding as written in findings.json: the fields its producer set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Summary(_Part):
    fail: int = 0
    pass_: int = Field(0, alias="pass")
    waived: int = 0
    blocking: int = 0
    errors: int = 0


class InputError(_Part):
    """An input the gate could not judge (govcloud.policy.errors.InputProblem)."""

    file: str
    line: int | None = None
    field: str | None = None
    kind: str = ""
    reason: str = ""
    hint: str | None = None


class Findings(Document):
    """The findings document. While `errors` is not empty the gate's verdict is exit 2."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, populate_by_name=True)

    schema_: Literal["govcloud.findings/v1"] = Field(FINDINGS_SCHEMA, alias="schema")
    generated_at: str
    level: int | None = None
    summary: Summary | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    policy_revision: str | None = None
    unevaluated: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[InputError] = Field(default_factory=list)
    findings: list[Finding]

    def dump(self) -> dict[str, Any]:
        """The document with the fields its writer set (each finding as its producer made it)."""
        body = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        body.pop("schema", None)
        return {"schema": self.schema_id(), **body}
