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
