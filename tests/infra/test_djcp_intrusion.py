"""入侵防范 Intrusion prevention — GB/T 22239-2019 8.1.4.4 a, b, c, f."""

from __future__ import annotations

import re

import pytest

from govcloud.runner.profile import role_defaults
from govcloud.runner.targets import Result, Target

DEFAULTS = role_defaults()


@pytest.mark.clause("8.1.4.4.a")
def test_minimal_installation(check):
    def probe(t: Target) -> Result:
        forbidden = set(DEFAULTS["djcp_hardening_forbidden_packages"])
        if t.profile["remove_compilers"]:
            forbidden |= set(DEFAULTS["djcp_hardening_compiler_packages"])
        present = sorted(forbidden & t.installed_packages())
        return Result(
            not present,
            f"unneeded packages installed: {present or 'none'}",
            f"none of {len(forbidden)} unneeded packages",
        )

    check(probe)


@pytest.mark.clause("8.1.4.4.b")
def test_no_high_risk_ports_open(check):
    def probe(t: Target) -> Result:
        allowed = {
            int(p)
            for p in t.var("djcp_hardening_open_tcp_ports", []) + t.var("djcp_hardening_open_udp_ports", [])
        }
        risky = set(DEFAULTS["djcp_hardening_high_risk_ports"]) - allowed
        ports = {int(m) for m in re.findall(r"\S+:(\d+)\s", str(t.run("ss -H -lntu").stdout))}
        open_risky = sorted(ports & risky)
        return Result(
            not open_risky,
            f"listening: {sorted(ports)}; high-risk: {open_risky or 'none'}",
            "no listener on high-risk ports (21, 23, 69, 111, 135-139, 445, 512-515, 873, 2049, 3306, ...)",
        )

    check(probe)


@pytest.mark.clause("8.1.4.4.b")
def test_network_sysctls(check):
    def probe(t: Target) -> Result:
        want = {k: str(v) for k, v in DEFAULTS["djcp_hardening_sysctl_net"].items()}
        want.update(
            {
                k: str(v)
                for k, v in (t.var("djcp_hardening_sysctl_overwrite") or {}).items()
                if k.startswith("net.")
            }
        )
        out = str(t.run("sysctl -e " + " ".join(want)).stdout)
        got = dict(ln.split(" = ", 1) for ln in out.splitlines() if " = " in ln)
        bad = [f"{k}={got[k]}" for k, v in want.items() if k in got and got[k] != v]
        missing = [k for k in want if k not in got]
        ipv6 = got.get("net.ipv6.conf.all.disable_ipv6")
        return Result(
            not bad and ipv6 == "0",
            f"differing: {bad or 'none'}; not in this kernel/netns: {missing or 'none'}; "
            f"IPv6 disabled={ipv6}",
            "no redirects/source routing, rp_filter=1, syncookies=1, IPv6 enabled",
        )

    check(probe)


@pytest.mark.clause("8.1.4.4.b")
def test_kernel_sysctls_configured(check):
    def probe(t: Target) -> Result:
        conf = t.read("/etc/sysctl.d/60-djcp-hardening.conf") or ""
        want = {k: str(v) for k, v in DEFAULTS["djcp_hardening_sysctl_kernel"].items()}
        got = dict(re.findall(r"^(\S+)\s*=\s*(\S+)", conf, re.M))
        bad = [k for k, v in want.items() if got.get(k) != v]
        return Result(
            not bad,
            f"/etc/sysctl.d/60-djcp-hardening.conf differs for: {bad or 'none'}",
            ", ".join(f"{k}={v}" for k, v in want.items()),
        )

    check(probe)


@pytest.mark.clause("8.1.4.4.b")
def test_kernel_sysctls_at_runtime(check):
    def probe(t: Target) -> Result:
        t.require_own_kernel("kernel-wide sysctls (not per network namespace)")
        want = {k: str(v) for k, v in DEFAULTS["djcp_hardening_sysctl_kernel"].items()}
        got = dict(
            ln.split(" = ", 1)
            for ln in str(t.run("sysctl -e " + " ".join(want)).stdout).splitlines()
            if " = " in ln
        )
        bad = [f"{k}={got.get(k)}" for k, v in want.items() if got.get(k) != v]
        return Result(not bad, f"differing: {bad or 'none'}", ", ".join(f"{k}={v}" for k, v in want.items()))

    check(probe)


@pytest.mark.clause("8.1.4.4.c")
def test_ssh_only_from_management_zone(check):
    def probe(t: Target) -> Result:
        rules = str(t.run("nft list table inet djcp_hardening 2>&1").stdout)
        v4 = [str(p) for p in t.var("djcp_hardening_mgmt_ipv4", [])]
        v6 = [str(p) for p in t.var("djcp_hardening_mgmt_ipv6", [])]
        drop = re.search(r"hook input priority filter; policy drop;", rules) is not None
        ssh_rules = re.findall(r"^\s*(.*tcp dport (?:22|ssh)\b.*)$", rules, re.M)
        open_ssh = [r.strip() for r in ssh_rules if "@mgmt_v4" not in r and "@mgmt_v6" not in r]
        v4_ok = all(p in rules for p in v4) and ("ip saddr @mgmt_v4 accept" in rules or not v4)
        v6_ok = all(p in rules for p in v6) and ("ip6 saddr @mgmt_v6 accept" in rules or not v6)
        ok = drop and v4_ok and v6_ok and not open_ssh and bool(v4 or v6)
        return Result(
            ok,
            f"input policy drop={drop}; ssh from mgmt v4 {v4}={v4_ok}, v6 {v6}={v6_ok}; "
            f"ssh rules open to others: {open_ssh or 'none'}",
            "input default drop; tcp/22 only from the management prefixes, IPv4 and IPv6",
        )

    check(probe)


@pytest.mark.clause("8.1.4.4.f")
def test_file_integrity_baseline(check):
    def probe(t: Target) -> Result:
        db = str(t.run("ls /var/lib/aide/aide.db /var/lib/aide/aide.db.gz 2>/dev/null").stdout).split()
        cron = t.read("/etc/cron.d/djcp-aide") or ""
        scheduled = "--check" in cron
        return Result(
            bool(db) and scheduled,
            f"baseline: {db or 'none'}; daily check scheduled: {scheduled}",
            "AIDE baseline database present; daily check",
        )

    check(probe)
