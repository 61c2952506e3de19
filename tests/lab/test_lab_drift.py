"""`pulumi refresh` sees drift (a namespace deleted by hand) and the next `up` repairs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from govcloud.labstack import automation
from tests.support import run_govcloud

pytestmark = pytest.mark.lab
REPO = Path(__file__).resolve().parents[2]


def _govcloud(*args: str) -> subprocess.CompletedProcess[str]:
    return run_govcloud(*args)


def _state_urns(stack: str) -> list[str]:
    st = automation._stack(stack, automation._noop)
    resources = st.export_stack().deployment.get("resources", [])
    return [str(r["urn"]) for r in resources]


def test_refresh_sees_a_deleted_namespace_and_up_repairs_it(lab: dict[str, Any],
                                                           lab_plan_args: list[str]) -> None:
    stack = lab["stack"]
    victim = next(h for h in lab["hosts"] if h["centre"] == "dr")
    assert any(u.endswith(f"::host-{victim['name']}") for u in _state_urns(stack))

    subprocess.run(["ip", "netns", "del", victim["netns"]], check=True)  # an operator's mistake
    refreshed = _govcloud("lab", "refresh", "--stack", stack)
    assert refreshed.returncode == 0, refreshed.stderr
    assert not any(u.endswith(f"::host-{victim['name']}") for u in _state_urns(stack)), \
        "refresh must drop the host whose namespace is gone"

    up = _govcloud("lab", "up", "--stack", stack, *lab_plan_args, "--json")
    assert up.returncode == 0, up.stderr[-3000:]
    status = json.loads(up.stdout)
    again = next(h for h in status["hosts"] if h["name"] == victim["name"])
    assert again["reachable"] == {"ipv4": True, "ipv6": True}
    assert any(u.endswith(f"::host-{victim['name']}") for u in _state_urns(stack))
    # the repaired host kept its SSH identity: the bastion (which learnt it at up) still reaches it
    via_bastion = _govcloud("ssh", "--stack", stack, victim["name"], "--", "hostname")
    assert via_bastion.returncode == 0, via_bastion.stderr
    assert via_bastion.stdout.strip() == victim["name"]
