"""Drive the real hardening playbook against real SSH hosts (issue 6).

Hosts: the inventory in GOVCLOUD_TEST_INVENTORY (throwaway dev hosts), else the lab's
`lab_inventory` session fixture (tests/conftest.py). The hosts must be FRESH (never hardened) at
session start: the first test proves that verification fails on them.

For lab inventories (no djcp_hardening_* variables) the management zone is the lab's out-of-band
range and the packages the role needs are installed into each host's root file system from the
machine (the lab image carries only openssh-server, python3 and sudo, and lab hosts have no mirror).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from harden_helpers import ssh

from govcloud.runner.harden import HardenRun, run_harden
from govcloud.runner.inventory import InventoryHost, load_inventory
from govcloud.runner.labvars import lab_extravars as lab_defaults
from govcloud.runner.paths import ROLE_DIR
from govcloud.runner.verify import VerifyRun, run_verify

STACK = "harden-test"


@pytest.fixture(scope="session")
def harden_inventory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    env = os.environ.get("GOVCLOUD_TEST_INVENTORY")
    path = Path(env) if env else Path(request.getfixturevalue("lab_tenant_inventory"))
    if not path.exists():
        pytest.fail(f"GOVCLOUD_TEST_INVENTORY={env}: file does not exist", pytrace=False)
    state = tmp_path_factory.mktemp("govcloud-state")
    old = os.environ.get("GOVCLOUD_STATE_DIR")
    os.environ["GOVCLOUD_STATE_DIR"] = str(state)  # runs and evidence of the tests stay out of the repo
    yield path
    if old is None:
        os.environ.pop("GOVCLOUD_STATE_DIR", None)
    else:
        os.environ["GOVCLOUD_STATE_DIR"] = old


@pytest.fixture(scope="session")
def inventory_hosts(harden_inventory: Path) -> list[InventoryHost]:
    return load_inventory(harden_inventory)


@pytest.fixture(scope="session")
def lab_extravars(inventory_hosts: list[InventoryHost]) -> dict[str, Any]:
    """Variables a lab inventory does not carry: the lab's out-of-band range as management zone."""
    try:
        return lab_defaults(inventory_hosts)
    except ImportError as exc:
        pytest.fail(
            f"inventory has no djcp_hardening_mgmt_* and the lab module is missing: {exc}", pytrace=False
        )


def _role_packages() -> list[str]:
    data = yaml.safe_load((ROLE_DIR / "vars" / "Debian.yml").read_text(encoding="utf-8"))
    return [str(p) for p in data["djcp_hardening_os_packages"]]


@pytest.fixture(scope="session")
def provisioned(inventory_hosts: list[InventoryHost]) -> None:
    """Make sure the role's packages are on every host (image step, not hardening)."""
    wanted = _role_packages()
    for host in inventory_hosts:
        out = ssh(host, "dpkg-query -W -f='${Package} ${db:Status-Status}\\n'")
        if out.returncode != 0:
            pytest.fail(
                f"{host.name}: cannot reach the host over SSH: {out.stderr.strip()[:400]}", pytrace=False
            )
        have = {ln.split()[0] for ln in out.stdout.splitlines() if ln.endswith(" installed")}
        missing = [p for p in wanted if p not in have]
        if not missing:
            continue
        rootfs = host.vars.get("govcloud_rootfs")
        if not rootfs or not Path(str(rootfs), "usr/bin").is_dir():
            pytest.fail(
                f"{host.name}: packages {missing} are missing and the host has no mirror; add them to the "
                "image (lab: govcloud/lab/image.py INCLUDE)",
                pytrace=False,
            )
        proc = subprocess.run(
            ["chroot", str(rootfs), "apt-get", "install", "-y", "--no-install-recommends", *missing],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"},
        )
        if proc.returncode != 0:
            pytest.fail(
                f"{host.name}: installing {missing} into {rootfs} failed: {proc.stderr[-800:]}", pytrace=False
            )


@pytest.fixture(scope="session")
def harden(harden_inventory: Path, lab_extravars: dict[str, Any]):  # type: ignore[no-untyped-def]
    def run(*, check: bool = False, limit: str | None = None, tags: list[str] | None = None) -> HardenRun:
        return run_harden(
            harden_inventory,
            stack=STACK,
            level=3,
            check=check,
            limit=limit,
            tags=tags,
            extravars=lab_extravars,
        )

    return run


@pytest.fixture(scope="session")
def verify(harden_inventory: Path, lab_extravars: dict[str, Any], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Verification with the same variables the run used (a lab inventory gets them written in)."""
    inv = harden_inventory
    if lab_extravars:
        data = yaml.safe_load(harden_inventory.read_text(encoding="utf-8"))
        data.setdefault("all", {}).setdefault("vars", {}).update(lab_extravars)
        inv = tmp_path_factory.mktemp("inv") / "inventory.yml"
        inv.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def run() -> VerifyRun:
        return run_verify(inv, stack=STACK, level=3)

    return run
