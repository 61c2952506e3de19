# METADATA
# title: 安全管理中心 Security management centre
# description: GB/T 22239-2019 8.1.5 checks (management zone, secure management path, log retention).
package govcloud.checks.smc

import data.govcloud.lib.plan
import data.govcloud.lib.result

# 网络安全法 第二十一条: network logs kept no less than six months; 185 days covers any six calendar months.
min_log_retention_days := 185

# Services that manage or audit the platform and so belong in the management or security zone.
# WAF and IDS sensors are inline boundary devices and sit where the traffic is.
management_services := {"bastion", "log-audit", "time"}

# METADATA
# title: 独立的管理区域 / A dedicated management zone holds the security components
# scope: document
# custom:
#   id: DJCP-SMC-001
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 设有管理区，安全服务部署在管理区或安全区
#   title_en: A dedicated management zone controls the security devices and components
#   remediation_zh: 声明 kind 为 management 的区域，并把堡垒机、日志审计等安全服务部署在管理区或安全区
#   remediation_en: Declare a zone of kind management and place bastions, log audit and other security services in the management or security zone
management_zone contains finding if {
	input.plan.zones
	reasons := {result.reason("未划分管理区域", "no management zone is declared") |
		count(plan.zone_ids("management")) == 0
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Plan", "zones", "zones"), reasons)
}

management_zone contains finding if {
	some i, svc in input.plan.security_services
	svc.kind in management_services
	reasons := {result.reason(sprintf("安全服务部署在 %v 区域", [svc.zone]), sprintf("security service sits in zone %v", [svc.zone])) |
		not plan.zone_kind(svc.zone) in {"management", "security"}
	}
	finding := result.finding(
		rego.metadata.chain(),
		plan.resource("SecurityService", svc.id, sprintf("security_services[%d]", [i])),
		reasons,
	)
}

# METADATA
# title: 安全的管理信息传输路径 / Management traffic uses a secure path
# scope: document
# custom:
#   id: DJCP-SMC-002
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 进出管理区的管理流量全部加密
#   title_en: A secure information path carries the management of security devices and components
#   remediation_zh: 进出管理区的流量全部加密（SSH/TLS/TLCP 或带外管理网）；唯一例外是进入管理区、启用密钥认证的 NTP（udp/123，authenticated true）
#   remediation_en: Encrypt every flow into or out of the management zone (SSH/TLS/TLCP or an out-of-band network); the one exception is key-authenticated NTP into it (udp/123, authenticated true)
secure_management_path contains finding if {
	some i, flow in input.plan.flows
	_touches_management(flow)
	reasons := {result.reason("管理流量未加密", "management flow is not encrypted") |
		not flow.encrypted == true
		not plan.authenticated_time_sync(flow)
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Flow", flow.id, sprintf("flows[%d]", [i])), reasons)
}

# The one unencrypted flow accepted into the management zone is authenticated NTP (udp/123,
# authenticated true): it carries no management data, and the symmetric key protects its integrity.

_touches_management(flow) if plan.zone_kind(flow.from) == "management"

_touches_management(flow) if plan.zone_kind(flow.to) == "management"

# METADATA
# title: 审计记录留存不少于六个月 / Audit records kept at least six months
# scope: document
# custom:
#   id: DJCP-SMC-003
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 审计日志保留不少于六个月（185 天）
#   title_en: Audit data is collected and analysed centrally and kept as long as the law requires (at least six months, 185 days)
#   remediation_zh: 将 log_retention_days 设为不少于 185 天，主机日志同样保留 185 天以上
#   remediation_en: Set log_retention_days to at least 185 and keep host logs at least 185 days
log_retention contains finding if {
	input.plan.schema
	days := input.plan.log_retention_days
	reasons := {result.reason(sprintf("日志留存 %v 天，少于 %d 天", [days, min_log_retention_days]), sprintf("logs kept %v days, fewer than %d", [days, min_log_retention_days])) |
		not days >= min_log_retention_days
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Plan", "log_retention_days", "log_retention_days"), reasons)
}

log_retention contains finding if {
	some i, h in input.hosts
	days := h.facts.log_retention_days
	reasons := {result.reason(sprintf("主机日志留存 %v 天，少于 %d 天", [days, min_log_retention_days]), sprintf("host keeps logs %v days, fewer than %d", [days, min_log_retention_days])) |
		not days >= min_log_retention_days
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Host", h.host, sprintf("hosts[%d]", [i])), reasons)
}
