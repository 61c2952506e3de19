"""Time `make test` / `make demo` / `make check` from a fresh clone with an empty HOME and empty caches.

Usage: python3 bench/cold_setup.py [--target test|demo|check|setup] [--keep] [--log FILE] [--json FILE]
                                   [--home DIR]

What it does, as a new user on a new machine would:
- clones this repository's HEAD (committed work only) into a scratch directory;
- makes an empty HOME there, with GOMODCACHE, GOPATH, GOCACHE and XDG_CACHE_HOME inside it, so the
  Go module cache, the Go build cache, pip's cache and govcloud's tool cache all start empty;
- runs `make TARGET` and stamps every output line with the seconds since the start;
- derives the time of each set-up step from the lines the steps print (apt, venv, each Go tool,
  checkov's virtualenv, the lab's base image, lint, pytest), and prints a JSON summary.

Debian packages are system-wide: the summary says whether `make system` had anything to install
(the apt step is cold only on a machine where the packages are missing). Patroni's virtualenv is
machine-wide too (/var/cache/govcloud, root only): move it aside first for a cold measurement.
A second run of the same target in the same clone (`--again`) shows what a warm run rebuilds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

# (step, pattern of its first line, pattern of its last line). Steps may overlap (make -j3).
STEPS: tuple[tuple[str, str, str], ...] = (
    (
        "apt",
        r"^\[setup\] (installing Debian packages|Debian packages present)",
        r"^\[setup\] Debian packages (present|installed)",
    ),
    ("venv", r"^\[setup\] Python environment \.venv \(", r"^\[setup\] Python environment ready"),
    ("opa", r"\[toolchain\] opa \S+: building", r"\[toolchain\] opa \S+: built in"),
    ("pulumi", r"\[toolchain\] pulumi \S+: building", r"\[toolchain\] pulumi \S+: built in"),
    (
        "kubernetes provider",
        r"\[toolchain\] pulumi-resource-kubernetes \S+: building",
        r"\[toolchain\] pulumi-resource-kubernetes \S+: built in",
    ),
    ("checkov venv", r"\[toolchain\] checkov \S+: creating", r"\[toolchain\] checkov \S+: installed in"),
    ("lab base image", r"^\[setup\] lab base image: debootstrap", r"^base image / 基础镜像:"),
    ("patroni venv", r"^\[setup\] Patroni \S+: virtualenv", r"^\[setup\] Patroni \S+ ready"),
    ("lint", r"^\[lint\] ruff", r"^\[lint\] ansible-lint"),
    ("pytest", r"test session starts", r"^=+ .*(passed|failed|error).* in [0-9.]+s"),
)


def cold_env(home: Path) -> dict[str, str]:
    # A fresh login's environment: none of this machine's Go, pip, XDG, govcloud or Python settings
    # (PYTHONUNBUFFERED here once hid a hang that a fresh machine showed).
    fresh = ("GO", "PIP_", "XDG_", "GOVCLOUD_", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PULUMI_")
    env = {k: val for k, val in os.environ.items() if not k.startswith(fresh)}
    env.update(
        HOME=str(home),
        GOMODCACHE=str(home / "go" / "pkg" / "mod"),
        GOPATH=str(home / "go"),
        GOCACHE=str(home / ".cache" / "go-build"),
        XDG_CACHE_HOME=str(home / ".cache"),
        GOFLAGS="-modcacherw",  # so the scratch home can be deleted afterwards
    )
    return env


def run_make(
    clone: Path, target: str, env: dict[str, str], log: Path
) -> tuple[int, float, list[tuple[float, str]]]:
    started = time.monotonic()
    lines: list[tuple[float, str]] = []
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            ["make", target],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            t = time.monotonic() - started
            lines.append((t, line.rstrip("\n")))
            out.write(f"{time.strftime('%H:%M:%S')} +{t:7.1f}s {line}")
            out.flush()
        code = proc.wait()
    return code, time.monotonic() - started, lines


def step_times(lines: list[tuple[float, str]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, first, last in STEPS:
        start = next((t for t, line in lines if re.search(first, line)), None)
        if start is None:
            continue
        end = next((t for t, line in lines if t >= start and re.search(last, line)), None)
        entry = {"start_s": round(start, 1)}
        if end is not None:
            entry["end_s"] = round(end, 1)
            entry["seconds"] = round(end - start, 1)
        out[name] = entry
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="test", choices=["test", "demo", "check", "setup"])
    parser.add_argument("--home", help="use (and keep) this HOME instead of an empty scratch one")
    parser.add_argument("--again", action="store_true", help="run the target a second time in the same clone")
    parser.add_argument("--keep", action="store_true", help="keep the clone and the scratch HOME")
    parser.add_argument("--log", default="", help="where to write the stamped output (default: scratch dir)")
    parser.add_argument("--json", default="", help="also write the summary here")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="gc-cold-"))
    # mkdtemp makes it 0700; a real clone is readable by the other users the lab runs as (postgres
    # for Patroni, nobody in the no-root test), so the scratch directory is too
    scratch.chmod(0o755)
    clone = scratch / "govcloud"
    home = Path(args.home) if args.home else scratch / "home"
    home.mkdir(parents=True, exist_ok=True)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = cold_env(home)
    runs: list[dict[str, Any]] = []
    try:
        for attempt in range(2 if args.again else 1):
            log = Path(
                args.log
                or REPO / "out" / "bench" / f"cold-{args.target}-{time.strftime('%Y%m%d-%H%M%S')}.log"
            )
            log.parent.mkdir(parents=True, exist_ok=True)
            if attempt:
                log = log.with_name(log.stem + "-again" + log.suffix)
            print(
                f"[cold] make {args.target} in {clone} (HOME={home}); log: {log}", file=sys.stderr, flush=True
            )
            date = time.strftime("%Y-%m-%d %H:%M:%S %Z")
            load = os.getloadavg()
            code, seconds, lines = run_make(clone, args.target, env, log)
            apt_lines = [line for _, line in lines if line.startswith("[setup] installing Debian packages")]
            runs.append(
                {
                    "run": "warm (same clone and caches)" if attempt else "cold",
                    "target": args.target,
                    "exit_code": code,
                    "seconds": round(seconds, 1),
                    "date": date,
                    "load_at_start": [round(x, 2) for x in load],
                    "apt_installed": apt_lines[0][34:] if apt_lines else "",
                    "steps": step_times(lines),
                    "log": str(log),
                    "pytest_summary": next(
                        (line for _, line in reversed(lines) if re.search(r"^=+ .* in [0-9.]+s", line)), ""
                    ),
                }
            )
            print(
                f"[cold] make {args.target}: exit {code} after {seconds:.0f} s", file=sys.stderr, flush=True
            )
            if code != 0:
                break
    finally:
        if not args.keep:
            subprocess.run(["chmod", "-R", "u+w", str(scratch)], check=False)
            shutil.rmtree(clone, ignore_errors=True)
            if not args.home:
                shutil.rmtree(home, ignore_errors=True)
    summary = {
        "bench": "cold set-up",
        "commit": head,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "kernel": platform.release(),
        },
        "runs": runs,
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0 if runs and all(r["exit_code"] == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
