"""Run a drill playbook through ansible-runner and keep its event log as evidence."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from govcloud.drill.topology import Topology
from govcloud.runner.playbook import run_in_project


def write_inventory(topo: Topology, path: Path) -> Path:
    """Inventory of the run: localhost (the out-of-band controller) and the db hosts with their roles."""
    hosts = {
        n.name: {
            "netns": n.netns,
            "centre": n.centre,
            "centre_role": n.role,
            "drillable": n.drillable,
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
        }
        for n in topo.nodes
    }
    data = {
        "all": {
            "hosts": {
                "localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
            },
            "children": {"dr_db_hosts": {"hosts": hosts}},
        }
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _phase_of(task: str) -> str | None:
    if task.startswith("Phase "):
        return task[len("Phase ") :].split(" ", 1)[0]
    return None


def run_playbook(
    playbook: str,
    workdir: Path,
    inventory: Path,
    extravars: dict[str, Any],
    *,
    check: bool,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    private = workdir / "ansible"
    private.mkdir(parents=True, exist_ok=True)
    events: list[dict[str, Any]] = []

    def on_event(event: dict[str, Any]) -> bool:
        data = event.get("event_data", {})
        name = str(event.get("event", ""))
        if name == "playbook_on_task_start" and progress:
            progress(str(data.get("task", "")))
        if name.startswith("runner_on_") or name in ("playbook_on_task_start", "playbook_on_stats"):
            res = data.get("res", {}) if isinstance(data.get("res"), dict) else {}
            events.append(
                {
                    "event": name,
                    "counter": event.get("counter"),
                    "created": event.get("created"),
                    "task": data.get("task"),
                    "phase": _phase_of(str(data.get("task", ""))),
                    "host": data.get("host"),
                    "start": data.get("start"),
                    "end": data.get("end"),
                    "duration": data.get("duration"),
                    "rc": res.get("rc"),
                    "stdout": str(res.get("stdout", ""))[-2000:] or None,
                }
            )
        return True

    result = run_in_project(
        playbook,
        private_data_dir=private,
        inventory=inventory,
        ident="run",
        extravars=extravars,
        event_handler=on_event,
        cmdline=["--check"] if check else [],
        envvars={"ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_ASYNC_DIR": str(private / "async")},
    )
    events_path = workdir / "ansible-events.jsonl"
    events_path.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    return {
        "status": result.status,
        "rc": result.rc,
        "stats": result.stats,
        "check_mode": check,
        "events": events,
        "events_file": str(events_path),
        "artifacts_dir": str(private / "artifacts" / "run"),
    }
