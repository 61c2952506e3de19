"""govcloud 等保 CrossGuard pack.

Collects the stack's resources, asks the govcloud OPA decision (data.govcloud.main.decision) once,
and reports blocking findings through a mandatory policy and other failing findings through an
advisory one. The rules themselves live only in policies/govcloud/ (Rego).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyPack,
    StackValidationArgs,
    StackValidationPolicy,
)

from govcloud.policy.crossguard import PackResource, violations


def _resources(args: StackValidationArgs) -> list[PackResource]:
    return [PackResource(urn=r.urn, type=r.resource_type, props=r.props) for r in args.resources]


def _report(args: StackValidationArgs, report_violation, *, mandatory: bool) -> None:  # type: ignore[no-untyped-def]
    for v in violations(_resources(args), mandatory=mandatory):
        report_violation(v.message, v.urn)


def mandatory(args: StackValidationArgs, report_violation) -> None:  # type: ignore[no-untyped-def]
    _report(args, report_violation, mandatory=True)


def advisory(args: StackValidationArgs, report_violation) -> None:  # type: ignore[no-untyped-def]
    _report(args, report_violation, mandatory=False)


FRAMEWORK = PolicyComplianceFramework(
    name="等保 2.0 / MLPS 2.0",
    version="GB/T 22239-2019",
    reference="8.1, 8.2",
    specification="GOVCLOUD_LEVEL",
)

PolicyPack(
    name="govcloud-djcp",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        StackValidationPolicy(
            name="djcp-mandatory",
            description="等保 blocking findings at the gate level (GOVCLOUD_LEVEL) / 阻断项",
            enforcement_level=EnforcementLevel.MANDATORY,
            validate=mandatory,
            framework=FRAMEWORK,
        ),
        StackValidationPolicy(
            name="djcp-advisory",
            description="等保 advisory findings / 建议项",
            enforcement_level=EnforcementLevel.ADVISORY,
            validate=advisory,
            framework=FRAMEWORK,
        ),
    ],
)
