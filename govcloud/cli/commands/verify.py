"""`govcloud verify`: check hosts clause by clause (testinfra, tests/infra) and write host evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from govcloud.cli.options import InventoryOpt, JsonOpt, LevelOpt, StackOpt
from govcloud.cli.output import fail
from govcloud.errors import ExitCode
from govcloud.runner.inventory import InventoryError, resolve_inventory
from govcloud.runner.verify import clause_summary, run_verify, write_evidence

HELP = """Verify hosts against 等保 8.1.4 安全计算环境 clause by clause (核查): 身份鉴别, 访问控制,
安全审计, 入侵防范, 恶意代码防范, 剩余信息保护.

Runs the testinfra checks in tests/infra over SSH and writes govcloud.host-evidence/v1 to
.govcloud/evidence/<stack>/hosts.json (per host, per clause: pass / fail / error /
not_applicable with the observed value). Exit codes: 0 all pass, 1 any fail or error, 2 usage error."""

STATUS_ZH = {"pass": "符合", "fail": "不符合", "error": "错误", "not_applicable": "不适用"}


def verify(
    *,
    stack: StackOpt = None,
    inventory: InventoryOpt = None,
    level: LevelOpt = 3,
    limit: Annotated[str | None, typer.Option("--limit", help="Ansible host pattern")] = None,
    as_json: JsonOpt = False,
    out: Annotated[Path | None, typer.Option("--out", help="also write the evidence JSON here")] = None,
) -> None:
    err = Console(stderr=True)
    try:
        stack_name, inv = resolve_inventory(stack, inventory)
        result = run_verify(inv, stack=stack_name, level=level, limit=limit)
    except InventoryError as exc:
        fail(str(exc))
    except (FileNotFoundError, RuntimeError) as exc:
        fail(str(exc), ExitCode.FAILED)
    path = write_evidence(result.document, stack_name, out)
    if as_json:
        typer.echo(json.dumps(result.document.dump(), ensure_ascii=False, indent=2))
    else:
        table = Table(title=f"等保 level {level} 安全计算环境 — {stack_name}")
        table.add_column("clause 条款")
        for status in ("pass", "fail", "error", "not_applicable"):
            table.add_column(f"{status} {STATUS_ZH[status]}")
        for clause, counts in clause_summary(result.document).items():
            table.add_row(
                clause, *(str(counts.get(s, 0)) for s in ("pass", "fail", "error", "not_applicable"))
            )
        Console().print(table)
        for host in result.document.hosts:
            for res in host.results:
                if res.status in {"fail", "error"}:
                    err.print(
                        f"[red]{res.status}[/red] {host.host} {res.clause} {res.check}: "
                        f"observed {res.observed} / expected {res.expected}"
                    )
        c = result.counts
        err.print(
            f"{c['pass']} pass, {c['fail']} fail, {c['error']} error, {c['not_applicable']} not applicable "
            f"({result.duration_s:.1f} s); evidence 证据: {path}"
        )
    if not result.ok:
        raise typer.Exit(ExitCode.FAILED)


def register(app: typer.Typer) -> None:
    app.command("verify", help=HELP)(verify)
