"""SSH helpers for tests/harden (a module of its own: every conftest.py is named `conftest`)."""

from __future__ import annotations

import shlex
import subprocess

from govcloud.runner.inventory import InventoryHost


def ssh_command(host: InventoryHost, address: str, command: str) -> list[str]:
    v = host.vars
    cmd = [
        "ssh",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=15",
        "-o",
        "ControlMaster=no",
        "-o",
        "ControlPath=none",
    ]
    for key in ("ansible_ssh_common_args", "ansible_ssh_extra_args"):
        cmd += shlex.split(str(v.get(key, "")))
    if v.get("ansible_ssh_private_key_file"):
        cmd += ["-i", str(v["ansible_ssh_private_key_file"])]
    cmd += ["-p", str(v.get("ansible_port", 22)), f"{v.get('ansible_user', 'root')}@{address}", command]
    return cmd


def ssh(host: InventoryHost, command: str, address: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ssh_command(host, address or host.address, command),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
