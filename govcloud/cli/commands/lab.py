"""`govcloud lab up|down|status|refresh`: the embedded 两地三中心 lab (docs/lab.md)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govcloud.cli.options import JsonOpt
from govcloud.cli.options import LabStackOpt as StackOpt
from govcloud.contracts.base import ContractError, read
from govcloud.contracts.lab_status import LabStatus
from govcloud.contracts.plan import PlanDocument
from govcloud.lab import image, naming, sh, status
from govcloud.lab.locking import LabBusyError
from govcloud.lab.naming import LabNameError
from govcloud.lab.sh import CommandError
from govcloud.lab.spec import LabPlanError, build_spec
from govcloud.plan import PlanError, load_plan
from govcloud.toolchain.env import ToolMissingError

lab_app = typer.Typer(
    name="lab",
    help="实验环境 / the embedded 两地三中心 lab: three centres, links, boundary firewalls, SSH hosts.",
    no_args_is_help=True,
)

PlanOpt = Annotated[
    Path | None,
    typer.Option("--plan", help="plan JSON (govcloud.plan/v1); default: the plan of --plan-stack"),
]
PlanStackOpt = Annotated[str, typer.Option("--plan-stack", help="stack of the plan used without --plan")]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"错误 / error: {message}", err=True)
    return typer.Exit(code)


def _load_plan(plan: Path | None, plan_stack: str) -> tuple[PlanDocument, str]:
    """The plan file read through its contract, or the plan of `plan_stack` made now."""
    if plan is not None:
        try:
            return read(PlanDocument, plan), str(plan)
        except ContractError as exc:
            raise _fail(LabPlanError.of(exc).render(), 2) from None
    try:
        return load_plan(stack=plan_stack).document(), f"plan of stack {plan_stack}"
    except PlanError as exc:
        raise _fail(f"plan of stack {plan_stack}: {exc}", 2) from None


def _run(fn: Any, *args: Any) -> Any:
    """Map the lab's errors onto exit codes: 2 bad input, 1 failure; never a traceback."""
    from govcloud.labstack.automation import LabError  # noqa: PLC0415 - pulumi.automation is slow to import

    try:
        return fn(*args)
    except LabNameError as exc:
        raise _fail(str(exc), 2) from None
    except (LabError, LabBusyError, ToolMissingError, CommandError, PermissionError) as exc:
        raise _fail(str(exc), 1) from None


@lab_app.command("up")
def up_cmd(stack: StackOpt = "lab", plan: PlanOpt = None, plan_stack: PlanStackOpt = "lab",
           as_json: JsonOpt = False) -> None:
    """Build (or converge) the lab from the plan / 按规划搭建实验环境."""
    doc, source = _load_plan(plan, plan_stack)
    try:
        from govcloud.secsvc.layout import build_layout  # noqa: PLC0415

        build_layout(build_spec(doc, stack))
    except LabPlanError as exc:
        raise _fail(f"{source}: {exc.field}: {exc.reason}", 2) from None
    except LabNameError as exc:
        raise _fail(str(exc), 2) from None
    from govcloud.labstack import automation  # noqa: PLC0415 - pulumi.automation is slow to import

    def progress(line: str) -> None:
        print(line.rstrip("\n"), file=sys.stderr if as_json else sys.stdout, flush=True)

    result: LabStatus = _run(automation.up, stack, doc, progress)
    if as_json:
        typer.echo(json.dumps(result.dump(), ensure_ascii=False, indent=2))
    else:
        _print_status(result)
        typer.echo(f"\n查看 / inspect: govcloud lab status --stack {stack}\n"
                   f"拆除 / take down: govcloud lab down --stack {stack}")
    if not result.up:
        raise typer.Exit(1)


@lab_app.command("down")
def down_cmd(stack: StackOpt = "lab", as_json: JsonOpt = False) -> None:
    """Destroy the lab and remove anything left by its prefix / 拆除实验环境（可重复执行）."""
    from govcloud.labstack import automation  # noqa: PLC0415

    def progress(line: str) -> None:
        print(line.rstrip("\n"), file=sys.stderr if as_json else sys.stdout, flush=True)

    found = _run(automation.down, stack, progress)
    swept = {k: v for k, v in found.items() if v}
    if as_json:
        typer.echo(json.dumps({"stack": stack, "down": True, "swept": swept}, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"实验环境已拆除 / lab {stack!r} is down."
                   + (f" Swept leftovers: {swept}" if swept else ""))


@lab_app.command("refresh")
def refresh_cmd(stack: StackOpt = "lab") -> None:
    """`pulumi refresh` the lab stack: objects removed by hand drop out of the state / 同步实际状态."""
    from govcloud.labstack import automation  # noqa: PLC0415

    _run(automation.refresh, stack, print)


@lab_app.command("image")
def image_cmd() -> None:
    """Build (once) the cached debootstrap base image the hosts run on / 预先构建主机基础镜像."""
    from govcloud.labstack import automation  # noqa: PLC0415

    def build() -> str:
        automation.require_root()
        sh.require("debootstrap")
        if not image.is_ready(naming.cache_dir()):
            typer.echo("[setup] lab base image: debootstrap of Debian bookworm (about 1-2 minutes) ... "
                       "/ 正在构建主机基础镜像", err=True)
        return str(image.ensure_base(naming.cache_dir()))

    typer.echo(f"base image / 基础镜像: {_run(build)}")


@lab_app.command("status")
def status_cmd(stack: StackOpt = "lab", as_json: JsonOpt = False,
               measure: Annotated[bool, typer.Option(help="measure link RTTs")] = True) -> None:
    """Centres, links, hosts, addresses, reachability / 实验环境状态."""
    if os.geteuid() != 0:
        raise _fail("lab status probes namespaces: run it as root / 需要 root 权限", 1)
    result: LabStatus = _run(status.build, stack, measure)
    if as_json:
        typer.echo(json.dumps(result.dump(), ensure_ascii=False, indent=2))
    else:
        _print_status(result)
    if not result.up:
        raise typer.Exit(1)


def _print_status(s: LabStatus) -> None:
    console = Console()
    console.print(f"[bold]lab {s.stack}[/]: {'up 运行中' if s.up else 'down 未运行'}; "
                  f"latency mechanism 时延模拟: {s.latency_mechanism}")
    if not s.centres:
        return
    t = Table("centre 中心", "netns", "zones 区域 (bridge: gateways)", "firewall 边界")
    for c in s.centres:
        zones = "\n".join(f"{z.id} ({z.bridge}): {', '.join(z.gateways)}" for z in c.zones)
        fw = c.firewall
        t.add_row(c.id, c.netns or "", zones,
                  f"{fw.table} {'ok' if fw.present else 'MISSING'}" if fw else "MISSING")
    console.print(t)
    t = Table("link 链路", "a-b", "latency ms 时延", "loss %", "mechanism", "measured RTT ms")
    for lk in s.links:
        t.add_row(lk.id, f"{lk.a}-{lk.b}", str(lk.latency_ms), str(lk.loss_pct), lk.mechanism or "",
                  str(lk.measured_rtt_ms))
    console.print(t)
    t = Table("host 主机", "centre/zone", "role", "IPv4", "IPv6", "ssh v4/v6")
    for h in s.hosts:
        r = h.reachable
        t.add_row(h.name, f"{h.centre}/{h.zone}", h.role, h.ipv4, h.ipv6,
                  f"{'ok' if r and r.ipv4 else 'FAIL'}/{'ok' if r and r.ipv6 else 'FAIL'}")
    console.print(t)
    if s.relays:
        t = Table("relay 时延中继 (from centre)", "to host", "listen", "target", "delay ms", "matrix 矩阵")
        for rl in s.relays:
            t.add_row(rl.from_centre, rl.to_host, rl.listen, rl.target, str(rl.delay_ms),
                      "allowed" if rl.allowed_by_matrix else "DENIED 5432")
        console.print(t)
    console.print(f"inventory: {s.inventory}  ops netns: {s.ops_netns}")


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")
