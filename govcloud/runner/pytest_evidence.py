"""pytest plugin used by `govcloud verify`: collects the per-host results the tests/infra checks
record (user property "djcp") and writes them as JSON lines to --govcloud-evidence-out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--govcloud-evidence-out", default=None, help="write per-host check results here (JSON lines)"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Collector:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.records: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # user properties are repeated on the teardown report: take them from the call phase only
        recorded = [v for k, v in report.user_properties if k == "djcp"] if report.when == "call" else []
        for batch in recorded:
            if isinstance(batch, list):
                self.records.extend(r for r in batch if isinstance(r, dict))
        if report.when in {"setup", "call"} and report.failed and not recorded:
            name = report.nodeid.split("::")[-1]
            self.records.append(
                {
                    "host": "*",
                    "clause": "",
                    "check": name,
                    "status": "error",
                    "observed": str(report.longrepr)[-600:],
                    "expected": "",
                    "at": _now(),
                }
            )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        with self.out.open("w", encoding="utf-8") as fh:
            for rec in self.records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    out = config.getoption("--govcloud-evidence-out")
    if out:
        config.pluginmanager.register(_Collector(Path(out)), "govcloud-evidence-collector")
