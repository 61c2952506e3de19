"""Human-readable output: blocking and failing findings first, grouped by control family."""

from __future__ import annotations

from typing import Any

from govcloud.policy.report import family_label


def _resource(res: dict[str, Any]) -> str:
    ns = f"{res['namespace']}/" if res.get("namespace") else ""
    where = f" ({res['path']})" if res.get("path") else ""
    return f"{res.get('kind')} {ns}{res.get('name')}{where}"


def render_text(report: dict[str, Any], *, show_pass: bool = False) -> str:
    s = report["summary"]
    lines = [
        f"govcloud 等保 policy gate — 第{report['level']}级 / level {report['level']}",
        f"结果 Result: {s['blocking']} blocking 阻断, {s['fail']} fail 不符合, "
        f"{s['waived']} waived 豁免, {s['pass']} pass 符合",
    ]
    by_family: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        if f["status"] == "pass" and not show_pass:
            continue
        by_family.setdefault(f["family"], []).append(f)
    for family in sorted(by_family):
        lines += ["", f"== {family_label(family)} =="]
        for f in by_family[family]:
            tag = "BLOCK 阻断" if f.get("blocking") else f["status"].upper()
            lines.append(
                f"[{tag}] {f['rule_id']} {f['clause']} ({f['severity']}, {f['source']}) "
                f"{_resource(f['resource'])}"
            )
            lines.append(f"    {f['message']['zh']}")
            lines.append(f"    {f['message']['en']}")
            if f["status"] == "fail":
                lines.append(f"    修复 Fix: {f['remediation']['zh']} / {f['remediation']['en']}")
            if f.get("waiver"):
                w = f["waiver"]
                lines.append(
                    f"    豁免 Waiver {w['id']} ({w['ticket']}, {w['approver']}, expires {w['expires']})"
                )
    if report.get("unevaluated"):
        kinds = sorted({u["kind"] for u in report["unevaluated"]})
        lines += [
            "",
            f"未评估 Not evaluated: {len(report['unevaluated'])} object(s) of kinds no rule covers: "
            + ", ".join(kinds),
        ]
    lines += ["", "Exit 退出码: 1 (blocking 阻断)" if s["blocking"] else "Exit 退出码: 0"]
    return "\n".join(lines) + "\n"
