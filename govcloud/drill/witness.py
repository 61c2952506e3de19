"""Witness monitor (见证探测): probes the primary's port 5432 from every other centre, continuously.

`python -m govcloud.drill.witness CONFIG.json`. A failure is declared when, for `rounds`
consecutive rounds, no witness could open a TCP connection within `timeout_s`. The monitor runs
from just before the fault (as real HA monitoring would), so detection does not wait for the
orchestrator's next step. Bounded in time (max_seconds) and rounds (max_rounds).
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from govcloud.lab.netns import tcp_open


def monitor(cfg: dict[str, Any]) -> int:
    out = Path(cfg["out"])
    stop = Path(cfg["stop_file"])
    witnesses: list[str] = list(cfg["witnesses"])
    host, port = str(cfg["host"]), int(cfg.get("port", 5432))
    timeout, interval = float(cfg.get("timeout_s", 0.2)), float(cfg.get("interval_s", 0.1))
    need = int(cfg.get("rounds", 3))
    deadline = time.monotonic() + float(cfg.get("max_seconds", 600))
    failed_in_row = 0
    with out.open("a", encoding="utf-8", buffering=1) as log, ThreadPoolExecutor(len(witnesses)) as pool:
        log.write(json.dumps({"ev": "start", "t": time.monotonic_ns(), "wall": time.time_ns()}) + "\n")
        for rnd in range(1, int(cfg.get("max_rounds", 20_000)) + 1):
            if time.monotonic() >= deadline or stop.exists():
                break
            t0 = time.monotonic_ns()
            reach = list(pool.map(lambda ns: tcp_open(ns, host, port, timeout), witnesses))
            failed_in_row = failed_in_row + 1 if not any(reach) else 0
            if failed_in_row and failed_in_row >= 1:
                log.write(
                    json.dumps(
                        {
                            "ev": "round",
                            "n": rnd,
                            "t0": t0,
                            "t": time.monotonic_ns(),
                            "reachable": dict(zip(witnesses, reach, strict=True)),
                        }
                    )
                    + "\n"
                )
            if failed_in_row >= need:
                log.write(
                    json.dumps(
                        {
                            "ev": "declared",
                            "round": rnd,
                            "t": time.monotonic_ns(),
                            "wall": time.time_ns(),
                            "witnesses": witnesses,
                        }
                    )
                    + "\n"
                )
                return 0
            time.sleep(interval)
        log.write(json.dumps({"ev": "end", "t": time.monotonic_ns(), "wall": time.time_ns()}) + "\n")
    return 0


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def main(argv: list[str]) -> int:
    return monitor(json.loads(Path(argv[1]).read_text(encoding="utf-8")))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
