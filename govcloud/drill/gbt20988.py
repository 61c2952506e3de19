"""GB/T 20988 (信息系统灾难恢复规范) editions, the seven elements, and what a drill can evidence.

A capability level rests on all seven elements; a drill is evidence for some of them only. The
RTO/RPO bands are the *example* values of GB/T 20988-2007 Annex A (not normative). GB/T 20988-2025
(《网络安全技术 信息系统灾难恢复规范》, effective 2026-01-01, replaces 2007 and GB/T 30285-2013) is
handled with the same seven elements; its level table has not been verified against the purchased
text here, so the record says so.
"""

from __future__ import annotations

from typing import Any

EDITIONS: dict[str, dict[str, Any]] = {
    "2007": {
        "standard": "GB/T 20988-2007",
        "title": "信息安全技术 信息系统灾难恢复规范",
        "in_force": False,
        "superseded_by": "GB/T 20988-2025",
        "level_table_verified": True,
    },
    "2025": {
        "standard": "GB/T 20988-2025",
        "title": "网络安全技术 信息系统灾难恢复规范",
        "in_force": True,
        "effective": "2026-01-01",
        "level_table_verified": False,
    },
}

ELEMENTS: tuple[tuple[str, str, str], ...] = (
    ("data-backup", "数据备份系统", "Data backup system"),
    ("standby-processing", "备用数据处理系统", "Standby data processing system"),
    ("standby-network", "备用网络系统", "Standby network system"),
    ("standby-infrastructure", "备用基础设施", "Standby infrastructure"),
    ("technical-support", "专业技术支持能力", "Professional technical support"),
    ("operations", "运行维护管理能力", "Operation and maintenance management"),
    ("dr-plan", "灾难恢复预案", "Disaster recovery plan"),
)

# Example RTO/RPO bands per level (2007 Annex A, example values; seconds, None = unbounded).
LEVEL_BANDS: dict[int, dict[str, Any]] = {
    6: {"name": "数据零丢失和远程集群支持", "rto_max_s": 3600, "rpo_max_s": 0},
    5: {"name": "实时数据传输及完整设备支持", "rto_max_s": 2 * 86400, "rpo_max_s": 1800},
    4: {"name": "电子传输及完整设备支持", "rto_max_s": 2 * 86400, "rpo_max_s": 86400},
    3: {"name": "电子传输和部分设备支持", "rto_max_s": None, "rpo_max_s": 86400},
    2: {"name": "备用场地支持", "rto_max_s": None, "rpo_max_s": 7 * 86400},
    1: {"name": "基本支持", "rto_max_s": None, "rpo_max_s": 7 * 86400},
}


def evidenced_elements(scenario: str, passed: bool) -> list[dict[str, str]]:
    """Which of the seven elements this drill gives evidence for, and how."""
    how = {
        "data-backup": (
            "evidenced",
            "real-time replication: acknowledged writes counted on the surviving "
            "centre (RPO measured from the client journal, cross-checked server-side)",
        ),
        "standby-processing": ("evidenced", "the standby centre's database was promoted and served writes"),
        "standby-network": ("evidenced", "service endpoint (DNS) switched; clients reached the new primary"),
        "standby-infrastructure": ("not-evidenced", "machine room, power, cooling: attest separately"),
        "technical-support": ("partial", "the runbook ran as recorded; 7x24 staffing must be attested"),
        "operations": ("partial", "operation log and ansible-runner events; management rules attested"),
        "dr-plan": ("evidenced", "the DR plan's procedure for this scenario was executed and recorded"),
    }
    if scenario in ("planned-switchover", "failback"):
        how["data-backup"] = ("evidenced", "zero-loss planned switchover checked against the client journal")
    out = []
    for key, zh, en in ELEMENTS:
        status, note = how[key]
        if not passed and status == "evidenced":
            status = "attempted"
        out.append({"id": key, "zh": zh, "en": en, "status": status, "note": note})
    return out


def supported_level(rto_s: float | None, rpo_s: float | None, lost: int | None) -> int | None:
    """Highest level whose example bands the achieved RTO/RPO fall within (technical evidence only)."""
    if rto_s is None or rpo_s is None or lost is None:
        return None
    for level in sorted(LEVEL_BANDS, reverse=True):
        band = LEVEL_BANDS[level]
        rto_ok = band["rto_max_s"] is None or rto_s <= band["rto_max_s"]
        rpo_ok = (lost == 0) if band["rpo_max_s"] == 0 else rpo_s <= band["rpo_max_s"]
        if rto_ok and rpo_ok:
            return level
    return None


def assessment(
    *,
    edition: str,
    scenario: str,
    passed: bool,
    rto_s: float | None,
    rpo_s: float | None,
    lost: int | None,
    target_level: int | None,
) -> dict[str, Any]:
    info = EDITIONS[edition]
    level = supported_level(rto_s, rpo_s, lost) if passed else None
    return {
        **info,
        "edition": edition,
        "level_supported_as_evidence": level,
        "target_level": target_level,
        "meets_target_level_bands": None if level is None or target_level is None else level >= target_level,
        "elements": evidenced_elements(scenario, passed),
        "statement_zh": (
            f"本次演练结果可作为 {info['standard']} 第{level}级中技术要素（数据备份、备用数据处理、备用网络、"
            "灾难恢复预案）的证据；等级取决于全部七个要素，其余要素须另行证明。"
        )
        if level
        else "本次演练未形成等级证据。",
        "statement_en": (
            f"Evidence consistent with level {level} of {info['standard']} for the elements the "
            "drill exercises, for this scenario only; the level rests on all seven elements."
        )
        if level
        else "No level evidence from this drill.",
        "note": None
        if info["level_table_verified"]
        else "level bands taken from the 2007 edition's Annex A examples; verify against the 2025 text",
    }
