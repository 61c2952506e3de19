"""Reading the lab collectors' log stores (<store>/<host>/<YYYY-MM-DD>/syslog.log).

Each stored line: `<stored> <reported> <host> <tag><message>` (govcloud.secsvc.rsyslog_conf), both
times RFC 3339 with microseconds: `stored - reported` is the end-to-end delay of that record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.plan import PlanDocument
from govcloud.lab import naming
from govcloud.lab.record import load_record
from govcloud.secsvc import rsyslog_conf


class StoreMissingError(LookupError):
    """No running lab collector for the stack: which and why."""


@dataclass(frozen=True)
class Event:
    stored: dt.datetime
    reported: dt.datetime
    host: str
    tag: str
    message: str
    collector: str

    @property
    def delay_s(self) -> float:
        return (self.stored - self.reported).total_seconds()


def lab_plan(stack: str) -> PlanDocument:
    """The plan the running lab of `stack` was built from (written by `lab up`)."""
    path = naming.run_dir(stack) / "plan.json"
    if not path.is_file():
        raise StoreMissingError(f"no lab is up for stack {stack!r}: {path} is missing "
                                f"(run `govcloud lab up --stack {stack}`)")
    try:
        return read(PlanDocument, path)
    except ContractError as exc:
        raise StoreMissingError(f"the plan of the lab of stack {stack!r} is unreadable: {exc}") from exc


def collector_roots(stack: str) -> dict[str, Path]:
    """Collector host -> its store directory, for a running lab stack."""
    record = load_record(stack)
    if record is None:
        raise StoreMissingError(f"no lab is up for stack {stack!r} (run `govcloud lab up --stack {stack}`)")
    services: dict[str, Any] = record.get("resources", {}).get("services", {})
    found = {name: naming.host_dir(stack, name) / "root" / rsyslog_conf.STORE.lstrip("/")
             for name, p in services.items() if "log-audit" in p.get("services", [])}
    if not found:
        raise StoreMissingError(f"the lab of stack {stack!r} has no log-audit (日志审计) service in its plan")
    return found


def parse_line(line: str, collector: str) -> Event | None:
    parts = line.rstrip("\n").split(" ", 3)
    if len(parts) < 4:
        return None
    try:
        stored, reported = dt.datetime.fromisoformat(parts[0]), dt.datetime.fromisoformat(parts[1])
    except ValueError:
        return None
    rest = parts[3]
    tag, _, message = rest.partition(" ")
    return Event(stored, reported, parts[2], tag, message, collector)


def events(stack: str, since: dt.datetime | None = None) -> Iterator[Event]:
    """Every stored record of the stack's collectors (optionally only those stored at or after `since`)."""
    for collector, root in sorted(collector_roots(stack).items()):
        if not root.is_dir():
            continue
        for path in sorted(root.glob("*/*/syslog.log")):
            if since is not None:
                try:
                    day = dt.date.fromisoformat(path.parent.name)
                except ValueError:
                    continue
                if day < since.astimezone(dt.UTC).date() - dt.timedelta(days=1):
                    continue
            with path.open(encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    ev = parse_line(line, collector)
                    if ev is not None and (since is None or ev.stored >= since):
                        yield ev
