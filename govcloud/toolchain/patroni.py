"""Patroni's own virtualenv (Patroni 高可用管理器的运行环境), built once from PyPI and kept outside the repo.

Patroni runs as the `postgres` user, which cannot read a virtualenv under root's 0700 home, so the
environment lives under /var/cache/govcloud (root only, like the rest of the lab) and is keyed by
version. A `.govcloud-complete` marker is written last: an interrupted install is redone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PATRONI_VERSION = "4.1.5"
REQUIREMENTS = (f"patroni[etcd3,psycopg3]=={PATRONI_VERSION}", "psycopg[binary]>=3.1,<3.3")
ROOT = Path("/var/cache/govcloud")
MARKER = ".govcloud-complete"


class InstallError(RuntimeError):
    """Patroni could not be installed (Patroni 安装失败)."""


def venv_dir() -> Path:
    return ROOT / f"patroni-{PATRONI_VERSION}"


def bin_path(tool: str) -> Path:
    return venv_dir() / "bin" / tool


def is_ready() -> bool:
    return (venv_dir() / MARKER).is_file() and bin_path("patroni").is_file()


def ensure(progress: Callable[[str], None] | None = None) -> Path:
    """Create the Patroni virtualenv if missing; return its directory."""
    if is_ready():
        return venv_dir()
    say = progress or (lambda _m: None)
    target = venv_dir()
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    say(f"[setup] Patroni {PATRONI_VERSION}: virtualenv {target} (pip, from PyPI)")
    python = shutil.which("python3", path="/usr/bin") or "/usr/bin/python3"
    for argv in (
        [python, "-m", "venv", str(target)],
        [str(target / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *REQUIREMENTS],
    ):
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
        if proc.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            raise InstallError(
                f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[-600:]}\n"
                "Patroni comes from PyPI; check the package index is reachable (pip config list), "
                "and that Debian's python3-venv is installed (scripts/setup-system.sh). / "
                "Patroni 从 PyPI 安装失败：检查软件包源与 python3-venv"
            )
    target.chmod(0o755)
    (target / MARKER).write_text(PATRONI_VERSION + "\n", encoding="ascii")
    say(f"[setup] Patroni {PATRONI_VERSION} ready")
    return target


def main() -> int:
    """`python -m govcloud.toolchain.patroni`: make sure Patroni's virtualenv exists (root only)."""
    if os.geteuid() != 0:
        print("[setup] Patroni: needs root (/var/cache/govcloud), left to the first drill on Patroni")
        return 0
    try:
        ensure(print)
    except InstallError as exc:
        print(f"[setup] {exc}", file=sys.stderr)
        return 1
    if is_ready():
        print(f"[setup] Patroni {PATRONI_VERSION} present: {venv_dir()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
