"""Comparison with a previous report: new failures, fixed, still failing, other changes, and the trend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govcloud.report import SCHEMA
from govcloud.report.digests import digest_file
from govcloud.report.errors import ReportInputError
from govcloud.report.labels import Status
from govcloud.report.model import Diff, DiffEntry, Report, TrendPoint

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


def load_previous(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportInputError(path, None, f"previous report is not readable JSON: {exc}") from None
    except RecursionError:
        reason = "previous report is not readable JSON: nested too deeply"
        raise ReportInputError(path, None, reason) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else None
        raise ReportInputError(path, "schema", f"expected {SCHEMA!r}, found {found!r}")
    scopes = data.get("scopes")
    if not isinstance(scopes, list):
        raise ReportInputError(path, "scopes", "missing or not a list")
    valid = {s.value for s in Status}
    for i, sc in enumerate(scopes):
        if (
            not isinstance(sc, dict)
            or not isinstance(sc.get("id"), str)
            or not isinstance(sc.get("items"), list)
        ):
            raise ReportInputError(path, f"scopes[{i}]", "needs an id and a list of items")
        for j, it in enumerate(sc["items"]):
            if (
                not isinstance(it, dict)
                or it.get("status") not in valid
                or not isinstance(it.get("clause"), str)
            ):
                raise ReportInputError(path, f"scopes[{i}].items[{j}]", "needs a clause and a known status")
    if not isinstance(data.get("generated_at"), str):
        raise ReportInputError(path, "generated_at", "missing or not a string")
    return data


def _statuses(scopes: list[dict[str, Any]]) -> dict[tuple[str, str], Status]:
    return {(sc["id"], it["clause"]): Status(it["status"]) for sc in scopes for it in sc["items"]}


def apply_diff(report: Report, previous_path: Path, previous: dict[str, Any]) -> None:
    before = _statuses(previous["scopes"])
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
        previous_generated_at=previous["generated_at"],
        previous_sha256=digest_file(previous_path).sha256,
        new_failures=new_failures,
        fixed=fixed,
        still_failing=still,
        changed=changed,
        unchanged=unchanged,
    )
    trend: list[TrendPoint] = []
    for p in previous.get("trend") or []:
        if (
            isinstance(p, dict)
            and isinstance(p.get("generated_at"), str)
            and isinstance(p.get("counts"), dict)
        ):
            trend.append(
                TrendPoint(
                    generated_at=p["generated_at"], counts={str(k): int(v) for k, v in p["counts"].items()}
                )
            )
    overall = previous.get("summary", {}).get("overall")
    if isinstance(overall, dict) and not any(t.generated_at == previous["generated_at"] for t in trend):
        trend.append(
            TrendPoint(
                generated_at=previous["generated_at"], counts={str(k): int(v) for k, v in overall.items()}
            )
        )
    report.trend = trend[-(TREND_POINTS - 1) :]


def finish_trend(report: Report) -> None:
    """Append the current report as the last trend point."""
    report.trend.append(TrendPoint(generated_at=report.generated_at, counts=dict(report.summary.overall)))
