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
)
MARKER = ".govcloud-base-complete"


def mirror() -> str:
    return os.environ.get("GOVCLOUD_LAB_MIRROR", "http://deb.debian.org/debian")


def base_dir(cache: Path) -> Path:
    tag = hashlib.sha256(",".join((SUITE, "minbase", *INCLUDE)).encode()).hexdigest()[:8]
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
        finalise_base(partial)
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
        (target / MARKER).write_text("ok\n", encoding="ascii")
    return target


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
