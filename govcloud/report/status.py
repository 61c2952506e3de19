"""Status derivation: one clause item, one scope, the evidence rows that concern it → one conclusion.

The rules, in order (docs/report.md repeats them for auditors):

1. the item has no equivalent at the scope's level → 不适用;
2. any failure (a failing check, or a waiver that has expired) → 不符合, or 部分符合 when other
   checks pass or the other failures are covered by valid waivers;
3. otherwise, evidence missing, corrupt, erroring, or an expected check with no result in scope, or
   no evidence at all → 待人工核查;
4. otherwise, a valid waiver → 部分符合 (risk accepted, shown with approver and expiry);
5. otherwise the item asks for manual evidence → 待人工核查 (automated part passed);
6. otherwise → 符合 (every expected check has results in scope and all of them pass).

A failing check can therefore never yield 符合, and neither can missing evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govcloud.report.labels import Status

FAILING = frozenset({"fail", "waiver_expired"})
UNVERIFIED = frozenset({"error", "missing"})


@dataclass(frozen=True)
class Conclusion:
    status: Status
    reason_zh: str
    reason_en: str


def derive(
    *,
    applicable: bool,
    level: int,
    outcomes: Iterable[str] | Mapping[str, int],
    missing_checks: Iterable[str],
    manual: bool,
    has_checks: bool,
) -> Conclusion:
    if not applicable:
        return Conclusion(
            Status.NOT_APPLICABLE, f"第{level}级无对应要求项", f"no equivalent requirement at level {level}"
        )
    # A plain dict of counts is used as is (the hot path); anything else is counted.
    c: Mapping[str, int] = outcomes if type(outcomes) is dict else Counter(outcomes)
    missing = sorted(set(missing_checks))
    fails = c.get("fail", 0) + c.get("waiver_expired", 0)
    passes = c.get("pass", 0)
    waived = c.get("waived", 0)
    n_missing, n_error = c.get("missing", 0), c.get("error", 0)
    unverified = n_missing + n_error
    if fails:
        expired = c.get("waiver_expired", 0)
        tail_zh = f"（其中 {expired} 项豁免已过期）" if expired else ""
        tail_en = f" ({expired} with an expired waiver)" if expired else ""
        if passes or waived:
            return Conclusion(
                Status.PARTIAL,
                f"{fails} 项未通过{tail_zh}，{passes} 项通过，{waived} 项已豁免",
                f"{fails} failing{tail_en}, {passes} passing, {waived} waived",
            )
        return Conclusion(
            Status.NON_COMPLIANT,
            f"{fails} 项未通过{tail_zh}，无通过项",
            f"{fails} failing{tail_en}, none passing",
        )
    if unverified or missing or not (passes or waived):
        parts_zh: list[str] = []
        parts_en: list[str] = []
        if passes:
            parts_zh.append(f"{passes} 项通过")
            parts_en.append(f"{passes} passing")
        if n_missing:
            parts_zh.append(f"{n_missing} 项证据缺失或损坏")
            parts_en.append(f"{n_missing} missing or corrupt evidence")
        if n_error:
            parts_zh.append(f"{n_error} 项检查执行错误")
            parts_en.append(f"{n_error} checks errored")
        if missing:
            parts_zh.append("以下检查在本范围内无结果：" + "、".join(missing))
            parts_en.append("no result in this scope for: " + ", ".join(missing))
        if not (passes or waived or unverified or missing):
            if has_checks:
                parts_zh.append("本范围内无任何检查结果")
                parts_en.append("no check result in this scope")
            elif manual:
                parts_zh.append("人工核查项：需收集条款所列证据")
                parts_en.append("manual item: collect the evidence listed for the clause")
            else:
                parts_zh.append("目录未定义检查或人工证据")
                parts_en.append("the catalogue defines no check and no manual evidence")
        return Conclusion(Status.MANUAL, "；".join(parts_zh), "; ".join(parts_en))
    if waived:
        return Conclusion(
            Status.PARTIAL,
            f"{waived} 项未通过但已豁免（风险接受），{passes} 项通过",
            f"{waived} failing but waived (risk accepted), {passes} passing",
        )
    if manual:
        return Conclusion(
            Status.MANUAL,
            f"自动检查 {passes} 项通过；仍需人工证据",
            f"{passes} automated results pass; manual evidence still required",
        )
    return Conclusion(Status.COMPLIANT, f"{passes} 项检查全部通过", f"all {passes} results pass")
