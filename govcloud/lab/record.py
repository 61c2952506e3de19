"""What `pulumi up` built for a lab stack (实验环境资源记录): the resource properties, kept beside
the stack's run directory so `lab status` and the security services read them without Pulumi.

Written by the lab program (`labstack.program`), read by `lab.status` and `secsvc.store`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcloud.lab import naming

Props = dict[str, Any]


@dataclass
class LabResources:
    image: Props
    centres: dict[str, Props] = field(default_factory=dict)
    links: dict[str, Props] = field(default_factory=dict)
    routes: dict[str, Props] = field(default_factory=dict)
    firewalls: dict[str, Props] = field(default_factory=dict)
    oob: Props = field(default_factory=dict)
    hosts: dict[str, Props] = field(default_factory=dict)
    relays: dict[str, Props] = field(default_factory=dict)
    services: dict[str, Props] = field(default_factory=dict)  # host -> its security services
    sensors: dict[str, Props] = field(default_factory=dict)  # centre -> its IDS sensor
    ha: Props = field(default_factory=dict)  # the drill database's HA stack (Patroni systems only)


def record_path(stack: str) -> Path:
    return naming.run_dir(stack) / "lab.json"


def save_record(stack: str, res: LabResources, mechanism: str) -> None:
    path = record_path(stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"stack": stack, "latency_mechanism": mechanism, "resources": dataclasses.asdict(res)},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


def load_record(stack: str) -> dict[str, Any] | None:
    path = record_path(stack)
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
