"""One `up` or `down` per lab stack at a time: an flock on /run/govcloud/<stack>.lock.

`govcloud lab up/down` hold it for the whole operation; a Pulumi program that declares the lab
(`pulumi up -s lab` through stacks/) holds it for the life of its process, so the CLI and a direct
`pulumi up` of the same stack cannot build the same namespaces at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from typing import IO

from govcloud.lab import naming

_HELD: dict[str, IO[str]] = {}
# Set while `govcloud lab up/down` holds a stack's lock, so the Pulumi program it starts (a child
# process of the CLI, through the engine) knows the lock is its parent's and does not wait for it.
HOLDER_ENV = "GOVCLOUD_LAB_LOCK_HOLDER"


class LabBusyError(RuntimeError):
    """Another process holds the stack's lab lock."""


def _acquire(stack: str) -> IO[str]:
    path = naming.lock_path(stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="ascii")  # noqa: SIM115 - held beyond this function
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "?"
        fh.close()
        raise LabBusyError(
            f"another `govcloud lab up/down` (or `pulumi up`) is running for stack {stack!r} "
            f"(pid {holder}, lock {path}).\n栈 {stack} 的实验环境正在被另一进程操作，请稍后再试。"
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    return fh


@contextlib.contextmanager
def stack_lock(stack: str, *, remove: bool = False) -> Iterator[None]:
    if stack in _HELD:  # re-entrant within one process
        yield
        return
    fh = _acquire(stack)
    _HELD[stack] = fh
    previous = os.environ.get(HOLDER_ENV)
    os.environ[HOLDER_ENV] = f"{stack}:{os.getpid()}"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(HOLDER_ENV, None)
        else:
            os.environ[HOLDER_ENV] = previous
        if remove:  # still held: nobody else is inside
            naming.lock_path(stack).unlink(missing_ok=True)
        del _HELD[stack]
        fh.close()


def _held_by_parent(stack: str) -> bool:
    """True when the lock file names the process that started us (recorded in HOLDER_ENV) and it lives."""
    marker = os.environ.get(HOLDER_ENV, "")
    name, _, pid = marker.rpartition(":")
    if name != stack or not pid.isdigit():
        return False
    try:
        recorded = naming.lock_path(stack).read_text(encoding="ascii").strip()
    except OSError:
        return False
    return recorded == pid and os.path.exists(f"/proc/{pid}")


def hold_for_process(stack: str) -> None:
    """Take the lock until this process exits (a Pulumi program), unless this process holds it already."""
    if stack not in _HELD and not _held_by_parent(stack):
        _HELD[stack] = _acquire(stack)
