"""Helpers several test packages share (one definition each)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_govcloud(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """`python -m govcloud ARGS` as a real process (exit codes, stderr, crashes no CliRunner survives),
    with this interpreter, bounded in time; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "govcloud", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
