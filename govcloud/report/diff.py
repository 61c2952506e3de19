"""Comparison with a previous report: new failures, fixed, still failing, other changes, and the trend."""

from __future__ import annotations

from pathlib import Path

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.report import Diff, DiffEntry, Report, TrendPoint
from govcloud.report.digests import digest_file
from govcloud.report.errors import ReportInputError
from govcloud.report.labels import Status

FAILING = frozenset({Status.NON_COMPLIANT, Status.PARTIAL})
RESOLVED = frozenset({Status.COMPLIANT, Status.NOT_APPLICABLE})
TREND_POINTS = 12


def resolve_previous(since: Path) -> Path:
    """``--since`` takes a report.json or the directory holding one."""
    path = since / "report.json" if since.is_dir() else since
    if not path.is_file():
        raise ReportInputError(
            since, None, "previous report not found (expected report.json or its directory)"
        )
    return path


def load_previous(path: Path) -> Report:
    """The previous report, read with the contract's model; anything else is an input error naming
    the file and the field."""
    try:
        return read(Report, path, source=str(path))
    except ContractError as exc:
        raise ReportInputError(path, exc.path or None, f"previous report: {exc.reason}") from None


def apply_diff(report: Report, previous_path: Path, previous: Report) -> None:
    before = {(sc.id, it.clause): it.status for sc in previous.scopes for it in sc.items}
    after = {(sc.id, it.clause): it.status for sc in report.scopes for it in sc.items}
    new_failures: list[DiffEntry] = []
    fixed: list[DiffEntry] = []
    still: list[DiffEntry] = []
    changed: list[DiffEntry] = []
    unchanged = 0
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        entry = DiffEntry(scope=key[0], clause=key[1], before=b, after=a)
        if a in FAILING and b not in FAILING:
            new_failures.append(entry)
        elif b in FAILING and a in RESOLVED:
            fixed.append(entry)
        elif a in FAILING and b in FAILING:
            still.append(entry)
        elif a != b:
            changed.append(entry)  # e.g. 符合 → 待人工核查 when evidence disappeared
        else:
            unchanged += 1
    report.diff = Diff(
        previous=str(previous_path),
        previous_generated_at=previous.generated_at,
        previous_sha256=digest_file(previous_path).sha256,
        new_failures=new_failures,
        fixed=fixed,
        still_failing=still,
        changed=changed,
        unchanged=unchanged,
    )
    trend = list(previous.trend)
    if not any(t.generated_at == previous.generated_at for t in trend):
        trend.append(TrendPoint(generated_at=previous.generated_at, counts=dict(previous.summary.overall)))
    report.trend = trend[-(TREND_POINTS - 1) :]


def finish_trend(report: Report) -> None:
    """Append the current report as the last trend point."""
    report.trend.append(TrendPoint(generated_at=report.generated_at, counts=dict(report.summary.overall)))
