"""A small log store: two hosts, three closed days, sealed by the tests that need it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

TODAY = dt.date(2026, 11, 29)
DAYS = [dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 28)]
HOSTS = ["bastion-1", "web-1"]


def write_day(root: Path, day: dt.date, hosts: list[str] = HOSTS) -> list[Path]:
    out = []
    for host in hosts:
        d = root / host / day.isoformat()
        d.mkdir(parents=True, exist_ok=True)
        for name in ("messages.log", "auth.log"):
            p = d / name
            text = "".join(f"{day}T00:00:{i:02d}+08:00 {host} sshd[1]: line {i} 登录\n" for i in range(50))
            p.write_bytes(text.encode())
            out.append(p)
    return out


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "logs"
    for day in DAYS:
        write_day(root, day)
    return root
