# METADATA
# title: 安全服务 Security services
# description: >-
#   The platform's security services (plan security_services: bastion, log audit, time, IDS, WAF)
#   as first-class objects: systems get the protections their level needs, administration goes
#   through the bastion, every boundary has an IDS sensor, Internet-facing systems sit behind a
#   WAF and the central log store is sealed with SHA-256 and SM3 (GB/T 22239-2019, issue 9).
package govcloud.checks.secsvc

import data.govcloud.lib.plan
import data.govcloud.lib.result

# Protections every level-3 or level-4 system needs; an Internet-facing one needs a WAF as well.
required_protections := {"bastion", "log-audit", "ids", "time"}

# Digests the log seal must carry: SHA-256, and SM3 for 商用密码应用安全性评估 (GB/T 39786).
required_digests := {"sha256", "sm3"}

_system_resource(i, sys) := plan.resource("System", sys.id, sprintf("systems[%d]", [i]))

_has_service(centre, kind) if {
	some s in input.plan.security_services
	s.centre == centre
	s.kind == kind
}

_protections(sys) := {p | some p in sys.protections}

_internet_facing(sys) if sys.internet_facing == true

_required(sys) := required_protections | {"waf"} if _internet_facing(sys)

else := required_protections

# METADATA
# title: 系统具备所需安全服务 / Systems have the security services they need
# scope: document
# custom:
#   id: DJCP-SVC-001
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 三级及以上系统具备堡垒机、日志审计、入侵检测、时间同步（面向互联网时加 WAF），且每个部署中心都提供所声明的安全服务
#   title_en: The cloud platform provides the security mechanisms each system needs (bastion, log audit, IDS, time; WAF when Internet-facing) in every centre it runs in
#   remediation_zh: 在系统的 protections 中列出所需安全服务，并在系统的每个生产、同城和灾备中心部署提供该服务的主机角色（hosts[].role 或 hosts[].services）
#   remediation_en: List the required services in the system's protections and deploy a host role providing each (hosts[].role or hosts[].services) in every active and standby centre of the system
system_protections contains finding if {
	some i, sys in input.plan.systems
	missing := {p |
		sys.level >= 3
		some p in _required(sys)
		not p in _protections(sys)
	}
	reasons := {result.reason(sprintf("%v 级系统缺少安全服务 %v", [sys.level, p]), sprintf("level-%v system lacks protection %v", [sys.level, p])) |
		some p in missing
	} | {result.reason(sprintf("中心 %v 没有所声明的安全服务 %v", [c, p]), sprintf("centre %v has no %v service for this system", [c, p])) |
		some p in _protections(sys)
		some c in plan.system_centres(sys)
		not _has_service(c, p)
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

# METADATA
# title: 运维经堡垒机 / Administration only through the bastion
# scope: document
# custom:
#   id: DJCP-SVC-002
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: SSH 管理流量只从运维管理区（堡垒机）发起
#   title_en: Management terminals are restricted by network address range; SSH comes only from the management zone (bastion)
#   remediation_zh: 删除从非管理区发起的 SSH（tcp/22）流量，运维人员经管理区的堡垒机登录
#   remediation_en: Remove SSH (tcp/22) flows whose source is not the management zone; administrators log in through the bastion in the management zone
bastion_admin_path contains finding if {
	some i, flow in input.plan.flows
	_carries_ssh(flow)
	reasons := {result.reason(sprintf("SSH 从非管理区 %v 发起，绕过堡垒机", [flow.from]), sprintf("SSH from %v, not the management zone, bypasses the bastion", [flow.from])) |
		not plan.zone_kind(flow.from) == "management"
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Flow", flow.id, sprintf("flows[%d]", [i])), reasons)
}

_carries_ssh(flow) if lower(flow.protocol) == "ssh"

_carries_ssh(flow) if {
	lower(flow.protocol) == "tcp"
	22 in flow.ports
}

# METADATA
# title: 每个边界有入侵检测 / An IDS sensor watches every boundary
# scope: document
# custom:
#   id: DJCP-SVC-003
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 承载主机或系统的每个中心都有入侵检测服务，且它监测该中心的每个边界
#   title_en: Attacks are detected at key network nodes; every centre with hosts or systems has an IDS sensor that monitors each of its boundaries
#   remediation_zh: 在每个中心部署 ids 主机角色；若设置了 hosts[].monitors，需包含流量矩阵中的全部边界
#   remediation_en: Deploy an ids host role in every centre; if hosts[].monitors narrows it, include every boundary of the flow matrix
boundary_ids contains finding if {
	some i, centre in input.plan.centres
	centre.id in _occupied
	reasons := {result.reason("中心内没有入侵检测服务", "no ids service in this centre") |
		not _has_service(centre.id, "ids")
	} | {result.reason(sprintf("边界 %v 不在入侵检测的监测范围内", [b]), sprintf("boundary %v is not monitored by the ids sensor", [b])) |
		_has_service(centre.id, "ids")
		some b in _boundaries
		not b in _monitored(centre.id)
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Centre", centre.id, sprintf("centres[%d]", [i])), reasons)
}

# Centres with hosts or systems (active or standby).
_occupied := {h.centre | some h in input.plan.hosts} | {c |
	some sys in input.plan.systems
	some c in plan.system_centres(sys)
}

_boundaries := {f.boundary | some f in input.plan.flows; count(f.boundary) > 0}

_monitored(centre) := {b |
	some s in input.plan.security_services
	s.centre == centre
	s.kind == "ids"
	some b in object.get(s, "monitors", [])
}

# METADATA
# title: 面向互联网的系统有 WAF / Internet-facing systems sit behind a WAF
# scope: document
# custom:
#   id: DJCP-SVC-004
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 面向互联网的系统在其每个运行（active）中心都经互联网接入区的 WAF 做应用层访问控制
#   title_en: Application-protocol and content-aware access control; an Internet-facing system is protected by a WAF in the Internet access zone of every active centre
#   remediation_zh: 在系统 protections 中加入 waf，并在每个运行（active）中心的互联网接入区部署 waf 主机角色
#   remediation_en: Add waf to the system's protections and deploy a waf host role in the Internet access zone of every active centre
internet_waf contains finding if {
	some i, sys in input.plan.systems
	_internet_facing(sys)
	reasons := ({result.reason("面向互联网但未声明 waf 防护", "Internet-facing but waf is not among its protections") |
		not "waf" in _protections(sys)
	} | {result.reason(sprintf("运行中心 %v 没有 WAF 服务", [c]), sprintf("active centre %v has no waf service", [c])) |
		some c in sys.placement.active
		not _has_service(c, "waf")
	}) | {result.reason(sprintf("WAF 服务 %v 位于 %v 区域，不在互联网接入区", [s.id, s.zone]), sprintf("waf service %v sits in zone %v, not an Internet access zone", [s.id, s.zone])) |
		some s in input.plan.security_services
		s.kind == "waf"
		s.centre in {c | some c in sys.placement.active}
		not plan.zone_kind(s.zone) == "internet"
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

# METADATA
# title: 审计记录防篡改 / Audit records are protected against tampering
# scope: document
# custom:
#   id: DJCP-SVC-005
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 集中日志每日封存，SHA-256 与 SM3 双摘要并链式关联
#   title_en: Audit records are protected from unexpected deletion, modification or overwriting; the central log store is sealed daily with chained SHA-256 and SM3 digests
#   remediation_zh: 将 log_integrity 设为每日封存（seal daily）、摘要含 sha256 与 sm3、链式关联（chained true），并运行 govcloud logs seal/verify
#   remediation_en: Set log_integrity to seal daily with digests sha256 and sm3, chained true, and run govcloud logs seal/verify
log_integrity contains finding if {
	input.plan.schema
	li := object.get(input.plan, "log_integrity", {})
	digests := {d | some d in object.get(li, "digests", [])}
	reasons := ({result.reason("集中日志未封存", "the central log store is not sealed") |
		not object.get(li, "seal", "none") == "daily"
	} | {result.reason(sprintf("封存摘要缺少 %v", [d]), sprintf("seal digests lack %v", [d])) |
		some d in required_digests
		not d in digests
	}) | {result.reason("封存清单未链式关联", "the seal manifests are not chained") |
		not object.get(li, "chained", false) == true
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Plan", "log_integrity", "log_integrity"), reasons)
}
