"""`govcloud catalogue`: coverage of the GB/T 22239 level-3 clause catalogue per control family, and
its consistency check (every reference resolves; docs/policy.md, "Catalogue consistency").

Exit 0: consistent; 2: a problem (each printed, naming the entry and the reference), or the
catalogue, OPA or checkov could not be read. Only references that resolve count as automated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from govcloud.policy import catalogue as cat
from govcloud.policy import paths, references
from govcloud.policy.errors import GateError
from govcloud.policy.rego_inspect import RegoRule
from govcloud.toolchain.env import ToolMissingError


def register(app: typer.Typer) -> None:
    @app.command(
        "catalogue", help="等保条款目录覆盖率与一致性 / clause catalogue coverage and consistency check."
    )
    def catalogue_command(
        as_json: Annotated[bool, typer.Option("--json", help="print JSON / 输出 JSON")] = False,
        catalogue: Annotated[
            Path,
            typer.Option("--catalogue", envvar="GOVCLOUD_CATALOGUE", help="the clause catalogue / 条款目录"),
        ] = paths.CATALOGUE,
        waivers: Annotated[
            Path,
            typer.Option("--waivers", envvar="GOVCLOUD_WAIVERS", help="the waiver file to check / 豁免文件"),
        ] = paths.WAIVERS,
    ) -> None:
        try:
            doc = cat.load_catalogue(catalogue)
            refs = references.collect(waivers_file=waivers)
        except (GateError, ToolMissingError) as exc:
            typer.echo(f"error 错误: {exc}", err=True)
            raise typer.Exit(2) from exc
        rules: dict[str, RegoRule] = {}
        for rule in refs.rules:
            rules.setdefault(rule.id, rule)
        result = cat.check(doc, rules, refs)
        rows = cat.coverage(doc, result.dangling)
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
                        "problems": result.problems,
                        "dangling": [{"kind": k, "id": i} for k, i in sorted(result.dangling)],
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
            for p in result.problems:
                typer.echo(f"problem 问题: {p}", err=True)
        if result.problems:
            raise typer.Exit(2)
