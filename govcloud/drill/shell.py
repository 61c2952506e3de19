"""Running commands on the machine and inside network namespaces (out-of-band management path)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

PG_BIN = "/usr/lib/postgresql/15/bin"


class CommandError(RuntimeError):
    """A command exited non-zero (命令执行失败)."""

    def __init__(self, argv: Sequence[str], rc: int, stdout: str, stderr: str) -> None:
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"{' '.join(argv)} -> rc={rc}: {stderr.strip()[-400:]}")


def run(
    argv: Sequence[str], *, check: bool = True, timeout: float = 60.0, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run argv (no shell), bounded in time."""
    proc = subprocess.run(
        list(argv), capture_output=True, text=True, timeout=timeout, input=input_text, check=False
    )
    if check and proc.returncode != 0:
        raise CommandError(argv, proc.returncode, proc.stdout, proc.stderr)
    return proc


def in_netns(netns: str, argv: Sequence[str]) -> list[str]:
    return ["ip", "netns", "exec", netns, *argv]


def as_postgres(netns: str, argv: Sequence[str]) -> list[str]:
    """Namespace first (needs root), then drop to the postgres user (postgres refuses root)."""
    return in_netns(netns, ["runuser", "-u", "postgres", "--", *argv])


def pg_bin(name: str) -> str:
    return f"{PG_BIN}/{name}"


def netns_list() -> list[str]:
    out = run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def netns_pids(netns: str) -> list[int]:
    out = run(["ip", "netns", "pids", netns], check=False).stdout
    return [int(tok) for tok in out.split() if tok.isdigit()]


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
