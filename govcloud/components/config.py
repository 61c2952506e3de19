"""Reading the plan inside a Pulumi program, from the stack's `govcloud:` config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi

from govcloud.plan import Plan, PlanError, plan_from_raw
from govcloud.plan.loader import (
    PLAN_FILE_KEY,
    extract_namespace,
    lock_path,
    plan_file_setting,
    read_lock,
    read_yaml,
)
from govcloud.plan.models import CONFIG_KEYS


def raw_from_pulumi_config() -> dict[str, Any]:
    cfg = pulumi.Config("govcloud")
    raw: dict[str, Any] = {}
    for key in (*CONFIG_KEYS, PLAN_FILE_KEY):
        text = cfg.get(key)
        if text is None:
            continue
        try:
            raw[key] = json.loads(text)
        except json.JSONDecodeError:
            raw[key] = text  # a plain string value such as the name
    return raw


def _project_dir() -> Path:
    """The directory of Pulumi.yaml (the program runs in its `main:` sub-directory)."""
    here = Path.cwd()
    for d in (here, *here.parents):
        if (d / "Pulumi.yaml").is_file():
            return d
    return here


def plan_from_stack() -> Plan:
    """The validated plan of the running stack; an invalid plan stops the program (nothing deployed)."""
    stack = pulumi.get_stack()
    where = f"Pulumi.{stack}.yaml"
    try:
        raw, prefix = raw_from_pulumi_config(), "config.govcloud:"
        plan_file = plan_file_setting(raw, _project_dir(), where)
        if plan_file is not None:
            where = str(plan_file)
            raw, prefix = extract_namespace(read_yaml(plan_file))
        lock = read_lock(lock_path(stack))
        return plan_from_raw(raw, stack, prefix, lock, where)
    except PlanError as exc:
        raise pulumi.RunError(str(exc.with_file(where))) from None
