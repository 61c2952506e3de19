"""Shared fixtures for the report tests: fixture evidence that follows docs/contracts.md exactly."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from govcloud.contracts.report import ItemResult, Report
from govcloud.report.build import build_report
from govcloud.report.catalogue import load_catalogue
from govcloud.report.evidence import load_evidence

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUE = FIXTURES / "catalogue.yaml"
EVIDENCE = FIXTURES / "evidence" / "lab"
NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


@pytest.fixture
def evidence_dir(tmp_path: Path) -> Path:
    """A private, writable copy of the fixture evidence of stack `lab`."""
    dst = tmp_path / "evidence" / "lab"
    shutil.copytree(EVIDENCE, dst)
    return dst


def build(evidence: Path, now: datetime = NOW) -> Report:
    return build_report(
        load_evidence(evidence, "lab"), load_catalogue(CATALOGUE), catalogue_path=CATALOGUE, now=now
    )


def item(report: Report, scope: str, clause: str) -> ItemResult:
    for sc in report.scopes:
        if sc.id == scope:
            for it in sc.items:
                if it.clause == clause:
                    return it
    raise AssertionError(f"no item {clause} in scope {scope}")


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
