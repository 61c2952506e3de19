"""DR drill results against each system's targets, and the GB/T 20988 level they are consistent with.

The level mapping uses the RTO/RPO *example* table of GB/T 20988-2007 Annex A as widely reproduced.
It is illustrative: a capability level is decided by all seven elements (backup system, standby
processing, standby network, standby infrastructure, technical support, operations management, DR
plan), most of which a drill cannot show. The report therefore says "consistent with level N" for
the measured RTO/RPO only, and "supported" = min(target level, consistent level) when the drill passed.
"""

from __future__ import annotations

from govcloud.contracts.plan import PlanDocument
from govcloud.contracts.report import DrillOut, DrillSystemOut, DrOut, DrSystemOut, Text
from govcloud.report.evidence import Drill, InputFile

DAY = 86400.0
# level: (max RPO seconds, max RTO seconds or None for no upper bound in the example table)
LEVEL_BANDS: dict[int, tuple[float, float | None]] = {
    6: (0.0, 3600.0),  # RPO 0, RTO minutes
    5: (1800.0, 2 * DAY),  # RPO 0–30 min, RTO minutes–2 days
    4: (DAY, 2 * DAY),  # RPO hours–1 day, RTO hours–2 days
    3: (DAY, None),  # RPO hours–1 day, RTO ≥ 12 h
    2: (7 * DAY, None),  # RPO 1–7 days, RTO ≥ 24 h
    1: (7 * DAY, None),  # RPO 1–7 days, RTO ≥ 2 days
}

BASIS = Text(
    zh="RTO/RPO 与 GB/T 20988-2007 附录 A 示例表比较；灾难恢复能力等级由七个要素共同决定，"
    "演练只能证明其中的技术指标，"
    "其余要素（专业技术支持、运行维护管理、灾难恢复预案等）须另行核查。",
    en="RTO/RPO are compared with the example table of GB/T 20988-2007 Annex A; a capability level is "
    "decided by all seven elements, of which a drill evidences only the technical measures; the others "
    "(technical support, operations management, DR plan …) are checked separately.",
)


def consistent_level(rto_s: float | None, rpo_s: float | None) -> int | None:
    if rto_s is None or rpo_s is None:
        return None
    for level in sorted(LEVEL_BANDS, reverse=True):
        max_rpo, max_rto = LEVEL_BANDS[level]
        if rpo_s <= max_rpo and (max_rto is None or rto_s <= max_rto):
            return level
    return None


def _met(achieved: float | None, target: float | None) -> bool | None:
    if achieved is None or target is None:
        return None
    return achieved <= target


def drill_out(info: InputFile, d: Drill, plan: PlanDocument | None) -> DrillOut:
    targets = {s.id: s.dr for s in plan.systems} if plan else {}
    systems: list[DrillSystemOut] = []
    for s in d.systems:
        plan_t = targets.get(s.system)
        t_rto = (
            s.targets.rto_s
            if s.targets and s.targets.rto_s is not None
            else (plan_t.rto_s if plan_t else None)
        )
        t_rpo = (
            s.targets.rpo_s
            if s.targets and s.targets.rpo_s is not None
            else (plan_t.rpo_s if plan_t else None)
        )
        a_rto = s.achieved.rto_s if s.achieved else None
        a_rpo = s.achieved.rpo_s if s.achieved else None
        rto_met, rpo_met = _met(a_rto, t_rto), _met(a_rpo, t_rpo)
        if s.result is not None:
            result: str = s.result
        elif rto_met is False or rpo_met is False:
            result = "fail"
        elif rto_met and rpo_met:
            result = "pass"
        else:
            result = "unknown"
        # A measured miss of a target is a failure whatever the record's own verdict says.
        if rto_met is False or rpo_met is False:
            result = "fail"
        systems.append(
            DrillSystemOut(
                system=s.system,
                target_rto_s=t_rto,
                target_rpo_s=t_rpo,
                achieved_rto_s=a_rto,
                achieved_rpo_s=a_rpo,
                rto_met=rto_met,
                rpo_met=rpo_met,
                result=result,
            )
        )
    consistency = None if d.consistency is None else d.consistency.result
    return DrillOut(
        input=info.rel,
        drill_id=d.drill_id,
        scenario=d.scenario,
        started_at=d.started_at,
        finished_at=d.finished_at,
        result=d.result,
        edition=d.gbt20988_edition,
        elements=d.elements,
        claimed_level=d.claimed_level,
        replication_lag_s=d.replication_lag_s,
        replication_lag_bytes=d.replication_lag_bytes,
        consistency=consistency,
        steps=[
            {"name": st.name, "at": st.at, "ended_at": st.ended_at, "result": st.result} for st in d.steps
        ],
        systems=systems,
        engine=d.engine,
    )


def dr_summary(plan: PlanDocument | None, drills: list[DrillOut]) -> DrOut:
    out: list[DrSystemOut] = []
    if plan is not None:
        # Latest drill first: drill files are named <timestamp>-<scenario>.json.
        ordered = sorted(drills, key=lambda x: x.finished_at or x.started_at or x.input, reverse=True)
        for s in plan.systems:
            hit: tuple[DrillOut, DrillSystemOut] | None = None
            for d in ordered:
                for ds in d.systems:
                    if ds.system == s.id:
                        hit = (d, ds)
                        break
                if hit:
                    break
            target_level = s.dr.gbt20988_level if s.dr else None
            if hit is None:
                out.append(
                    DrSystemOut(
                        system=s.id,
                        name=Text(zh=s.name, en=s.name_en or s.name),
                        level=s.level,
                        target_rto_s=s.dr.rto_s if s.dr else None,
                        target_rpo_s=s.dr.rpo_s if s.dr else None,
                        target_gbt20988_level=target_level,
                        last_drill=None,
                        achieved_rto_s=None,
                        achieved_rpo_s=None,
                        drill_result="not_drilled",
                        consistent_level=None,
                        supported_level=None,
                    )
                )
                continue
            d, ds = hit
            passed = ds.result == "pass" and d.consistency != "fail"
            cons = consistent_level(ds.achieved_rto_s, ds.achieved_rpo_s)
            supported = None
            if passed and cons is not None:
                supported = min(cons, target_level) if target_level is not None else cons
            out.append(
                DrSystemOut(
                    system=s.id,
                    name=Text(zh=s.name, en=s.name_en or s.name),
                    level=s.level,
                    target_rto_s=ds.target_rto_s,
                    target_rpo_s=ds.target_rpo_s,
                    target_gbt20988_level=target_level,
                    last_drill=d.drill_id or d.input,
                    achieved_rto_s=ds.achieved_rto_s,
                    achieved_rpo_s=ds.achieved_rpo_s,
                    drill_result="pass" if passed else "fail",
                    consistent_level=cons,
                    supported_level=supported,
                )
            )
    return DrOut(basis=BASIS, drills=drills, systems=out)
