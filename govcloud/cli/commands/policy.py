"""`govcloud policy serve|bundle`: run the 等保 rules as a shared OPA service, or export the bundle."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from govcloud.cli.output import fail
from govcloud.policy import bundle
from govcloud.policy.errors import GateError
from govcloud.policy.opa_server import OpaServer
from govcloud.toolchain.env import ToolMissingError

policy_app = typer.Typer(
    help="等保策略服务 / policy service: serve the rules with OPA, export the bundle.", no_args_is_help=True
)


@policy_app.command(
    "serve", help="Run OPA with the govcloud bundle and decision logging 决策日志 (Ctrl-C stops)."
)
def serve(
    addr: Annotated[str, typer.Option("--addr", help="host:port to listen on")] = "127.0.0.1:8181",
    decision_log: Annotated[Path | None, typer.Option("--decision-log", help="append OPA's log here")] = None,
) -> None:
    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit():
        fail(f"expected host:port, got {addr!r} / 地址格式错误", field="--addr")
    server = OpaServer(host=host, port=int(port), decision_logs=True, log_file=decision_log)
    stop = False

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    try:
        server.start()
    except (GateError, ToolMissingError) as exc:
        fail(str(exc))
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    typer.echo(
        f"OPA serving 服务中: {server.url}/v1/data/govcloud/main/decision (bundle revision {server.revision})"
    )
    typer.echo(f"decision log 决策日志: {decision_log or 'OPA temporary log (use --decision-log FILE)'}")
    try:
        while not stop and server.process is not None and server.process.poll() is None:
            time.sleep(0.2)
    finally:
        server.stop()


@policy_app.command("bundle", help="Write the policy bundle (modules + .manifest) to a directory.")
def export_bundle(out: Annotated[Path, typer.Option("--out", help="target directory")]) -> None:
    rev = bundle.build_bundle(out)
    typer.echo(f"bundle 策略包 {out} revision {rev}")


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
