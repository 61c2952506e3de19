"""DR-failover drills (灾难恢复演练) across the three centres, with RTO and RPO measured exactly.

Module map: `topology` (the lab status -> the drill's view), `ha/` (Patroni + etcd + HAProxy mode),
`pgbin` (PostgreSQL's programs, run as postgres in a host's namespace), `pgservice` (the replicated
PostgreSQL service), `endpoint` (DNS service name), `faults` (isolation and fencing tables),
`loadgen` + `measure` (sequenced writes, RPO/RTO), `steps`/`step` (drill phases run by Ansible),
`safety` (guard and lock), `gbt20988` (standard editions), `record` (govcloud.drill/v1),
`runner` (ansible-runner), `scenarios`, `source` (where the topology comes from). Commands,
namespaces and the delay relays are the lab's (govcloud.lab.sh, .netns, .relay): one of each.
"""
