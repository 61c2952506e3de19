"""Assembles the ``govcloud.report/v1`` document from a stack's evidence and the clause catalogue."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from govcloud import __version__
from govcloud.contracts.findings import Finding
from govcloud.contracts.report import (
    AddressPlanOut,
    CatalogueOut,
    DrillOut,
    DrillSystemOut,
    EvidenceRow,
    FamilyOut,
    FamilySummary,
    Generator,
    InputOut,
    ItemResult,
    LevelSummary,
    Report,
    Scope,
    StatusDef,
    Summary,
    Text,
    WaiverOut,
)
from govcloud.report.attribution import Attributor
from govcloud.report.catalogue import Catalogue, Checks, Family, Item
from govcloud.report.catalogue import Text as CatText
from govcloud.report.dr import dr_summary, drill_out
from govcloud.report.evidence import Evidence, InputFile
from govcloud.report.labels import PRODUCER, STATUS_DEFINITION, STATUS_LABEL, STATUS_ORDER, Status
from govcloud.report.status import FAILING, derive

PLATFORM = "platform"
UNCATALOGUED_FAMILY = "uncatalogued"
MAX_REMEDIATIONS = 5


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_expiry(value: str) -> datetime | None:
    """A waiver's expiry: a date (valid through that day, UTC) or an ISO timestamp."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.max, tzinfo=UTC)
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    except ValueError:
        return None


def _counts(values: Iterable[str]) -> dict[str, int]:
    c = Counter(values)
    return {s.value: c.get(s.value, 0) for s in STATUS_ORDER}


@lru_cache(maxsize=65536)
def _txt(zh: str, en: str) -> Text:
    # Shared instances: the same titles and reasons recur in every scope (never mutated after build).
    return Text(zh=zh, en=en or zh)


class _Rows:
    """Evidence rows plus the indexes that find them by (system, clause) and (system, check)."""

    def __init__(self) -> None:
        self.rows: list[EvidenceRow] = []
        self.by_key: dict[tuple[str | None, str], list[int]] = defaultdict(list)
        self.all_by_key: dict[str, list[int]] = defaultdict(list)

    def add(self, row: EvidenceRow, host_tag: bool = False) -> None:
        i = len(self.rows)
        self.rows.append(row)
        keys = [f"k:{row.check}"]
        if row.clause:
            keys.append(f"c:{row.clause}")
            if host_tag and row.check != f"djcp_{row.clause}":
                keys.append(f"k:djcp_{row.clause}")
        for k in keys:
            self.by_key[(row.system, k)].append(i)
            self.all_by_key[k].append(i)


def _item_keys(item: Item) -> list[str]:
    ids = [*item.checks.rego, *item.checks.checkov, *item.checks.host, *item.checks.drill]
    return [f"c:{item.clause}", *(f"k:{i}" for i in ids)]


def _finding_rows(ev: Evidence, attr: Attributor, now: datetime, rows: _Rows) -> list[WaiverOut]:
    waivers: dict[tuple[str, str], WaiverOut] = {}
    if ev.findings is None:
        return []
    at = ev.findings.generated_at
    for n, f in enumerate(ev.findings.findings):
        system = attr.for_resource(f.resource)
        outcome, waiver_id = _finding_outcome(f, now)
        res = f.resource
        target = "/".join(x for x in (res.kind, res.namespace, res.name) if x) or (res.path or "-")
        if res.path and res.path not in target:
            target += f" ({res.path})"
        msg = _txt(f.message.zh, f.message.en) if (f.message.zh or f.message.en) else None
        rem = (
            _txt(f.remediation.zh, f.remediation.en)
            if f.remediation and (f.remediation.zh or f.remediation.en)
            else None
        )
        rows.add(
            EvidenceRow(
                id=f"f{n}",
                source=f.source,
                check=f.rule_id,
                clause=f.clause,
                system=system,
                target=target,
                observed=None,
                expected=None,
                outcome=outcome,
                at=at,
                message=msg,
                remediation=rem,
                waiver=waiver_id,
                input="findings.json",
            )
        )
        if f.waiver is not None:
            w = f.waiver
            exp = parse_expiry(w.expires)
            state = "invalid" if exp is None else ("expired" if exp < now else "active")
            days = None if exp is None else (exp - now).days
            waivers[(w.id, target)] = WaiverOut(
                id=w.id,
                rule_id=f.rule_id,
                clause=f.clause,
                resource=target,
                system=system,
                approver=w.approver,
                ticket=w.ticket,
                expires=w.expires,
                reason=w.reason,
                state=state,
                days_left=days,
            )
    return sorted(waivers.values(), key=lambda w: (w.state != "expired", w.expires, w.id))


def _finding_outcome(f: Finding, now: datetime) -> tuple[str, str | None]:
    if f.status == "pass":
        return "pass", None
    if f.status == "fail":
        return "fail", f.waiver.id if f.waiver else None
    # waived: only a waiver with an approver and an unexpired expiry counts.
    if f.waiver is None or not f.waiver.approver.strip():
        return "fail", None
    exp = parse_expiry(f.waiver.expires)
    if exp is None or exp < now:
        return "waiver_expired", f.waiver.id
    return "waived", f.waiver.id


def _host_rows(ev: Evidence, attr: Attributor, rows: _Rows) -> None:
    if ev.hosts is None:
        return
    n = 0
    for h in ev.hosts.hosts:
        system = attr.for_host(h.host)
        for r in h.results:
            rows.add(
                EvidenceRow(
                    id=f"h{n}",
                    source="host",
                    check=r.check,
                    clause=r.clause,
                    system=system,
                    target=h.host,
                    observed=None if r.observed is None else str(r.observed),
                    expected=None if r.expected is None else str(r.expected),
                    outcome=r.status,
                    at=r.at or ev.hosts.generated_at,
                    input="hosts.json",
                ),
                host_tag=True,
            )
            n += 1


def _missing_rows(ev: Evidence, cat: Catalogue, drill_scenarios: set[str], rows: _Rows) -> None:
    """Rows that say 'this expected evidence is missing or unreadable', so the item cannot pass."""
    by_kind = {i.kind: i for i in ev.inputs if i.kind in ("plan", "findings", "hosts")}
    bad_drills = [i for i in ev.inputs if i.kind == "drills" and i.state != "ok"]
    n = 0

    def note(info: InputFile) -> Text:
        return _txt(f"{info.rel}：{info.note_zh}", f"{info.rel}: {info.note_en}")

    def fix(kind: str) -> Text:
        cmd = PRODUCER[kind].format(stack=ev.stack)
        return _txt(f"重新生成证据：`{cmd}`", f"regenerate the evidence: `{cmd}`")

    for item in cat.items:
        checks: list[tuple[str, str, str, InputFile]] = []
        f_info, h_info = by_kind.get("findings"), by_kind.get("hosts")
        if f_info and f_info.state != "ok":
            checks += [("opa", r, "findings", f_info) for r in item.checks.rego]
            checks += [("checkov", r, "findings", f_info) for r in item.checks.checkov]
        if h_info and h_info.state != "ok":
            checks += [("host", r, "hosts", h_info) for r in item.checks.host]
        if bad_drills:
            checks += [
                ("drill", s, "drills", bad_drills[0]) for s in item.checks.drill if s not in drill_scenarios
            ]
        for source, check, kind, info in checks:
            rows.add(
                EvidenceRow(
                    id=f"m{n}",
                    source=source,
                    check=check,
                    clause=item.clause,
                    system=None,
                    target=info.rel,
                    outcome="missing",
                    message=note(info),
                    remediation=fix(kind),
                    input=info.rel,
                )
            )
            n += 1


def _uncatalogued(cat: Catalogue, rows: _Rows, families: dict[str, Family]) -> list[Item]:
    known = {i.clause for i in cat.items}
    extra: dict[str, Item] = {}
    fam_by_zh = {f.zh: f.id for f in families.values()}
    for r in rows.rows:
        if r.clause and r.clause not in known and r.clause not in extra:
            fam = UNCATALOGUED_FAMILY
            extra[r.clause] = Item(
                clause=r.clause,
                family=fam,
                levels={3: r.clause},
                test_code=None,
                title=CatText(
                    zh="未编入目录的条款（证据中出现）", en="clause not in the catalogue (seen in evidence)"
                ),
                checks=Checks(),
                manual=None,
            )
    if extra:
        families.setdefault(
            UNCATALOGUED_FAMILY,
            Family(id=UNCATALOGUED_FAMILY, clause="", zh="未编目条款", en="Uncatalogued clauses"),
        )
    del fam_by_zh
    return sorted(extra.values(), key=lambda i: i.clause)


def _evaluate(item: Item, level: int, idx_rows: list[int], rows: _Rows, catalogued: bool) -> ItemResult:
    clause_at = item.clause_at(level)
    applicable = clause_at is not None
    evidence = [rows.rows[i] for i in sorted(idx_rows)] if applicable else []
    # One pass over the rows: outcome counts, checks seen, remediation of failures and gaps.
    counts: dict[str, int] = {}
    seen: set[str] = set()
    remediation: list[Text] = []
    seen_rem: set[str] = set()
    for r in evidence:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
        seen.add(r.check)
        if r.source == "host" and r.clause:
            seen.add(f"djcp_{r.clause}")
        rem = r.remediation
        if (
            rem is not None
            and (r.outcome in FAILING or r.outcome == "missing")
            and rem.zh not in seen_rem
            and len(remediation) < MAX_REMEDIATIONS
        ):
            seen_rem.add(rem.zh)
            remediation.append(rem)
    expected = item.checks.rego + item.checks.checkov + item.checks.host + item.checks.drill
    missing_checks = [c for c in expected if c not in seen] if applicable else []
    concl = derive(
        applicable=applicable,
        level=level,
        outcomes=counts,
        missing_checks=missing_checks,
        manual=item.manual is not None,
        has_checks=bool(expected),
    )
    manual = _txt(item.manual.zh, item.manual.en) if item.manual else None
    if concl.status is Status.MANUAL and manual is not None and manual.zh not in seen_rem:
        remediation.append(_txt(f"人工核查：{manual.zh}", f"manual check: {manual.en or manual.zh}"))
    return ItemResult(
        clause=item.clause,
        clause_at_level=clause_at,
        family=item.family,
        test_code=item.test_code,
        title=_txt(item.title.zh, item.title.en),
        status=concl.status,
        reason=_txt(concl.reason_zh, concl.reason_en),
        counts=dict(sorted(counts.items())),
        evidence=[r.id for r in evidence],
        missing_checks=missing_checks,
        remediation=remediation,
        manual=manual,
        catalogued=catalogued,
    )


def build_report(
    ev: Evidence,
    cat: Catalogue,
    *,
    catalogue_path: Path,
    catalogue_state: str = "ok",
    now: datetime | None = None,
) -> Report:
    """The report document, in the order its parts depend on each other: evidence rows, the items
    to assess, one scope per assessed object (the platform, then each system), the summary."""
    now = now or datetime.now(UTC)
    plan = ev.plan
    attr = Attributor(plan)
    rows = _Rows()
    waivers = _finding_rows(ev, attr, now, rows)
    _host_rows(ev, attr, rows)
    drills = [drill_out(info, d, plan) for info, d in ev.drills]
    _drill_rows(drills, rows)
    _missing_rows(ev, cat, {d.scenario for d in drills}, rows)

    families = {f.id: f for f in cat.families}
    extra_items = _uncatalogued(cat, rows, families)
    items: list[tuple[Item, bool]] = [(i, True) for i in cat.items] + [(i, False) for i in extra_items]
    plat_name = plan.name if plan and plan.name else ev.stack
    scopes = [_platform_scope(ev, items, rows, plat_name), *_system_scopes(ev, items, rows, attr)]
    fam_order = [f.id for f in cat.families] + ([UNCATALOGUED_FAMILY] if extra_items else [])

    return Report(
        generated_at=iso(now),
        generator=Generator(version=__version__),
        stack=ev.stack,
        name=plat_name,
        lab=bool(plan and plan.lab),
        evidence_dir=str(ev.root),
        catalogue=_catalogue_out(cat, catalogue_path, catalogue_state),
        statuses=[
            StatusDef(id=s, name=_txt(*STATUS_LABEL[s]), definition=_txt(*STATUS_DEFINITION[s]))
            for s in STATUS_ORDER
        ],
        families=[
            FamilyOut(id=f, clause=families[f].clause, name=_txt(families[f].zh, families[f].en))
            for f in fam_order
        ],
        inputs=[_input_out(i) for i in ev.inputs],
        summary=_summary(scopes, families, fam_order),
        scopes=scopes,
        evidence=rows.rows,
        waivers=waivers,
        dr=dr_summary(plan, drills),
        address_plan=_address_plan(ev, attr),
        diff=None,
        trend=[],
    )


def _latest_by_scenario(drills: list[DrillOut]) -> dict[str, int]:
    """Index of the latest run of each scenario. It is the evidence of the scenario's clauses; earlier
    runs stay in the DR section's history (a drill that failed last month and passed today passes)."""
    latest: dict[str, int] = {}
    for n, d in enumerate(drills):
        when = d.finished_at or d.started_at or ""
        prev = latest.get(d.scenario)
        if prev is None or when >= (drills[prev].finished_at or drills[prev].started_at or ""):
            latest[d.scenario] = n
    return latest


def _drill_row(row_id: str, d: DrillOut, ds: DrillSystemOut | None) -> EvidenceRow:
    """The evidence row of one drill run (no target systems) or of one of its target systems."""
    outcome: Literal["pass", "fail", "error"]
    system: str | None
    expected: str | None
    if ds is None:
        outcome, system, observed, expected = d.result, None, f"consistency={d.consistency}", None
    else:
        failed = ds.result == "fail" or d.consistency == "fail"
        outcome = "fail" if failed else ("pass" if ds.result == "pass" else "error")
        system = ds.system
        observed = f"RTO {ds.achieved_rto_s} s / RPO {ds.achieved_rpo_s} s"
        expected = f"RTO ≤ {ds.target_rto_s} s / RPO ≤ {ds.target_rpo_s} s"
    return EvidenceRow(
        id=row_id,
        source="drill",
        check=d.scenario,
        clause=None,
        system=system,
        target=d.drill_id or d.input,
        observed=observed,
        expected=expected,
        outcome=outcome,
        at=d.finished_at or d.started_at,
        input=d.input,
    )


def _drill_rows(drills: list[DrillOut], rows: _Rows) -> None:
    """One row per target system of the latest run of each scenario (one row if it has none)."""
    latest = _latest_by_scenario(drills)
    for n, d in enumerate(drills):
        if latest.get(d.scenario) != n:
            continue
        if not d.systems:
            rows.add(_drill_row(f"d{n}", d, None))
        for m, ds in enumerate(d.systems or []):
            rows.add(_drill_row(f"d{n}.{m}", d, ds))


def _platform_scope(ev: Evidence, items: list[tuple[Item, bool]], rows: _Rows, plat_name: str) -> Scope:
    """The cloud platform: every item, on all the evidence, at the highest platform level."""
    plan = ev.plan
    platform_level = max((c.platform_level for c in plan.centres), default=3) if plan else 3
    level_note = (
        None if plan and plan.centres else _txt("计划缺失，按第三级评估", "plan missing: assessed at level 3")
    )
    plat_items = []
    for item, catalogued in items:
        idx: set[int] = set()
        for k in _item_keys(item):
            idx.update(rows.all_by_key.get(k, ()))
        plat_items.append(_evaluate(item, platform_level, list(idx), rows, catalogued))
    return Scope(
        id=PLATFORM,
        kind="platform",
        name=_txt(f"云计算平台：{plat_name}", f"Cloud platform: {plat_name}"),
        level=platform_level,
        level_note=level_note,
        hosts=len(plan.hosts) if plan else 0,
        counts=_counts(i.status for i in plat_items),
        items=plat_items,
    )


def _system_scopes(
    ev: Evidence, items: list[tuple[Item, bool]], rows: _Rows, attr: Attributor
) -> list[Scope]:
    """Each information system at its own level, on its own evidence and the stack-wide evidence."""
    plan = ev.plan
    if plan is None:
        return []
    depts = {d.id: d for d in plan.departments}
    host_count = Counter(s for s in attr.host_system.values() if s)
    scopes = []
    for s in plan.systems:
        sys_items = []
        for item, catalogued in items:
            idx: set[int] = set()
            for k in _item_keys(item):
                idx.update(rows.by_key.get((s.id, k), ()))
                idx.update(rows.by_key.get((None, k), ()))
            sys_items.append(_evaluate(item, s.level, list(idx), rows, catalogued))
        dep = depts.get(s.department or "")
        scopes.append(
            Scope(
                id=s.id,
                kind="system",
                name=_txt(s.name, s.name_en),
                level=s.level,
                department=_txt(dep.name, dep.name_en) if dep else None,
                zone=s.zone,
                data_classification=s.data_classification,
                hosts=host_count.get(s.id, 0),
                counts=_counts(i.status for i in sys_items),
                items=sys_items,
            )
        )
    return scopes


def _summary(scopes: list[Scope], families: dict[str, Any], fam_order: list[str]) -> Summary:
    by_family: dict[str, list[str]] = defaultdict(list)
    for sc in scopes:
        for it in sc.items:
            by_family[it.family].append(it.status.value)
    by_level: dict[int, list[str]] = defaultdict(list)
    level_systems: Counter[int] = Counter()
    for sc in scopes[1:]:
        level_systems[sc.level] += 1
        by_level[sc.level].extend(it.status.value for it in sc.items)
    return Summary(
        overall=_counts(it.status.value for sc in scopes for it in sc.items),
        platform=scopes[0].counts,
        by_family=[
            FamilySummary(family=f, name=_txt(families[f].zh, families[f].en), counts=_counts(by_family[f]))
            for f in fam_order
        ],
        by_level=[
            LevelSummary(level=lv, systems=level_systems[lv], counts=_counts(by_level[lv]))
            for lv in sorted(by_level)
        ],
    )


def _catalogue_out(cat: Catalogue, path: Path, state: str) -> CatalogueOut:
    missing = _txt(
        "条款目录缺失：仅列出证据中出现的条款", "catalogue missing: only clauses seen in evidence are listed"
    )
    return CatalogueOut(
        path=str(path),
        state="ok" if state == "ok" else "missing",
        items=len(cat.items),
        note=None if state == "ok" else missing,
    )


def _input_out(i: InputFile) -> InputOut:
    note = _txt(i.note_zh, i.note_en) if (i.note_zh or i.note_en) else None
    return InputOut(kind=i.kind, path=i.rel, state=i.state, note=note, generated_at=i.generated_at)


def _address_plan(ev: Evidence, attr: Attributor) -> AddressPlanOut | None:
    plan = ev.plan
    if plan is None:
        return None
    segs = plan.address_plan.segments
    utils = [s.utilisation for s in segs if s.utilisation is not None]
    centres: list[dict[str, Any]] = [
        {"id": c.id, "role": c.role, "name": c.role_zh or c.name, "platform_level": c.platform_level}
        for c in plan.centres
    ]
    return AddressPlanOut(
        pools=[{"centre": p.centre, "ipv4": p.ipv4, "ipv6": p.ipv6} for p in plan.address_plan.pools],
        segments=len(segs),
        segments_dual_stack=sum(1 for s in segs if s.ipv4 and s.ipv6),
        max_utilisation=max(utils) if utils else None,
        centres=centres,
        hosts=len(plan.hosts),
        hosts_attributed=sum(1 for v in attr.host_system.values() if v),
        hosts_platform=sum(1 for v in attr.host_system.values() if v is None),
        flows=list(plan.flows),
    )
