"""`govcloud harden`: 等保 host hardening (GB/T 22239-2019 8.1.4 安全计算环境) through ansible-runner."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govcloud.cli.options import InventoryOpt, JsonOpt, LevelOpt, StackOpt
from govcloud.cli.output import fail
from govcloud.errors import ExitCode
from govcloud.runner.harden import HardenError, HardenRun, run_harden, write_evidence
from govcloud.runner.inventory import InventoryError, resolve_inventory

HELP = """Harden hosts to the 等保 level (加固): 身份鉴别, 访问控制, 安全审计, 入侵防范, 恶意代码防范,
剩余信息保护 (GB/T 22239-2019 8.1.4).

Runs playbooks/project/harden.yml with ansible-runner, shows progress per host and stores the
run (events + per-host, per-clause summary) under .govcloud/evidence/<stack>/harden/.
--check is audit-only (只检查不修改): it reports drift and changes nothing.
Exit codes: 0 ok (and, with --check, no drift), 1 failures or drift, 2 usage error."""


class _Progress:
    """One line per host and task result, printed as events arrive (stderr)."""

    def __init__(self, console: Console, check: bool) -> None:
        self.console = console
        self.check = check
        self.lock = threading.Lock()
        self.counts: dict[str, dict[str, int]] = {}

    def __call__(self, ev: dict[str, Any]) -> None:
        kind = ev.get("event", "")
        data = ev.get("event_data", {})
        host = data.get("host")
        if not host or kind not in {"runner_on_ok", "runner_on_failed", "runner_on_unreachable"}:
            return
        res = data.get("res", {}) if isinstance(data.get("res"), dict) else {}
        with self.lock:
            c = self.counts.setdefault(host, {"ok": 0, "changed": 0, "failed": 0})
            c["ok"] += 1
            task = str(data.get("task", ""))
            if kind != "runner_on_ok" and not data.get("ignore_errors"):
                c["failed"] += 1
                self.console.print(f"[red]✗ {host}[/red] {task}: {str(res.get('msg', ''))[:200]}")
            elif res.get("changed"):
                c["changed"] += 1
                word = "drift 偏离" if self.check else "changed 已修改"
                self.console.print(f"[yellow]~ {host}[/yellow] [{c['ok']:>3}] {word}: {task}")
            elif c["ok"] % 10 == 0:
                self.console.print(f"[dim]· {host} [{c['ok']:>3}] ok: {task}[/dim]")


def _summary_table(run: HardenRun) -> Table:
    title = f"等保 level {run.level} {'检查 check (drift)' if run.check else '加固 harden'} — {run.status}"
    table = Table(title=title)
    for col in (
        "host 主机",
        "ok",
        "changed 变更" if not run.check else "drift 偏离",
        "failed 失败",
        "clauses changed 条款",
    ):
        table.add_column(col)
    for h in sorted(run.hosts.values(), key=lambda s: s.host):
        changed = sorted(c for c, n in h.clauses.items() if n.changed)
        failed = h.failed + h.unreachable
        table.add_row(
            h.host,
            str(h.ok),
            str(h.changed),
            f"[red]{failed}[/red]" if failed else "0",
            ", ".join(changed) or "-",
        )
    return table


def harden(
    *,
    stack: StackOpt = None,
    inventory: InventoryOpt = None,
    level: LevelOpt = 3,
    limit: Annotated[str | None, typer.Option("--limit", help="Ansible host pattern")] = None,
    tags: Annotated[
        list[str] | None, typer.Option("--tags", "-t", help="clause tags, e.g. 8.1.4.1.b (repeatable)")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="audit only: report drift, change nothing")] = False,
    as_json: JsonOpt = False,
    out: Annotated[Path | None, typer.Option("--out", help="also write the evidence JSON here")] = None,
    extra_var: Annotated[
        list[str] | None, typer.Option("--extra-var", "-e", help="KEY=JSON-or-string")
    ] = None,
) -> None:
    err = Console(stderr=True)
    try:
        stack_name, inv = resolve_inventory(stack, inventory)
        extras: dict[str, Any] = {}
        for item in extra_var or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise HardenError(f"--extra-var {item!r}: expected KEY=VALUE")
            try:
                extras[key] = json.loads(value)
            except ValueError:
                extras[key] = value
        progress = _Progress(err, check)
        err.print(f"govcloud harden: inventory {inv}, level {level}{', check mode' if check else ''}")
        run = run_harden(
            inv,
            stack=stack_name,
            level=level,
            limit=limit,
            tags=tags,
            check=check,
            extravars=extras,
            on_event=None if as_json else progress,
        )
    except (InventoryError, HardenError) as exc:
        fail(str(exc))
    path = write_evidence(run, out)
    if as_json:
        doc = run.to_dict()
        doc.pop("events", None)
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        Console().print(_summary_table(run))
        err.print(f"evidence 证据: {path}  (ansible-runner artifacts: {run.private_data_dir})")
    drift = check and run.total_changed > 0
    if not run.ok or drift:
        if not as_json:
            err.print("[red]failures or drift found 发现失败或偏离[/red]")
        raise typer.Exit(ExitCode.FAILED)


def register(app: typer.Typer) -> None:
    app.command("harden", help=HELP)(harden)
