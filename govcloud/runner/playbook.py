"""The one ansible-runner wrapper: every playbook govcloud runs (hardening, the DR drills) goes
through `run_in_project`, in the playbook project (playbooks/project, its ansible.cfg and roles), with
the running Python's ansible on PATH and the caller's event handler."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ansible_runner

from govcloud.runner.paths import PROJECT_DIR

EventHandler = Callable[[dict[str, Any]], bool]


def run_in_project(
    playbook: str,
    *,
    private_data_dir: Path,
    inventory: Path,
    ident: str,
    extravars: dict[str, Any],
    event_handler: EventHandler,
    cmdline: Sequence[str] = (),
    envvars: dict[str, str] | None = None,
    limit: str | None = None,
    tags: Sequence[str] = (),
    forks: int | None = None,
) -> ansible_runner.Runner:
    """Run `playbook` of the project; artifacts under `private_data_dir`/artifacts/`ident`."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "ANSIBLE_CONFIG": str(PROJECT_DIR / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(PROJECT_DIR / "roles"),
        "ANSIBLE_NOCOLOR": "1",
        **(envvars or {}),
    }
    return ansible_runner.run(
        private_data_dir=str(private_data_dir),
        project_dir=str(PROJECT_DIR),
        playbook=playbook,
        inventory=str(inventory),
        ident=ident,
        limit=limit,
        tags=",".join(tags) if tags else None,
        forks=forks,
        extravars=extravars,
        envvars=env,
        cmdline=" ".join(cmdline) or None,
        quiet=True,
        event_handler=event_handler,
    )
