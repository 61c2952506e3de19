"""ansible-runner wrapper for the hardening playbook.

Each run gets a private data dir `.govcloud/runs/<ident>/` (env/ copied from playbooks/env, the
project is playbooks/project, artifacts/<ident>/ holds ansible-runner's job_events, stdout, rc and
status). Events are streamed to a callback, condensed per host and per clause, and returned as a
`govcloud.harden-run/v1` document that the CLI stores as evidence (contracts §7:
`.govcloud/evidence/<stack>/harden/<timestamp>.json`).

The clause of a task is read from its name: every task of the role ends with `| 8.1.4.x.y ...`.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.plan import PlanDocument
from govcloud.runner.inventory import InventoryHost, load_inventory
from govcloud.runner.labvars import lab_extravars
from govcloud.runner.paths import PLAYBOOKS
from govcloud.runner.playbook import run_in_project
from govcloud.state import evidence_dir, runs_dir, write_json

SCHEMA = "govcloud.harden-run/v1"
PLAYBOOK = "harden.yml"
CLAUSE_RE = re.compile(r"\b8\.1\.4\.\d+(?:\.[a-z])?\b")
TAG_RE = re.compile(r"^(?:djcp_)?(8\.1\.4\.\d+(?:\.[a-z])?)$")
LEVELS = (2, 3, 4)

EventCallback = Callable[[dict[str, Any]], None]


class HardenError(Exception):
    """Bad input for a hardening run (message names the field and the reason)."""


@dataclass
class ClauseCount:
    ok: int = 0
    changed: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass
class HostSummary:
    host: str
    ok: int = 0
    changed: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0
    clauses: dict[str, ClauseCount] = field(default_factory=dict)
    changed_tasks: list[dict[str, Any]] = field(default_factory=list)
    failed_tasks: list[dict[str, Any]] = field(default_factory=list)
    last_task: str = ""


@dataclass
class HardenRun:
    ident: str
    check: bool
    level: int
    stack: str
    inventory: str
    limit: str | None
    tags: list[str]
    forks: int
    serial: Any
    started_at: str
    finished_at: str = ""
    duration_s: float = 0.0
    status: str = ""
    rc: int = -1
    private_data_dir: str = ""
    hosts: dict[str, HostSummary] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rc == 0 and all(h.failed == 0 and h.unreachable == 0 for h in self.hosts.values())

    @property
    def total_changed(self) -> int:
        return sum(h.changed for h in self.hosts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "ident": self.ident,
            "mode": "check" if self.check else "apply",
            "level": self.level,
            "stack": self.stack,
            "inventory": self.inventory,
            "limit": self.limit,
            "tags": self.tags,
            "forks": self.forks,
            "serial": self.serial,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": round(self.duration_s, 3),
            "status": self.status,
            "rc": self.rc,
            "ok": self.ok,
            "private_data_dir": self.private_data_dir,
            "summary": {
                "hosts": len(self.hosts),
                "changed": self.total_changed,
                "failed": sum(h.failed for h in self.hosts.values()),
                "unreachable": sum(h.unreachable for h in self.hosts.values()),
            },
            "hosts": [
                {
                    "host": h.host,
                    "ok": h.ok,
                    "changed": h.changed,
                    "failed": h.failed,
                    "unreachable": h.unreachable,
                    "skipped": h.skipped,
                    "clauses": {c: asdict(n) for c, n in sorted(h.clauses.items())},
                    "changed_tasks": h.changed_tasks,
                    "failed_tasks": h.failed_tasks,
                }
                for h in sorted(self.hosts.values(), key=lambda s: s.host)
            ],
            "events": self.events,
        }


def normalise_tags(tags: list[str] | None) -> list[str]:
    """Accept `8.1.4.1.b`, `djcp_8.1.4.1.b` or any other role tag; return Ansible tags."""
    out: list[str] = []
    for raw in tags or []:
        for tag in (t.strip() for t in raw.split(",")):
            if not tag:
                continue
            m = TAG_RE.match(tag)
            out.append(f"djcp_{m.group(1)}" if m else tag)
    return out


def batching(host_count: int) -> tuple[int, Any]:
    """Forks and serial from the inventory size: small inventories in one batch, larger ones with a
    canary host first, then 20 % batches (a broken change stops before it reaches everyone)."""
    forks = max(1, min(host_count, 25))
    serial: Any = "100%" if host_count <= 10 else [1, "20%", "100%"]
    return forks, serial


def clauses_of(task_name: str) -> list[str]:
    _, _, tail = task_name.rpartition("|")
    return CLAUSE_RE.findall(tail) or CLAUSE_RE.findall(task_name)


def _plan_vars(stack: str, hosts: list[InventoryHost]) -> dict[str, Any]:
    """Collector, time sources and management prefixes from the stack's plan (govcloud.plan/v1), used
    only for variables the inventory does not set itself."""
    plan_file = evidence_dir(stack) / "plan.json"
    if not plan_file.exists():
        return {}
    try:
        plan = read(PlanDocument, plan_file)
    except ContractError as exc:
        raise HardenError(f"cannot read the plan: {exc}") from exc
    found: dict[str, Any] = {}
    logs = [h for s in plan.security_services if s.kind == "log-audit" and (h := plan.host(s.host))]
    if logs:
        found["djcp_hardening_log_collector"] = logs[0].ipv4 or logs[0].ipv6
    times = [plan.host(s.host) for s in plan.security_services if s.kind == "time"]
    ntp = [a for h in times if h for a in (h.ipv4, h.ipv6) if a]
    if ntp:
        found["djcp_hardening_ntp_servers"] = ntp
    mgmt = {z.id for z in plan.zones if z.kind == "management"}
    segs = [s for s in plan.address_plan.segments if s.zone in mgmt]
    v4 = [s.ipv4.prefix for s in segs if s.ipv4]
    v6 = [s.ipv6.prefix for s in segs if s.ipv6]
    if v4 or v6:
        found["djcp_hardening_mgmt_ipv4"] = v4
        found["djcp_hardening_mgmt_ipv6"] = v6
    defined = set(hosts[0].vars) if hosts else set()
    return {k: v for k, v in found.items() if k not in defined}


def _ident(check: bool) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"harden-{'check' if check else 'apply'}-{stamp}"


def _trim_event(ev: dict[str, Any]) -> dict[str, Any] | None:
    """Keep what an auditor needs from an ansible-runner event."""
    kind = ev.get("event", "")
    if kind not in {"runner_on_ok", "runner_on_failed", "runner_on_unreachable", "runner_on_skipped"}:
        return None
    data = ev.get("event_data", {})
    res = data.get("res", {}) if isinstance(data.get("res"), dict) else {}
    task = str(data.get("task", ""))
    out: dict[str, Any] = {
        "event": kind,
        "host": data.get("host"),
        "task": task,
        "clauses": clauses_of(task),
        "action": data.get("resolved_action") or data.get("task_action"),
        "changed": bool(res.get("changed", False)),
        "start": data.get("start"),
        "end": data.get("end"),
        "duration": data.get("duration"),
    }
    if kind == "runner_on_failed":
        out["ignored"] = bool(data.get("ignore_errors"))
        out["msg"] = str(res.get("msg", ""))[:2000]
    if out["changed"]:
        diffs = _diffs(res)
        if diffs:
            out["diff"] = diffs
        if res.get("msg"):
            out["msg"] = str(res.get("msg"))[:500]
    return out


def _diffs(res: dict[str, Any]) -> list[dict[str, Any]]:
    items = [res, *[r for r in res.get("results", []) if isinstance(r, dict) and r.get("changed")]]
    out: list[dict[str, Any]] = []
    for item in items:
        diff = item.get("diff")
        for d in diff if isinstance(diff, list) else [diff] if isinstance(diff, dict) else []:
            if not isinstance(d, dict):
                continue
            entry = {
                k: d[k] for k in ("before_header", "after_header", "before", "after", "prepared") if k in d
            }
            for k in ("before", "after"):
                if isinstance(entry.get(k), str) and len(entry[k]) > 8000:
                    entry[k] = entry[k][:8000] + "\n[... truncated]"
            if entry:
                out.append(entry)
    return out


def run_harden(
    inventory: Path,
    *,
    stack: str,
    level: int = 3,
    limit: str | None = None,
    tags: list[str] | None = None,
    check: bool = False,
    extravars: dict[str, Any] | None = None,
    on_event: EventCallback | None = None,
) -> HardenRun:
    if level not in LEVELS:
        raise HardenError(f"--level: {level} is not one of {LEVELS} (等保 level 2, 3 or 4)")
    hosts = load_inventory(inventory, limit)
    forks, serial = batching(len(hosts))
    if hosts and "netns_name" in hosts[0].vars:
        # Lab hosts are namespaces on this machine: they share its CPUs, so more forks than cores
        # only thrash (AIDE baselines especially). A real inventory keeps the forks above.
        forks = min(forks, max(2, os.cpu_count() or 2))
    ident = _ident(check)
    pdd = runs_dir() / ident
    pdd.mkdir(parents=True, exist_ok=True)
    if (PLAYBOOKS / "env").is_dir():
        shutil.copytree(PLAYBOOKS / "env", pdd / "env", dirs_exist_ok=True)
    evars: dict[str, Any] = _plan_vars(stack, hosts)
    lab = lab_extravars(hosts)
    for key in ("djcp_hardening_mgmt_ipv4", "djcp_hardening_mgmt_ipv6"):
        # In the lab, operators and Ansible come in through the out-of-band network: it belongs to
        # the management zone next to the plan's 运维管理区 segments, or hardening would lock them out.
        if key in lab and key in evars:
            evars[key] = [*evars[key], *(p for p in lab[key] if p not in evars[key])]
    evars.update({k: v for k, v in lab.items() if k not in evars})
    evars.update({"djcp_hardening_level": level, "djcp_hardening_serial": serial})
    evars.update(extravars or {})
    run = HardenRun(
        ident=ident,
        check=check,
        level=level,
        stack=stack,
        inventory=str(inventory),
        limit=limit,
        tags=normalise_tags(tags),
        forks=forks,
        serial=serial,
        started_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        private_data_dir=str(pdd),
    )
    for h in hosts:
        run.hosts[h.name] = HostSummary(host=h.name)

    def handler(ev: dict[str, Any]) -> bool:
        trimmed = _trim_event(ev)
        if trimmed is not None:
            _account(run, trimmed)
            run.events.append(trimmed)
        if on_event is not None:
            on_event(ev)
        return True

    t0 = time.monotonic()
    result = run_in_project(
        PLAYBOOK,
        private_data_dir=pdd,
        inventory=inventory,
        ident=ident,
        extravars=evars,
        event_handler=handler,
        cmdline=["--diff", *(["--check"] if check else [])],
        limit=limit,
        tags=run.tags,
        forks=forks,
    )
    run.duration_s = time.monotonic() - t0
    run.finished_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    run.status = str(result.status)
    run.rc = int(result.rc) if result.rc is not None else -1
    stats: dict[str, Any] = result.stats or {}
    for host, summary in run.hosts.items():
        summary.ok = int(stats.get("ok", {}).get(host, summary.ok))
        summary.changed = int(stats.get("changed", {}).get(host, summary.changed))
        summary.failed = int(stats.get("failures", {}).get(host, summary.failed))
        summary.unreachable = int(stats.get("dark", {}).get(host, summary.unreachable))
        summary.skipped = int(stats.get("skipped", {}).get(host, summary.skipped))
    return run


def _account(run: HardenRun, ev: dict[str, Any]) -> None:
    host = str(ev.get("host") or "")
    summary = run.hosts.setdefault(host, HostSummary(host=host))
    summary.last_task = ev["task"]
    clauses = ev["clauses"] or ["unclassified"]
    kind = ev["event"]
    for clause in clauses:
        count = summary.clauses.setdefault(clause, ClauseCount())
        if kind == "runner_on_ok":
            count.ok += 1
            count.changed += int(ev["changed"])
        elif kind == "runner_on_failed" and not ev.get("ignored"):
            count.failed += 1
        elif kind == "runner_on_skipped":
            count.skipped += 1
    if kind == "runner_on_ok" and ev["changed"]:
        summary.changed_tasks.append({k: ev[k] for k in ("task", "clauses", "diff", "msg") if k in ev})
    if kind in {"runner_on_failed", "runner_on_unreachable"} and not ev.get("ignored"):
        summary.failed_tasks.append({"task": ev["task"], "clauses": ev["clauses"], "msg": ev.get("msg", "")})


def write_evidence(run: HardenRun, out: Path | None = None) -> Path:
    """Write the run under `.govcloud/evidence/<stack>/harden/<timestamp>.json` (and to `out`)."""
    doc = run.to_dict()
    stamp = run.started_at.replace(":", "").replace("-", "")
    path = evidence_dir(run.stack) / "harden" / f"{stamp}-{'check' if run.check else 'apply'}.json"
    return write_json(path, doc, out=out)
