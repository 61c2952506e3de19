"""`run_drill`: guard, lock, provision if needed, run the playbook, write the drill record."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from govcloud.contracts.drill import DrillRecord
from govcloud.contracts.lab_status import LabStatus
from govcloud.drill import record, runner, safety, scenarios, services, source
from govcloud.drill.endpoint import service_name
from govcloud.drill.ha.settings import HaSettingsError, plan_ha, resolve
from govcloud.state import evidence_dir, write_json


def run_drill(
    stack: str,
    scenario_id: str,
    *,
    ticket: str | None,
    edition: str = "2025",
    confirm_non_lab: bool = False,
    check: bool = False,
    out: Path | None = None,
    status: LabStatus | Mapping[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    plan: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    ha: str | None = None,
) -> DrillRecord:
    """Run one drill end to end. Raises safety.DrillRefusedError (exit 2); returns the record otherwise
    (written under the evidence directory, its path in `record_path`)."""
    try:
        scenario = scenarios.get(scenario_id)
    except KeyError:
        raise safety.DrillRefusedError(
            f"unknown scenario {scenario_id!r}; see `govcloud drill list`"
        ) from None
    if edition not in ("2007", "2025"):
        raise safety.DrillRefusedError("--edition must be 2007 or 2025")
    topo, the_plan = source.topology(stack, status, plan)
    try:
        settings = resolve(ha, plan_ha(the_plan))
    except HaSettingsError as exc:
        raise safety.DrillRefusedError(str(exc)) from None
    if settings.engine not in scenario.engines:
        raise safety.DrillRefusedError(
            f"scenario {scenario.id} needs the {' or '.join(scenario.engines)} HA mode, "
            f"not {settings.engine} "
            f"(use --ha patroni) / 该场景需要 {'/'.join(scenario.engines)} 模式"
        )
    if settings.engine == "patroni" and float((params or {}).get("survivor_outage_before_fault_s", 0)) > 0:
        raise safety.DrillRefusedError(
            "survivor_outage_before_fault_s (a replication outage before the disaster) is injected by "
            "the manual mode only; the Patroni drill would ignore it / 该参数仅适用于人工模式"
        )
    guard = safety.authorise(topo, scenario, ticket, confirm_non_lab)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    drill_id = f"{stamp}-{scenario.id}"
    with safety.DrillLock(drill_id, stack):
        say = progress or (lambda _m: None)
        provisioned = False
        if not services.matches(topo, settings):
            if check:
                raise safety.DrillRefusedError(
                    f"no {settings.engine} drill database service on this stack; "
                    "check mode does not provision / 检查模式不部署服务"
                )
            say(f"provisioning the replicated database service, {settings.engine} (部署数据库服务)")
            services.provision(topo, settings, progress=say)
            provisioned = True
        svc = services.open_service(topo)
        why_not = svc.refusal(scenario.id)
        if why_not:
            raise safety.DrillRefusedError(why_not)
        drills_dir = evidence_dir(stack) / "drills"
        workdir = drills_dir / drill_id
        workdir.mkdir(parents=True, exist_ok=True)
        context = {
            "drill_id": drill_id,
            "scenario": scenario.id,
            "stack": stack,
            "ticket": ticket,
            "edition": edition,
            "dir": str(workdir.resolve()),
            "lab_status": topo.status.dump() if topo.status else None,
            "topology_source": topo.source,
            "lab": topo.lab,
            "params": params or {},
            "centre_roles": {n.centre: n.role for n in topo.nodes},
            "ha": settings.to_dict(),
        }
        ctx_path = workdir / "context.json"
        ctx_path.write_text(json.dumps(context, ensure_ascii=False, indent=1), encoding="utf-8")
        inventory = runner.write_inventory(topo, workdir / "inventory.yml")
        before = svc.state()
        started = time.time_ns()
        result = runner.run_playbook(
            scenario.playbook,
            workdir,
            inventory,
            check=check,
            progress=say,
            extravars={
                "drill_id": drill_id,
                "drill_ticket": ticket,
                "drill_environment": guard["environment"],
                "drill_confirmed": confirm_non_lab,
                "drill_targets_drillable": all(n.drillable for n in topo.nodes),
                "drill_context": str(ctx_path.resolve()),
                "drill_python": sys.executable,
                "drill_scenario": scenario.id,
            },
        )
        ended = time.time_ns()
        after = svc.state() if svc.exists() else None
        rec = record.build(
            drill_id=drill_id,
            scenario=scenario,
            topo=topo,
            workdir=workdir,
            guard=guard,
            runner=result,
            edition=edition,
            systems=source.systems(the_plan),
            started_ns=started,
            ended_ns=ended,
            service_before=before,
            service_after=after,
            endpoint=service_name(stack),
            provisioned=provisioned,
            ha=settings.to_dict(),
        )
        path = write_json(drills_dir / f"{drill_id}.json", rec.dump(), out=out, indent=1)
        rec.record_path = str(path)
        return rec
