"""SSH to a host in each centre over IPv4 and IPv6 with the lab's key; Ansible and testinfra reach them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import testinfra

from govcloud.lab import inventory

pytestmark = pytest.mark.lab
REPO = Path(__file__).resolve().parents[2]


def _ssh(lab: dict[str, Any], address: str, command: str) -> subprocess.CompletedProcess[str]:
    host = lab["hosts"][0]
    return subprocess.run(
        ["ssh", "-i", host["ssh"]["key"], *inventory.ssh_args(lab["stack"]), f"root@{address}", command],
        capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_ssh_to_a_host_in_each_centre(lab: dict[str, Any], family: str) -> None:
    centres = {c["id"] for c in lab["centres"]}
    seen = set()
    for host in lab["hosts"]:
        if host["centre"] in seen:
            continue
        seen.add(host["centre"])
        done = _ssh(lab, host[family], "hostname; python3 -c 'print(42)'; cat /etc/debian_version")
        assert done.returncode == 0, f"ssh root@{host[family]} failed: {done.stderr}"
        lines = done.stdout.split()
        assert lines[0] == host["name"], "the host has its own UTS namespace and hostname"
        assert lines[1] == "42", "python3 is present for Ansible"
    assert seen == centres


def test_hosts_have_their_own_mount_namespace(lab: dict[str, Any]) -> None:
    host = lab["hosts"][0]
    done = _ssh(lab, host["ipv4"], "awk '$2==\"/\"{print $3}' /proc/mounts")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "overlay", "the host's root is its copy-on-write overlay"
    machine = Path("/proc/self/mounts").read_text(encoding="utf-8")
    assert f"{host['rootfs']}/proc " not in machine, "the host's /proc mount stays in its own mount namespace"
    assert f"{host['rootfs']} " in machine, "the overlay itself is mounted under /run/govcloud/<stack>/"


def test_status_reports_every_host_reachable(lab: dict[str, Any]) -> None:
    assert lab["schema"] == "govcloud.lab-status/v1"
    assert lab["up"] is True
    assert {h["centre"] for h in lab["hosts"]} == {c["id"] for c in lab["centres"]}
    for host in lab["hosts"]:
        assert host["reachable"] == {"ipv4": True, "ipv6": True}, host
        assert host["netns"] == f"gc-{lab['stack']}-{host['name']}"
    for centre in lab["centres"]:
        assert centre["netns"] == f"gc-{lab['stack']}-{centre['id']}"


def test_status_cli_follows_the_contract(lab: dict[str, Any]) -> None:
    cmd = [sys.executable, "-m", "govcloud", "lab", "status", "--stack", lab["stack"], "--json",
           "--no-measure"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert {"schema", "stack", "up", "latency_mechanism", "centres", "hosts", "links", "relays",
            "inventory"} <= set(status)
    host = status["hosts"][0]
    keys = {"name", "centre", "zone", "role", "netns", "rootfs", "ipv4", "ipv6", "ssh", "reachable"}
    assert keys <= set(host)
    assert set(host["ssh"]) == {"user", "port", "key"}
    assert {"id", "bridge", "ipv4", "ipv6"} <= set(status["centres"][0]["zones"][0])
    assert {"id", "a", "b", "latency_ms", "mechanism", "measured_rtt_ms"} <= set(status["links"][0])
    if status["relays"]:
        assert {"from_centre", "to_host", "listen", "target", "delay_ms"} <= set(status["relays"][0])


def test_ansible_reaches_every_host_with_the_inventory(lab: dict[str, Any], lab_inventory: Path) -> None:
    ansible = Path(sys.executable).parent / "ansible"
    done = subprocess.run([str(ansible), "-i", str(lab_inventory), "all", "-m", "ansible.builtin.ping",
                           "-o", "-f", "4"], capture_output=True, text=True, timeout=300, check=False,
                          cwd=REPO, env={**os.environ, "ANSIBLE_HOST_KEY_CHECKING": "False",
                                         "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stdout + done.stderr
    for host in lab["hosts"]:
        assert f"{host['name']} | SUCCESS" in done.stdout


def test_testinfra_reaches_a_host_with_the_inventory(lab: dict[str, Any], lab_inventory: Path) -> None:
    name = lab["hosts"][-1]["name"]
    host = testinfra.get_host(f"ansible://{name}?ansible_inventory={lab_inventory}")
    assert host.check_output("hostname") == name
    assert host.file("/usr/bin/python3").exists
