"""Fixtures for the security-services tests: the session lab (tests/conftest.py) and its collector."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from govcloud.lab import sh
from govcloud.secsvc.exercise import CONNECT
from govcloud.secsvc.store import Event, events
from tests.support import run_govcloud

REPO = Path(__file__).resolve().parents[2]
# Functional deadline for "arrives within seconds" (not a benchmark: bench/secsvc_bench.py measures).
ARRIVAL_S = 30.0

PROBE = CONNECT  # the exercise's bounded TCP connect probe (one definition)


def govcloud(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return run_govcloud(*args, timeout=timeout)


def connect(netns: str, jobs: list[tuple[str, int, float]]) -> list[str]:
    """TCP connects from inside `netns`: open / refused / TimeoutError per job (bounded)."""
    import json  # noqa: PLC0415

    out = sh.run(
        sh.nsexec(netns, sys.executable, "-c", PROBE, json.dumps(jobs)), timeout=10 + sum(j[2] for j in jobs)
    )
    result: list[str] = json.loads(out)
    return result


@pytest.fixture(scope="session")
def stack(lab: dict[str, Any]) -> str:
    return str(lab["stack"])


@pytest.fixture(scope="session")
def hosts(lab: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["name"]: h for h in lab["hosts"]}


@pytest.fixture(scope="session")
def wait_for(stack: str) -> Callable[[Callable[[Event], bool], str], list[Event]]:
    """Poll the collector until records match `pred` (at most ARRIVAL_S); fail naming what is missing."""

    def wait(pred: Callable[[Event], bool], what: str) -> list[Event]:
        deadline = time.monotonic() + ARRIVAL_S
        while True:
            found = [e for e in events(stack) if pred(e)]
            if found:
                return found
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the log collector has no record of {what} after {ARRIVAL_S:.0f} s", pytrace=False
                )
            time.sleep(0.5)

    return wait
