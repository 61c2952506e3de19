"""Inline SVG charts (no script, no external resource): status per control family, trend over reports."""

from __future__ import annotations

from html import escape

from govcloud.contracts.report import FamilySummary, TrendPoint
from govcloud.report.labels import STATUS_LABEL, STATUS_ORDER, Status

COLOURS: dict[Status, str] = {
    Status.NON_COMPLIANT: "#c62828",
    Status.PARTIAL: "#ef8f00",
    Status.MANUAL: "#5c7cab",
    Status.COMPLIANT: "#2e7d32",
    Status.NOT_APPLICABLE: "#b0b0b0",
}


def _bi(x: float, y: float, zh: str, en: str, attrs: str = "") -> str:
    return (
        f'<text class="zh" x="{x:.1f}" y="{y:.1f}" {attrs}>{escape(zh)}</text>'
        f'<text class="en" x="{x:.1f}" y="{y:.1f}" {attrs}>{escape(en)}</text>'
    )


def legend(y: float, x0: float = 10) -> str:
    out = []
    x = x0
    for s in STATUS_ORDER:
        zh, en = STATUS_LABEL[s]
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{COLOURS[s]}"/>')
        out.append(_bi(x + 14, y, zh, en, 'font-size="11"'))
        x += 150
    return "".join(out)


def family_bars(families: list[FamilySummary]) -> str:
    """A horizontal stacked bar per control family, proportional to its clause-item statuses."""
    label_w, bar_w, row_h, top = 270, 470, 24, 30
    height = top + row_h * len(families) + 10
    width = label_w + bar_w + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="status per control family">',
        legend(14),
    ]
    for n, fam in enumerate(families):
        y = top + n * row_h
        total = sum(fam.counts.values())
        parts.append(_bi(label_w - 6, y + 15, fam.name.zh, fam.name.en, 'text-anchor="end" font-size="12"'))
        x = float(label_w)
        for s in STATUS_ORDER:
            c = fam.counts.get(s.value, 0)
            if not c or not total:
                continue
            w = bar_w * c / total
            zh, en = STATUS_LABEL[s]
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{COLOURS[s]}"><title>{escape(zh)} / {escape(en)}: {c}</title></rect>'
            )
            x += w
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="11">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_lines(points: list[TrendPoint]) -> str:
    """One line per status across successive reports (share of clause items)."""
    if len(points) < 2:
        return ""
    left, top, w, h = 50, 30, 720, 180
    width, height = left + w + 20, top + h + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="trend over reports">',
        legend(14),
    ]
    for pct in (0, 25, 50, 75, 100):
        y = top + h - h * pct / 100
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{pct}%</text>'
        )
    step = w / (len(points) - 1)
    for s in STATUS_ORDER:
        coords = []
        for i, p in enumerate(points):
            total = sum(p.counts.values()) or 1
            coords.append(f"{left + i * step:.1f},{top + h - h * p.counts.get(s.value, 0) / total:.1f}")
        parts.append(
            f'<polyline fill="none" stroke="{COLOURS[s]}" stroke-width="2" points="{" ".join(coords)}"/>'
        )
        for c in coords:
            cx, cy = c.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{COLOURS[s]}"/>')
    for i, p in enumerate(points):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{top + h + 16}" font-size="10" '
            f'text-anchor="middle">{escape(p.generated_at[:10])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
