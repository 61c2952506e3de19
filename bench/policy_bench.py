"""Benchmark of the 等保 policy gate: batched `govcloud check` vs one `opa eval` per manifest file.

Synthetic change sets of Kubernetes objects (one object per file, as renderYamlToDirectory
writes them) plus a large plan. For each size the batched gate runs end to end as a subprocess
(`python -m govcloud check --no-checkov`: YAML loading, OPA start, one query, report); wall time
and the peak resident memory of its process tree (govcloud + OPA, sampled every 20 ms) are
recorded. The naive way runs `opa eval` once per manifest file (plus once for the plan) on a
sample of files and is extrapolated linearly to the full size (stated in the output).

Usage: .venv/bin/python bench/policy_bench.py [--sizes 1000,5000,10000] [--naive-sample 100]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from govcloud.policy import bundle  # noqa: E402
from govcloud.toolchain import env  # noqa: E402

DIGEST = "sha256:" + "c" * 64
LAST_CPU = 0.0


def synthetic_objects(n: int) -> list[dict[str, Any]]:
    """n objects in namespaces of 50: Namespace, NetworkPolicies, Deployments, Services, RBAC, ..."""
    objs: list[dict[str, Any]] = []
    i = 0
    while len(objs) < n:
        ns = f"tenant-{i:04d}"
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": ns,
                    "labels": {"pod-security.kubernetes.io/enforce": "restricted" if i % 3 else "baseline"},
                },
            }
        )
        objs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "default-deny", "namespace": ns},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
            }
        )
        for j in range(40):
            if len(objs) >= n:
                break
            kind = ("Deployment", "Service", "ConfigMap", "StatefulSet", "Role")[j % 5]
            name = f"app-{j:03d}"
            meta = {"name": name, "namespace": ns}
            if kind in {"Deployment", "StatefulSet"}:
                sc = {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "runAsNonRoot": True,
                    "capabilities": {"drop": ["ALL"]},
                    "seccompProfile": {"type": "RuntimeDefault"},
                }
                if j % 7 == 0:
                    sc = {"privileged": True}
                c = {
                    "name": "main",
                    "image": f"registry.example/{name}@{DIGEST}" if j % 4 else "nginx:1.27",
                    "securityContext": sc,
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "64Mi"},
                        "limits": {"cpu": "1", "memory": "256Mi"},
                    },
                }
                objs.append(
                    {
                        "apiVersion": "apps/v1",
                        "kind": kind,
                        "metadata": meta,
                        "spec": {
                            "replicas": 2,
                            "selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [c]}},
                        },
                    }
                )
            elif kind == "Service":
                objs.append(
                    {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "metadata": meta,
                        "spec": {
                            "type": "NodePort" if j % 11 == 0 else "ClusterIP",
                            "ports": [{"name": "https", "port": 8443 if j % 11 else 22}],
                        },
                    }
                )
            elif kind == "ConfigMap":
                objs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}})
            else:
                objs.append(
                    {
                        "apiVersion": "rbac.authorization.k8s.io/v1",
                        "kind": "Role",
                        "metadata": meta,
                        "rules": [
                            {
                                "apiGroups": [""],
                                "resources": ["configmaps"],
                                "verbs": ["*"] if j % 9 == 0 else ["get"],
                            }
                        ],
                    }
                )
        i += 1
    return objs[:n]


def large_plan(systems: int = 60) -> dict[str, Any]:
    base = json.loads((REPO / "tests" / "policy" / "fixtures" / "plan_good.json").read_text(encoding="utf-8"))
    plan = dict(base)
    zones = list(base["zones"])
    flows = list(base["flows"])
    segments = list(base["address_plan"]["segments"])
    sys_list = []
    departments = []
    for k in range(systems):
        dept = f"d{k:03d}"
        departments.append({"id": dept, "name": f"部门{k}", "name_en": f"Department {k}"})
        zone = f"dedicated-{dept}"
        zones.append(
            {
                "id": zone,
                "kind": "dedicated",
                "name_zh": f"专用网络区{k}",
                "name_en": f"Zone {k}",
                "department": dept,
            }
        )
        flows.append(
            {
                "id": f"public-to-{dept}",
                "from": "public",
                "to": zone,
                "protocol": "tcp",
                "ports": [8443, 443],
                "boundary": "prod-boundary",
                "encrypted": True,
                "families": ["ipv4", "ipv6"],
                "description": "API",
            }
        )
        flows.append(
            {
                "id": f"mgmt-to-{dept}",
                "from": "management",
                "to": zone,
                "protocol": "tcp",
                "ports": [22],
                "boundary": "prod-boundary",
                "encrypted": True,
                "families": ["ipv4", "ipv6"],
                "description": "ops",
            }
        )
        for c, centre in enumerate(("prod", "samecity", "dr")):
            v4, v6 = f"198.18.{k + 20}.{c * 64}", f"fd00:6c:{c}:{k + 20:x}::"
            segments.append(
                {
                    "id": f"{centre}/{zone}/s",
                    "centre": centre,
                    "zone": zone,
                    "system": None,
                    "owner": "infra",
                    "hosts": 20,
                    "ipv4": {"prefix": f"{v4}/26", "gateway": f"198.18.{k + 20}.{c * 64 + 1}", "reserved": [],
                             "usable": 59},
                    "ipv6": {"prefix": f"{v6}/64", "gateway": f"{v6}1", "reserved": []},
                    "utilisation": 0.339,
                }
            )
        system = dict(base["systems"][0])
        system.update({"id": f"sys-{k:03d}", "department": dept, "zone": zone})
        sys_list.append(system)
    plan.update({"zones": zones, "flows": flows, "systems": sys_list, "departments": departments})
    plan["address_plan"] = {**base["address_plan"], "segments": segments}
    return plan


class PeakRss(threading.Thread):
    """Samples the summed RSS of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.running = True

    def _tree(self) -> list[int]:
        pids, frontier = [self.pid], [self.pid]
        while frontier:
            p = frontier.pop()
            try:
                kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            except OSError:
                continue
            for kid in kids:
                pids.append(int(kid))
                frontier.append(int(kid))
        return pids

    def run(self) -> None:
        while self.running:
            total = 0
            for p in self._tree():
                try:
                    for line in Path(f"/proc/{p}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                except OSError:
                    pass
            self.peak_kib = max(self.peak_kib, total)
            time.sleep(0.02)


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_measured(cmd: list[str], ok_codes: tuple[int, ...] = (0, 1)) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB) of the process tree, exit code; CPU seconds go to LAST_CPU."""
    global LAST_CPU  # noqa: PLW0603 (a bench script; keeps run_measured's signature small)
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    sampler = PeakRss(proc.pid)
    sampler.start()
    _out, err = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.running = False
    sampler.join()
    LAST_CPU = _children_cpu() - cpu0
    if proc.returncode not in ok_codes:
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return seconds, sampler.peak_kib, proc.returncode


def write_change_set(root: Path, n: int, plan: dict[str, Any]) -> tuple[Path, Path]:
    manifests = root / f"manifests-{n}"
    manifests.mkdir()
    for i, obj in enumerate(synthetic_objects(n)):
        (manifests / f"{i:05d}-{obj['kind'].lower()}.yaml").write_text(
            yaml.safe_dump(obj, sort_keys=False), encoding="utf-8"
        )
    plan_file = root / "plan.json"
    if not plan_file.exists():
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
    return manifests, plan_file


def batched(manifests: Path, plan_file: Path, out: Path) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "govcloud",
        "check",
        "--plan",
        str(plan_file),
        "--manifests",
        str(manifests),
        "--no-checkov",
        "--format",
        "json",
        "--out",
        str(out),
        "--timeout",
        "300",
    ]
    seconds, peak, rc = run_measured(cmd)
    report = json.loads(out.read_text(encoding="utf-8"))
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(LAST_CPU, 2),
        "peak_rss_mib": round(peak / 1024, 1),
        "exit_code": rc,
        "findings": len(report["findings"]),
        "summary": report["summary"],
    }


def naive(manifests: Path, plan: dict[str, Any], sample: int, root: Path) -> dict[str, Any]:
    """One `opa eval` per manifest file (its own input), plus one for the plan; sampled."""
    opa = str(env.tool_path("opa"))
    bundle_dir = root / "bundle"
    if not bundle_dir.exists():
        bundle.build_bundle(bundle_dir)
    files = sorted(manifests.iterdir())
    step = max(1, len(files) // sample)
    picked = files[::step][:sample]
    inputs_dir = root / "naive-inputs"
    inputs_dir.mkdir(exist_ok=True)
    jobs: list[Path] = []
    for f in picked:
        doc = {
            "schema": "govcloud.check-input/v1",
            "level": 3,
            "plan": None,
            "hosts": [],
            "kubernetes": [{"source": f.name, "object": yaml.safe_load(f.read_text(encoding="utf-8"))}],
        }
        path = inputs_dir / f"{f.stem}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        jobs.append(path)
    plan_input = inputs_dir / "plan.json"
    plan_input.write_text(
        json.dumps(
            {"schema": "govcloud.check-input/v1", "level": 3, "plan": plan, "hosts": [], "kubernetes": []}
        ),
        encoding="utf-8",
    )
    per_file: list[float] = []
    per_file_cpu: list[float] = []
    peak = 0
    for path in jobs:
        secs, rss, _rc = run_measured(
            [
                opa,
                "eval",
                "--bundle",
                str(bundle_dir),
                "--input",
                str(path),
                "--format",
                "json",
                "data.govcloud.main.decision",
            ]
        )
        per_file.append(secs)
        per_file_cpu.append(LAST_CPU)
        peak = max(peak, rss)
    plan_secs, _rss, _rc = run_measured(
        [
            opa,
            "eval",
            "--bundle",
            str(bundle_dir),
            "--input",
            str(plan_input),
            "--format",
            "json",
            "data.govcloud.main.decision",
        ]
    )
    mean = sum(per_file) / len(per_file)
    return {
        "measured_files": len(per_file),
        "mean_seconds_per_file": round(mean, 4),
        "mean_cpu_seconds_per_file": round(sum(per_file_cpu) / len(per_file_cpu), 4),
        "extrapolated_total_cpu_seconds": round(sum(per_file_cpu) / len(per_file_cpu) * len(files), 1),
        "plan_eval_seconds": round(plan_secs, 2),
        "extrapolated_total_seconds": round(mean * len(files) + plan_secs, 1),
        "extrapolated": len(per_file) < len(files),
        "peak_rss_mib_per_process": round(peak / 1024, 1),
    }


def phases(manifests: Path, plan_file: Path) -> dict[str, float]:
    """In-process phase times for one size: YAML loading, OPA eval (server metrics), expansion."""
    from govcloud.policy import engine, inputs  # noqa: PLC0415
    from govcloud.policy.manifests import load_manifest_dir  # noqa: PLC0415
    from govcloud.policy.opa_server import OpaServer  # noqa: PLC0415

    t0 = time.perf_counter()
    items = load_manifest_dir(manifests).items
    t1 = time.perf_counter()
    doc = inputs.build_input(3, inputs.load_plan_file(plan_file), items)
    with OpaServer() as server:
        t2 = time.perf_counter()
        client = engine.client_for(server.url, 300)
        raw = client.query_rule(doc, "govcloud.main", "decision", query_params={"metrics": True})
        t3 = time.perf_counter()
        metrics = raw.get("metrics", {})
        decision = engine.check_decision(raw, server.url)
        rows = engine.expand(decision)
        t4 = time.perf_counter()
    return {
        "load_manifests_s": round(t1 - t0, 2),
        "opa_query_roundtrip_s": round(t3 - t2, 2),
        "opa_input_parse_s": round(metrics.get("timer_rego_input_parse_ns", 0) / 1e9, 2),
        "opa_eval_s": round(metrics.get("timer_rego_query_eval_ns", 0) / 1e9, 2),
        "opa_server_handler_s": round(metrics.get("timer_server_handler_ns", 0) / 1e9, 2),
        "check_and_expand_s": round(t4 - t3, 2),
        "findings": len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--naive-sample", type=int, default=100)
    parser.add_argument("--systems", type=int, default=60)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    plan = large_plan(args.systems)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="govcloud-policy-bench-") as tmp:
        root = Path(tmp)
        for n in sizes:
            manifests, plan_file = write_change_set(root, n, plan)
            b = batched(manifests, plan_file, root / f"findings-{n}.json")
            nv = naive(manifests, plan, min(args.naive_sample, n), root)
            results.append(
                {
                    "objects": n,
                    "batched": b,
                    "naive": nv,
                    "speedup_wall": round(nv["extrapolated_total_seconds"] / b["seconds"], 1),
                    "speedup_cpu": round(
                        nv["extrapolated_total_cpu_seconds"] / max(b["cpu_seconds"], 0.01), 1
                    ),
                }
            )
        breakdown = phases(root / f"manifests-{sizes[-1]}", root / "plan.json")
    print(
        json.dumps(
            {
                "schema": "govcloud.bench.policy/v1",
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "load_avg_at_end": os.getloadavg(),
                },
                "plan": {
                    "systems": len(plan["systems"]),
                    "zones": len(plan["zones"]),
                    "flows": len(plan["flows"]),
                    "segments": len(plan["address_plan"]["segments"]),
                },
                "breakdown_largest": breakdown,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
