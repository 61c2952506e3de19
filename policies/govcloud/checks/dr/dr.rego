# METADATA
# title: 数据备份恢复与灾备 Backup, recovery and DR
# description: GB/T 22239-2019 8.1.4.9 checks over system placement across the 两地三中心.
package govcloud.checks.dr

import data.govcloud.lib.plan
import data.govcloud.lib.result

_realtime_modes := {"sync", "async"}

_system_resource(i, sys) := plan.resource("System", sys.id, sprintf("systems[%d]", [i]))

_linked(a, b) if {
	some l in input.plan.links
	{l.a, l.b} == {a, b}
}

# METADATA
# title: 异地实时备份 / Off-site real-time backup
# scope: document
# custom:
#   id: DJCP-DR-001
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 重要数据实时复制到异地灾备中心
#   title_en: Important data is backed up off-site in real time over the network
#   remediation_zh: 为系统在异地灾备中心配置 sync 或 async 实时复制，并声明生产中心到灾备中心的链路
#   remediation_en: Replicate the system in real time (sync or async) to the remote DR centre and declare the link to it
offsite_realtime_backup contains finding if {
	some i, sys in input.plan.systems
	sys.level >= 3
	dr := {s | some s in sys.placement.standby; plan.centres[s.centre].role == "remote-dr"}
	reasons := ({result.reason("没有异地灾备中心的备用副本", "no standby copy in the remote DR centre") |
		count(dr) == 0
	} | {result.reason(sprintf("到 %v 的复制方式 %v 不是实时复制", [s.centre, s.replication]), sprintf("replication to %v is %v, not real time", [s.centre, s.replication])) |
		some s in dr
		not s.replication in _realtime_modes
	}) | {result.reason(sprintf("生产中心与灾备中心 %v 之间没有链路", [s.centre]), sprintf("no link between an active centre and DR centre %v", [s.centre])) |
		some s in dr
		not _reachable(sys, s.centre)
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

_reachable(sys, centre) if {
	some a in sys.placement.active
	_linked(a, centre)
}

# METADATA
# title: 重要数据处理系统热冗余 / Hot redundancy of important data-processing systems
# scope: document
# custom:
#   id: DJCP-DR-002
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 重要数据处理系统双活或同城同步热备
#   title_en: Important data-processing systems are hot-redundant
#   remediation_zh: 生产中心与同城双活中心双活部署（active-active），或以同步复制的同城热备
#   remediation_en: Run active-active in the production and same-city centres, or keep a synchronously replicated same-city hot standby
hot_redundancy contains finding if {
	some i, sys in input.plan.systems
	sys.level >= 3
	reasons := {result.reason(
		sprintf("部署方式 %v 没有热冗余", [sys.placement.mode]),
		sprintf("placement %v gives no hot redundancy", [sys.placement.mode]),
	) |
		not _hot(sys.placement)
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

_hot(p) if {
	p.mode == "active-active"
	count({c | some c in p.active}) >= 2
}

_hot(p) if {
	p.mode == "active-standby"
	some s in p.standby
	s.replication == "sync"
	plan.centres[s.centre].role == "same-city"
}

# The system's database HA (plan: systems[].ha, docs/plan.md "Database HA"); null when none is declared.
_ha(sys) := sys.ha if sys.ha != null

# METADATA
# title: 数据库高可用仲裁跨三个中心 / Database HA quorum across three centres
# scope: document
# custom:
#   id: DJCP-DR-003
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: Patroni 的 etcd 仲裁分布在三个不同中心，任一中心失效后仍有多数成员
#   title_en: The Patroni etcd quorum spans three distinct centres and keeps a majority when any one centre is lost
#   remediation_zh: 在 ha.dcs_members 中列出生产中心、同城中心和异地灾备中心，每个中心一个 etcd 成员
#   remediation_en: List the production, same-city and remote DR centres in ha.dcs_members, one etcd member in each
ha_quorum contains finding if {
	some i, sys in input.plan.systems
	sys.level >= 3
	ha := _ha(sys)
	ha.engine == "patroni"
	known := {c | some c in ha.dcs_members; plan.centres[c]}
	reasons := ({result.reason(
		sprintf("etcd 成员只分布在 %d 个中心 %v，至少需要 3 个不同中心", [count(known), sort(known)]),
		sprintf("etcd members are in %d centres %v; 3 distinct centres are needed", [count(known), sort(known)]),
	) |
		count(known) < 3
	} | {result.reason(
		sprintf("etcd 成员所在中心 %v 不在规划中", [c]),
		sprintf("etcd member centre %v is not a centre of the plan", [c]),
	) |
		some c in ha.dcs_members
		not plan.centres[c]
	}) | {result.reason(
		sprintf("失去中心 %v 后 etcd 只剩 %d/%d 个成员，不足多数", [c, _left(ha.dcs_members, c), count(ha.dcs_members)]),
		sprintf("losing centre %v leaves %d of %d etcd members, no majority", [c, _left(ha.dcs_members, c), count(ha.dcs_members)]),
	) |
		count(known) >= 3
		some c in known
		_left(ha.dcs_members, c) * 2 <= count(ha.dcs_members)
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

# The etcd members left when centre `c` is lost.
_left(members, c) := count([m | some m in members; m != c])

# METADATA
# title: 零数据丢失的数据库同步复制 / Synchronous replication for zero data loss
# scope: document
# custom:
#   id: DJCP-DR-004
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: RPO 为 0 的系统，数据库高可用启用同步模式并有同步副本
#   title_en: A system with RPO 0 runs its database HA in synchronous mode with a synchronous copy
#   remediation_zh: 设置 ha.synchronous_mode 为 true，并双活部署或以 sync 复制到一个备用中心（通常为同城中心）
#   remediation_en: Set ha.synchronous_mode to true, and run active-active or replicate to a standby (usually the same-city centre) with sync
ha_synchronous contains finding if {
	some i, sys in input.plan.systems
	sys.dr.rpo_s == 0
	ha := _ha(sys)
	reasons := {result.reason(
		"RPO 为 0，但数据库高可用未启用同步模式（synchronous_mode）",
		"RPO is 0 but the database HA does not run in synchronous mode (synchronous_mode)",
	) |
		not _synchronous_mode(ha)
	} | {result.reason(
		"RPO 为 0，但既非双活也没有 sync 复制的备用中心",
		"RPO is 0 but the system is neither active-active nor replicated to any standby with sync",
	) |
		not _synchronous_copy(sys.placement)
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

_synchronous_mode(ha) if ha.synchronous_mode == true

# A synchronous copy of the data: a second active centre (双活, as DJCP-DR-002 reads it), or a standby
# replicated with sync.
_synchronous_copy(p) if {
	p.mode == "active-active"
	count({c | some c in p.active}) >= 2
}

_synchronous_copy(p) if {
	some s in p.standby
	s.replication == "sync"
}

# METADATA
# title: 数据库高可用的时间参数 / Database HA timing
# scope: document
# custom:
#   id: DJCP-DR-005
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: medium
#   title_zh: 数据库高可用的时间参数自洽（loop_wait + 2 × retry_timeout ≤ ttl），且主节点租约不超过 RTO
#   title_en: The database HA timing is consistent (loop_wait + 2 × retry_timeout ≤ ttl) and the leader lease is within the RTO
#   remediation_zh: 调整 ha.ttl、ha.loop_wait、ha.retry_timeout（默认 30、10、10 秒），使 ttl 不超过系统的 dr.rto_s
#   remediation_en: Set ha.ttl, ha.loop_wait and ha.retry_timeout (defaults 30, 10 and 10 s) so that ttl is at most the system's dr.rto_s
ha_timing contains finding if {
	some i, sys in input.plan.systems
	ha := _ha(sys)
	reasons := {result.reason(
		sprintf("loop_wait %d + 2 × retry_timeout %d 超过 ttl %d 秒", [ha.loop_wait, ha.retry_timeout, ha.ttl]),
		sprintf("loop_wait %d + 2 × retry_timeout %d exceeds ttl %d s", [ha.loop_wait, ha.retry_timeout, ha.ttl]),
	) |
		not _timing_consistent(ha)
	} | {result.reason(
		sprintf("主节点租约 ttl %d 秒超过 RTO %d 秒", [ha.ttl, sys.dr.rto_s]),
		sprintf("the leader lease ttl %d s exceeds the RTO of %d s", [ha.ttl, sys.dr.rto_s]),
	) |
		not _lease_within_rto(ha, sys.dr)
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

# Patroni's documented rule: a leader that loses the DCS finds out within loop_wait plus two retries
# of retry_timeout, and must have demoted itself by then, before its lease (ttl) lets another take over.
_timing_consistent(ha) if ha.loop_wait + (2 * ha.retry_timeout) <= ha.ttl

# A failover cannot happen before the old leader's lease expires: ttl bounds the RTO from below.
_lease_within_rto(ha, dr) if ha.ttl <= dr.rto_s
