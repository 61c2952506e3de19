"""SHA-256 and SM3 digests.

SM3 (GB/T 32905-2016) comes from ``cryptography`` (pyca, OpenSSL's implementation): it is maintained,
streams, and hashes ~100 MB/s. ``gmssl`` 3.2.2 (pure Python) gives the same digests but needs about
17 s per MB, too slow for the evidence of a 1,000-host stack; the tests cross-check both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Digest:
    sha256: str
    sm3: str
    bytes: int


def sm3_hex(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def digest_bytes(data: bytes) -> Digest:
    return Digest(hashlib.sha256(data).hexdigest(), sm3_hex(data), len(data))


def digest_file(path: Path) -> Digest:
    sha = hashlib.sha256()
    sm3 = hashes.Hash(hashes.SM3())
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
            sm3.update(chunk)
            size += len(chunk)
    return Digest(sha.hexdigest(), sm3.finalize().hex(), size)
