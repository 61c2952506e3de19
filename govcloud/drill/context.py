"""The per-run drill context shared by the CLI process and the step processes Ansible starts."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.drill.pgservice import Service
from govcloud.drill.services import open_service
from govcloud.drill.topology import Topology, from_lab_status


@dataclass
class DrillContext:
    path: Path
    data: dict[str, Any]
    topo: Topology
    service: Service

    @classmethod
    def load(cls, path: Path) -> DrillContext:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        topo = from_lab_status(
            data["lab_status"],
            source=data["topology_source"],
            lab=bool(data["lab"]),
            centre_roles=data.get("centre_roles"),
        )
        return cls(path=path, data=data, topo=topo, service=open_service(topo))

    @property
    def dir(self) -> Path:
        return Path(self.data["dir"])

    @property
    def drill_id(self) -> str:
        return str(self.data["drill_id"])

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.data.get("params", {})
        return params

    # mutable drill state (loadgen pid, fault instant, promotion...) -------------------------
    def state(self) -> dict[str, Any]:
        path = self.dir / "drill-state.json"
        if not path.exists():
            return {"events": [], "promoted": False}
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def save_state(self, state: dict[str, Any]) -> None:
        path = self.dir / "drill-state.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        tmp.replace(path)

    def log_step(self, entry: dict[str, Any]) -> None:
        with (self.dir / "steps.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def now() -> dict[str, Any]:
    return {"t_ns": time.monotonic_ns(), "wall_ns": time.time_ns()}
