"""Run the hardening playbooks (ansible-runner) and the host verification (testinfra) for govcloud.

- `inventory`: resolve `--stack` / `--inventory` to an Ansible inventory and read its hosts.
- `harden`: ansible-runner wrapper with a private data dir per run under `.govcloud/runs/`,
  streamed events, and a per-host, per-clause summary (evidence `govcloud.harden-run/v1`).
- `verify`: runs tests/infra with pytest + testinfra and writes `govcloud.host-evidence/v1`.
- `profile`: the level profiles of the role, shared by the role and the tests.
"""

from __future__ import annotations

from govcloud.runner.inventory import InventoryError, InventoryHost, load_inventory, resolve_inventory

__all__ = ["InventoryError", "InventoryHost", "load_inventory", "resolve_inventory"]
