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
    selection_from_raw,
)
from govcloud.plan.models import CONFIG_KEYS
from govcloud.plan.selection import DEPLOY_KEY, DeploySelection, split_deploy


def raw_from_pulumi_config() -> dict[str, Any]:
    cfg = pulumi.Config("govcloud")
    raw: dict[str, Any] = {}
    for key in (*CONFIG_KEYS, PLAN_FILE_KEY, DEPLOY_KEY):
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


def stack_plan() -> tuple[Plan, DeploySelection]:
    """The running stack's validated whole plan and the slice it deploys (`govcloud:deploy`).

    An invalid plan or slice stops the program before any resource is declared (nothing deployed).
    """
    stack = pulumi.get_stack()
    stack_where = where = f"Pulumi.{stack}.yaml"
    try:
        raw, deploy = split_deploy(raw_from_pulumi_config())
        prefix = "config.govcloud:"
        plan_file = plan_file_setting(raw, _project_dir(), where)
        lockfile = lock_path(stack)
        if plan_file is not None:
            where, lockfile = str(plan_file), lock_path(None, plan_file)
            raw, prefix = extract_namespace(read_yaml(plan_file))
        plan = plan_from_raw(raw, stack, prefix, read_lock(lockfile), where)
        return plan, selection_from_raw(deploy, plan, stack_where)
    except PlanError as exc:
        raise pulumi.RunError(str(exc.with_file(where))) from None


def plan_from_stack() -> Plan:
    """The validated plan of the running stack; an invalid plan stops the program (nothing deployed)."""
    return stack_plan()[0]
