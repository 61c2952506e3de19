"""Resolve and read Ansible inventories (any format `ansible-inventory` understands)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govcloud.runner.paths import REPO_ROOT


class InventoryError(Exception):
    """The inventory cannot be found or read; the message names the file and the reason."""


@dataclass(frozen=True)
class InventoryHost:
    name: str
    vars: dict[str, Any] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return str(self.vars.get("ansible_host", self.name))


def _ansible_inventory_bin() -> str:
    local = Path(sys.executable).parent / "ansible-inventory"
    if local.exists():
        return str(local)
    found = shutil.which("ansible-inventory")
    if not found:
        raise InventoryError(
            "ansible-inventory not found: install ansible-core (pip install ansible-core==2.19.14)"
        )
    return found


def resolve_inventory(stack: str | None, inventory: Path | None) -> tuple[str, Path]:
    """Return (stack name, inventory path) for `--stack S` or `--inventory FILE` (exactly one)."""
    if stack and inventory:
        raise InventoryError("give either --stack or --inventory, not both")
    if inventory is not None:
        if not inventory.exists():
            raise InventoryError(f"{inventory}: inventory file does not exist")
        return _declared_stack(inventory) or inventory.stem, inventory.resolve()
    if not stack:
        raise InventoryError("give --stack S or --inventory FILE")
    lab_dir = Path(os.environ.get("GOVCLOUD_LAB_INVENTORY_DIR") or REPO_ROOT / "inventory" / "lab")
    candidates = [
        lab_dir / f"{stack}.yml",  # the lab's inventory, with its way in (ProxyCommand)
        Path("inventory") / f"{stack}.yml",
        REPO_ROOT / "inventory" / f"{stack}.yml",
    ]
    for cand in candidates:
        if cand.exists():
            return stack, cand.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise InventoryError(
        f"stack {stack!r}: no inventory found (tried {tried}); run `govcloud lab up` or pass --inventory"
    )


def _declared_stack(path: Path) -> str | None:
    """`all.vars.govcloud_stack` of a YAML inventory (the lab writes it), if any."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if isinstance(data, dict):
        value = (data.get("all") or {}).get("vars", {}).get("govcloud_stack")
        if isinstance(value, str) and value:
            return value
    return None


def load_inventory(path: Path, limit: str | None = None) -> list[InventoryHost]:
    """Hosts and their merged variables, via `ansible-inventory --list`."""
    cmd = [_ansible_inventory_bin(), "-i", str(path), "--list"]
    if limit:
        cmd += ["--limit", limit]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise InventoryError(f"{path}: ansible-inventory failed: {proc.stderr.strip()[:500]}")
    try:
        data = json.loads(proc.stdout)
    except ValueError as exc:
        raise InventoryError(f"{path}: ansible-inventory printed no JSON: {exc}") from exc
    hostvars: dict[str, dict[str, Any]] = data.get("_meta", {}).get("hostvars", {})
    names: set[str] = set(hostvars)
    for group, body in data.items():
        if group == "_meta" or not isinstance(body, dict):
            continue
        names.update(body.get("hosts", []))
    if not names:
        raise InventoryError(
            f"{path}: the inventory has no hosts" + (f" matching --limit {limit}" if limit else "")
        )
    return [InventoryHost(name=n, vars=dict(hostvars.get(n, {}))) for n in sorted(names)]
