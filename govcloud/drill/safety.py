"""Safety guard (安全控制): lab only unless drillable + confirmed + ticketed; one drill at a time."""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import yaml

from govcloud.drill.scenarios import Scenario
from govcloud.drill.topology import Topology

TICKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$")
LOCK_PATH = Path("/run/govcloud/drill.lock")


class DrillRefusedError(RuntimeError):
    """The drill may not run (拒绝执行): exit code 2."""


def inventory_drillable(path: str | None, hosts: list[str]) -> dict[str, bool]:
    """`drillable` per host from an Ansible YAML inventory (hostvars or group vars); False if absent."""
    found = dict.fromkeys(hosts, False)
    if not path or not Path(path).exists():
        return found
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}

    def walk(group: dict[str, Any], inherited: dict[str, Any]) -> None:
        gvars = {**inherited, **(group.get("vars") or {})}
        for name, hvars in (group.get("hosts") or {}).items():
            merged = {**gvars, **(hvars or {})}
            if name in found:
                found[name] = merged.get("drillable") is True
        for child in (group.get("children") or {}).values():
            walk(child or {}, gvars)

    for group in data.values():
        if isinstance(group, dict):
            walk(group, {})
    return found


def authorise(
    topo: Topology, scenario: Scenario, ticket: str | None, confirmed: bool, inventory: str | None = None
) -> dict[str, Any]:
    """Decide whether the drill may run; returns the guard record, raises DrillRefusedError otherwise."""
    if not ticket or not TICKET.match(ticket):
        raise DrillRefusedError(
            "a change ticket id is required (--ticket, 须提供变更单号), e.g. CHG-2026-0042"
        )
    environment = "lab" if topo.lab else "non-lab"
    record: dict[str, Any] = {"environment": environment, "ticket": ticket, "confirmed": confirmed}
    if topo.lab:
        return record
    names = [n.name for n in topo.nodes]
    drillable = inventory_drillable(inventory or topo.inventory, names)
    record["drillable"] = drillable
    if not all(drillable.values()):
        raise DrillRefusedError(
            f"not the lab, and the inventory does not mark every target drillable: {drillable}"
        )
    if not confirmed:
        raise DrillRefusedError("not the lab: pass --confirm-non-lab to confirm (非实验环境须显式确认)")
    if scenario.unplanned:
        raise DrillRefusedError(
            f"{scenario.id} injects faults, which is allowed in the lab only (故障注入仅限实验环境)"
        )
    return record


class DrillLock:
    """Machine-wide exclusive lock: never two drills at once. Released when the process ends."""

    def __init__(self, drill_id: str, stack: str, path: Path = LOCK_PATH) -> None:
        self.path = path
        self.holder = {"drill_id": drill_id, "stack": stack, "pid": os.getpid(), "since": time.time()}
        self._fh: IO[str] | None = None

    def __enter__(self) -> DrillLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            held = fh.read().strip()
            fh.close()
            raise DrillRefusedError(f"another drill is running (另一演练正在进行): {held}") from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(self.holder))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
