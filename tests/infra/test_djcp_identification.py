"""身份鉴别 Identification and authentication — GB/T 22239-2019 8.1.4.1 a-d."""

from __future__ import annotations

import re

import pytest

from govcloud.runner.targets import Result, Target, kv, words

ALLOWED_CIPHERS = {
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
}
ALLOWED_MACS = {"hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "umac-128-etm@openssh.com"}
ALLOWED_KEX = {
    "sntrup761x25519-sha512@openssh.com",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
    "mlkem768x25519-sha256",
}
CLEARTEXT = [
    "telnetd",
    "inetutils-telnetd",
    "telnet",
    "inetutils-telnet",
    "rsh-server",
    "rsh-client",
    "rsh-redone-server",
    "rsh-redone-client",
    "tftpd",
    "tftpd-hpa",
    "tftp",
    "tftp-hpa",
    "xinetd",
    "telnet-server",
    "tftp-server",
]


@pytest.mark.clause("8.1.4.1.a")
def test_password_quality(check):
    def probe(t: Target) -> Result:
        conf = kv(t.read("/etc/security/pwquality.conf"))
        pam = t.read("/etc/pam.d/common-password") or t.read("/etc/pam.d/system-auth") or ""
        minlen, minclass = int(conf.get("minlen", "0") or 0), int(conf.get("minclass", "0") or 0)
        used = bool(re.search(r"^\s*password\s+\S+\s+pam_pwquality\.so", pam, re.M))
        want_len, want_class = t.profile["pw_minlen"], t.profile["pw_minclass"]
        return Result(
            minlen >= want_len and minclass >= want_class and used,
            f"minlen={minlen} minclass={minclass} pam_pwquality={'on' if used else 'off'}",
            f"minlen>={want_len} minclass>={want_class} pam_pwquality=on",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.a")
def test_password_history(check):
    def probe(t: Target) -> Result:
        pam = t.read("/etc/pam.d/common-password") or t.read("/etc/pam.d/system-auth") or ""
        m = re.search(r"^\s*password\s+\S+\s+pam_pwhistory\.so.*remember=(\d+)", pam, re.M)
        conf = kv(t.read("/etc/security/pwhistory.conf"))
        remember = int(m.group(1)) if m else int(conf.get("remember", "0") or 0)
        want = t.profile["pw_remember"]
        return Result(remember >= want, f"remember={remember}", f"remember>={want}")

    check(probe)


@pytest.mark.clause("8.1.4.1.a")
def test_password_ageing_for_new_accounts(check):
    def probe(t: Target) -> Result:
        defs = words(t.read("/etc/login.defs"))
        mx, mn, warn = (
            int(defs.get(k, "99999") or 99999) for k in ("PASS_MAX_DAYS", "PASS_MIN_DAYS", "PASS_WARN_AGE")
        )
        p = t.profile
        return Result(
            mx <= p["pass_max_days"] and mn >= p["pass_min_days"] and warn >= p["pass_warn_age"],
            f"PASS_MAX_DAYS={mx} PASS_MIN_DAYS={mn} PASS_WARN_AGE={warn}",
            f"PASS_MAX_DAYS<={p['pass_max_days']} PASS_MIN_DAYS>={p['pass_min_days']} "
            f"PASS_WARN_AGE>={p['pass_warn_age']}",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.a")
def test_password_ageing_for_existing_accounts(check):
    def probe(t: Target) -> Result:
        shadow = t.run("cat /etc/shadow").stdout
        p = t.profile
        bad, seen = [], 0
        for line in str(shadow).splitlines():
            f = line.split(":")
            if len(f) < 5 or not f[1] or f[1][0] in "!*":
                continue
            seen += 1
            mx = int(f[4]) if f[4] else 99999
            if mx > p["pass_max_days"]:
                bad.append(f"{f[0]} max={mx}")
        return Result(
            not bad,
            f"{seen} accounts with a password; too long: {bad or 'none'}",
            f"every account with a password: max<={p['pass_max_days']} days",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.a")
def test_no_empty_passwords_and_unique_uids(check):
    def probe(t: Target) -> Result:
        empty = [
            ln.split(":")[0]
            for ln in str(t.run("cat /etc/shadow").stdout).splitlines()
            if len(ln.split(":")) > 1 and ln.split(":")[1] == ""
        ]
        uids = [
            ln.split(":")[2] for ln in str(t.run("cat /etc/passwd").stdout).splitlines() if ln.count(":") >= 6
        ]
        dups = sorted({u for u in uids if uids.count(u) > 1})
        pam = t.read("/etc/pam.d/common-auth") or t.read("/etc/pam.d/system-auth") or ""
        nullok = bool(re.search(r"^\s*auth.*pam_unix\.so.*\bnullok\b", pam, re.M))
        return Result(
            not empty and not dups and not nullok,
            f"empty passwords: {empty or 'none'}; duplicate UIDs: {dups or 'none'}; nullok: {nullok}",
            "no empty passwords, unique UIDs, no pam_unix nullok",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.b")
def test_login_failure_lockout(check):
    def probe(t: Target) -> Result:
        conf = kv(t.read("/etc/security/faillock.conf"))
        pam = t.read("/etc/pam.d/common-auth") or t.read("/etc/pam.d/system-auth") or ""
        pre = bool(re.search(r"^\s*auth\s+\S+\s+pam_faillock\.so\s+preauth", pam, re.M))
        fail = bool(re.search(r"^\s*auth\s+\S+\s+pam_faillock\.so\s+authfail", pam, re.M))
        deny = int(conf.get("deny", "0") or 0)
        unlock = int(conf.get("unlock_time", "0") or 0)
        p = t.profile
        ok = (
            0 < deny <= p["faillock_deny"]
            and (unlock == 0 or unlock >= p["faillock_unlock_time"])
            and pre
            and fail
        )
        return Result(
            ok,
            f"deny={deny} unlock_time={unlock} pam preauth={pre} authfail={fail}",
            f"deny<={p['faillock_deny']} unlock_time>={p['faillock_unlock_time']} pam preauth+authfail",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.b")
def test_idle_session_timeout(check):
    def probe(t: Target) -> Result:
        out = t.run("bash -lc 'echo ${TMOUT:-unset}; readonly -p | grep -c TMOUT'")
        lines = str(out.stdout).split()
        tmout = lines[0] if lines else "unset"
        readonly = len(lines) > 1 and lines[1] != "0"
        sshd = t.sshd_T()
        interval, count = int(sshd.get("clientaliveinterval", "0")), int(sshd.get("clientalivecountmax", "0"))
        want = t.profile["shell_tmout"]
        ok = tmout.isdigit() and 0 < int(tmout) <= want and readonly and interval > 0 and count > 0
        return Result(
            ok,
            f"TMOUT={tmout} readonly={readonly} ClientAliveInterval={interval} CountMax={count}",
            f"0<TMOUT<={want} readonly, ClientAliveInterval>0, ClientAliveCountMax>0",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.b")
def test_ssh_authentication_limits(check):
    def probe(t: Target) -> Result:
        s = t.sshd_T()
        tries, grace = int(s.get("maxauthtries", "6")), int(s.get("logingracetime", "120"))
        p = t.profile
        return Result(
            tries <= p["ssh_max_auth_tries"] and grace <= p["ssh_login_grace_time"],
            f"MaxAuthTries={tries} LoginGraceTime={grace}",
            f"MaxAuthTries<={p['ssh_max_auth_tries']} LoginGraceTime<={p['ssh_login_grace_time']}",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.c")
def test_ssh_modern_algorithms(check):
    def probe(t: Target) -> Result:
        s = t.sshd_T()
        ciphers, macs, kex = (set(s.get(k, "").split(",")) for k in ("ciphers", "macs", "kexalgorithms"))
        weak = sorted((ciphers - ALLOWED_CIPHERS) | (macs - ALLOWED_MACS) | (kex - ALLOWED_KEX))
        return Result(
            not weak and bool(ciphers) and s.get("permitemptypasswords") == "no",
            f"not allowed: {weak or 'none'}; PermitEmptyPasswords={s.get('permitemptypasswords')}",
            "only AEAD/CTR ciphers, ETM SHA-2 MACs, curve25519/sntrup/DH>=group16 KEX; no empty passwords",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.c")
def test_no_cleartext_remote_access(check):
    def probe(t: Target) -> Result:
        present = sorted(set(CLEARTEXT) & t.installed_packages())
        ports = str(t.run("ss -H -lntu").stdout)
        listening = sorted({p for p in ("23", "69", "512", "513", "514") if re.search(rf":{p}\s", ports)})
        return Result(
            not present and not listening,
            f"packages: {present or 'none'}; ports: {listening or 'none'}",
            "no telnet/rsh/tftp/xinetd packages, nothing on 23/69/512-514",
        )

    check(probe)


@pytest.mark.clause("8.1.4.1.d")
def test_administrator_second_factor(check):
    def probe(t: Target) -> Result:
        provider = str(t.var("djcp_hardening_mfa_provider", "bastion"))
        if not t.profile["mfa_required"] and provider != "host":
            return Result(True, f"level {t.level}: not required", "required from level 3")
        if provider == "host":
            sshd = t.read("/etc/ssh/sshd_config") or ""
            pam = t.read("/etc/pam.d/sshd") or ""
            ok = "AuthenticationMethods publickey,keyboard-interactive" in sshd and "pam_oath.so" in pam
            return Result(
                ok,
                f"host hook: sshd AuthenticationMethods={'set' if ok else 'missing'}",
                "publickey + one-time password for administrators",
            )
        rules = str(t.run("nft list table inet djcp_hardening 2>&1").stdout)
        gated = (
            "tcp dport 22 ip saddr @mgmt_v4 accept" in rules
            and "tcp dport 22 ip6 saddr @mgmt_v6 accept" in rules
        )
        pol = "policy drop" in rules
        return Result(
            gated and pol,
            f"delegated to the bastion (堡垒机); SSH reachable only from {t.mgmt}: {gated and pol}",
            "MFA at the bastion (manual evidence) and SSH only from the management zone",
        )

    check(probe)
