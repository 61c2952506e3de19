"""The log store: ``<root>/<host>/<YYYY-MM-DD>/<files>``; ``<root>/_seals/`` holds the chain."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEALS_DIR = "_seals"
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class StoreError(Exception):
    """A store that cannot be read as ``<root>/<host>/<day>/``: which path and why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def parse_day(text: str) -> dt.date:
    """``YYYY-MM-DD`` to a date; ValueError with the reason otherwise."""
    if not _DAY_RE.match(text):
        raise ValueError(f"{text!r} is not a day in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from exc


@dataclass(frozen=True)
class LogFile:
    host: str
    rel: str  # POSIX path relative to the root: host/day/name
    path: Path


def _hosts(root: Path) -> Iterator[Path]:
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "_")) or not entry.is_dir() or entry.is_symlink():
            continue
        yield entry


def days(root: Path) -> list[dt.date]:
    """Every day that has a directory under some host."""
    found: set[dt.date] = set()
    if not root.is_dir():
        raise StoreError(root, "log store root is not a directory")
    for host in _hosts(root):
        for sub in host.iterdir():
            if sub.is_dir() and _DAY_RE.match(sub.name):
                try:
                    found.add(dt.date.fromisoformat(sub.name))
                except ValueError:
                    continue
    return sorted(found)


def day_files(root: Path, day: dt.date) -> list[LogFile]:
    """Every regular file of ``day`` on every host (recursively, so nothing hides in a sub-directory).

    Symbolic links are refused: a sealed digest must describe the bytes stored here.
    """
    if not root.is_dir():
        raise StoreError(root, "log store root is not a directory")
    out: list[LogFile] = []
    name = day.isoformat()
    for host in _hosts(root):
        ddir = host / name
        if not ddir.is_dir():
            continue
        for p in sorted(ddir.rglob("*")):
            if p.is_symlink():
                raise StoreError(p, "symbolic link in the log store (only regular files can be sealed)")
            if p.is_file():
                out.append(LogFile(host.name, p.relative_to(root).as_posix(), p))
    return out


def day_dirs(root: Path, day: dt.date) -> list[Path]:
    name = day.isoformat()
    return [h / name for h in _hosts(root) if (h / name).is_dir()]
