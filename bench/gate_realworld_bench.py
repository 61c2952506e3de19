"""Benchmark of `govcloud check` over a folder shaped like real repositories (issue 17).

The fixture tests/policy/fixtures/realworld (a Helm chart, a kustomize base with overlays, sibling
apps, custom resources, CI files, a broken file, …) is copied `--copies` times into one folder,
each copy under its own directory with its names made unique, so the folder holds several hundred
files of realistic shapes. Scenarios, each run `--runs` times as a subprocess
(`python -m govcloud check --manifests DIR --format json`):

- `all-files`: every file; Helm templates, patches and the other unjudgeable files are reported
  as errors (exit 2) and everything else is judged in the same run;
- `excluded`: the unjudgeable paths excluded with --exclude (exit 1: the verdict on the rest);
- `excluded+checkov` (with --checkov): the same with checkov, once.

Wall time, CPU time of the children and the peak resident memory of the process tree (govcloud,
OPA, checkov; sampled every 20 ms) are recorded, with the file, object, error and finding counts.

Usage: .venv/bin/python bench/gate_realworld_bench.py [--copies 24] [--runs 3] [--checkov]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import policy_bench  # noqa: E402  (bench/ is on sys.path when run as a script)

FIXTURE = REPO / "tests" / "policy" / "fixtures" / "realworld"
UNJUDGEABLE = ["charts/", "kustomize/overlays/", "broken/", "docker-compose.yml"]


def build_folder(root: Path, copies: int) -> dict[str, int]:
    """`copies` copies of the fixture, team-000/ … team-NNN/, names and namespaces made unique."""
    files = 0
    for k in range(copies):
        team = root / f"team-{k:03d}"
        for src in sorted(FIXTURE.rglob("*")):
            if not src.is_file() or src.name == ".govcloudignore":
                continue
            dst = team / src.relative_to(FIXTURE)
            dst.parent.mkdir(parents=True, exist_ok=True)
            data = src.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                dst.write_bytes(data)
            else:
                for name in ("shop", "monitoring", "cart", "checkout", "grafana", "web"):
                    text = text.replace(name, f"{name}{k:03d}")
                dst.write_text(text, encoding="utf-8")
            files += 1
    # One ignore file at the top, as a repository keeps it: CI configuration is not Kubernetes.
    (root / ".govcloudignore").write_text(".github/\n", encoding="utf-8")
    return {"copies": copies, "files": files}


def run(folder: Path, out: Path, *, excludes: list[str], checkov: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "govcloud", "check", "--manifests", str(folder), "--format", "json"]
    cmd += ["--out", str(out), "--timeout", "300", "--waivers", str(FIXTURE.parent / "waivers" / "none.yaml")]
    cmd += ["--checkov" if checkov else "--no-checkov"]
    for pattern in excludes:
        cmd += ["--exclude", pattern]
    seconds, peak_kib, rc = policy_bench.run_measured(cmd, ok_codes=(0, 1, 2))
    report = json.loads(out.read_text(encoding="utf-8"))
    dirs = report["inputs"]["manifest_dirs"][0]
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(policy_bench.LAST_CPU, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "exit_code": rc,
        "files_read": dirs["files"],
        "objects": dirs["objects"],
        "excluded": len(dirs["excluded"]),
        "errors": len(report["errors"]),
        "findings": len(report["findings"]),
        "summary": report["summary"],
    }


def scenario(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [r["seconds"] for r in runs]
    return {
        "scenario": name,
        "runs": len(runs),
        "wall_seconds": walls,
        "wall_median": round(statistics.median(walls), 2),
        "cpu_median": round(statistics.median(r["cpu_seconds"] for r in runs), 2),
        "peak_rss_mib_max": max(r["peak_rss_mib"] for r in runs),
        "last": runs[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--checkov", action="store_true", help="also time one run with checkov")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="govcloud-gate-realworld-") as tmp:
        root = Path(tmp)
        folder = root / "repos"
        built = build_folder(folder, args.copies)
        excludes = [f"team-*/{p}" for p in UNJUDGEABLE]
        out = root / "report.json"
        results.append(
            scenario("all-files", [run(folder, out, excludes=[], checkov=False) for _ in range(args.runs)])
        )
        results.append(
            scenario(
                "excluded", [run(folder, out, excludes=excludes, checkov=False) for _ in range(args.runs)]
            )
        )
        if args.checkov:
            results.append(scenario("excluded+checkov", [run(folder, out, excludes=excludes, checkov=True)]))
        shutil.rmtree(folder)
    print(
        json.dumps(
            {
                "schema": "govcloud.bench.gate-realworld/v1",
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "load_avg_at_end": os.getloadavg(),
                },
                "folder": built,
                "results": results,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
