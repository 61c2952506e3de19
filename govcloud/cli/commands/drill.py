"""`govcloud drill`: 灾难恢复演练 (DR-failover drills) with RTO and RPO measured exactly.

Exit codes: 0 drill passed, 1 drill failed or aborted, 2 usage error or refusal (拒绝执行).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govcloud.cli.options import JsonOpt
from govcloud.cli.options import LabStackOpt as StackOpt
from govcloud.contracts.drill import DrillRecord
from govcloud.drill import scenarios, services, source
from govcloud.drill.ha.service import PatroniService
from govcloud.drill.ha.settings import HaSettingsError, plan_ha, resolve
from govcloud.drill.pgservice import ServiceError
from govcloud.drill.run import run_drill
from govcloud.drill.safety import DrillRefusedError
from govcloud.drill.topology import TopologyError

drill_app = typer.Typer(
    name="drill",
    help="灾难恢复演练 / DR-failover drills across the three centres (RTO/RPO measured exactly).",
    no_args_is_help=True,
)
service_app = typer.Typer(help="演练数据库服务 / the replicated PostgreSQL service the drills fail over.")
drill_app.add_typer(service_app, name="service")

err = Console(stderr=True)
out = Console()

HaOpt = Annotated[
    str | None,
    typer.Option(
        "--ha",
        envvar="GOVCLOUD_DRILL_HA",
        help="HA mode / 高可用方式: manual | patroni (Patroni defaults) | patroni-lab (lab timings); "
        "default: the plan's systems[].ha",
    ),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]拒绝执行 / refused:[/red] {message}")
    return typer.Exit(code)


def _plan(stack: str) -> dict[str, Any] | None:
    """The stack's plan as a dict (contracts §1), or None for a stack without a config (test
    stacks). A stack that has a config but an invalid plan is an error, not a silent fallback."""
    from govcloud.plan import load_plan  # noqa: PLC0415 - the loader imports pydantic models lazily
    from govcloud.toolchain.versions import REPO_ROOT  # noqa: PLC0415

    if not (REPO_ROOT / f"Pulumi.{stack}.yaml").is_file():
        return None
    return load_plan(stack=stack).to_json()


def _params(items: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _fail(f"--param expects KEY=VALUE, got {item!r}")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


@drill_app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """演练场景列表 / List the drill scenarios."""
    if as_json:
        rows = [
            {
                "id": s.id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "unplanned": s.unplanned,
                "disruption": s.disruption,
                "playbook": s.playbook,
                "description": s.description,
            }
            for s in scenarios.SCENARIOS
        ]
        sys.stdout.write(json.dumps({"scenarios": rows}, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title="演练场景 / Drill scenarios")
    for col in ("id", "名称 / name", "故障注入 / fault injection", "playbook"):
        table.add_column(col, no_wrap=col in ("id", "playbook"))
    for s in scenarios.SCENARIOS:
        table.add_row(s.id, f"{s.name_zh}\n{s.name_en}", "lab only" if s.unplanned else "no", s.playbook)
    out.print(table)


def _summary(rec: DrillRecord) -> None:
    a = rec.achieved
    verdict = {
        "passed": "[green]通过 PASSED[/green]",
        "checked": "[green]预检通过 CHECKED[/green]",
        "aborted": "[yellow]中止 ABORTED[/yellow]",
    }.get(rec.status, "[red]未通过 FAILED[/red]")
    out.print(f"演练 / drill {rec.drill_id} ({rec.scenario.name_zh}): {verdict}")
    table = Table(show_header=True)
    table.add_column("指标 / measure")
    table.add_column("结果 / achieved")
    table.add_row("恢复时间 RTO (fault → first write on new primary)", f"{a.rto_write_s} s")
    table.add_row("恢复点 RPO (acknowledged writes lost)", str(a.rpo_writes_lost))
    table.add_row("恢复点 RPO (time window)", f"{a.rpo_s} s")
    table.add_row("未确认写入 / in-doubt writes", f"{a.writes_in_doubt} (survived {a.in_doubt_survived})")
    table.add_row("已确认写入 / acknowledged writes", str(a.writes_acknowledged))
    table.add_row("数据一致性 / consistency", str(rec.consistency.consistent if rec.consistency else None))
    for row in rec.targets.systems:
        table.add_row(
            f"目标 / target {row.system} (RTO {row.rto_s} s, RPO {row.rpo_s} s)",
            f"RTO {'met' if row.rto_met else 'MISSED'}, RPO {'met' if row.rpo_met else 'MISSED'}",
        )
    if (g := rec.gbt20988) is not None:
        table.add_row(f"{g.standard} 等级证据 / level evidence", str(g.level_supported_as_evidence))
    out.print(table)
    for reason in rec.reasons:
        out.print(f"  - {reason}")
    out.print(f"记录 / record: {rec.record_path}")


@drill_app.command("run")
def run_cmd(  # noqa: PLR0917 - one parameter per CLI option, as typer requires
    scenario: Annotated[
        str,
        typer.Argument(
            help="planned-switchover | samecity-failover | regional-failover | failback | dcs-partition "
            "| restore-test"
        ),
    ],
    stack: StackOpt = "lab",
    ticket: Annotated[
        str | None, typer.Option("--ticket", help="change ticket id (变更单号), required")
    ] = None,
    as_json: JsonOpt = False,
    edition: Annotated[str, typer.Option("--edition", help="GB/T 20988 edition: 2007 or 2025")] = "2025",
    confirm_non_lab: Annotated[
        bool, typer.Option("--confirm-non-lab", help="explicit confirmation to drill outside the lab")
    ] = False,
    check: Annotated[bool, typer.Option("--check", help="pre-checks only (Ansible check mode)")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="also write the record here")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="drill parameter KEY=VALUE")] = None,
    ha: HaOpt = None,
) -> None:
    """运行演练 / Run one drill and write its record (govcloud.drill/v1)."""
    params = _params(param or [])
    try:
        with err.status("演练准备 / preparing") as status:
            rec = run_drill(
                stack,
                scenario,
                ticket=ticket,
                edition=edition,
                confirm_non_lab=confirm_non_lab,
                check=check,
                out=out_file,
                params=params,
                plan=_plan(stack),
                ha=ha,
                progress=lambda msg: status.update(f"演练进行中 / running: {msg}"),
            )
    except (DrillRefusedError, TopologyError, ServiceError) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        doc = rec.dump() | {"record_path": rec.record_path}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    else:
        _summary(rec)
    raise typer.Exit(0 if rec.status in ("passed", "checked") else 1)


@service_app.command("up")
def service_up(stack: StackOpt = "lab", as_json: JsonOpt = False, ha: HaOpt = None) -> None:
    """部署数据库服务 / Build the replicated PostgreSQL service on the stack's lab (manual or Patroni)."""
    try:
        topo, the_plan = source.topology(stack, None, _plan(stack))
        settings = resolve(ha, plan_ha(the_plan))
        with err.status("部署数据库服务 / provisioning") as status:
            state = services.provision(
                topo, settings, progress=lambda msg: status.update(f"部署数据库服务 / provisioning: {msg}")
            )
    except (TopologyError, ServiceError, HaSettingsError) as exc:
        raise _fail(str(exc)) from None
    _print_state(state, as_json)


@service_app.command("down")
def service_down(stack: StackOpt = "lab") -> None:
    """删除数据库服务 / Stop and remove the service (postgres, DNS, nft tables, data)."""
    try:
        topo, _the_plan = source.topology(stack, None, _plan(stack))
    except TopologyError as exc:
        raise _fail(str(exc)) from None
    services.open_service(topo).down()
    err.print("数据库服务已删除 / service removed")


@service_app.command("status")
def service_status(stack: StackOpt = "lab", as_json: JsonOpt = False) -> None:
    """服务状态 / Roles, replication and endpoint of the service."""
    try:
        topo, _the_plan = source.topology(stack, None, _plan(stack))
        svc = services.open_service(topo)
        state = svc.state()
        state["replication"] = svc.replication(state["primary"])
        state["writable"] = svc.writable()
        state["endpoint_current"] = svc.endpoint_current()
        if isinstance(svc, PatroniService):
            state["patroni_roles"] = svc.roles()
            state["etcd"] = svc.etcd.quorum_report()
    except (TopologyError, ServiceError) as exc:
        raise _fail(str(exc)) from None
    _print_state(state, as_json)


def _print_state(state: dict[str, Any], as_json: bool) -> None:
    text = json.dumps(state, ensure_ascii=False, indent=1, default=str)
    if as_json:
        sys.stdout.write(text + "\n")
    else:
        out.print_json(text)


def register(app: typer.Typer) -> None:
    app.add_typer(drill_app, name="drill")
