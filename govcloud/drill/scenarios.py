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
    engines: tuple[str, ...] = ("manual", "patroni")  # the HA modes that can run it
    measured: bool = True  # runs the load generator; RTO/RPO come from its journal


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


SCENARIOS += (
    Scenario(
        "dcs-partition",
        "仲裁分区（生产中心与 etcd 仲裁隔离）",
        "DCS partition: production cut off from the etcd quorum",
        "drills/dcs-partition.yml",
        True,
        "site",
        "same-city",
        True,
        "Only the production centre's etcd traffic is cut (replication and clients untouched): its Patroni "
        "cannot renew the leader lease and must demote its own primary before the same-city replica takes "
        "the lease. Split brain (two nodes accepting writes, or a write acknowledged by the old leader after "
        "the new one took writes) fails the drill. The partition is then healed and production rejoins.",
        engines=("patroni",),
    ),
    Scenario(
        "restore-test",
        "备份恢复测试",
        "Backup restore test",
        "drills/restore-test.yml",
        False,
        "none",
        "production",
        True,
        "A base backup of the primary is taken from the remote DR centre, checked with pg_verifybackup, "
        "restored into a scratch instance there and started; its rows and checksum must equal the source.",
        measured=False,
    ),
)


def get(scenario_id: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.id == scenario_id:
            return scenario
    raise KeyError(scenario_id)
