"""Start, check and stop the delay relays (one process per relay, inside the source centre's router)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from govcloud.lab import naming, netns, sh
from govcloud.lab.sh import CommandError
from govcloud.wait import until


def _pidfile(p: dict[str, Any]) -> Path:
    return naming.run_dir(p["stack"]) / "relays" / f"{p['from_centre']}-to-{p['to_host']}.pid"


def _pid(p: dict[str, Any]) -> int | None:
    f = _pidfile(p)
    text = f.read_text(encoding="ascii").strip() if f.is_file() else ""
    return int(text) if text.isdigit() else None


def create(p: dict[str, Any]) -> dict[str, Any]:
    delete(p)
    f = _pidfile(p)
    f.parent.mkdir(parents=True, exist_ok=True)
    cmd = sh.nsexec(p["netns"], sys.executable, "-m", "govcloud.lab.relay",
                    "--listen", p["listen4"], "--listen", p["listen6"], "--port", str(p["port"]),
                    "--target4", p["target4"], "--target6", p["target6"],
                    "--target-port", str(p["target_port"]), "--delay-ms", str(p["delay_ms"]))
    with open(f.with_suffix(".log"), "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    f.write_text(f"{proc.pid}\n", encoding="ascii")
    def listening_or_exited() -> str | None:
        out = sh.run(sh.nsexec(p["netns"], "ss", "-Htln", f"sport = :{p['port']}"), check=False)
        if out.count("LISTEN") >= 2:
            return "listening"
        return "exited" if proc.poll() is not None else None

    if until(listening_or_exited, timeout=10) == "listening":
        return {"pid": proc.pid}
    raise CommandError(
        f"relay {p['from_centre']} -> {p['to_host']} did not start; see {f.with_suffix('.log')}"
    )


def present(p: dict[str, Any]) -> bool:
    pid = _pid(p)
    return pid is not None and pid in netns.pids(p["netns"])


def delete(p: dict[str, Any]) -> None:
    pid = _pid(p)
    if pid is not None:
        netns.kill_pids([pid])
    _pidfile(p).unlink(missing_ok=True)
