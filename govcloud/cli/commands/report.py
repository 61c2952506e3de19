"""`govcloud report`: the auditor's compliance report (等保 2.0 符合性报告) for one stack.

    govcloud report [--stack S] [--evidence DIR] [--out DIR] [--format html,json,pdf] [--since PREVIOUS]
    govcloud report verify DIR [--evidence DIR]

Exit codes: 0 written / verified; 1 `verify` found a mismatch, or `--fail-on-noncompliant` and some
item is 不符合; 2 bad options or a malformed input (catalogue, previous report, manifest).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from govcloud.cli.options import LabStackOpt
from govcloud.cli.output import error_exit
from govcloud.errors import ExitCode
from govcloud.report.errors import ReportInputError
from govcloud.report.generate import FORMATS, generate
from govcloud.report.labels import STATUS_LABEL, Status
from govcloud.report.manifest import verify
from govcloud.report.pdf import PdfError
from govcloud.state import evidence_dir as stack_evidence_dir

DEFAULT_CATALOGUE = Path("policies/catalogue.yaml")


def _fail(message: str, code: int = ExitCode.INPUT) -> typer.Exit:
    return error_exit(message, ExitCode(code))


def _formats(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip().lower() for p in value.split(",") if p.strip()))
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise _fail(
            f"--format: unknown format {', '.join(bad) or '(empty)'}; choose from {', '.join(FORMATS)}"
        )
    return names


def _latest_report(base: Path, exclude: Path) -> Path | None:
    """The newest report directory under base (names are UTC timestamps), never the one being written."""
    found = sorted(p.parent for p in base.glob("*/report.json") if p.parent.resolve() != exclude.resolve())
    return found[-1] if found else None


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        name="report",
        help="等保 2.0 符合性报告 / auditor's compliance report: clause-by-clause evidence, "
        "HTML/JSON/PDF, manifest.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @sub.callback()
    def report(  # noqa: PLR0917 (typer maps each parameter to an option)
        ctx: typer.Context,
        stack: LabStackOpt = "lab",
        evidence: Annotated[
            Path | None,
            typer.Option("--evidence", help="Evidence directory; default .govcloud/evidence/<stack>."),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out", "-o", help="Output directory; default out/reports/<stack>/<UTC timestamp>."
            ),
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="Comma-separated: html,json,pdf.")
        ] = "html,json",
        since: Annotated[
            str | None,
            typer.Option(
                "--since",
                help="Previous report (report.json or its directory), or 'latest' for the newest one "
                "under out/reports/<stack>/.",
            ),
        ] = None,
        catalogue: Annotated[
            Path | None, typer.Option("--catalogue", help=f"Clause catalogue; default {DEFAULT_CATALOGUE}.")
        ] = None,
        fail_on_noncompliant: Annotated[
            bool, typer.Option("--fail-on-noncompliant", help="Exit 1 when any clause item is 不符合.")
        ] = False,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        formats = _formats(fmt)
        now = datetime.now(UTC)
        base = Path("out/reports") / stack
        out_dir = out or base / now.strftime("%Y%m%dT%H%M%SZ")
        evidence_dir = evidence or stack_evidence_dir(stack)
        since_path: Path | None = None
        if since == "latest":
            since_path = _latest_report(base, out_dir)
            if since_path is None:
                typer.echo(
                    f"govcloud report: --since latest: no previous report under {base}; no diff", err=True
                )
        elif since is not None:
            since_path = Path(since)
        if not evidence_dir.is_dir():
            typer.echo(
                f"govcloud report: warning: evidence directory {evidence_dir} does not exist; "
                "every automated clause will show as missing evidence (待人工核查)",
                err=True,
            )
        try:
            res = generate(
                stack=stack,
                evidence_dir=evidence_dir,
                out_dir=out_dir,
                formats=formats,
                catalogue_path=catalogue or DEFAULT_CATALOGUE,
                catalogue_required=catalogue is not None,
                since=since_path,
                now=now,
            )
        except ReportInputError as exc:
            raise _fail(exc.describe()) from None
        except PdfError as exc:
            raise _fail(f"PDF: {exc}") from None
        for w in res.warnings:
            typer.echo(f"govcloud report: warning: {w}", err=True)
        counts = res.report.summary.overall
        line = " · ".join(f"{STATUS_LABEL[Status(k)][0]} {v}" for k, v in counts.items())
        typer.echo(f"{line}  ({len(res.report.scopes)} scopes)", err=True)
        for kind, path in res.files.items():
            typer.echo(f"{kind}: {path}", err=True)
        if res.manifest and res.manifest_digest:
            d = res.manifest_digest
            typer.echo(f"manifest: {res.manifest}  SHA-256 {d.sha256}  SM3 {d.sm3}", err=True)
        # stdout carries only the report's path, so `make demo` and scripts can use it.
        typer.echo(str(res.files.get("html") or res.files.get("json") or out_dir))
        if fail_on_noncompliant and counts.get(Status.NON_COMPLIANT.value, 0):
            raise typer.Exit(1)

    @sub.command("verify")
    def verify_cmd(
        report_dir: Annotated[Path, typer.Argument(help="A report directory holding manifest.json.")],
        evidence: Annotated[
            Path | None,
            typer.Option("--evidence", help="Also re-check the input files against this evidence directory."),
        ] = None,
    ) -> None:
        """Re-compute the SHA-256 and SM3 digests listed in a report's manifest.json."""
        try:
            res = verify(report_dir, evidence)
        except ReportInputError as exc:
            raise _fail(exc.describe()) from None
        for name in res.ok:
            typer.echo(f"ok        {name}")
        for name in res.mismatched:
            typer.echo(f"MISMATCH  {name}")
        for name in res.absent:
            typer.echo(f"ABSENT    {name}")
        if not res.passed:
            typer.echo("govcloud report verify: digests do not match the manifest (摘要不一致)", err=True)
            raise typer.Exit(1)
        typer.echo(f"verified {len(res.ok)} files (SHA-256 and SM3)")

    app.add_typer(sub)
