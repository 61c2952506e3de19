"""Running the machine's tools (iproute2, nft, tc, debootstrap) with clear errors."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from govcloud.toolchain.env import ToolMissingError

APT_PACKAGE = {
    "ip": "iproute2",
    "tc": "iproute2",
    "nft": "nftables",
    "debootstrap": "debootstrap",
    "ssh-keygen": "openssh-client",
    "ssh": "openssh-client",
    "unshare": "util-linux",
    "mount": "mount",
    "setsid": "util-linux",
}


class LabCommandError(RuntimeError):
    """A command the lab ran failed; the message carries the command and its stderr."""


def require(*tools: str) -> None:
    """Raise ToolMissingError naming the Debian package for every tool that is not on PATH."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pkgs = sorted({APT_PACKAGE.get(t, t) for t in missing})
        raise ToolMissingError(
            f"the lab needs {', '.join('`' + t + '`' for t in missing)}, not found on PATH. "
            f"Install with `apt-get install -y {' '.join(pkgs)}`.\n"
            f"实验环境缺少工具 {', '.join(missing)}：请执行 `apt-get install -y {' '.join(pkgs)}`。"
        )


def run(
    cmd: Sequence[str], *, check: bool = True, input_text: str | None = None, timeout: float = 120
) -> str:
    """Run a command; return stdout. On failure raise LabCommandError with the command and stderr."""
    try:
        proc = subprocess.run(
            list(cmd), input=input_text, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        require(cmd[0])
        raise LabCommandError(f"{cmd[0]}: {exc}") from exc
    if check and proc.returncode != 0:
        raise LabCommandError(f"`{' '.join(cmd)}` failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def ok(cmd: Sequence[str], timeout: float = 60) -> bool:
    """True when the command exits 0 (used for probes)."""
    try:
        return subprocess.run(list(cmd), capture_output=True, timeout=timeout, check=False).returncode == 0
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return False


def nsexec(netns: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", netns, *cmd]
