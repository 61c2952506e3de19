"""Hosts as the tests/infra checks see them: a testinfra host plus the inventory variables and the
expected values of the level profile."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import testinfra

from govcloud.runner.inventory import InventoryHost, load_inventory
from govcloud.runner.profile import level_profile

STATUSES = ("pass", "fail", "error", "not_applicable")


class NotApplicable(Exception):  # noqa: N818 - reads as a verdict at the raise site
    """The check cannot apply to this host (e.g. kernel-wide setting on a container-like host)."""


@dataclass
class Result:
    ok: bool
    observed: str
    expected: str


@dataclass
class Target:
    name: str
    host: Any  # testinfra.host.Host
    vars: dict[str, Any]
    level: int
    profile: dict[str, Any]
    _cache: dict[str, Any] = field(default_factory=dict)

    def run(self, command: str) -> Any:
        return self.host.run(command)

    def read(self, path: str) -> str | None:
        """File content, or None when the file does not exist."""
        out = self.host.run(f"cat {path} 2>/dev/null")
        return str(out.stdout) if out.rc == 0 else None

    def var(self, name: str, default: Any = None) -> Any:
        return self.vars.get(name, default)

    @property
    def mgmt(self) -> list[str]:
        return [
            str(p)
            for p in self.var("djcp_hardening_mgmt_ipv4", []) + self.var("djcp_hardening_mgmt_ipv6", [])
        ]

    @property
    def container_like(self) -> bool:
        """No own init system: shares the machine's kernel (a chroot in a network namespace)."""
        forced = self.var("djcp_hardening_container_like", "auto")
        if isinstance(forced, bool):
            return forced
        if str(forced).lower() in {"true", "yes", "1"}:
            return True
        if str(forced).lower() in {"false", "no", "0"}:
            return False
        if "container_like" not in self._cache:
            self._cache["container_like"] = self.host.run("test -d /run/systemd/system").rc != 0
        return bool(self._cache["container_like"])

    def require_own_kernel(self, what: str) -> None:
        if self.container_like:
            raise NotApplicable(
                f"{what}: not applicable on a container-like host "
                "(no own init, shares the machine's kernel); "
                "the configuration files are checked by the companion check"
            )

    def sshd_T(self, conn: str | None = None) -> dict[str, str]:  # noqa: N802 - mirrors `sshd -T`
        cmd = "/usr/sbin/sshd -T" + (f" -C {conn}" if conn else "")
        out = self.host.run(cmd)
        if out.rc != 0:
            raise RuntimeError(f"{cmd} failed: {out.stderr.strip()[:300]}")
        values: dict[str, str] = {}
        for line in str(out.stdout).splitlines():
            key, _, value = line.partition(" ")
            values.setdefault(key.lower(), value.strip())
        return values

    def installed_packages(self) -> set[str]:
        if "packages" not in self._cache:
            out = self.host.run(
                "dpkg-query -W -f='${Package} ${db:Status-Status}\\n' 2>/dev/null"
                " || rpm -qa --qf '%{NAME} installed\\n'"
            )
            pkgs = {ln.split()[0] for ln in str(out.stdout).splitlines() if ln.endswith(" installed")}
            self._cache["packages"] = pkgs
        return set(self._cache["packages"])


def _control_path(name: str) -> str:
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:12]
    return f"/tmp/gc-verify-{os.getpid()}-{digest}"


def make_target(inv_host: InventoryHost, level: int) -> Target:
    v = inv_host.vars
    conn = str(v.get("ansible_connection", "ssh"))
    if conn == "local":
        host = testinfra.get_host("local://")
    else:
        user = v.get("ansible_user", "root")
        port = v.get("ansible_port", 22)
        addr = inv_host.address
        if ":" in addr:
            addr = f"[{addr}]"
        extra = " ".join(
            str(v.get(k, "")) for k in ("ansible_ssh_common_args", "ansible_ssh_extra_args")
        ).strip()
        key = v.get("ansible_ssh_private_key_file") or v.get("ansible_private_key_file")
        host = testinfra.get_host(
            f"ssh://{user}@{addr}:{port}",
            ssh_identity_file=key,
            ssh_extra_args=extra or None,
            controlpath=_control_path(inv_host.name),
            controlpersist=120,
            timeout=20,
        )
    host_level = int(v.get("djcp_hardening_level", level))
    overrides = v.get("djcp_hardening_overrides") or {}
    return Target(
        name=inv_host.name,
        host=host,
        vars=dict(v),
        level=host_level,
        profile=level_profile(host_level, overrides),
    )


def load_targets(inventory: Path, level: int, limit: str | None = None) -> list[Target]:
    return [make_target(h, level) for h in load_inventory(inventory, limit)]


def kv(text: str | None, sep: str = "=") -> dict[str, str]:
    """Parse `key = value` / `key value` lines, ignoring comments."""
    out: dict[str, str] = {}
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if sep in line:
            k, _, v = line.partition(sep)
        else:
            k, _, v = line.partition(" ")
        out[k.strip()] = v.strip()
    return out


def words(text: str | None) -> dict[str, str]:
    """Parse `KEY VALUE` lines (login.defs style), ignoring comments."""
    out: dict[str, str] = {}
    for raw in (text or "").splitlines():
        parts = raw.split("#", 1)[0].split()
        if len(parts) >= 2:
            out[parts[0]] = parts[1]
    return out
