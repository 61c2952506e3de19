"""Benchmark: `govcloud report` (HTML + JSON) for a synthetic stack of 1,000 hosts, 300 systems and a
full level-3 technical clause catalogue (GB/T 22239-2019 8.1.2–8.1.5 and 8.2.x, 111 items).

    .venv/bin/python bench/report_bench.py [--hosts 1000] [--systems 300] [--repeat 3]

Prints one JSON object: sizes of the inputs and outputs and the wall time of each phase (median of
--repeat runs). Target: HTML + JSON under 5 s on the project machine (docs/bench-report.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from govcloud.contracts.drill import DrillRecord, ScenarioRef, SystemTarget, Targets
from govcloud.report.generate import generate

# (family id, clause prefix, zh, en, {control point: item count}) — counts follow GB/T 28448 L3 codes.
FAMILIES: list[tuple[str, str, str, str, dict[str, int]]] = [
    (
        "communication-network",
        "8.1.2",
        "安全通信网络",
        "Secure communication network",
        {"1": 5, "2": 2, "3": 1},
    ),
    (
        "area-boundary",
        "8.1.3",
        "安全区域边界",
        "Secure area boundary",
        {"1": 4, "2": 5, "3": 4, "4": 2, "5": 4, "6": 1},
    ),
    (
        "computing-environment",
        "8.1.4",
        "安全计算环境",
        "Secure computing environment",
        {"1": 4, "2": 7, "3": 4, "4": 6, "5": 1, "6": 1, "7": 2, "8": 2, "9": 3, "10": 2, "11": 2},
    ),
    (
        "management-centre",
        "8.1.5",
        "安全管理中心",
        "Security management centre",
        {"1": 2, "2": 2, "3": 2, "4": 6},
    ),
    ("cloud-physical", "8.2.1", "云计算安全物理环境", "Cloud physical environment", {"1": 1}),
    ("cloud-network", "8.2.2", "云计算安全通信网络", "Cloud communication network", {"1": 5}),
    ("cloud-boundary", "8.2.3", "云计算安全区域边界", "Cloud area boundary", {"1": 2, "2": 4, "3": 2}),
    (
        "cloud-computing-environment",
        "8.2.4",
        "云计算安全计算环境",
        "Cloud computing environment",
        {"1": 1, "2": 2, "3": 3, "4": 3, "5": 4, "6": 4, "7": 2},
    ),
    ("cloud-management-centre", "8.2.5", "云计算安全管理中心", "Cloud management centre", {"1": 4}),
]
HOST_CHECKS_PER_ITEM = 1


def catalogue() -> tuple[dict[str, Any], list[str], list[str]]:
    items: list[dict[str, Any]] = []
    rego_ids: list[str] = []
    host_clauses: list[str] = []
    rnd = random.Random(7)
    for fam, prefix, _zh, _en, points in FAMILIES:
        for point, count in points.items():
            for k in range(count):
                clause = f"{prefix}.{point}" + (f".{'abcdefg'[k]}" if count > 1 else "")
                kind = rnd.random()
                checks: dict[str, list[str]] = {}
                manual = None
                if prefix == "8.1.4" and kind < 0.6:
                    checks["host"] = [f"djcp_{clause}"]
                    host_clauses.append(clause)
                elif kind < 0.75:
                    rid = f"DJCP-B{len(rego_ids):03d}"
                    checks["rego"] = [rid]
                    rego_ids.append(rid)
                else:
                    manual = {"zh": "人工证据", "en": "manual evidence"}
                l2 = f"7{clause[1:]}" if rnd.random() < 0.8 else None
                levels = {3: clause, 4: f"9{clause[1:]}", **({2: l2} if l2 else {})}
                items.append(
                    {
                        "clause": clause,
                        "family": fam,
                        "levels": levels,
                        "test_code": None,
                        "title": {"zh": f"条款 {clause}", "en": f"Clause {clause}"},
                        "checks": checks,
                        "manual": manual,
                    }
                )
    fams = [{"id": f, "clause": p, "zh": zh, "en": en} for f, p, zh, en, _ in FAMILIES]
    return {"schema": "govcloud.catalogue/v1", "families": fams, "items": items}, rego_ids, host_clauses


def evidence(root: Path, n_hosts: int, n_systems: int, rego_ids: list[str], host_clauses: list[str]) -> None:
    rnd = random.Random(11)
    root.mkdir(parents=True)
    systems, segments, hosts = [], [], []
    for s in range(n_systems):
        sid = f"sys-{s:03d}"
        systems.append(
            {
                "id": sid,
                "department": f"d{s % 40}",
                "name": f"业务系统{s:03d}",
                "level": 3 if s % 5 else 2,
                "zone": f"dedicated-d{s % 40}",
                "dr": {"rto_s": 600, "rpo_s": 0, "gbt20988_level": 5},
            }
        )
        segments.append(
            {
                "id": f"prod/dedicated-d{s % 40}/{sid}",
                "centre": "prod",
                "zone": f"dedicated-d{s % 40}",
                "system": sid,
                "hosts": 8,
                "ipv4": {"prefix": f"198.18.{s // 16}.{(s % 16) * 16}/28"},
                "ipv6": {"prefix": f"fd00:6c:0:{s:x}::/64"},
                "utilisation": 0.5,
            }
        )
    for h in range(n_hosts):
        s = h % n_systems
        hosts.append(
            {
                "name": f"host-{h:04d}",
                "centre": "prod",
                "zone": f"dedicated-d{s % 40}",
                "role": "app",
                "ipv4": f"198.18.{s // 16}.{(s % 16) * 16 + 1 + h // n_systems}",
                "ipv6": None,
            }
        )
    plan = {
        "schema": "govcloud.plan/v1",
        "stack": "bench",
        "name": "bench",
        "lab": True,
        "centres": [{"id": "prod", "role": "production", "platform_level": 3}],
        "departments": [{"id": f"d{i}", "name": f"部门{i}"} for i in range(40)],
        "systems": systems,
        "address_plan": {"pools": [], "segments": segments},
        "hosts": hosts,
    }
    (root / "plan.json").write_text(json.dumps(plan, ensure_ascii=False))
    findings = []
    for rid in rego_ids:
        for s in range(n_systems):
            st = "fail" if rnd.random() < 0.05 else "pass"
            findings.append(
                {
                    "rule_id": rid,
                    "clause": "",
                    "family": "",
                    "severity": "high",
                    "status": st,
                    "resource": {"kind": "System", "name": f"sys-{s:03d}", "path": f"systems[{s}]"},
                    "message": {"zh": f"{rid} {st}", "en": f"{rid} {st}"},
                    "remediation": {"zh": "整改", "en": "fix"} if st == "fail" else None,
                    "source": "opa",
                }
            )
    cat_clause = {rid: None for rid in rego_ids}
    del cat_clause
    (root / "findings.json").write_text(
        json.dumps(
            {"schema": "govcloud.findings/v1", "generated_at": "2026-11-29T12:00:00Z", "findings": findings},
            ensure_ascii=False,
        )
    )
    hres = [
        {
            "host": f"host-{h:04d}",
            "results": [
                {
                    "clause": c,
                    "check": f"test_{c}",
                    "status": "fail" if rnd.random() < 0.03 else "pass",
                    "observed": "x",
                    "expected": "y",
                    "at": "2026-11-29T12:10:00Z",
                }
                for c in host_clauses
            ],
        }
        for h in range(n_hosts)
    ]
    (root / "hosts.json").write_text(
        json.dumps(
            {"schema": "govcloud.host-evidence/v1", "generated_at": "2026-11-29T12:10:00Z", "hosts": hres}
        )
    )
    (root / "drills").mkdir()
    drill = DrillRecord(
        drill_id="bench-samecity",
        scenario=ScenarioRef(id="samecity-failover"),
        status="passed",
        passed=True,
        targets=Targets(
            source="bench",
            all_met=True,
            systems=[
                SystemTarget(system=f"sys-{s:03d}", rto_s=300, rpo_s=0, achieved_rto_s=30, achieved_rpo_s=0,
                             rto_met=True, rpo_met=True)
                for s in range(n_systems)
            ],
        ),
    )
    (root / "drills" / "20261129T110000Z-samecity-failover.json").write_text(json.dumps(drill.dump()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--systems", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cat, rego_ids, host_clauses = catalogue()
    # Rego findings carry the clause of the item that lists them.
    by_rule = {r: i["clause"] for i in cat["items"] for r in i["checks"].get("rego", [])}
    with tempfile.TemporaryDirectory(prefix="gc-report-bench-") as tmp:
        base = Path(tmp)
        cat_path = base / "catalogue.yaml"
        cat_path.write_text(yaml.safe_dump(cat, allow_unicode=True, sort_keys=False))
        ev = base / "evidence"
        evidence(ev, args.hosts, args.systems, rego_ids, host_clauses)
        f = json.loads((ev / "findings.json").read_text())
        for x in f["findings"]:
            x["clause"] = by_rule[x["rule_id"]]
        (ev / "findings.json").write_text(json.dumps(f, ensure_ascii=False))
        times: list[float] = []
        cpu: list[float] = []
        res = None
        for n in range(args.repeat):
            t0 = time.perf_counter()
            c0 = time.process_time()
            res = generate(
                stack="bench",
                evidence_dir=ev,
                out_dir=base / f"out{n}",
                formats=("html", "json"),
                catalogue_path=cat_path,
                catalogue_required=True,
                since=None,
                now=datetime(2026, 11, 29, 15, 0, tzinfo=UTC),
            )
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        assert res is not None
        n_findings = len(f["findings"])
        n_host_results = args.hosts * len(host_clauses)
        print(
            json.dumps(
                {
                    "benchmark": "govcloud report (html+json)",
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "python": platform.python_version(),
                    "machine": platform.machine(),
                    "hosts": args.hosts,
                    "systems": args.systems,
                    "catalogue_items": len(cat["items"]),
                    "findings": n_findings,
                    "host_results": n_host_results,
                    "scopes": len(res.report.scopes),
                    "clause_rows": sum(len(s.items) for s in res.report.scopes),
                    "evidence_rows": len(res.report.evidence),
                    "input_bytes": sum(p.stat().st_size for p in ev.rglob("*.json")),
                    "report_json_bytes": res.files["json"].stat().st_size,
                    "report_html_bytes": res.files["html"].stat().st_size,
                    "cpus": os.cpu_count(),
                    "load_average_1m": round(os.getloadavg()[0], 2),
                    "runs_s": [round(t, 3) for t in times],
                    "median_s": round(statistics.median(times), 3),
                    "cpu_runs_s": [round(t, 3) for t in cpu],
                    "cpu_median_s": round(statistics.median(cpu), 3),
                    "target_s": 5.0,
                    "within_target_wall": statistics.median(times) < 5.0,
                    "within_target_cpu": statistics.median(cpu) < 5.0,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
