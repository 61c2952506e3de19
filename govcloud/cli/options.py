"""Options several sub-commands share, with the same names, help and environment variables.

Every option here can also be set from the environment (the variable is shown in `--help`):
GOVCLOUD_STACK, GOVCLOUD_LEVEL, GOVCLOUD_INVENTORY. An option given on the command line wins.
Machine-readable output is `--json` everywhere (`--format json` where a command has several formats).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

STACK_ENV = "GOVCLOUD_STACK"
LEVEL_ENV = "GOVCLOUD_LEVEL"
INVENTORY_ENV = "GOVCLOUD_INVENTORY"

# A stack that must be named (plan, check, inventory, harden, verify) ...
StackOpt = Annotated[
    str | None, typer.Option("--stack", "-s", envvar=STACK_ENV, help="stack name 栈名 (Pulumi.<stack>.yaml)")
]
# ... and one that defaults to the embedded lab (lab, drill, soc, ssh, report, logs).
LabStackOpt = Annotated[str, typer.Option("--stack", "-s", envvar=STACK_ENV, help="lab stack 实验环境栈名")]
LevelOpt = Annotated[
    int, typer.Option("--level", "-l", min=2, max=4, envvar=LEVEL_ENV, help="等保 level 等级 2, 3 or 4")
]
InventoryOpt = Annotated[
    Path | None,
    typer.Option("--inventory", "-i", envvar=INVENTORY_ENV, help="Ansible inventory file 主机清单"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output on stdout 输出 JSON")]
