"""A minimal DNS stub resolver (A / AAAA over UDP), so the client asks the lab's server each time.

No cache: every new connection of the load generator resolves the service name again, the way a
client with TTL 0 behaves. Raises LookupError on NXDOMAIN, REFUSED or an empty answer.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct

QTYPE = {4: 1, 6: 28}


def _qname(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def _skip_name(buf: bytes, pos: int) -> int:
    while True:
        length = buf[pos]
        if length & 0xC0 == 0xC0:
            return pos + 2
        if length == 0:
            return pos + 1
        pos += 1 + length


def resolve(name: str, server: str, family: int = 6, *, port: int = 53, timeout: float = 0.5) -> str:
    """First address of `family` (4 or 6) for `name` from `server`."""
    qid = int.from_bytes(os.urandom(2), "big")
    query = (
        struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + _qname(name) + struct.pack(">HH", QTYPE[family], 1)
    )
    sock_family = socket.AF_INET6 if ":" in server else socket.AF_INET
    with socket.socket(sock_family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(query, (server, port))
        while True:
            buf, _ = sock.recvfrom(4096)
            if len(buf) >= 12 and int.from_bytes(buf[:2], "big") == qid:
                break
    flags, qd, an = struct.unpack(">HHH", buf[2:8])
    if flags & 0x000F:
        raise LookupError(f"{name}: rcode {flags & 0x000F}")
    pos = 12
    for _ in range(qd):
        pos = _skip_name(buf, pos) + 4
    for _ in range(an):
        pos = _skip_name(buf, pos)
        rtype, _cls, _ttl, rdlen = struct.unpack(">HHIH", buf[pos : pos + 10])
        pos += 10
        rdata = buf[pos : pos + rdlen]
        pos += rdlen
        if rtype == QTYPE[family]:
            return str(ipaddress.ip_address(rdata))
    raise LookupError(f"{name}: no {'AAAA' if family == 6 else 'A'} record")
