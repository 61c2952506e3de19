"""The 政务云 plan: config models, validation, the dual-stack address planner and the plan JSON.

from govcloud.plan import load_plan
plan = load_plan(stack="lab")          # or load_plan(config="my.yaml")
doc = plan.to_json()                   # govcloud.plan/v1 (docs/contracts.md §1)
"""

from govcloud.contracts.plan import Host
from govcloud.plan.dr import gbt20988_level
from govcloud.plan.errors import PlanError, PlanIssue
from govcloud.plan.loader import load_plan, lock_path, parse_config, plan_from_raw, write_lock
from govcloud.plan.models import PlanConfig
from govcloud.plan.plan import SCHEMA, Plan, build_plan

__all__ = [
    "SCHEMA",
    "Host",
    "Plan",
    "PlanConfig",
    "PlanError",
    "PlanIssue",
    "build_plan",
    "gbt20988_level",
    "load_plan",
    "lock_path",
    "parse_config",
    "plan_from_raw",
    "write_lock",
]
