"""`govcloud catalogue`: coverage of the GB/T 22239 level-3 clause catalogue per control family."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from govcloud.policy import catalogue as cat
from govcloud.policy.errors import GateError
from govcloud.toolchain.env import ToolMissingError


def register(app: typer.Typer) -> None:
    @app.command("catalogue", help="等保条款目录覆盖率 / clause catalogue coverage per control family.")
    def catalogue_command(
        as_json: Annotated[bool, typer.Option("--json", help="print JSON / 输出 JSON")] = False,
    ) -> None:
        try:
            doc = cat.load_catalogue()
        except GateError as exc:
            typer.echo(f"error 错误: {exc}", err=True)
            raise typer.Exit(2) from exc
        try:
            rules = cat.rego_rules()
        except (GateError, ToolMissingError) as exc:
            typer.echo(f"error 错误: {exc}", err=True)
            raise typer.Exit(2) from exc
        problems = cat.validate(doc, rules)
        rows = cat.coverage(doc)
        total = sum(r["items"] for r in rows)
        automated = sum(r["automated"] for r in rows)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "schema": "govcloud.catalogue-coverage/v1",
                        "families": rows,
                        "total": {
                            "items": total,
                            "automated": automated,
                            "manual_only": total - automated,
                            "rego_rules": len(rules),
                        },
                        "problems": problems,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            typer.echo(
                f"{'family 控制类':<44}{'items':>6}{'auto':>6}{'rego':>6}{'ckv':>6}{'host':>6}"
                f"{'drill':>6}{'manual':>8}{'auto%':>7}"
            )
            for r in rows:
                label = f"{r['clause']} {r['zh']} / {r['en']}"
                typer.echo(
                    f"{label:<44}{r['items']:>6}{r['automated']:>6}{r['rego']:>6}{r['checkov']:>6}"
                    f"{r['host']:>6}{r['drill']:>6}{r['manual_only']:>8}{r['percent_automated']:>7}"
                )
            typer.echo(
                f"合计 Total: {total} items 条, {automated} automated 自动化, "
                f"{total - automated} manual only 仅人工, {len(rules)} Rego rules 规则"
            )
            for p in problems:
                typer.echo(f"problem 问题: {p}", err=True)
        if problems:
            raise typer.Exit(2)
