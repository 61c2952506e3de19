"""The policy gate's OPA input `govcloud.check-input/v1` (门禁输入): what `govcloud check` asks OPA about.

govcloud.policy.inputs.build_input assembles it; every Rego rule reads it as `input`. Its JSON
Schema (policies/schemas/check-input.json, written by govcloud.contracts.generate) is what
`opa check --schema` types the rules against: a rule that reads a plan field the plan does not have
fails the lint. Kubernetes objects, host facts and Pulumi resource inputs stay open objects: any
producer's fields may appear there, and the rules read them with `object.get`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from govcloud.contracts.base import Document
from govcloud.contracts.plan import Part, PlanDocument


class Location(Part):
    file: str
    start_line: int | None = None
    end_line: int | None = None


class KubernetesItem(Part):
    """One Kubernetes object and where it came from (a manifest file and document, or a preview URN)."""

    source: str = Field(description="`<dir>/<file>#<n>` or the resource URN / 来源")
    object: dict[str, Any] = Field(description="the object as written (open) / Kubernetes 对象")
    location: Location | None = None


class HostFacts(Part):
    host: str
    facts: dict[str, Any] = Field(description="collected host facts (open) / 主机事实")


class PreviewResource(Part):
    """A resource of `pulumi preview --json` that is not a Kubernetes object."""

    urn: str
    type: str
    inputs: dict[str, Any] = Field(description="the resource's inputs (open) / 资源输入")


class CheckInput(Document):
    """`govcloud.check-input/v1`: the plan, the Kubernetes objects, host facts and other resources."""

    schema_: Literal["govcloud.check-input/v1"] = Field("govcloud.check-input/v1", alias="schema")
    level: int = Field(description="the gate level, 2-4 (the rules report any other) / 门禁等级")
    plan: PlanDocument | None = Field(description="the plan as its contract reads it, or null / 规划")
    kubernetes: list[KubernetesItem]
    hosts: list[HostFacts]
    resources: list[PreviewResource]

    @classmethod
    def assemble(
        cls,
        level: int,
        plan: PlanDocument | None,
        kubernetes: list[dict[str, Any]],
        hosts: list[dict[str, Any]],
        resources: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """The JSON input OPA gets."""
        doc = {"level": level, "plan": plan, "kubernetes": kubernetes, "hosts": hosts, "resources": resources}
        return cls.model_validate(doc).dump()
