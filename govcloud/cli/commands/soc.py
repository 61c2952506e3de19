"""`govcloud soc`: 态势感知 situational-awareness summary from the lab's log collectors."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govcloud.cli.options import JsonOpt, LabStackOpt
from govcloud.cli.output import fail
from govcloud.secsvc import soc as socmod
from govcloud.secsvc.store import StoreMissingError, events, lab_plan

HELP = """态势感知 Situational awareness (等保 8.1.5.4 集中管控 d, f: 审计数据集中分析,
安全事件识别、报警和分析): denied flows, authentication failures, IDS alerts and WAF blocks per
centre and zone, and the top sources, read from the log collectors (日志审计) of a running lab.
Exit codes: 0 ok, 2 usage error or no running lab."""

DURATION = re.compile(r"^(\d+)([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """`30m`, `2h`, `7d` (ago) or an ISO 8601 time; None means everything."""
    if text is None or text == "all":
        return None
    now = now or dt.datetime.now(dt.UTC)
    m = DURATION.match(text.strip())
    if m:
        return now - dt.timedelta(**{UNITS[m.group(2)]: int(m.group(1))})
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is neither a duration like 30m/2h/7d nor an ISO 8601 time") from exc
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _print(summary: dict[str, Any]) -> None:
    out = Console(soft_wrap=True)
    zh = summary["labels_zh"]
    out.print(f"态势感知 Situational awareness — stack {escape(summary['stack'])}, "
              f"since 起始 {summary['since'] or 'all 全部'}; {summary['records']} records 条记录 from "
              f"{len(summary['reporting_hosts'])} hosts 台主机")
    totals = Table(title="总计 Totals")
    for key in socmod.CATEGORIES:
        totals.add_column(f"{zh[key]}\n{key.replace('_', ' ')}", justify="right")
    totals.add_row(*(str(summary["totals"][k]) for k in socmod.CATEGORIES))
    out.print(totals)
    places = Table(title="按中心与区域 By centre and zone")
    places.add_column("中心 centre")
    places.add_column("区域 zone")
    for key in socmod.CATEGORIES:
        places.add_column(zh[key], justify="right")
    for row in summary["by_place"]:
        places.add_row(row["centre"], row["zone"], *(str(row[k]) for k in socmod.CATEGORIES))
    out.print(places)
    tops = Table(title="主要来源 Top sources")
    tops.add_column("来源 source")
    tops.add_column("事件 events", justify="right")
    for row in summary["top_sources"]:
        tops.add_row(escape(row["source"]), str(row["events"]))
    out.print(tops)
    for f in summary["recent"]:
        where = f"{escape(f['centre'])}/{escape(f['zone'])}"
        out.print(f"  {f['at']} [{zh[f['category']]} {f['category']}] {where} "
                  f"{escape(f['source'])}: {escape(f['detail'])}")


def soc(
    *,
    stack: LabStackOpt = "lab",
    since: Annotated[str, typer.Option("--since", help="30m, 2h, 7d, an ISO time, or all")] = "24h",
    top: Annotated[int, typer.Option("--top", help="how many top sources and recent findings")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """态势感知 Summary of denied flows, auth failures, IDS and WAF alerts per centre and zone."""
    try:
        start = parse_since(since)
        plan = lab_plan(stack)
        summary = socmod.summarise(events(stack, start), socmod.Where.from_plan(plan), stack=stack,
                                   since=start, top=top)
    except (ValueError, StoreMissingError) as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print(summary)


def register(app: typer.Typer) -> None:
    app.command("soc", help=HELP)(soc)
