"""The cached debootstrap base image and the copy-on-write overlay each host runs on."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from pathlib import Path

from govcloud.lab import sh

SUITE = "bookworm"
# sshd and python3 for Ansible; the rest are the packages the 等保 hardening role configures
# (playbooks/project/roles/djcp_hardening/vars/Debian.yml): lab hosts have no package mirror, like
# hosts in an air-gapped 政务云 whose image carries what the baseline needs.
INCLUDE = (
    "openssh-server", "python3", "python3-apt", "sudo",
    "libpam-pwquality", "libpam-modules", "auditd", "rsyslog", "rsyslog-gnutls", "rsyslog-relp",
    "chrony", "aide", "aide-common", "nftables", "apparmor", "logrotate", "procps",
    # the security services the lab runs (govcloud.secsvc): bastion session recording (script),
    # WAF (nginx + ModSecurity v3 + OWASP CRS), and the TLS tooling of the log collector
    "bsdextrautils", "nginx-light", "libnginx-mod-http-modsecurity", "modsecurity-crs", "openssl",
)
# Not in bookworm's main suite: installed from bookworm-backports on the same mirror after debootstrap.
BACKPORTS = ("suricata",)
MARKER = ".govcloud-base-complete"


def mirror() -> str:
    return os.environ.get("GOVCLOUD_LAB_MIRROR", "http://deb.debian.org/debian")


def base_dir(cache: Path) -> Path:
    tag = hashlib.sha256(",".join((SUITE, "minbase", *INCLUDE, "bpo", *BACKPORTS)).encode()).hexdigest()[:8]
    return cache / "base" / f"{SUITE}-minbase-{tag}"


def is_ready(cache: Path) -> bool:
    return (base_dir(cache) / MARKER).is_file()


def ensure_base(cache: Path) -> Path:
    """Build the base tree once (about a minute); concurrent callers wait on a lock file."""
    target = base_dir(cache)
    if (target / MARKER).is_file():
        return target
    sh.require("debootstrap")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / MARKER).is_file():
            return target
        partial = target.with_name(target.name + ".partial")
        if partial.exists():
            shutil.rmtree(partial)
        sh.run(["debootstrap", "--variant=minbase", f"--include={','.join(INCLUDE)}", SUITE,
                str(partial), mirror()], timeout=1800)
        install_backports(partial)
        finalise_base(partial)
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
        (target / MARKER).write_text("ok\n", encoding="ascii")
    return target


def install_backports(root: Path) -> None:
    """apt-get install -t bookworm-backports BACKPORTS inside the new tree (no service is started)."""
    if not BACKPORTS:
        return
    sources = root / "etc" / "apt" / "sources.list.d" / "govcloud-backports.list"
    sources.write_text(f"deb {mirror()} {SUITE}-backports main\n", encoding="ascii")
    policy = root / "usr" / "sbin" / "policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n", encoding="ascii")  # never start daemons in the tree
    policy.chmod(0o755)
    resolv = root / "etc" / "resolv.conf"
    host_resolv = Path("/etc/resolv.conf")
    if host_resolv.is_file():
        resolv.unlink(missing_ok=True)
        resolv.write_text(host_resolv.read_text(encoding="utf-8"), encoding="utf-8")
    env = ["env", "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"]
    try:
        sh.run([*env, "chroot", str(root), "apt-get", "update"], timeout=600)
        sh.run([*env, "chroot", str(root), "apt-get", "install", "-y", "--no-install-recommends",
                "-t", f"{SUITE}-backports", *BACKPORTS], timeout=1200)
        sh.run([*env, "chroot", str(root), "apt-get", "clean"], timeout=120)
    finally:
        policy.unlink(missing_ok=True)
        sources.unlink(missing_ok=True)


def finalise_base(root: Path) -> None:
    """Remove what must differ per host (host keys, machine id) and clean package caches."""
    for key in (root / "etc" / "ssh").glob("ssh_host_*"):
        key.unlink()
    (root / "etc" / "machine-id").write_text("", encoding="ascii")
    for sub in ("var/cache/apt/archives", "var/lib/apt/lists"):
        d = root / sub
        if d.is_dir():
            for item in d.glob("*.deb"):
                item.unlink()


def mount_overlay(base: Path, host_dir: Path) -> Path:
    """Mount a per-host overlay (upper on /run's tmpfs) and return its root."""
    upper, work, root = host_dir / "upper", host_dir / "work", host_dir / "root"
    for d in (upper, work, root):
        d.mkdir(parents=True, exist_ok=True)
    if not is_mounted(root):
        sh.run(["mount", "-t", "overlay", "overlay", "-o",
                f"lowerdir={base},upperdir={upper},workdir={work}", str(root)])
    return root


def mounts_under(path: Path) -> list[str]:
    """Mount points at or below `path` (from /proc/self/mountinfo), deepest first."""
    prefix = str(path).rstrip("/")
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            point = line.split()[4].replace("\\040", " ")
            if point == prefix or point.startswith(prefix + "/"):
                found.append(point)
    return sorted(set(found), key=lambda p: p.count("/"), reverse=True)


def is_mounted(path: Path) -> bool:
    return str(path).rstrip("/") in mounts_under(path)


def unmount_all(path: Path) -> None:
    for point in mounts_under(path):
        if not sh.ok(["umount", point]):
            sh.run(["umount", "-l", point], check=False)
