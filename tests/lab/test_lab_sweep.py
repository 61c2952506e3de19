"""`sh.sweep`: the processes of a service whose pid files are gone are still found and stopped.
No root, no lab: the test's own child processes stand in for the daemons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from govcloud.lab.sh import alive, sweep
from govcloud.wait import until


def _daemon(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *args])


def test_sweep_kills_what_names_the_state_dir_and_nothing_else(tmp_path: Path) -> None:
    state = tmp_path / "drill"
    inside = _daemon("-D", str(state / "pg" / "prod" / "data"))
    option = _daemon(f"--data-dir={state}/ha/etcd/dr/data")
    sibling = _daemon(str(tmp_path / "drill2" / "data"))  # a stack whose name only starts the same
    try:
        killed = sweep(state)
        for proc in (inside, option):
            proc.wait(timeout=10)
        assert sorted(killed) == sorted([inside.pid, option.pid])
        assert until(lambda: not alive(inside.pid), timeout=5)
        assert sibling.poll() is None and alive(sibling.pid)
        assert sweep(state) == []  # nothing left
    finally:
        for proc in (inside, option, sibling):
            proc.kill()
            proc.wait(timeout=10)
