"""The report's fixed vocabulary, in Chinese first with English beside it."""

from __future__ import annotations

from govcloud.contracts.report import Status

__all__ = [
    "OUTCOME_LABEL",
    "PRODUCER",
    "SOURCE_LABEL",
    "STATUS_DEFINITION",
    "STATUS_LABEL",
    "STATUS_ORDER",
    "Status",
]

STATUS_ORDER: tuple[Status, ...] = (
    Status.NON_COMPLIANT,
    Status.PARTIAL,
    Status.MANUAL,
    Status.COMPLIANT,
    Status.NOT_APPLICABLE,
)

STATUS_LABEL: dict[Status, tuple[str, str]] = {
    Status.COMPLIANT: ("符合", "Compliant"),
    Status.PARTIAL: ("部分符合", "Partially compliant"),
    Status.NON_COMPLIANT: ("不符合", "Non-compliant"),
    Status.NOT_APPLICABLE: ("不适用", "Not applicable"),
    Status.MANUAL: ("待人工核查", "Manual review required"),
}

STATUS_DEFINITION: dict[Status, tuple[str, str]] = {
    Status.COMPLIANT: (
        "该条款的每一项自动检查在本范围内均有结果且全部通过，且条款不要求人工证据。",
        "Every automated check of the item has results in this scope, all pass, and the item needs no "
        "manual evidence.",
    ),
    Status.PARTIAL: (
        "部分检查未通过而其他检查通过，或未通过项已由有效豁免（风险接受）覆盖。",
        "Some checks fail while others pass, or the failures are covered by a valid (unexpired) waiver.",
    ),
    Status.NON_COMPLIANT: (
        "本范围内的检查结果只有未通过（含已过期的豁免）。",
        "The checks in this scope only fail (expired waivers count as failures).",
    ),
    Status.NOT_APPLICABLE: (
        "该条款在本系统的保护等级下不存在对应要求。",
        "The item has no equivalent requirement at this system's protection level.",
    ),
    Status.MANUAL: (
        "证据缺失、损坏或不完整，或条款需要人工证据：须由测评人员核查，绝不视为符合。",
        "Evidence is missing, corrupt or incomplete, or the item needs manual evidence: an assessor must "
        "check it; it is never counted as compliant.",
    ),
}

OUTCOME_LABEL: dict[str, tuple[str, str]] = {
    "pass": ("通过", "pass"),
    "fail": ("未通过", "fail"),
    "waived": ("已豁免", "waived"),
    "waiver_expired": ("豁免已过期", "waiver expired"),
    "error": ("执行错误", "error"),
    "missing": ("证据缺失", "missing"),
    "not_applicable": ("本主机不适用", "not applicable on this host"),
}

SOURCE_LABEL: dict[str, tuple[str, str]] = {
    "opa": ("策略检查 (OPA)", "policy check (OPA)"),
    "checkov": ("配置扫描 (checkov)", "configuration scan (checkov)"),
    "host": ("主机核查", "host verification"),
    "drill": ("灾备演练", "DR drill"),
    "evidence": ("证据文件", "evidence file"),
}

# What produces each evidence file, so a "missing evidence" row can say how to fix it.
PRODUCER: dict[str, str] = {
    "plan": "govcloud plan --stack {stack} --format json",
    "findings": "govcloud check --stack {stack} --format json",
    "hosts": "govcloud verify --stack {stack} --json",
    "drills": "govcloud drill run --stack {stack} --json",
    "harden": "govcloud harden --stack {stack}",
}
