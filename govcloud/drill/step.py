"""`python -m govcloud.drill.step --context CTX PHASE [ARG...]`: run one drill phase (Ansible task).

Prints one JSON line; exit 0 ok, 1 step failed (the playbook's rescue path takes over).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

from govcloud.drill.context import DrillContext
from govcloud.drill.phases import phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govcloud.drill.step")
    parser.add_argument("--context", required=True, type=Path)
    parser.add_argument("phase")
    parser.add_argument("args", nargs="*")
    ns = parser.parse_args(argv)
    ctx = DrillContext.load(ns.context)
    entry: dict[str, object] = {
        "phase": ns.phase,
        "args": ns.args,
        "start_ns": time.monotonic_ns(),
        "start_wall_ns": time.time_ns(),
    }
    table = phases(ctx.service)
    if ns.phase not in table:
        parser.error(
            f"unknown phase {ns.phase!r} for the {ctx.service.mode} service; "
            f"known: {', '.join(sorted(table))}"
        )
    func = table[ns.phase]
    try:
        # arguments are centre roles (production | same-city | remote-dr), never centre ids
        apps = [ctx.topo.by_role(role).app for role in ns.args]
        if ns.phase == "fault":
            result = func(ctx, apps)
        elif ns.phase == "failover":
            result = func(ctx, apps[0], apps[1:])
        elif ns.phase == "switchover":
            result = func(ctx, apps[0])
        else:
            result = func(ctx)
        entry.update(ok=True, result=result)
    except Exception as exc:
        entry.update(ok=False, error=str(exc)[:4000], traceback=traceback.format_exc()[-2000:])
    entry.update(end_ns=time.monotonic_ns(), end_wall_ns=time.time_ns())
    ctx.log_step(entry)
    print(json.dumps({"phase": ns.phase, "ok": entry["ok"], "error": entry.get("error")}, ensure_ascii=False))
    return 0 if entry["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
