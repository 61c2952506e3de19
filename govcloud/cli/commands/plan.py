"""`govcloud plan`: validate a stack config and print the topology and dual-stack address plan."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from govcloud.cli.options import StackOpt
from govcloud.errors import ExitCode
from govcloud.plan import Plan, PlanError, load_plan, lock_path, write_lock
from govcloud.plan.errors import printable
from govcloud.plan.export import address_rows, to_csv
from govcloud.plan.loader import stack_lock_path
from govcloud.state import evidence_dir, write_json

# The only exit codes of `govcloud plan` (docs/plan.md, "Exit codes"); any other, or a traceback, is a bug.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = ExitCode.OK, ExitCode.FAILED, ExitCode.INPUT
EXIT_CODES = (EXIT_OK, EXIT_FINDINGS, EXIT_USAGE)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def load_or_exit(stack: str | None, config: Path | None, as_json: bool, use_lock: bool = True) -> Plan:
    """Load the plan or exit: 1 if it is invalid, 2 if it cannot be read or the arguments are wrong."""
    try:
        return load_plan(stack=stack, config=config, use_lock=use_lock)
    except PlanError as exc:
        if as_json:
            sys.stdout.write(json.dumps(exc.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            err = Console(stderr=True, highlight=False, soft_wrap=True)
            err.print(
                "[bold red]规划无效 / plan rejected[/]"
                if not exc.unreadable
                else "[bold red]无法读取 / cannot read[/]"
            )
            for issue in exc.issues:
                err.print(Text(f"  - {issue.render()}"))  # Text: no markup, no emoji codes
        raise typer.Exit(EXIT_USAGE if exc.unreadable else EXIT_FINDINGS) from None


def write_evidence(plan: Plan, doc: dict[str, Any]) -> Path:
    """The latest plan of a stack for `govcloud report` (.govcloud/evidence/<stack>/plan.json)."""
    return write_json(evidence_dir(plan.stack) / "plan.json", doc, indent=1)


def _cell(value: object) -> Text:
    """A table cell from plan text: never rich markup or emoji codes, never a raw control character."""
    return Text(printable(str(value)))


def _row(table: Table, *values: object) -> None:
    table.add_row(*(_cell(v) for v in values))


def _print_table(doc: dict[str, Any]) -> None:
    out = Console(highlight=False, soft_wrap=False, width=max(Console().width, 140))
    lab = " · 实验环境 lab" if doc["lab"] else ""
    out.print(Text.assemble((printable(doc["name"]), "bold"), f" (stack {printable(doc['stack'])}{lab})"))
    centres = Table(title="中心 / Centres (两地三中心)")
    for col in ("id", "角色 role", "名称 name", "城市 city", "距离 km", "平台等级 level", "Kubernetes"):
        centres.add_column(col)
    for c in doc["centres"]:
        k = c["kubernetes"]
        target = f"render → {k['directory']}" if k["mode"] == "render" else f"context {k['context']}"
        _row(
            centres,
            c["id"],
            f"{c['role_zh']} {c['role']}",
            c["name"],
            c["city"],
            str(c["distance_km"]),
            str(c["platform_level"]),
            target,
        )
    out.print(centres)
    systems = Table(title="信息系统 / Systems")
    for col in (
        "id",
        "部门 dept",
        "名称 name",
        "等级 level",
        "区域 zone",
        "部署 placement",
        "RTO/RPO s",
        "GB/T 20988",
    ):
        systems.add_column(col)
    for s in doc["systems"]:
        p = s["placement"]
        standby = ",".join(f"{sb['centre']}({sb['replication']})" for sb in p["standby"])
        _row(
            systems,
            s["id"],
            s["department"],
            s["name"],
            str(s["level"]),
            s["zone"],
            f"{p['mode']}: {','.join(p['active'])}" + (f" + {standby}" if standby else ""),
            f"{s['dr']['rto_s']}/{s['dr']['rpo_s']}",
            str(s["dr"]["gbt20988_level"]),
        )
    out.print(systems)
    flows = Table(title="区域间访问矩阵（默认拒绝）/ Zone flow matrix (default deny)")
    for col in ("id", "源 from", "目的 to", "协议 proto", "端口 ports", "边界 boundary", "加密 enc"):
        flows.add_column(col)
    for f in doc["flows"]:
        _row(
            flows,
            f["id"],
            f["from"],
            f["to"],
            f["protocol"],
            ",".join(str(p) for p in f["ports"]) or "-",
            f["boundary"],
            "yes" if f["encrypted"] else "no",
        )
    out.print(flows)
    addr = Table(title="地址规划 / Dual-stack address plan")
    for col in (
        "中心 centre",
        "区域 zone",
        "租户 owner",
        "IPv4",
        "IPv4 网关 gw",
        "IPv6",
        "IPv6 网关 gw",
        "利用率 util",
    ):
        addr.add_column(col)
    for r in address_rows(doc):
        _row(
            addr,
            r["centre"],
            r["zone"],
            r["owner"],
            r["ipv4"],
            r["ipv4_gateway"],
            r["ipv6"],
            r["ipv6_gateway"],
            f"{r['utilisation']:.0%}",
        )
    out.print(addr)
    links = Table(title="中心间链路 / Inter-centre links")
    for col in ("id", "类型 kind", "时延 ms", "带宽 Mbit/s", "IPv4", "IPv6"):
        links.add_column(col)
    for lk in doc["links"]:
        _row(links, lk["id"], lk["kind"], lk["latency_ms"], lk["bandwidth_mbit"], lk["ipv4"], lk["ipv6"])
    out.print(links)
    if doc["address_plan"]["relocated"]:
        relocated = printable(", ".join(doc["address_plan"]["relocated"]))
        out.print(Text(f"relocated (lock entries that no longer fit / 已重新分配): {relocated}", "yellow"))


def plan_command(
    *,
    stack: StackOpt = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="A plain YAML file with the same schema")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table | json | csv")] = Format.table,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the plan JSON to this file")
    ] = None,
    update_lock: Annotated[
        bool, typer.Option("--write-lock", help="Record the allocations in the plan lock")
    ] = False,
    no_lock: Annotated[
        bool, typer.Option("--no-lock", help="Ignore the plan lock (plan from scratch)")
    ] = False,
) -> None:
    """规划校验与地址规划 — validate the plan and print topology and the dual-stack address plan.

    Exit codes, and no others (every problem is listed with file, field path and reason):

    0 valid.

    1 plan rejected: the file was read, and its content breaks a rule.

    2 unreadable input, or wrong arguments.

    Unreadable: missing, not UTF-8, empty, YAML syntax error, duplicate or non-text key, `<<`, depth > 64.
    """
    if as_json:
        fmt = Format.json
    if (stack is None) == (config is None):
        msg = "give exactly one of --stack S or --config FILE / 请指定 --stack 或 --config 之一"
        if fmt is Format.json:
            sys.stdout.write(
                json.dumps({"schema": "govcloud.error/v1", "error": "usage", "message": msg}) + "\n"
            )
        else:
            typer.echo(msg, err=True)
        raise typer.Exit(EXIT_USAGE)
    plan = load_or_exit(stack, config, fmt is Format.json, use_lock=not no_lock)
    doc = plan.to_json()
    write_evidence(plan, doc)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False)
        out.write_text(text + "\n", encoding="utf-8")
    if update_lock:
        write_lock(plan, stack_lock_path(stack) if stack else lock_path(None, config))
    if fmt is Format.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(to_csv(doc))
    else:
        _print_table(doc)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_command)
