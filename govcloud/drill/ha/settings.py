"""How the drill database fails over (高可用方式): govcloud's manual runbook or Patroni, and its timings.

The plan declares it per system (`systems[].ha`, contracts: `HaConfig`); a drill or a bench run may
override it (`--ha manual|patroni|patroni-lab`). Patroni's own rule is checked here as in the gate:
`loop_wait + 2 * retry_timeout <= ttl`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MODES = ("manual", "patroni")


class HaSettingsError(ValueError):
    """The HA settings are not usable (高可用参数无效)."""


@dataclass(frozen=True)
class HaSettings:
    engine: str = "patroni"  # manual | patroni
    ttl: int = 30
    loop_wait: int = 10
    retry_timeout: int = 10
    synchronous_mode: bool = True
    maximum_lag_on_failover: int = 1_048_576
    preset: str = "default"

    def __post_init__(self) -> None:
        if self.engine not in MODES:
            raise HaSettingsError(
                f"ha engine must be one of {', '.join(MODES)}, not {self.engine!r} / 高可用方式无效"
            )
        if self.engine == "patroni" and (self.ttl < 20 or self.loop_wait < 1 or self.retry_timeout < 3):
            raise HaSettingsError(
                f"Patroni's minimums: ttl >= 20 s, loop_wait >= 1 s, retry_timeout >= 3 s (got {self.ttl}, "
                f"{self.loop_wait}, {self.retry_timeout}); smaller values are raised by Patroni itself / "
                "Patroni 最小值：ttl≥20、loop_wait≥1、retry_timeout≥3"
            )
        if self.engine == "patroni" and self.loop_wait + 2 * self.retry_timeout > self.ttl:
            raise HaSettingsError(
                f"Patroni timings: loop_wait ({self.loop_wait}) + 2 x retry_timeout ({self.retry_timeout}) "
                f"must not exceed ttl ({self.ttl}) / Patroni 时序参数不满足 loop_wait + 2×retry_timeout ≤ ttl"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Patroni's defaults, and the lab tuning: the shortest lease Patroni accepts (ttl 20 s), renewed every
# 1 s; a leader that cannot reach the DCS retries for 5 s and then demotes itself, 14 s before its
# lease can expire anywhere else.
PRESETS: dict[str, HaSettings] = {
    "manual": HaSettings(engine="manual", preset="manual"),
    "patroni": HaSettings(preset="default"),
    "patroni-lab": HaSettings(ttl=20, loop_wait=1, retry_timeout=5, preset="lab"),
}


def plan_ha(the_plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """The HA block of the plan's most demanding system that declares one (highest level, lowest RPO)."""
    with_ha = [s for s in (the_plan or {}).get("systems", []) if s.get("ha")]
    if not with_ha:
        return None
    best = min(with_ha, key=lambda s: (-int(s.get("level", 0)), float(s.get("dr", {}).get("rpo_s", 0))))
    block: dict[str, Any] = best["ha"]
    return block


def resolve(choice: str | None, plan_ha: dict[str, Any] | None) -> HaSettings:
    """`choice` (CLI/bench) wins; else the plan's ha block of the drilled system; else manual."""
    if choice:
        if choice not in PRESETS:
            raise HaSettingsError(f"--ha must be one of {', '.join(PRESETS)}, not {choice!r} / --ha 取值无效")
        return PRESETS[choice]
    if not plan_ha:
        return PRESETS["manual"]
    return HaSettings(
        engine=str(plan_ha.get("engine", "patroni")),
        ttl=int(plan_ha.get("ttl", 30)),
        loop_wait=int(plan_ha.get("loop_wait", 10)),
        retry_timeout=int(plan_ha.get("retry_timeout", 10)),
        synchronous_mode=bool(plan_ha.get("synchronous_mode", True)),
        maximum_lag_on_failover=int(plan_ha.get("maximum_lag_on_failover", 1_048_576)),
        preset="plan",
    )


def from_dict(data: dict[str, Any]) -> HaSettings:
    return HaSettings(**{k: data[k] for k in HaSettings.__dataclass_fields__ if k in data})


def same_timings(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two settings documents ask for the same service (the preset's name does not matter)."""
    return {k: v for k, v in a.items() if k != "preset"} == {k: v for k, v in b.items() if k != "preset"}
