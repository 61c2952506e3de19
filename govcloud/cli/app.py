"""The `govcloud` entry point.

Every module in govcloud.cli.commands defines `register(app: typer.Typer) -> None`; they are
registered in name order, so adding a sub-command means adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from govcloud.cli import commands
from govcloud.cli.output import guard

HELP = """govcloud — 政务云 infrastructure as code and 等保 2.0 policy toolkit.

两地三中心 (production, same-city active-active, remote DR) on the 电子政务外网, IPv4/IPv6
dual stack, held to 网络安全等级保护 2.0 (GB/T 22239-2019).

Start with `govcloud doctor` (环境检查) to see whether the offline toolchain is ready."""

app = typer.Typer(
    name="govcloud",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root() -> None:
    """govcloud — 政务云 infrastructure as code and 等保 2.0 policy toolkit."""


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


_register_all()


def main() -> None:
    """The `govcloud` command: every exception ends in a message and a documented exit code."""
    raise SystemExit(guard(app))
