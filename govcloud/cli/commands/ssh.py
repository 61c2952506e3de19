"""`govcloud ssh HOST [COMMAND...]`: an operator session on a lab host, through the bastion."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from govcloud.cli.options import LabStackOpt
from govcloud.cli.output import fail
from govcloud.secsvc.bastion_client import NoRouteError, route
from govcloud.secsvc.store import StoreMissingError

HELP = """运维登录 Log in to a lab host through its centre's 堡垒机 bastion (等保 8.1.4.4 c, 8.1.5.1 a):
the bastion checks the target, records the session (who, from where, when, target, command) and
ships the record to the log collector. Direct SSH to a host from anywhere else is refused.
With a COMMAND the session runs it and exits with its status."""


def ssh(
    host: Annotated[str, typer.Argument(help="lab host name, e.g. prod-db-1")],
    command: Annotated[list[str] | None, typer.Argument(help="command to run (default: a shell)")] = None,
    *,
    stack: LabStackOpt = "lab",
    ipv6: Annotated[bool, typer.Option("--ipv6", help="reach the bastion over IPv6")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the ssh command line as JSON")] = False,
) -> None:
    """运维登录 through the bastion."""
    try:
        r = route(stack, host, command or [], tty=not command and sys.stdin.isatty(), ipv6=ipv6)
    except (NoRouteError, StoreMissingError) as exc:
        fail(str(exc))
    if dry_run:
        typer.echo(json.dumps({"host": r.host, "bastion": r.bastion, "bastion_addr": r.bastion_addr,
                               "argv": r.argv}, ensure_ascii=False))
        return
    os.execvp(r.argv[0], r.argv)


def register(app: typer.Typer) -> None:
    app.command("ssh", help=HELP)(ssh)
