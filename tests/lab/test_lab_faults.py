"""Fault cases: a killed `up` cleaned by `down` (twice), missing tools, bad plans, no root, the lock."""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from govcloud.lab import cleanup, netns
from govcloud.labstack import automation
from tests.support import run_govcloud

pytestmark = pytest.mark.lab
REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "lab" / "fixtures" / "plan-lab.json"


def _govcloud(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_govcloud(*args, env=env)


def _plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, plan: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def fault_stack(lab_stack: str) -> Any:
    stack = f"{lab_stack}k"[:12]
    yield stack
    if automation._stack_exists(stack) or any(cleanup.leftovers(stack).values()):
        _govcloud("lab", "down", "--stack", stack)
    automation.forget(stack)


def test_killed_up_is_cleaned_by_down_twice(tmp_path: Path, fault_stack: str) -> None:
    plan = _write(tmp_path, _plan())
    proc = subprocess.Popen([sys.executable, "-m", "govcloud", "lab", "up", "--stack", fault_stack, "--plan",
                             str(plan)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            hosts_started = [n for n in netns.list_netns(f"gc-{fault_stack}-") if n.endswith("-1")]
            if hosts_started:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "lab up finished before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    half = cleanup.leftovers(fault_stack)
    assert half["netns"], "the killed up left namespaces behind (the case under test)"

    first = _govcloud("lab", "down", "--stack", fault_stack)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert not any(cleanup.leftovers(fault_stack).values()), cleanup.leftovers(fault_stack)
    second = _govcloud("lab", "down", "--stack", fault_stack)
    assert second.returncode == 0, second.stderr
    assert not any(cleanup.leftovers(fault_stack).values())


def test_down_leaves_nothing_of_the_lab(tmp_path: Path, fault_stack: str) -> None:
    small = _plan()
    small["hosts"] = [h for h in small["hosts"] if h["name"] in ("prod-db-1", "samecity-db-1")]
    small["security_services"] = []  # their hosts are gone from this small plan
    up = _govcloud("lab", "up", "--stack", fault_stack, "--plan", str(_write(tmp_path, small)), "--json")
    assert up.returncode == 0, up.stderr[-3000:]
    assert json.loads(up.stdout)["up"] is True
    assert cleanup.leftovers(fault_stack)["netns"]
    down = _govcloud("lab", "down", "--stack", fault_stack)
    assert down.returncode == 0, down.stderr
    prefix = f"gc-{fault_stack}-"
    def out(*cmd: str) -> str:
        return subprocess.run(list(cmd), capture_output=True, text=True, check=True).stdout

    assert prefix not in out("ip", "netns", "list")
    assert prefix not in out("ip", "link")
    assert f"gc_{fault_stack}" not in subprocess.run(["nft", "list", "tables"], capture_output=True,
                                                     text=True, check=True).stdout
    assert f"/run/govcloud/{fault_stack}" not in Path("/proc/self/mounts").read_text(encoding="utf-8")
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert prefix not in ps and f"/run/govcloud/{fault_stack}/" not in ps


def _path_without(tmp_path: Path, *missing: str) -> str:
    """A PATH holding links to the lab's tools except `missing`."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for tool in ("ip", "tc", "nft", "ssh-keygen", "unshare", "mount", "ss", "debootstrap", "sysctl"):
        found = shutil.which(tool)
        if tool not in missing and found and not (bindir / tool).exists():
            (bindir / tool).symlink_to(found)
    return str(bindir)


@pytest.mark.parametrize(("tool", "package"), [("nft", "nftables"), ("debootstrap", "debootstrap")])
def test_missing_tool_gives_a_clear_error(tmp_path: Path, fault_stack: str, tool: str, package: str) -> None:
    env = {**os.environ, "PATH": _path_without(tmp_path, tool),
           "GOVCLOUD_LAB_CACHE": str(tmp_path / "empty-cache")}  # no base image: debootstrap needed
    done = _govcloud("lab", "up", "--stack", fault_stack, "--plan", str(FIXTURE), env=env)
    assert done.returncode == 1
    assert f"`{tool}`" in done.stderr and f"apt-get install -y {package}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not cleanup.leftovers(fault_stack)["netns"], "nothing is created before the tools are checked"


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda p: p["address_plan"]["segments"][0]["ipv4"].update(prefix="10.1.1.0/24", gateway="10.1.1.1"),
     "$.address_plan.segments[0].ipv4.prefix"),
    (lambda p: p["hosts"][0].update(ipv6="2001:db8::10"), "$.hosts[0].ipv6"),
    (lambda p: p["links"][0].update(ipv4="192.168.0.0/31"), "$.links[0].ipv4"),
])
def test_out_of_range_plan_is_rejected(tmp_path: Path, fault_stack: str, mutate: Any, field: str) -> None:
    plan = copy.deepcopy(_plan())
    mutate(plan)
    path = _write(tmp_path, plan)
    done = _govcloud("lab", "up", "--stack", fault_stack, "--plan", str(path))
    assert done.returncode == 2, done.stderr
    assert str(path) in done.stderr and field in done.stderr and "outside" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not cleanup.leftovers(fault_stack)["netns"]


def test_refuses_to_run_without_root(fault_stack: str) -> None:
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                           "-m", "govcloud", "lab", "up", "--stack", fault_stack, "--plan", str(FIXTURE)],
                          capture_output=True, text=True, timeout=120, cwd="/", check=False,
                          env={**os.environ, "HOME": "/tmp"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "root" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_second_up_is_refused_while_one_holds_the_lock(fault_stack: str) -> None:
    with automation.stack_lock(fault_stack, remove=True):
        done = _govcloud("lab", "up", "--stack", fault_stack, "--plan", str(FIXTURE))
    assert done.returncode == 1
    assert "another `govcloud lab up/down`" in done.stderr, done.stderr
    assert not cleanup.leftovers(fault_stack)["netns"]
