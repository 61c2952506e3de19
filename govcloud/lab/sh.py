"""Running commands on this machine and inside network namespaces, with clear errors: the one
subprocess helper of the lab, the security services and the drills (iproute2, nft, tc, debootstrap,
PostgreSQL's tools, etcd, Patroni...)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

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


class CommandError(RuntimeError):
    """A command failed (命令执行失败): the message names it; what ran, its exit code and its output
    are kept when known."""

    def __init__(
        self,
        message: str,
        *,
        argv: Sequence[str] = (),
        rc: int | None = None,
        stdout: str = "",
        stderr: str = "",
    ) -> None:
        super().__init__(message)
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


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


def run_proc(
    cmd: Sequence[str], *, check: bool = True, input_text: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a command (no shell), bounded in time; with `check`, a non-zero exit raises CommandError
    with the command, its exit code and its output."""
    try:
        proc = subprocess.run(
            list(cmd), input=input_text, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        require(cmd[0])
        raise CommandError(f"{cmd[0]}: {exc}", argv=cmd) from exc
    if check and proc.returncode != 0:
        raise CommandError(
            f"`{' '.join(cmd)}` failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}",
            argv=cmd, rc=proc.returncode, stdout=proc.stdout, stderr=proc.stderr,
        )
    return proc


def run(
    cmd: Sequence[str], *, check: bool = True, input_text: str | None = None, timeout: float = 120
) -> str:
    """`run_proc`, returning stdout."""
    return run_proc(cmd, check=check, input_text=input_text, timeout=timeout).stdout


def ok(cmd: Sequence[str], timeout: float = 60) -> bool:
    """True when the command exits 0 (used for probes)."""
    try:
        return subprocess.run(list(cmd), capture_output=True, timeout=timeout, check=False).returncode == 0
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return False


def nsexec(netns: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", netns, *cmd]


def sweep(marker: Path) -> list[int]:
    """SIGKILL every process whose command line names a path under `marker` (a service's state
    directory): what is left when a pid file went before its daemon, e.g. after an interrupted
    set-up. Returns the pids killed."""
    prefix = str(marker).rstrip("/") + "/"
    killed = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(prefix in arg.decode("utf-8", "replace") for arg in argv):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie child of ours is reaped on the way)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").split(")")[-1].split()[0] == "Z":
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            return False
    return True
