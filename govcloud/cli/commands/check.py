"""`govcloud check`: the 等保 policy gate (OPA + checkov + waivers) over a change."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from govcloud.policy import paths
from govcloud.policy.errors import GateError
from govcloud.policy.gate import GateOptions, run_gate
from govcloud.policy.render_junit import render_junit
from govcloud.policy.render_sarif import render_sarif
from govcloud.policy.render_text import render_text
from govcloud.toolchain.env import ToolMissingError


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"


HELP = """等保策略门禁 / 等保 policy gate.

Evaluates a change (plan, `pulumi preview --json`, Kubernetes YAML, host facts) against the
GB/T 22239-2019 rules in policies/ with OPA, plus checkov on manifests and playbooks/.
Exit codes 退出码: 0 no blocking finding 无阻断, 1 blocking findings 有阻断,
2 usage or engine error 用法或引擎错误."""


def register(app: typer.Typer) -> None:
    @app.command("check", help=HELP)
    def check_command(  # noqa: PLR0917 (typer maps each parameter to an option)
        stack: Annotated[
            str | None, typer.Option("--stack", help="stack: reads .govcloud/evidence/S/plan.json")
        ] = None,
        plan: Annotated[
            Path | None, typer.Option("--plan", help="govcloud.plan/v1 JSON file 规划文件")
        ] = None,
        preview_json: Annotated[
            Path | None, typer.Option("--preview-json", help="`pulumi preview --json` output")
        ] = None,
        manifests: Annotated[
            list[Path] | None, typer.Option("--manifests", help="directory of Kubernetes YAML (repeatable)")
        ] = None,
        host_facts: Annotated[
            Path | None, typer.Option("--host-facts", help="host facts JSON 主机事实")
        ] = None,
        level: Annotated[int, typer.Option("--level", min=2, max=4, help="等保 level 2|3|4")] = 3,
        output_format: Annotated[
            OutputFormat, typer.Option("--format", help="text|json|sarif|junit")
        ] = OutputFormat.text,
        out: Annotated[Path | None, typer.Option("--out", help="write the report to FILE 输出文件")] = None,
        opa_url: Annotated[
            str | None, typer.Option("--opa-url", help="use this OPA server 使用已有 OPA")
        ] = None,
        waivers: Annotated[Path, typer.Option("--waivers", help="waiver file 豁免文件")] = paths.WAIVERS,
        checkov: Annotated[bool, typer.Option("--checkov/--no-checkov", help="also run checkov")] = True,
        timeout: Annotated[float, typer.Option("--timeout", help="OPA query timeout, seconds")] = 60.0,
        show_pass: Annotated[
            bool, typer.Option("--show-pass", help="text: list passing findings too")
        ] = False,
    ) -> None:
        options = GateOptions(
            level=level,
            stack=stack,
            plan=plan,
            preview_json=preview_json,
            manifests=list(manifests or []),
            host_facts=host_facts,
            opa_url=opa_url,
            waivers_file=waivers,
            checkov=checkov,
            timeout=timeout,
        )
        try:
            result = run_gate(options)
        except (GateError, ToolMissingError) as exc:
            typer.echo(f"error 错误: {exc}", err=True)
            typer.echo("gate failed closed 门禁失败（按不通过处理）: exit 2", err=True)
            raise typer.Exit(2) from exc
        report = result.report
        if output_format is OutputFormat.json:
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        elif output_format is OutputFormat.sarif:
            default_uri = str(
                plan or preview_json or (manifests[0] if manifests else "policies/catalogue.yaml")
            )
            text = (
                json.dumps(render_sarif(report, default_uri=default_uri), ensure_ascii=False, indent=2) + "\n"
            )
        elif output_format is OutputFormat.junit:
            text = render_junit(report)
        else:
            text = render_text(report, show_pass=show_pass)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            s = report["summary"]
            typer.echo(
                f"wrote 已写入 {out}: {s['blocking']} blocking, {s['fail']} fail, {s['waived']} waived, "
                f"{s['pass']} pass",
                err=True,
            )
        else:
            typer.echo(text, nl=False)
        if result.evidence is not None:
            typer.echo(f"evidence 证据: {result.evidence}", err=True)
        raise typer.Exit(result.exit_code)
