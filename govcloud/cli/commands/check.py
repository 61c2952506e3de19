"""`govcloud check`: the 等保 policy gate (OPA + checkov + waivers) over a change."""

from __future__ import annotations

import json
import os
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from govcloud.cli.options import LevelOpt, StackOpt
from govcloud.cli.output import fail
from govcloud.policy import paths
from govcloud.policy.gate import GateOptions, internal_problem, run_gate
from govcloud.policy.render_junit import render_junit
from govcloud.policy.render_sarif import render_sarif
from govcloud.policy.render_text import error_line, render_text
from govcloud.policy.report import build_report

ERRORS_ON_STDERR = 20


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"


HELP = """等保策略门禁 / 等保 policy gate.

Evaluates a change (plan, `pulumi preview --json`, Kubernetes YAML, host facts) against the
GB/T 22239-2019 rules in policies/ with OPA, plus checkov on manifests and playbooks/.
Files that cannot be judged (Helm templates, kustomize patches, non-Kubernetes YAML) are reported
as errors and the run goes on; skip them with --exclude GLOB or a .govcloudignore.
Exit codes 退出码: 0 no blocking finding 无阻断, 1 blocking findings 有阻断,
2 input, usage or engine error 输入、用法或引擎错误 (every format still carries the errors)."""


def register(app: typer.Typer) -> None:
    @app.command("check", help=HELP)
    def check_command(  # noqa: PLR0917 (typer maps each parameter to an option)
        stack: StackOpt = None,
        plan: Annotated[
            Path | None, typer.Option("--plan", help="govcloud.plan/v1 JSON file 规划文件")
        ] = None,
        preview_json: Annotated[
            Path | None, typer.Option("--preview-json", help="`pulumi preview --json` output")
        ] = None,
        manifests: Annotated[
            list[Path] | None, typer.Option("--manifests", help="directory of Kubernetes YAML (repeatable)")
        ] = None,
        exclude: Annotated[
            list[str] | None,
            typer.Option(
                "--exclude",
                help="glob (gitignore style, relative to each --manifests DIR) to skip (repeatable) 排除",
            ),
        ] = None,
        host_facts: Annotated[
            Path | None, typer.Option("--host-facts", help="host facts JSON 主机事实")
        ] = None,
        level: LevelOpt = 3,
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
            excludes=list(exclude or []),
            host_facts=host_facts,
            opa_url=opa_url,
            waivers_file=waivers,
            checkov=checkov,
            timeout=timeout,
        )
        default_uri = str(plan or preview_json or (manifests[0] if manifests else "policies/catalogue.yaml"))
        try:
            result = run_gate(options)
            report, exit_code, evidence = result.report, result.exit_code, result.evidence
            text = _render(report, output_format, default_uri, show_pass)
        except Exception as exc:  # fail closed with a message, never a traceback
            if os.environ.get("GOVCLOUD_DEBUG"):
                traceback.print_exception(exc)
            report = build_report(
                [],
                level=level,
                inputs={},
                policy_revision=None,
                unevaluated=[],
                errors=[internal_problem(exc).to_json()],
            )
            exit_code, evidence = 2, None
            text = _render(report, output_format, default_uri, show_pass)
        if out is not None:
            try:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text, encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write: {exc.strerror or exc} / 无法写入输出文件", file=str(out))
            s = report["summary"]
            typer.echo(
                f"wrote 已写入 {out}: {s['blocking']} blocking, {s['fail']} fail, {s['waived']} waived, "
                f"{s['pass']} pass, {s.get('errors', 0)} errors",
                err=True,
            )
        else:
            typer.echo(text, nl=False)
        if evidence is not None:
            typer.echo(f"evidence 证据: {evidence}", err=True)
        _report_errors(report)
        raise typer.Exit(exit_code)


def _render(report: dict[str, Any], output_format: OutputFormat, default_uri: str, show_pass: bool) -> str:
    if output_format is OutputFormat.json:
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if output_format is OutputFormat.sarif:
        return json.dumps(render_sarif(report, default_uri=default_uri), ensure_ascii=False, indent=2) + "\n"
    if output_format is OutputFormat.junit:
        return render_junit(report)
    return render_text(report, show_pass=show_pass)


def _report_errors(report: dict[str, Any]) -> None:
    """On stderr: the first errors and the fail-closed verdict (the report holds all of them)."""
    errors = report.get("errors") or []
    if not errors:
        return
    for e in errors[:ERRORS_ON_STDERR]:
        hint = f" — {e['hint']}" if e.get("hint") and e.get("kind") in {"internal", "tool-missing"} else ""
        typer.echo(f"error 错误: {error_line(e)}{hint}", err=True)
    if len(errors) > ERRORS_ON_STDERR:
        typer.echo(f"error 错误: … {len(errors) - ERRORS_ON_STDERR} more 另有 (all in the report)", err=True)
    typer.echo(
        f"gate failed closed 门禁失败（按不通过处理）: {len(errors)} input(s) not judged, exit 2", err=True
    )
