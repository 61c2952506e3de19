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
    try:
        yield
    finally:
        if remove:  # still held: nobody else is inside
            naming.lock_path(stack).unlink(missing_ok=True)
        del _HELD[stack]
        fh.close()


def hold_for_process(stack: str) -> None:
    """Take the lock until this process exits (a Pulumi program), unless this process holds it already."""
    if stack not in _HELD:
        _HELD[stack] = _acquire(stack)
