"""Open sockets inside another network namespace from this process (setns on the calling thread).

Used for witness probes and TCP checks from a given centre without forking `ip netns exec`.
Network namespaces are per thread on Linux; a socket keeps the namespace it was created in.
"""

from __future__ import annotations

import ctypes
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

CLONE_NEWNET = 0x40000000
_LIBC = ctypes.CDLL(None, use_errno=True)
_LOCK = threading.Lock()


def _setns(fd: int) -> None:
    if _LIBC.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def setns_path(netns: str) -> None:
    """Move the calling thread into /run/netns/<netns> for good (use in a dedicated thread)."""
    fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        _setns(fd)
    finally:
        os.close(fd)


@contextmanager
def entered(netns: str) -> Iterator[None]:
    """Switch the calling thread into /run/netns/<netns> for the duration of the block."""
    with _LOCK:
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
        try:
            _setns(target)
            try:
                yield
            finally:
                _setns(home)
        finally:
            os.close(target)
            os.close(home)


def tcp_open(netns: str, host: str, port: int, timeout: float) -> bool:
    """True when a TCP connection from `netns` to host:port is accepted within `timeout` seconds."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with entered(netns):
        sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((host, port))
        return True
    except OSError:
        return False
    finally:
        sock.close()
