"""`govcloud doctor`: is this machine ready? (环境检查)"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from govcloud.cli.options import JsonOpt
from govcloud.errors import ExitCode
from govcloud.toolchain.doctor import as_json, run_checks


def doctor(
    json_out: JsonOpt = False,
) -> None:
    """Check Python packages, OPA, Pulumi and its plugins, Ansible, checkov and lab tools.

    检查 Python 依赖、OPA、Pulumi 及其插件、Ansible、checkov 和实验环境工具；缺失时给出修复命令。
    """
    checks = run_checks()
    report = as_json(checks)
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        table = Table(title="govcloud doctor — 环境检查 / environment check")
        for col in ("", "component 组件", "version 版本", "detail 说明", "fix 修复"):
            table.add_column(col)
        for c in checks:
            if c.ok:
                mark = "[green]OK[/]"
            else:
                mark = "[red]MISSING[/]" if c.version is None else "[yellow]MISMATCH[/]"
            version = c.version or "-"
            pinned = (c.expected or "").lstrip("v")
            if pinned and pinned != (c.version or "").lstrip("v"):
                version = f"{version} (pinned {c.expected})"
            table.add_row(mark, c.name, version, c.detail, c.fix or "")
        console = Console()
        console.print(table)
        if report["ok"]:
            console.print("[green]All required components present. 所有必需组件就绪。[/]")
        else:
            console.print("[red]Some required components are missing: run the fix commands above.[/]")
            console.print("[red]缺少必需组件：请运行上表中的修复命令。[/]")
    if not report["ok"]:
        raise typer.Exit(ExitCode.FAILED)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
