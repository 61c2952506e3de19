"""Where a drill's topology and targets come from: the lab (`govcloud lab status --json`) and the
plan document its caller loaded (the CLI: `govcloud.plan.load_plan`; the drill does not plan)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.lab_status import LabStatus
from govcloud.drill.topology import Topology, TopologyError, from_lab_status

# Targets used when the lab's plan declares no system (a lab built for tests): two systems like the plan's,
# one kept within the same city (RPO 0), one protected by the remote DR centre (async).
ILLUSTRATIVE_SYSTEMS: tuple[dict[str, Any], ...] = (
    {
        "id": "ddev-core",
        "name": "演练核心业务库 (same-city protected)",
        "level": 3,
        "placement": {
            "mode": "active-standby",
            "active": ["prod"],
            "standby": [{"centre": "samecity", "replication": "sync"}],
        },
        "dr": {"rto_s": 300, "rpo_s": 0, "gbt20988_level": 6},
    },
    {
        "id": "ddev-archive",
        "name": "演练档案库 (remote DR protected)",
        "level": 3,
        "placement": {
            "mode": "active-standby",
            "active": ["prod"],
            "standby": [
                {"centre": "samecity", "replication": "sync"},
                {"centre": "dr", "replication": "async"},
            ],
        },
        "dr": {"rto_s": 1800, "rpo_s": 1800, "gbt20988_level": 5},
    },
)


def lab_status(stack: str) -> LabStatus:
    """The lab status of `stack`, as `govcloud lab status --json` gives it."""
    proc = subprocess.run(
        [sys.executable, "-m", "govcloud", "lab", "status", "--stack", stack, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        return read(LabStatus, proc.stdout, source=f"govcloud lab status --stack {stack}")
    except ContractError as exc:
        detail = (proc.stderr.strip() or proc.stdout.strip())[-300:] if proc.returncode > 1 else str(exc)
        raise TopologyError(
            f"govcloud lab status --stack {stack} failed (rc {proc.returncode}): {detail}"
        ) from None


def topology(
    stack: str, status: LabStatus | Mapping[str, Any] | None = None, the_plan: dict[str, Any] | None = None
) -> tuple[Topology, dict[str, Any] | None]:
    """The drill topology of `stack` (lab status given or fetched) and its plan (given or loaded)."""
    status = status if status is not None else lab_status(stack)
    roles = {c["id"]: c["role"] for c in (the_plan or {}).get("centres", [])}
    lab = bool((the_plan or {}).get("lab", True))
    return from_lab_status(status, source="lab", centre_roles=roles or None, lab=lab), the_plan


def systems(the_plan: dict[str, Any] | None) -> tuple[str, list[dict[str, Any]]]:
    if the_plan and the_plan.get("systems"):
        return "plan", list(the_plan["systems"])
    return "illustrative-default", [dict(s) for s in ILLUSTRATIVE_SYSTEMS]
