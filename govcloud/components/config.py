"""Reading the plan inside a Pulumi program, from the stack's `govcloud:` config."""

from __future__ import annotations

import json
from typing import Any

import pulumi

from govcloud.plan import Plan, PlanError, plan_from_raw
from govcloud.plan.loader import lock_path, read_lock
from govcloud.plan.models import CONFIG_KEYS


def raw_from_pulumi_config() -> dict[str, Any]:
    cfg = pulumi.Config("govcloud")
    raw: dict[str, Any] = {}
    for key in CONFIG_KEYS:
        text = cfg.get(key)
        if text is None:
            continue
        try:
            raw[key] = json.loads(text)
        except json.JSONDecodeError:
            raw[key] = text  # a plain string value such as the name
    return raw


def plan_from_stack() -> Plan:
    """The validated plan of the running stack; an invalid plan stops the program (nothing deployed)."""
    stack = pulumi.get_stack()
    try:
        lock = read_lock(lock_path(stack))
        return plan_from_raw(
            raw_from_pulumi_config(), stack, "config.govcloud:", lock, f"Pulumi.{stack}.yaml"
        )
    except PlanError as exc:
        raise pulumi.RunError(str(exc.with_file(f"Pulumi.{stack}.yaml"))) from None
