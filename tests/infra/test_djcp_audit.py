"""安全审计 Security audit — GB/T 22239-2019 8.1.4.3 a-d."""

from __future__ import annotations

import re

import pytest

from govcloud.runner.targets import Result, Target, kv

RULE_KEYS = ["identity", "scope", "logins", "session", "time-change", "modules", "privileged", "admin-exec"]


def _rules(t: Target) -> str:
    return str(t.run("cat /etc/audit/rules.d/*.rules 2>/dev/null").stdout)


@pytest.mark.clause("8.1.4.3.a")
def test_audit_rules_cover_important_events(check):
    def probe(t: Target) -> Result:
        rules = _rules(t)
        keys = sorted(set(re.findall(r"-k\s+(\S+)", rules)))
        missing = [k for k in RULE_KEYS if k not in keys]
        watched = all(f"-w {p} -p wa" in rules for p in ("/etc/passwd", "/etc/shadow", "/etc/sudoers"))
        return Result(
            not missing and watched,
            f"rule keys: {keys}; missing: {missing or 'none'}",
            f"keys {RULE_KEYS}; passwd/shadow/sudoers watched",
        )

    check(probe)


@pytest.mark.clause("8.1.4.3.a")
def test_auditd_running_with_rules_loaded(check):
    def probe(t: Target) -> Result:
        t.require_own_kernel("auditd and kernel audit rules")
        active = t.run("systemctl is-active auditd").stdout.strip()
        loaded = len(str(t.run("auditctl -l").stdout).splitlines())
        return Result(
            active == "active" and loaded > 10,
            f"auditd {active}; {loaded} rules loaded",
            "auditd active; rules loaded",
        )

    check(probe)


@pytest.mark.clause("8.1.4.3.b")
def test_audit_records_have_trusted_time(check):
    def probe(t: Target) -> Result:
        conf = t.read("/etc/chrony/chrony.conf") or t.read("/etc/chrony.conf") or ""
        servers = re.findall(r"^server\s+(\S+)", conf, re.M)
        pools = re.findall(r"^pool\s+(\S+)", conf, re.M)
        want = [str(s) for s in t.var("djcp_hardening_ntp_servers", [])]
        ok = (
            len(servers) >= t.profile["min_ntp_servers"]
            and not pools
            and (not want or sorted(servers) == sorted(want))
        )
        fmt = kv(t.read("/etc/audit/auditd.conf")).get("log_format", "")
        return Result(
            ok and fmt in {"ENRICHED", "RAW"},
            f"servers={servers} pools={pools} audit log_format={fmt}",
            f"servers={want or '>=1 plan time source'}, no pools, audit records with timestamps",
        )

    check(probe)


@pytest.mark.clause("8.1.4.3.b")
def test_clock_synchronised(check):
    def probe(t: Target) -> Result:
        t.require_own_kernel("chronyd (sets the kernel clock)")
        out = str(t.run("chronyc -n tracking").stdout)
        m = re.search(r"Leap status\s*:\s*(.+)", out)
        status = m.group(1).strip() if m else "unknown"
        return Result(status == "Normal", f"leap status {status}", "Normal (synchronised)")

    check(probe)


@pytest.mark.clause("8.1.4.3.c")
def test_logs_forwarded_to_central_collector(check):
    def probe(t: Target) -> Result:
        conf = str(t.run("cat /etc/rsyslog.d/*.conf 2>/dev/null").stdout)
        collector = str(t.var("djcp_hardening_log_collector", ""))
        relp = re.search(r'type="omrelp"', conf) is not None
        tls = re.search(r'StreamDriver="gtls"', conf) is not None and 'StreamDriverMode="1"' in conf
        target = re.findall(r'target="([^"]+)"', conf)
        ok = (relp or tls) and bool(target) and (not collector or collector in target)
        return Result(
            ok,
            f"transport={'relp' if relp else 'tls' if tls else 'none'} target={target}",
            f"RELP or TLS to {collector or 'the collector'}",
        )

    check(probe)


@pytest.mark.clause("8.1.4.3.c")
def test_local_log_retention(check):
    def probe(t: Target) -> Result:
        conf = t.read("/etc/logrotate.d/rsyslog") or ""
        rotate = int((re.findall(r"^\s*rotate\s+(\d+)", conf, re.M) or ["0"])[0])
        period = (re.findall(r"^\s*(daily|weekly|monthly)\b", conf, re.M) or ["weekly"])[0]
        days = rotate * {"daily": 1, "weekly": 7, "monthly": 30}[period]
        audit = kv(t.read("/etc/audit/auditd.conf"))
        keep = audit.get("max_log_file_action", "").lower() == "keep_logs"
        want = t.profile["log_retention_days"]
        return Result(
            days >= want and keep,
            f"syslog {period} x {rotate} = {days} days; auditd max_log_file_action="
            f"{audit.get('max_log_file_action')}",
            f">= {want} days; auditd keep_logs",
        )

    check(probe)


@pytest.mark.clause("8.1.4.3.c")
def test_audit_records_protected(check):
    def probe(t: Target) -> Result:
        st = str(t.run("stat -c '%a %U %G' /var/log/audit").stdout).split()
        audit = kv(t.read("/etc/audit/auditd.conf"))
        ok = (
            len(st) == 3
            and int(st[0], 8) & 0o027 == 0
            and st[1] == "root"
            and audit.get("log_group") == "djcp-auditadm"
        )
        return Result(
            ok,
            f"/var/log/audit {' '.join(st)}; log_group={audit.get('log_group')}",
            "/var/log/audit <=0750 root, readable by the audit administrators only",
        )

    check(probe)


@pytest.mark.clause("8.1.4.3.d")
def test_audit_configuration_immutable(check):
    def probe(t: Target) -> Result:
        if not t.profile["audit_immutable"]:
            return Result(True, f"level {t.level}: not required", "required from level 3")
        # augenrules always emits the last -e directive as the final rule, whatever file holds it
        rules = [ln.strip() for ln in _rules(t).splitlines() if ln.strip().startswith("-e ")]
        last = rules[-1] if rules else None
        unit = t.read("/etc/systemd/system/auditd.service.d/djcp.conf") or ""
        ok = last == "-e 2" and "RefuseManualStop=yes" in unit
        return Result(
            ok,
            f"-e directives in rules.d: {rules or 'none'}; "
            f"RefuseManualStop={'yes' if 'RefuseManualStop=yes' in unit else 'no'}",
            "-e 2 as the last rule; auditd refuses manual stop",
        )

    check(probe)


@pytest.mark.clause("8.1.4.3.d")
def test_audit_immutable_at_runtime(check):
    def probe(t: Target) -> Result:
        if not t.profile["audit_immutable"]:
            return Result(True, f"level {t.level}: not required", "required from level 3")
        t.require_own_kernel("kernel audit 'enabled 2' state")
        m = re.search(r"enabled\s+(\d)", str(t.run("auditctl -s").stdout))
        return Result(bool(m) and m.group(1) == "2", f"enabled {m.group(1) if m else '?'}", "enabled 2")

    check(probe)
