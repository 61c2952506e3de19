"""Human-readable output: findings grouped by control family, the inputs that could not be judged,
then a summary per rule (with its remediation, once) and per severity."""

from __future__ import annotations

from typing import Any

from govcloud.policy.report import SEVERITY_ORDER, by_rule, by_severity, family_label

ERRORS_SHOWN_PER_KIND = 200


def _resource(res: dict[str, Any]) -> str:
    ns = f"{res['namespace']}/" if res.get("namespace") else ""
    where = f" ({res['path']})" if res.get("path") else ""
    return f"{res.get('kind')} {ns}{res.get('name')}{where}"


def _at(f: dict[str, Any]) -> str | None:
    loc = f.get("location") or {}
    if not loc.get("file") or not loc.get("start_line"):
        return None
    return f"{loc['file']}:{loc['start_line']}"


def error_line(e: dict[str, Any]) -> str:
    """`file[:line]: field: reason` — the form every error message of the gate takes."""
    field = str(e.get("field") or "-")
    line = f":{e['line']}" if e.get("line") and not field.startswith("line ") else ""
    field_part = f" {field}:" if field not in {"-", ""} else ""
    return f"{e['file']}{line}:{field_part} {e['reason']}"


def _errors(report: dict[str, Any]) -> list[str]:
    errors = report.get("errors") or []
    if not errors:
        return []
    lines = [
        "",
        f"== 输入错误 Input errors: {len(errors)} — 以下输入未被评估，门禁按不通过处理 / "
        "these inputs were NOT judged; the gate fails closed ==",
    ]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for e in errors:
        by_kind.setdefault(str(e.get("kind")), []).append(e)
    for kind, group in sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"[ERROR {kind}] {len(group)}")
        for e in group[:ERRORS_SHOWN_PER_KIND]:
            lines.append(f"    {error_line(e)}")
        if len(group) > ERRORS_SHOWN_PER_KIND:
            lines.append(f"    … {len(group) - ERRORS_SHOWN_PER_KIND} more 另有 (see --format json)")
        hints = sorted({str(e["hint"]) for e in group if e.get("hint")})
        for hint in hints:
            lines.append(f"    提示 Hint: {hint}")
    return lines


def _summary(report: dict[str, Any]) -> list[str]:
    failing = [f for f in report["findings"] if f["status"] in ("fail", "waived")]
    if not failing:
        return []
    lines = ["", "== 按规则汇总 Summary by rule (修复方法每条规则列一次 / remediation once per rule) =="]
    for r in by_rule(failing):
        title = r.get("title") or {}
        counts = f"{r['fail']} fail 不符合"
        if r["blocking"]:
            counts += f" ({r['blocking']} blocking 阻断)"
        if r["waived"]:
            counts += f", {r['waived']} waived 豁免"
        head = f"{r['rule_id']} {r['clause']} [{r['severity']}] {counts}"
        lines.append(f"{head} — {title.get('zh', '')} / {title.get('en', '')}")
        fix = r.get("remediation") or {}
        if fix:
            lines.append(f"    修复 Fix: {fix.get('zh', '')} / {fix.get('en', '')}")
    lines += ["", "== 按严重程度汇总 Summary by severity =="]
    for severity, n in sorted(by_severity(failing).items(), key=lambda kv: SEVERITY_ORDER.get(kv[0], 9)):
        counts = f"{n['fail']:>5} fail 不符合, {n['blocking']:>5} blocking 阻断"
        lines.append(f"{severity:<8} {counts}, {n['waived']:>4} waived 豁免")
    return lines


def render_text(report: dict[str, Any], *, show_pass: bool = False) -> str:
    s = report["summary"]
    errors = report.get("errors") or []
    lines = [
        f"govcloud 等保 policy gate — 第{report['level']}级 / level {report['level']}",
        f"结果 Result: {s['blocking']} blocking 阻断, {s['fail']} fail 不符合, "
        f"{s['waived']} waived 豁免, {s['pass']} pass 符合, {len(errors)} errors 输入错误",
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
            at = _at(f)
            if at:
                lines.append(f"    位置 At: {at}")
            if f.get("waiver"):
                w = f["waiver"]
                lines.append(
                    f"    豁免 Waiver {w['id']} ({w['ticket']}, {w['approver']}, expires {w['expires']})"
                )
    lines += _errors(report)
    if report.get("unevaluated"):
        kinds = sorted({u["kind"] for u in report["unevaluated"]})
        lines += [
            "",
            f"未评估 Not evaluated: {len(report['unevaluated'])} object(s) of kinds no rule covers: "
            + ", ".join(kinds),
        ]
    lines += _summary(report)
    if errors:
        lines += ["", "Exit 退出码: 2 (input errors, fail closed 输入错误，按不通过处理)"]
    else:
        lines += ["", "Exit 退出码: 1 (blocking 阻断)" if s["blocking"] else "Exit 退出码: 0"]
    return "\n".join(lines) + "\n"
