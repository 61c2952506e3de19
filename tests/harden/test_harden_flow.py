"""Fresh hosts fail verification; one harden makes every check pass; a second harden changes
nothing; --check shows no drift, and after a deliberate drift reports exactly that drift; SSH still
works over IPv4 and IPv6. The steps share session fixtures, so they run in this order once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from harden_helpers import ssh

from govcloud.runner.harden import HardenRun
from govcloud.runner.inventory import InventoryHost
from govcloud.runner.verify import VerifyRun

# Checks whose runtime half needs the host's own kernel: on a container-like host (namespace +
# chroot on a shared kernel) they are reported not_applicable, never as pass.
RUNTIME_ONLY = {
    "test_mandatory_access_control_enforcing_at_runtime",
    "test_auditd_running_with_rules_loaded",
    "test_clock_synchronised",
    "test_audit_immutable_at_runtime",
    "test_kernel_sysctls_at_runtime",
}
SEED_USER = "gcops"


def _by_host(run: VerifyRun) -> dict[str, list[dict[str, Any]]]:
    return {h["host"]: h["results"] for h in run.document.dump()["hosts"]}


@pytest.fixture(scope="session")
def before(provisioned: None, inventory_hosts: list[InventoryHost], verify) -> VerifyRun:  # type: ignore[no-untyped-def]
    for host in inventory_hosts:  # an existing account with a password, as on any real server
        out = ssh(
            host,
            f"id {SEED_USER} >/dev/null 2>&1 || (useradd -m -s /bin/bash {SEED_USER} && "
            f"echo '{SEED_USER}:Gc-Seed-Pass-2026' | chpasswd)",
        )
        assert out.returncode == 0, f"{host.name}: cannot create the seed account: {out.stderr}"
    return verify()


@pytest.fixture(scope="session")
def first(before: VerifyRun, harden) -> HardenRun:  # type: ignore[no-untyped-def]
    return harden()


@pytest.fixture(scope="session")
def after(first: HardenRun, verify) -> VerifyRun:  # type: ignore[no-untyped-def]
    return verify()


@pytest.fixture(scope="session")
def second(after: VerifyRun, harden) -> HardenRun:  # type: ignore[no-untyped-def]
    return harden()


@pytest.fixture(scope="session")
def clean_check(second: HardenRun, harden) -> HardenRun:  # type: ignore[no-untyped-def]
    return harden(check=True)


@pytest.fixture(scope="session")
def drift(clean_check: HardenRun, inventory_hosts: list[InventoryHost], harden) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    victim = inventory_hosts[0]
    out = ssh(
        victim,
        "sed -i 's/^PermitRootLogin no$/PermitRootLogin yes/' /etc/ssh/sshd_config && "
        "grep -c '^PermitRootLogin yes$' /etc/ssh/sshd_config",
    )
    assert out.returncode == 0 and out.stdout.strip() == "1", (
        f"could not introduce the drift: {out.stdout}{out.stderr}"
    )
    checked = harden(check=True)
    still = ssh(victim, "grep -c '^PermitRootLogin yes$' /etc/ssh/sshd_config").stdout.strip()
    restored = harden(limit=victim.name)
    return {
        "victim": victim.name,
        "check": checked,
        "still_drifted_after_check": still == "1",
        "restore": restored,
    }


def test_fresh_hosts_fail_most_clauses(before: VerifyRun) -> None:
    for host, results in _by_host(before).items():
        judged = [r for r in results if r["status"] in {"pass", "fail"}]
        failed = [r for r in judged if r["status"] == "fail"]
        clauses = {r["clause"] for r in judged}
        failed_clauses = {r["clause"] for r in failed}
        assert len(failed_clauses) > len(clauses) / 2, (
            f"{host}: only {sorted(failed_clauses)} of {sorted(clauses)} fail before hardening: fresh host?"
        )
        assert not [r for r in results if r["status"] == "error"], f"{host}: checks errored: {results}"


def test_first_harden_succeeds_and_changes_every_host(first: HardenRun) -> None:
    failed = {h.host: h.failed_tasks for h in first.hosts.values() if h.failed or h.unreachable}
    assert first.ok, f"harden failed (rc {first.rc}, {first.status}): {failed}"
    assert all(h.changed > 0 for h in first.hosts.values()), {h.host: h.changed for h in first.hosts.values()}


def test_every_check_passes_after_hardening(after: VerifyRun) -> None:
    for host, results in _by_host(after).items():
        bad = [
            f"{r['clause']} {r['check']}: {r['observed']}"
            for r in results
            if r["status"] in {"fail", "error"}
        ]
        assert not bad, f"{host}: {bad}"
        na = {r["check"] for r in results if r["status"] == "not_applicable"}
        assert na <= RUNTIME_ONLY, f"{host}: unexpected not_applicable checks {na - RUNTIME_ONLY}"
        assert Counter(r["status"] for r in results)["pass"] >= 30


def test_second_harden_changes_nothing(second: HardenRun) -> None:
    assert second.ok, f"second run failed: {[h.failed_tasks for h in second.hosts.values()]}"
    changed = {h.host: [t["task"] for t in h.changed_tasks] for h in second.hosts.values() if h.changed}
    assert not changed, f"not idempotent, changed on second run: {changed}"


def test_check_mode_on_hardened_hosts_reports_no_drift(clean_check: HardenRun) -> None:
    assert clean_check.check and clean_check.ok, [h.failed_tasks for h in clean_check.hosts.values()]
    drifted = {h.host: [t["task"] for t in h.changed_tasks] for h in clean_check.hosts.values() if h.changed}
    assert not drifted, f"drift reported on freshly hardened hosts: {drifted}"


def test_check_mode_reports_exactly_the_deliberate_drift(drift: dict[str, Any]) -> None:
    checked: HardenRun = drift["check"]
    victim = drift["victim"]
    assert drift["still_drifted_after_check"], "--check changed the file it only had to report"
    others = {h.host: h.changed for h in checked.hosts.values() if h.host != victim and h.changed}
    assert not others, f"drift reported on untouched hosts: {others}"
    tasks = checked.hosts[victim].changed_tasks
    assert [t["task"].split("|")[0].strip() for t in tasks] == ["Write the SSH daemon configuration"], tasks
    assert tasks[0]["clauses"] == ["8.1.4.1.b", "8.1.4.1.c", "8.1.4.2.b", "8.1.4.4.c"]
    diff = "".join(str(d.get("before", "")) for d in tasks[0].get("diff", []))
    assert "PermitRootLogin yes" in diff, f"the diff does not show the drift: {tasks[0]}"
    restore: HardenRun = drift["restore"]
    assert restore.ok and restore.hosts[victim].changed >= 1


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_ssh_still_works_after_hardening(
    drift: dict[str, Any], inventory_hosts: list[InventoryHost], family: str
) -> None:
    for host in inventory_hosts:
        if family == "ipv4":
            addr = str(host.vars.get("govcloud_ipv4", host.address))
        else:
            addr = str(host.vars.get("govcloud_ipv6", ""))
            assert addr, f"{host.name}: the inventory gives no IPv6 address (govcloud_ipv6)"
        out = ssh(host, "echo ok; grep -c '^PermitRootLogin no$' /etc/ssh/sshd_config", address=addr)
        assert out.returncode == 0 and out.stdout.split() == ["ok", "1"], (
            f"{host.name} over {family} ({addr}): rc {out.returncode} {out.stdout} {out.stderr[-300:]}"
        )
