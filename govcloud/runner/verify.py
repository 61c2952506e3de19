"""`govcloud verify`: run tests/infra (pytest + testinfra) against an inventory and turn the
per-host results into `govcloud.host-evidence/v1` (govcloud.contracts.host_evidence)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcloud.contracts.host_evidence import HostEvidence, HostEvidenceDocument, HostResult, HostStatus
from govcloud.runner.paths import INFRA_TESTS, REPO_ROOT
from govcloud.state import evidence_dir, write_json


@dataclass
class VerifyRun:
    document: HostEvidenceDocument
    pytest_rc: int
    duration_s: float
    output: str

    @property
    def counts(self) -> dict[HostStatus, int]:
        return self.document.counts()

    @property
    def ok(self) -> bool:
        c = self.counts
        return c["fail"] == 0 and c["error"] == 0 and c["pass"] > 0


def run_verify(
    inventory: Path, *, stack: str, level: int = 3, limit: str | None = None, select: str | None = None
) -> VerifyRun:
    if not INFRA_TESTS.is_dir():
        raise FileNotFoundError(f"{INFRA_TESTS}: the host checks (tests/infra) are not there")
    with tempfile.TemporaryDirectory(prefix="gc-verify-") as tmp:
        out = Path(tmp) / "results.jsonl"
        env = dict(os.environ)
        env.update(
            {
                "GOVCLOUD_TEST_INVENTORY": str(inventory),
                "GOVCLOUD_VERIFY_LEVEL": str(level),
            }
        )
        if limit:
            env["GOVCLOUD_VERIFY_LIMIT"] = limit
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            str(INFRA_TESTS),
            "-q",
            "-rN",
            "-p",
            "no:cacheprovider",
            "-p",
            "govcloud.runner.pytest_evidence",
            f"--govcloud-evidence-out={out}",
            f"--rootdir={REPO_ROOT}",
            "--no-header",
            "--tb=no",
        ]
        if select:
            cmd += ["-k", select]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=False)
        duration = time.monotonic() - t0
        records = []
        if out.exists():
            records = [
                json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
    if proc.returncode not in (0, 1) and not records:
        raise RuntimeError(
            f"pytest on {INFRA_TESTS} failed (rc {proc.returncode}): "
            f"{proc.stdout[-1500:]}{proc.stderr[-1500:]}"
        )
    return VerifyRun(
        document=build_document(stack, records),
        pytest_rc=proc.returncode,
        duration_s=duration,
        output=proc.stdout + proc.stderr,
    )


def build_document(stack: str, records: list[dict[str, Any]]) -> HostEvidenceDocument:
    """The evidence document from the pytest plugin's records (govcloud.runner.pytest_evidence)."""
    hosts: dict[str, list[HostResult]] = {}
    for rec in records:
        hosts.setdefault(str(rec.get("host", "*")), []).append(
            HostResult.model_validate(
                {k: rec.get(k, "") for k in ("clause", "check", "status", "observed", "expected", "at")}
            )
        )
    for results in hosts.values():
        results.sort(key=lambda r: (_clause_key(r.clause), r.check))
    return HostEvidenceDocument(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        stack=stack,
        hosts=[HostEvidence(host=h, results=r) for h, r in sorted(hosts.items())],
    )


def _clause_key(clause: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in clause.split("."))


def write_evidence(doc: HostEvidenceDocument, stack: str, out: Path | None = None) -> Path:
    return write_json(evidence_dir(stack) / "hosts.json", doc.dump(), out=out)


def clause_summary(doc: HostEvidenceDocument) -> dict[str, dict[str, int]]:
    """clause -> {status: count} over all hosts."""
    out: dict[str, dict[str, int]] = {}
    for host in doc.hosts:
        for res in host.results:
            bucket = out.setdefault(res.clause or "?", {})
            bucket[res.status] = bucket.get(res.status, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: _clause_key(kv[0])))
