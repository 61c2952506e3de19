"""Session fixtures shared by every test that needs the embedded lab (owned by the lab, issue 4).

`lab` brings ONE lab up for the whole pytest session (stack `$GOVCLOUD_LAB_TEST_STACK`, default
`t<pid>` so parallel sessions on one machine do not collide), yields its status dict
(govcloud.lab-status/v1), and takes it down at the end, checking nothing is left.
`lab_inventory` is the path of the Ansible YAML inventory for those hosts (root, the lab's key).
The plan is `$GOVCLOUD_LAB_PLAN` (a JSON file, or `stack:NAME` for the plan of stack NAME, e.g.
`stack:lab`) or tests/lab/fixtures/plan-lab.json. Needs root; never skips.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcloud.lab import cleanup
from govcloud.labstack import automation
from tests.support import run_govcloud

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PLAN = REPO / "tests" / "lab" / "fixtures" / "plan-lab.json"


def _govcloud(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return run_govcloud(*args, timeout=timeout)


# Fixtures that bring up (or need) the session lab: a test that uses any of them, directly or
# through another fixture, is a `lab` test, whatever its file says. Fixtures that reach the lab through
# `request.getfixturevalue` are listed too, since pytest cannot see that dependency.
LAB_FIXTURES = frozenset(
    {"lab", "lab_inventory", "lab_tenant_inventory", "drill_lab", "drill_topology", "patroni_lab",
     "harden_inventory", "infra_inventory"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs the lab `lab`, so `pytest -m "not lab"` (make check) is the fast tier."""
    for item in items:
        if LAB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.lab)


@pytest.fixture(scope="session")
def lab_stack() -> str:
    return os.environ.get("GOVCLOUD_LAB_TEST_STACK", f"t{os.getpid()}")


@pytest.fixture(scope="session")
def lab_plan_args() -> list[str]:
    """`govcloud lab up` arguments that select the session's plan."""
    chosen = os.environ.get("GOVCLOUD_LAB_PLAN", str(DEFAULT_PLAN))
    if chosen.startswith("stack:"):
        return ["--plan-stack", chosen.removeprefix("stack:")]
    return ["--plan", chosen]


@pytest.fixture(scope="session")
def lab(lab_stack: str, lab_plan_args: list[str]) -> Iterator[dict[str, Any]]:
    if os.geteuid() != 0:
        pytest.fail("the lab tests build network namespaces and mounts: run pytest as root "
                    "(sudo .venv/bin/pytest tests/lab)", pytrace=False)
    up = _govcloud("lab", "up", "--stack", lab_stack, *lab_plan_args, "--json")
    try:
        if up.returncode != 0:
            pytest.fail(f"`govcloud lab up` failed ({up.returncode}):\n{up.stderr[-4000:]}", pytrace=False)
        yield json.loads(up.stdout)
    finally:
        down = _govcloud("lab", "down", "--stack", lab_stack)
        left = {k: v for k, v in cleanup.leftovers(lab_stack).items() if v}
        automation.forget(lab_stack)
        assert down.returncode == 0, f"`lab down` failed:\n{down.stdout[-2000:]}\n{down.stderr[-2000:]}"
        assert not left, f"lab down left objects behind: {left}"


@pytest.fixture(scope="session")
def lab_inventory(lab: dict[str, Any]) -> Path:
    path = REPO / lab["inventory"] if not Path(lab["inventory"]).is_absolute() else Path(lab["inventory"])
    assert path.is_file(), f"inventory {path} was not written by lab up"
    # ansible-playbook / ansible-inventory (used by ansible-runner and testinfra) live in the venv
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([venv_bin, os.environ.get("PATH", "")])
    return path


# The session lab also runs the security services (bastion, collector, IDS, WAF: tests/secsvc).
# The hardening and host-verification tests work on the tenant hosts only, which keeps the suite's
# time in bounds; `make demo` hardens and verifies every host of the full lab plan.
TENANT_ROLES = {"app", "db"}


@pytest.fixture(scope="session")
def lab_tenant_inventory(lab_inventory: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lab inventory restricted to the tenant hosts (roles app and db)."""
    import yaml  # noqa: PLC0415

    data = yaml.safe_load(lab_inventory.read_text(encoding="utf-8"))
    all_ = data["all"]
    keep = {n for n, v in all_["hosts"].items() if (v or {}).get("govcloud_role") in TENANT_ROLES}
    all_["hosts"] = {n: v for n, v in all_["hosts"].items() if n in keep}
    for group in all_.get("children", {}).values():
        group["hosts"] = {n: v for n, v in (group.get("hosts") or {}).items() if n in keep}
    all_["children"] = {g: v for g, v in all_.get("children", {}).items() if v["hosts"]}
    dst = tmp_path_factory.mktemp("tenant-inventory") / "inventory.yml"
    dst.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dst
