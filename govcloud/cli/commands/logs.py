"""`govcloud logs`: 日志审计 tamper evidence — seal closed days, verify (完整性校验), prune by retention."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from govcloud.cli.options import LabStackOpt
from govcloud.cli.output import error_exit
from govcloud.errors import ExitCode
from govcloud.logaudit.chain import ChainError
from govcloud.logaudit.prune import MIN_KEEP_DAYS, PruneError, RetentionError, prune
from govcloud.logaudit.seal import SealError, seal, seal_all_closed
from govcloud.logaudit.store import parse_day
from govcloud.logaudit.verify import verify

HELP = """日志审计 central log audit: tamper evidence for the log store <root>/<host>/<YYYY-MM-DD>/*.log.

Each closed day is sealed with SHA-256 and SM3 of every file in a chained manifest
<root>/_seals/chain.jsonl (govcloud.logseal/v1); `verify` (完整性校验) re-computes everything
(等保 8.1.4.3 c, 8.1.3.5, 8.1.5.4 d). Exit codes: 0 ok, 1 tampering found, 2 usage or malformed input."""

STATUS_ZH = {"ok": "完好", "tampered": "被篡改", "pruned": "已按保留期清理", "unsealed": "未封存"}
KIND_ZH = {"modified": "文件被修改", "missing": "文件缺失", "extra": "未封存的多余文件"}

logs_app = typer.Typer(help=HELP, no_args_is_help=True)

RootOpt = Annotated[Path, typer.Option("--root", help="log store root (<root>/<host>/<day>/)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]
TodayOpt = Annotated[
    str | None, typer.Option("--today", help="the collector's date YYYY-MM-DD (default: local date)")
]


def _fail(message: str, code: int = ExitCode.INPUT) -> typer.Exit:
    return error_exit(message, ExitCode(code))


def _day(option: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError as exc:
        raise _fail(f"{option}: {exc}") from exc


def _store_root(root: Path) -> None:
    if not root.is_dir():
        raise _fail(f"--root {root}: not a directory")


def _summary(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": entry["seq"],
        "day": entry["day"],
        "files": len(entry["files"]),
        "bytes": sum(int(f["bytes"]) for f in entry["files"]),
        "digest": entry["digest"],
    }


@logs_app.command("seal")
def seal_cmd(
    *,
    root: RootOpt,
    day: Annotated[str | None, typer.Option("--day", help="the day to seal, YYYY-MM-DD")] = None,
    all_closed: Annotated[
        bool, typer.Option("--all-closed", help="seal every closed day not sealed yet")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="seal a day that is not closed yet")] = False,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """封存 Seal closed days: SHA-256 and SM3 of every file, appended to the chained manifest."""
    if (day is None) == (not all_closed):
        raise _fail("give exactly one of --day YYYY-MM-DD or --all-closed")
    the_day = _day("--day", day)
    now = _day("--today", today)
    _store_root(root)
    try:
        if the_day is not None:
            entries = [seal(root, the_day, today=now, force=force)]
        else:
            entries = seal_all_closed(root, today=now)
    except ChainError as exc:
        raise _fail(f"manifest malformed 清单格式错误: {exc}") from exc
    except SealError as exc:
        raise _fail(str(exc)) from exc
    summaries = [_summary(e) for e in entries]
    if as_json:
        typer.echo(json.dumps({"sealed": summaries}, ensure_ascii=False, indent=2))
        return
    out = Console(soft_wrap=True)
    if not summaries:
        out.print("no closed day left to seal 没有待封存的日期")
    for s in summaries:
        out.print(
            f"sealed 已封存 {s['day']}: {s['files']} files 文件, {s['bytes']} bytes, "
            f"entry {s['seq']} SHA-256 {s['digest']['sha256'][:16]}… SM3 {s['digest']['sm3'][:16]}…"
        )


@logs_app.command("verify")
def verify_cmd(
    *,
    root: RootOpt,
    expect_head: Annotated[
        str | None,
        typer.Option("--expect-head", help="SHA-256 the chain head must have (recorded elsewhere earlier)"),
    ] = None,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """完整性校验 Verify the chain and re-hash every sealed file (exit 1 on tampering)."""
    now = _day("--today", today)
    _store_root(root)
    try:
        report = verify(root, today=now, expect_head=expect_head)
    except ChainError as exc:
        raise _fail(f"manifest malformed 清单格式错误: {exc}") from exc
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        out = Console(soft_wrap=True)
        out.print(f"日志审计 完整性校验 log integrity check — {escape(str(root))}")
        for p in report.chain_problems:
            out.print(f"[red]broken chain 链断裂[/red] entry {p.seq} (line {p.line}): {escape(p.reason)}")
        for d in report.days:
            colour = {"ok": "green", "tampered": "red", "pruned": "cyan"}.get(d.status, "yellow")
            note = f" — {escape(d.note)}" if d.note else ""
            out.print(
                f"[{colour}]{d.day} {d.status} {STATUS_ZH[d.status]}[/{colour}] "
                f"({d.files} files, {d.bytes} bytes){note}"
            )
            for fp in d.problems:
                out.print(f"  [red]{fp.kind} {KIND_ZH[fp.kind]}[/red] {escape(fp.path)}: {escape(fp.detail)}")
        head = f"; head 链头 SHA-256 {report.head['sha256']}" if report.head else ""
        verdict = "OK 完好" if report.ok else "TAMPERING FOUND 发现篡改"
        out.print(f"{verdict}: {report.entries} chain entries{head} ({report.duration_s:.1f} s)")
    if not report.ok:
        raise typer.Exit(1)


@logs_app.command("prune")
def prune_cmd(
    *,
    root: RootOpt,
    keep_days: Annotated[
        int, typer.Option("--keep-days", help=f"retention in days (≥ {MIN_KEEP_DAYS} by policy)")
    ],
    allow_short: Annotated[
        bool, typer.Option("--allow-short", help=f"allow --keep-days below {MIN_KEEP_DAYS} (tests only)")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would be pruned")] = False,
    today: TodayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """保留期清理 Prune sealed days older than --keep-days, recording a tombstone in the chain."""
    now = _day("--today", today)
    _store_root(root)
    try:
        result = prune(root, keep_days, today=now, allow_short=allow_short, dry_run=dry_run)
    except ChainError as exc:
        raise _fail(f"manifest malformed 清单格式错误: {exc}") from exc
    except RetentionError as exc:
        raise _fail(str(exc)) from exc
    except PruneError as exc:
        raise _fail(str(exc), 1) from exc
    if as_json:
        doc = {
            "cutoff": result.cutoff,
            "pruned": result.pruned,
            "refused": result.refused,
            "dry_run": dry_run,
        }
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        out = Console(soft_wrap=True)
        verb = "would prune 将清理" if dry_run else "pruned 已清理"
        out.print(f"{verb} {len(result.pruned)} day(s) before {result.cutoff}: {', '.join(result.pruned)}")
        for day, why in result.refused.items():
            out.print(f"[red]refused 拒绝清理[/red] {day} (does not verify 校验失败): {escape(why)}")
    if result.refused:
        raise typer.Exit(1)


@logs_app.command("where")
def where_cmd(
    *,
    stack: LabStackOpt = "lab",
    as_json: JsonOpt = False,
) -> None:
    """日志存储位置 The store root of each log collector (日志审计) of a running lab, one per line."""
    from govcloud.secsvc.store import StoreMissingError, collector_roots  # noqa: PLC0415

    try:
        roots = collector_roots(stack)
    except StoreMissingError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps({h: str(p) for h, p in roots.items()}, ensure_ascii=False, indent=2))
    else:
        for path in roots.values():
            typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.add_typer(logs_app, name="logs", help=HELP)
