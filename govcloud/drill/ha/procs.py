"""Daemons of the HA stack inside a centre's network namespace: start detached, pid file, stop, kill.

Each daemon runs in its own session (process group), so a kill takes its children with it, as a
power cut would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from govcloud.lab.sh import alive, nsexec
from govcloud.wait import until


def read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def start(
    netns: str, argv: Sequence[str], pidfile: Path, log: Path, env: dict[str, str] | None = None
) -> int:
    """Start argv in `netns`, detached; the pid (session leader) goes to `pidfile`."""
    if read_pid(pidfile):
        raise RuntimeError(f"already running: {pidfile}")
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            nsexec(netns, *argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd="/",  # a daemon keeps no caller's directory (the postgres user may not reach it)
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    pidfile.write_text(f"{proc.pid}\n", encoding="ascii")
    return proc.pid


def stop(pidfile: Path, *, sig: int = signal.SIGTERM, wait_s: float = 30.0) -> int | None:
    """Signal the daemon's process group, wait for it, SIGKILL what is left. Returns the pid."""
    pid = read_pid(pidfile)
    if pid is None:
        pidfile.unlink(missing_ok=True)
        return None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    until(lambda: not alive(pid), timeout=wait_s, interval=0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    until(lambda: not alive(pid), timeout=5, interval=0.05)
    pidfile.unlink(missing_ok=True)
    return pid


def kill(pidfile: Path) -> int | None:
    """SIGKILL the whole process group at once (power-off analogue)."""
    return stop(pidfile, sig=signal.SIGKILL, wait_s=5.0)
