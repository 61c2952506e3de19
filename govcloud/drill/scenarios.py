"""The drill scenarios (演练场景) and what each one proves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    id: str
    name_zh: str
    name_en: str
    playbook: str
    unplanned: bool  # needs fault injection (lab only)
    disruption: str  # site | region | none
    promotes: str  # centre role that ends up primary ("production" for switch-back drills)
    rpo_zero_required: bool  # correctness property: no acknowledged write may be lost
    description: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "planned-switchover",
        "计划内切换（生产→同城→生产）",
        "Planned switchover production -> same-city and back",
        "drills/planned-switchover.yml",
        False,
        "none",
        "production",
        True,
        "Clean stop of the primary, promotion of the synchronous standby, endpoint switch, old primary "
        "re-attached as standby; then the same back. 0 acknowledged writes may be lost.",
    ),
    Scenario(
        "samecity-failover",
        "同城切换（生产中心失效）",
        "Unplanned failover to the same-city centre",
        "drills/samecity-failover.yml",
        True,
        "site",
        "same-city",
        True,
        "Production centre lost (its host's links cut, postgres killed); witnesses in the other centres "
        "confirm, the old primary is fenced, the synchronous standby promoted, the endpoint switched.",
    ),
    Scenario(
        "regional-failover",
        "异地切换（区域性灾难）",
        "Regional failover to the remote DR centre",
        "drills/regional-failover.yml",
        True,
        "region",
        "remote-dr",
        False,
        "Production and same-city centres lost together; the asynchronous remote standby is promoted. "
        "RPO is measured exactly (acknowledged writes lost, cross-checked with pg_waldump).",
    ),
    Scenario(
        "failback",
        "回切（恢复后回切至生产中心）",
        "Failback to production after recovery",
        "drills/failback.yml",
        False,
        "none",
        "production",
        True,
        "Fenced centres healed, rewound with pg_rewind and re-attached as standbys; planned switchover "
        "back to production with 0 lost writes; synchronous same-city standby restored.",
    ),
)


def get(scenario_id: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.id == scenario_id:
            return scenario
    raise KeyError(scenario_id)
