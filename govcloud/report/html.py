"""The self-contained bilingual HTML report (Chinese first, English switch; screen and A4 print).

The page skeleton is a Jinja2 template (``templates/report.html.j2``) with inline CSS, JS and SVG.
The clause tables, which hold one row per scope and clause item (300 systems × the full catalogue in
the benchmark), are rendered here with plain string building: it is several times faster than the
template engine for that many rows.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from importlib import resources

import jinja2
from markupsafe import Markup

from govcloud.contracts.report import EvidenceRow, ItemResult, Report, Scope, Text
from govcloud.report import charts
from govcloud.report.labels import OUTCOME_LABEL, SOURCE_LABEL, STATUS_LABEL, Status

INLINE_EVIDENCE = {"platform": 12, "system": 5}
COMPLIANT_INLINE = 3
_OUTCOME_ORDER = {
    "fail": 0,
    "waiver_expired": 1,
    "missing": 2,
    "error": 3,
    "waived": 4,
    "not_applicable": 5,
    "pass": 6,
}


@lru_cache(maxsize=65536)
def bi(zh: str, en: str) -> str:
    """Both languages; CSS shows the one selected."""
    return f'<span class="zh">{escape(zh)}</span><span class="en">{escape(en or zh)}</span>'


def bt(t: Text | None) -> str:
    return "" if t is None else bi(t.zh, t.en)


def status_badge(s: Status) -> str:
    zh, en = STATUS_LABEL[s]
    return f'<span class="badge st-{s.value}">{bi(zh, en)}</span>'


def _evidence_row(r: EvidenceRow) -> str:
    ozh, oen = OUTCOME_LABEL[r.outcome]
    szh, sen = SOURCE_LABEL.get(r.source, (r.source, r.source))
    obs = ""
    if r.observed is not None or r.expected is not None:
        obs = (
            f'<div class="obs">{bi("实测", "observed")}: <code>{escape(r.observed or "-")}</code>'
            f" · {bi('期望', 'expected')}: <code>{escape(r.expected or '-')}</code></div>"
        )
    # A passing row's message only repeats check and target; failures keep theirs.
    msg = f'<div class="msg">{bt(r.message)}</div>' if r.message and r.outcome != "pass" else ""
    waiver = f' <span class="waiver-ref">{bi("豁免", "waiver")} {escape(r.waiver)}</span>' if r.waiver else ""
    return (
        f'<li class="ev o-{r.outcome}"><span class="o">{bi(ozh, oen)}</span> '
        f'<span class="src">{bi(szh, sen)}</span> <code>{escape(r.check)}</code> · '
        f'<span class="tgt">{escape(r.target)}</span>'
        f'{waiver} <span class="at">{escape(r.at or "")}</span>{obs}{msg}</li>'
    )


def _item_row(it: ItemResult, rows: dict[str, EvidenceRow], limit: int, cache: dict[str, str]) -> str:
    ev = sorted((rows[i] for i in it.evidence), key=lambda r: _OUTCOME_ORDER.get(r.outcome, 9))
    if it.status is Status.COMPLIANT:
        limit = min(limit, COMPLIANT_INLINE)  # all pass: a sample is enough on paper, the rest is in JSON
    parts = []
    for r in ev[:limit]:
        html = cache.get(r.id)
        if html is None:
            html = cache[r.id] = _evidence_row(r)
        parts.append(html)
    shown = "".join(parts)
    more = ""
    if len(ev) > limit:
        n = len(ev) - limit
        more = (
            f'<li class="more">{bi(f"另有 {n} 条证据，见 report.json", f"{n} more rows in report.json")}</li>'
        )
    missing = ""
    if it.missing_checks:
        missing = (
            f'<div class="missing">{bi("本范围内无结果的检查", "checks with no result in scope")}: '
            f"<code>{escape(', '.join(it.missing_checks))}</code></div>"
        )
    rem = "".join(f"<li>{bt(t)}</li>" for t in it.remediation)
    clause = escape(it.clause_at_level or it.clause)
    key = (
        ""
        if (it.clause_at_level or it.clause) == it.clause
        else f'<div class="key">L3 {escape(it.clause)}</div>'
    )
    code = f'<div class="code">{escape(it.test_code)}</div>' if it.test_code else ""
    return (
        f'<tr class="item st-row-{it.status.value}" data-status="{it.status.value}">'
        f'<td class="clause">{clause}{key}{code}</td><td>{bt(it.title)}</td>'
        f'<td>{status_badge(it.status)}<div class="reason">{bt(it.reason)}</div></td>'
        f'<td><ul class="evl">{shown}{more}</ul>{missing}</td>'
        f'<td><ul class="rem">{rem}</ul></td></tr>'
    )


def clause_table(
    scope: Scope, report: Report, rows: dict[str, EvidenceRow], cache: dict[str, str] | None = None
) -> str:
    cache = {} if cache is None else cache
    limit = INLINE_EVIDENCE[scope.kind]
    fam_names = {f.id: f.name for f in report.families}
    out = [
        '<table class="clauses"><thead><tr>'
        f'<th class="c1">{bi("条款", "Clause")}</th><th class="c2">{bi("要求项", "Requirement")}</th>'
        f'<th class="c3">{bi("结论", "Status")}</th><th>{bi("证据", "Evidence")}</th>'
        f'<th class="c5">{bi("整改建议", "Remediation")}</th></tr></thead>'
    ]
    current = None
    for it in scope.items:
        if it.family != current:
            if current is not None:
                out.append("</tbody>")
            current = it.family
            name = fam_names.get(it.family)
            out.append(
                f'<tbody><tr class="fam"><th colspan="5">{bt(name) if name else escape(it.family)}</th></tr>'
            )
        out.append(_item_row(it, rows, limit, cache))
    if current is not None:
        out.append("</tbody>")
    out.append("</table>")
    return "".join(out)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("govcloud.report").joinpath("templates", name).read_text("utf-8")
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        bi=lambda zh, en="": Markup(bi(zh, en)),
        bt=lambda t: Markup(bt(t)),
        badge=lambda s: Markup(status_badge(Status(s))),
        status_label=STATUS_LABEL,
        Status=Status,
    )
    return env


def render_html(report: Report, *, json_digest: tuple[str, str] | None) -> str:
    rows = {r.id: r for r in report.evidence}
    # The clause tables (tens of MB for a large stack) bypass the template engine: it renders a
    # marker per table, and the tables are spliced in afterwards.
    markers = {sc.id: f"<!--gc-clause-table:{i}-->" for i, sc in enumerate(report.scopes)}
    tpl = _env().get_template("report.html.j2")
    page = tpl.render(
        r=report,
        tables={k: Markup(v) for k, v in markers.items()},
        json_digest=json_digest,
        family_chart=Markup(charts.family_bars(report.summary.by_family)),
        trend_chart=Markup(charts.trend_lines(report.trend)),
        colours={s.value: c for s, c in charts.COLOURS.items()},
    )
    cache: dict[str, str] = {}  # stack-wide rows recur in every system's table
    parts: list[str] = []
    rest = page
    for sc in report.scopes:
        before, sep, rest = rest.partition(markers[sc.id])
        if not sep:
            raise RuntimeError(f"template lost the clause table of scope {sc.id}")
        parts.append(before)
        parts.append(clause_table(sc, report, rows, cache))
    parts.append(rest)
    return "".join(parts)
