# METADATA
# title: 云计算安全扩展要求 Cloud computing extension
# description: GB/T 22239-2019 8.2 checks (platform level, isolation, images, keys, residency, central control).
package govcloud.checks.cloud

import data.govcloud.lib.k8s
import data.govcloud.lib.plan
import data.govcloud.lib.result

# Data stays in mainland China (8.2.4.5.a): provincial-level slugs and the country itself.
residency_allowed := {
	"cn", "china", "anhui", "chuzhou", "beijing", "tianjin", "hebei", "shanxi", "neimenggu", "liaoning",
	"jilin", "heilongjiang", "shanghai", "jiangsu", "zhejiang", "fujian", "jiangxi", "shandong",
	"henan", "hubei", "hunan", "guangdong", "guangxi", "hainan", "chongqing", "sichuan", "guizhou",
	"yunnan", "xizang", "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang",
}

_system_resource(i, sys) := plan.resource("System", sys.id, sprintf("systems[%d]", [i]))

# METADATA
# title: 平台等级不低于系统等级 / No system on a platform of a lower level
# scope: document
# custom:
#   id: DJCP-CLD-001
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: 系统等级不高于所在平台的等级
#   title_en: The cloud platform hosts no system of a higher protection level than its own
#   remediation_zh: 把系统迁到等级不低于其等级的中心，或提升平台等级（第四级系统需独立资源池）
#   remediation_en: Move the system to centres whose platform level is at least its own, or raise the platform level (level-4 systems need a dedicated pool)
platform_level contains finding if {
	some i, sys in input.plan.systems
	reasons := {result.reason(
		sprintf("第%v级系统部署在第%v级平台 %v 上", [sys.level, plan.centres[c].platform_level, c]),
		sprintf("level-%v system placed on level-%v platform %v", [sys.level, plan.centres[c].platform_level, c]),
	) |
		some c in plan.system_centres(sys)
		plan.centres[c].platform_level < sys.level
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

# METADATA
# title: 不同等级区域间访问控制 / Systems of different levels are separated by a boundary
# scope: document
# custom:
#   id: DJCP-CLD-002
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 不同等级的系统不混放在同一区域
#   title_en: Access control is deployed at the boundary between zones of different protection levels
#   remediation_zh: 不同等级的系统放在不同区域，区域之间经边界访问控制
#   remediation_en: Put systems of different levels in different zones with boundary access control between them
level_isolation contains finding if {
	some zone_id, zone in plan.zones
	levels := {sys.level | some sys in input.plan.systems; sys.zone == zone_id}
	count(levels) > 0
	reasons := {result.reason(sprintf("同一区域混合承载等级 %v 的系统", [sort(levels)]), sprintf("zone mixes systems of levels %v", [sort(levels)])) |
		count(levels) > 1
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Zone", zone.id, sprintf("zones[%v]", [zone.id])), reasons)
}

# METADATA
# title: 租户虚拟网络隔离 / Tenant virtual networks are isolated
# scope: document
# custom:
#   id: DJCP-CLD-003
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 专用网络区各属一个部门，部门之间不直接互通
#   title_en: Virtual networks of different cloud tenants are isolated from each other
#   remediation_zh: 每个专用网络区只属于一个部门；部门之间不直接互通，经公用网络区交换
#   remediation_en: Each dedicated zone belongs to one department; departments never talk directly, only via the public zone
tenant_isolation contains finding if {
	some zone_id, zone in plan.zones
	zone.kind == "dedicated"
	reasons := {result.reason("专用网络区未指定部门", "dedicated zone names no department") |
		not _has_department(zone)
	} | {result.reason(sprintf("承载其他部门 %v 的系统 %v", [sys.department, sys.id]), sprintf("hosts system %v of another department %v", [sys.id, sys.department])) |
		_has_department(zone)
		some sys in input.plan.systems
		sys.zone == zone_id
		sys.department != zone.department
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Zone", zone.id, sprintf("zones[%v]", [zone.id])), reasons)
}

tenant_isolation contains finding if {
	some i, flow in input.plan.flows
	plan.zone_kind(flow.from) == "dedicated"
	plan.zone_kind(flow.to) == "dedicated"
	flow.from != flow.to
	reasons := {result.reason("两个专用网络区之间直接互通", "flow links two dedicated (tenant) zones directly") |
		plan.zones[flow.from].department != plan.zones[flow.to].department
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Flow", flow.id, sprintf("flows[%d]", [i])), reasons)
}

_has_department(zone) if {
	is_string(zone.department)
	zone.department != ""
}

# METADATA
# title: 命名空间租户隔离 / NetworkPolicies do not open a namespace to every namespace
# scope: document
# custom:
#   id: DJCP-K8S-010
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 网络策略不向所有命名空间（租户）开放
#   title_en: NetworkPolicies do not admit every namespace (tenant) with an empty namespaceSelector
#   remediation_zh: 在 namespaceSelector 中按租户标签选择具体命名空间
#   remediation_en: Select specific namespaces by tenant label in namespaceSelector
namespace_isolation contains finding if {
	some item in k8s.objects("NetworkPolicy")
	reasons := {result.reason(sprintf("%s 规则 %d 放行所有命名空间", [dir, j]), sprintf("%s rule %d admits every namespace", [dir, j])) |
		some dir in ["ingress", "egress"]
		some j, r in object.get(item.object.spec, dir, [])
		some peer in array.concat(object.get(r, "from", []), object.get(r, "to", []))
		k8s.empty_selector(peer.namespaceSelector)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# METADATA
# title: 镜像完整性（摘要固定） / Images are pinned by digest
# scope: document
# custom:
#   id: DJCP-CLD-004
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 镜像以 sha256 摘要固定，可校验完整性
#   title_en: Image integrity is verifiable — every image is pinned by sha256 digest
#   remediation_zh: 镜像引用写成 registry/name@sha256:<64位十六进制>
#   remediation_en: Reference images as registry/name@sha256:<64 hex digits>
image_digest contains finding if {
	some w in k8s.workloads
	reasons := {result.reason(sprintf("容器 %v 的镜像 %v 未以摘要固定", [c.name, c.image]), sprintf("container %v image %v is not pinned by digest", [c.name, c.image])) |
		some c in k8s.containers(w.spec)
		not _pinned(c.image)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

image_digest contains finding if {
	some i, sys in input.plan.systems
	reasons := {result.reason(sprintf("工作负载 %v 的镜像 %v 未以摘要固定", [w.name, w.image]), sprintf("workload %v image %v is not pinned by digest", [w.name, w.image])) |
		some w in sys.workloads
		not _pinned(w.image)
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

_pinned(image) if regex.match(`@sha256:[0-9a-f]{64}$`, image)

# METADATA
# title: 数据存储于境内 / Data stays in China
# scope: document
# custom:
#   id: DJCP-CLD-005
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: 数据驻留在境内
#   title_en: Tenant data and personal information are stored in China
#   remediation_zh: data_residency 取境内省级区域（如 anhui）；出境须按国家规定另行审批
#   remediation_en: Set data_residency to a region in China (e.g. anhui); cross-border transfer needs separate approval under national rules
data_residency contains finding if {
	some i, sys in input.plan.systems
	where := sys.data_residency
	reasons := {result.reason(sprintf("数据驻留地 %v 不在境内", [where]), sprintf("data residency %v is not in China", [where])) |
		not lower(where) in residency_allowed
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

# METADATA
# title: 租户自主密钥 / Tenants hold their own keys
# scope: document
# custom:
#   id: DJCP-CLD-006
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 三级及以上系统由租户自管密钥
#   title_en: Tenants deploy their own key management and run encryption and decryption themselves
#   remediation_zh: storage.key_owner 设为 tenant（租户密钥，国密 SM4，密钥存于密码机/KMS）
#   remediation_en: Set storage.key_owner to tenant (tenant keys, SM4, held in an HSM/KMS)
tenant_keys contains finding if {
	some i, sys in input.plan.systems
	owner := sys.storage.key_owner
	reasons := {result.reason(sprintf("密钥归属为 %v", [owner]), sprintf("keys are owned by %v", [owner])) |
		owner != "tenant"
	}
	finding := result.finding(rego.metadata.chain(), _system_resource(i, sys), reasons)
}

# METADATA
# title: 管理流量与业务流量分离 / Management traffic is separate from tenant traffic
# scope: document
# custom:
#   id: DJCP-CLD-007
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 租户区域不直接访问平台管理区
#   title_en: Platform management traffic is separated from tenant business traffic
#   remediation_zh: 租户区域不得直接访问管理区；管理区主机只承担管理角色
#   remediation_en: Tenant zones never reach the management zone directly; hosts in the management zone carry management roles only
management_separation contains finding if {
	some i, flow in input.plan.flows
	plan.zone_kind(flow.to) == "management"
	reasons := {result.reason(
		sprintf("租户区域 %v 直接访问管理区", [flow.from]),
		sprintf("tenant zone %v reaches the management zone", [flow.from]),
	) |
		plan.zone_kind(flow.from) in plan.tenant_kinds

		# Authenticated NTP to the management zone's time service carries neither business nor
		# management data: the one tenant-zone flow into it.
		not plan.authenticated_time_sync(flow)
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Flow", flow.id, sprintf("flows[%d]", [i])), reasons)
}

management_separation contains finding if {
	some i, host in input.plan.hosts
	plan.zone_kind(host.zone) == "management"
	reasons := {result.reason(sprintf("管理区主机承担业务角色 %v", [host.role]), sprintf("host in the management zone has business role %v", [host.role])) |
		not host.role in _management_roles
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Host", host.name, sprintf("hosts[%d]", [i])), reasons)
}

_management_roles := {"bastion", "log-audit", "monitor", "time", "ids", "management", "security", "jump"}

# METADATA
# title: 资源限额 / Workloads declare resource requests and limits
# scope: document
# custom:
#   id: DJCP-K8S-009
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: medium
#   title_zh: 容器声明 CPU 与内存的请求和上限
#   title_en: Physical and virtual resources are scheduled and allocated by policy — containers declare CPU and memory requests and limits
#   remediation_zh: 为每个容器设置 resources.requests 与 resources.limits 的 cpu 和 memory
#   remediation_en: Set cpu and memory in resources.requests and resources.limits for every container
resource_limits contains finding if {
	some w in k8s.workloads
	reasons := {result.reason(sprintf("容器 %v 缺少 resources.%s.%s", [c.name, kind, res]), sprintf("container %v has no resources.%s.%s", [c.name, kind, res])) |
		some c in k8s.containers(w.spec)
		some kind in ["requests", "limits"]
		some res in ["cpu", "memory"]
		not c.resources[kind][res]
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}
