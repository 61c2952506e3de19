"""访问控制 Access control — GB/T 22239-2019 8.1.4.2 a-g."""

from __future__ import annotations

import re

import pytest

from govcloud.runner.targets import Result, Target, words

NOLOGIN = {"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false"}
SURPLUS = [
    "games",
    "news",
    "uucp",
    "irc",
    "list",
    "lp",
    "gnats",
    "ftp",
    "operator",
    "halt",
    "shutdown",
    "sync",
]


def _passwd(t: Target) -> list[list[str]]:
    return [ln.split(":") for ln in str(t.run("cat /etc/passwd").stdout).splitlines() if ln.count(":") >= 6]


def _shadow(t: Target) -> dict[str, list[str]]:
    return {
        f[0]: f
        for f in (ln.split(":") for ln in str(t.run("cat /etc/shadow").stdout).splitlines())
        if len(f) > 1
    }


@pytest.mark.clause("8.1.4.2.a")
def test_system_accounts_have_no_login_shell(check):
    def probe(t: Target) -> Result:
        bad = [f"{f[0]}({f[6]})" for f in _passwd(t) if 0 < int(f[2]) < 1000 and f[6] not in NOLOGIN]
        return Result(
            not bad, f"system accounts with a shell: {bad or 'none'}", "UID 1-999: nologin or false"
        )

    check(probe)


@pytest.mark.clause("8.1.4.2.b")
def test_only_root_has_uid_0(check):
    def probe(t: Target) -> Result:
        uid0 = [f[0] for f in _passwd(t) if f[2] == "0"]
        return Result(uid0 == ["root"], f"UID 0: {uid0}", "UID 0: ['root']")

    check(probe)


@pytest.mark.clause("8.1.4.2.b")
def test_root_ssh_login_only_for_automation_from_management_zone(check):
    def probe(t: Target) -> Result:
        outside = t.sshd_T("user=root,host=outside,addr=192.0.2.10").get("permitrootlogin")
        mgmt = [p for p in t.mgmt if "." in p]
        inside = None
        if mgmt:
            first = mgmt[0].split("/")[0].rsplit(".", 1)[0] + ".250"
            inside = t.sshd_T(f"user=root,host=mgmt,addr={first}").get("permitrootlogin")
        ok = outside == "no" and inside in (None, "without-password", "prohibit-password")
        return Result(
            ok,
            f"root from outside: {outside}; root from management zone: {inside}",
            "outside: no; management zone: key only (prohibit-password)",
        )

    check(probe)


@pytest.mark.clause("8.1.4.2.c")
def test_surplus_default_accounts_locked(check):
    def probe(t: Target) -> Result:
        shadow = _shadow(t)
        shells = {f[0]: f[6] for f in _passwd(t)}
        bad = [
            n
            for n in SURPLUS
            if n in shells and (shells[n] not in NOLOGIN or not shadow.get(n, ["", "!"])[1].startswith("!"))
        ]
        present = [n for n in SURPLUS if n in shells]
        return Result(
            not bad,
            f"present: {present}; not locked: {bad or 'none'}",
            "surplus accounts locked (!) with a nologin shell",
        )

    check(probe)


@pytest.mark.clause("8.1.4.2.c")
def test_inactive_accounts_disabled(check):
    def probe(t: Target) -> Result:
        m = re.search(r"^INACTIVE=(-?\d+)", t.read("/etc/default/useradd") or "", re.M)
        inactive = int(m.group(1)) if m else -1
        want = t.profile["inactive_days"]
        return Result(0 <= inactive <= want, f"INACTIVE={inactive}", f"0<=INACTIVE<={want}")

    check(probe)


@pytest.mark.clause("8.1.4.2.d")
def test_three_administrator_roles_without_blanket_nopasswd(check):
    def probe(t: Target) -> Result:
        groups = {ln.split(":")[0] for ln in str(t.run("cat /etc/group").stdout).splitlines()}
        missing = sorted({"djcp-sysadm", "djcp-auditadm", "djcp-secadm"} - groups)
        roles = t.read("/etc/sudoers.d/djcp-roles") or ""
        rules = [
            r
            for r in ("%djcp-sysadm", "%djcp-auditadm", "%djcp-secadm")
            if re.search(rf"^{r}\s", roles, re.M)
        ]
        blanket = str(
            t.run(
                r"grep -rhE '^[^#]*NOPASSWD:[[:space:]]*ALL[[:space:]]*$' /etc/sudoers /etc/sudoers.d"
            ).stdout
        ).strip()
        valid = t.run("visudo -c").rc == 0
        ok = (
            not missing
            and len(rules) == 3
            and not blanket
            and valid
            and not re.search(r"^[^#]*NOPASSWD", roles, re.M)
        )
        return Result(
            ok,
            f"groups missing: {missing or 'none'}; role rules: {len(rules)}/3; "
            f"blanket NOPASSWD: {blanket or 'none'}; visudo -c: {'ok' if valid else 'error'}",
            "3 role groups with named-command rules, no NOPASSWD: ALL",
        )

    check(probe)


@pytest.mark.clause("8.1.4.2.f")
def test_sensitive_file_permissions(check):
    def probe(t: Target) -> Result:
        shadow_mode = "640"  # Debian root:shadow 0640; RHEL family 0000 is stricter and passes too
        want = {
            "/etc/passwd": "644",
            "/etc/group": "644",
            "/etc/shadow": shadow_mode,
            "/etc/gshadow": shadow_mode,
            "/etc/ssh/sshd_config": "600",
            "/etc/sudoers": "440",
        }
        out = str(t.run("stat -c '%n %a %U' " + " ".join(want)).stdout)
        got = {
            ln.split()[0]: (ln.split()[1], ln.split()[2]) for ln in out.splitlines() if len(ln.split()) == 3
        }
        bad = [
            f"{p}={got.get(p, ('missing', ''))[0]}"
            for p, m in want.items()
            if p not in got or int(got[p][0], 8) & ~int(m, 8) or got[p][1] != "root"
        ]
        return Result(not bad, f"too open: {bad or 'none'}", ", ".join(f"{p}<={m}" for p, m in want.items()))

    check(probe)


@pytest.mark.clause("8.1.4.2.f")
def test_default_umask(check):
    def probe(t: Target) -> Result:
        defs = words(t.read("/etc/login.defs")).get("UMASK", "022")
        shell = str(t.run("bash -lc umask").stdout).strip()
        want = t.profile["umask"]
        ok = int(defs, 8) & int(want, 8) == int(want, 8) and int(shell or "0", 8) & int(want, 8) == int(
            want, 8
        )
        return Result(ok, f"login.defs UMASK={defs}; login shell umask={shell}", f"umask >= {want}")

    check(probe)


@pytest.mark.clause("8.1.4.2.g")
def test_mandatory_access_control_configured(check):
    def probe(t: Target) -> Result:
        if not t.profile["mac_enforcing"]:
            return Result(True, f"level {t.level}: not required", "required from level 3")
        if t.read("/etc/selinux/config") is not None:
            conf = dict(
                re.findall(r"^(SELINUX|SELINUXTYPE)=(\S+)", t.read("/etc/selinux/config") or "", re.M)
            )
            return Result(
                conf.get("SELINUX") == "enforcing", f"SELINUX={conf.get('SELINUX')}", "SELINUX=enforcing"
            )
        pkgs = t.installed_packages()
        profiles = str(t.run("ls /etc/apparmor.d").stdout).split()
        ok = "apparmor" in pkgs and bool(profiles)
        return Result(
            ok,
            f"apparmor package={'apparmor' in pkgs}; /etc/apparmor.d entries={len(profiles)}",
            "AppArmor installed with its profiles",
        )

    check(probe)


@pytest.mark.clause("8.1.4.2.g")
def test_mandatory_access_control_enforcing_at_runtime(check):
    def probe(t: Target) -> Result:
        if not t.profile["mac_enforcing"]:
            return Result(True, f"level {t.level}: not required", "required from level 3")
        t.require_own_kernel("AppArmor/SELinux runtime state")
        if t.run("command -v getenforce").rc == 0:
            mode = str(t.run("getenforce").stdout).strip()
            return Result(mode == "Enforcing", f"getenforce={mode}", "Enforcing")
        enabled = str(t.run("cat /sys/module/apparmor/parameters/enabled").stdout).strip()
        return Result(enabled == "Y", f"apparmor enabled={enabled}", "Y")

    check(probe)
