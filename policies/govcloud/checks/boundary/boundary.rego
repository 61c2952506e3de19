# METADATA
# title: 安全区域边界 Secure area boundary
# description: GB/T 22239-2019 8.1.3 checks over the flow matrix and Kubernetes NetworkPolicies.
package govcloud.checks.boundary

import data.govcloud.lib.k8s
import data.govcloud.lib.plan
import data.govcloud.lib.result

_wildcards := {"*", "any", "all", "0.0.0.0/0", "::/0"}

# Remote administration and control-plane ports that must never be reachable from outside.
admin_ports := {22, 23, 2375, 2376, 2379, 2380, 3389, 5900, 5985, 5986, 6443, 10250, 10255}

_flow_resource(i, flow) := plan.resource("Flow", flow.id, sprintf("flows[%d]", [i]))

# METADATA
# title: 跨边界访问经受控接口 / Cross-boundary flows pass a controlled interface
# scope: document
# custom:
#   id: DJCP-BND-001
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 每条跨区域流量都经由指定的边界设备
#   title_en: Every cross-boundary flow passes a controlled interface of a boundary device
#   remediation_zh: 为每条跨区域流量指定执行它的边界（boundary）
#   remediation_en: Name the boundary that enforces every cross-zone flow
controlled_interface contains finding if {
	some i, flow in input.plan.flows
	flow.from != flow.to
	reasons := {result.reason("跨区域流量未指定边界设备", "cross-zone flow names no boundary") |
		not _has_boundary(flow)
	}
	finding := result.finding(rego.metadata.chain(), _flow_resource(i, flow), reasons)
}

_has_boundary(flow) if count(flow.boundary) > 0

# METADATA
# title: 边界默认拒绝 / Boundaries deny by default
# scope: document
# custom:
#   id: DJCP-BND-002
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: 边界只放行明确列出的流量，其余一律拒绝
#   title_en: Access rules at boundaries; by default the controlled interface denies everything not allowed
#   remediation_zh: 用具体的源区域、目的区域和协议替换通配规则
#   remediation_en: Replace wildcard rules with explicit source zone, destination zone and protocol
default_deny contains finding if {
	some i, flow in input.plan.flows
	reasons := {result.reason(sprintf("%s 为通配 %v", [field, flow[field]]), sprintf("%s is the wildcard %v", [field, flow[field]])) |
		some field in ["from", "to", "protocol"]
		lower(flow[field]) in (_wildcards | {"ip"})
	}
	finding := result.finding(rego.metadata.chain(), _flow_resource(i, flow), reasons)
}

# METADATA
# title: 访问控制规则最小化 / No redundant or invalid rules
# scope: document
# custom:
#   id: DJCP-BND-003
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: medium
#   title_zh: 访问控制规则无重复、无失效、有用途说明
#   title_en: Redundant or invalid rules are removed and the rule count is minimal
#   remediation_zh: 合并重复规则，删除引用未声明区域的规则，并为每条规则写明用途
#   remediation_en: Merge duplicate rules, drop rules naming undeclared zones and describe every rule's purpose
rule_minimal contains finding if {
	some i, flow in input.plan.flows
	reasons := ({result.reason("与其他规则重复", "duplicates another rule") |
		flow.id in _duplicates
	} | {result.reason(sprintf("区域 %v 未声明", [z]), sprintf("zone %v is not declared", [z])) |
		some z in [flow.from, flow.to]
		not plan.zones[z]
		not _external_ok(flow, z)
	}) | {result.reason("缺少规则用途说明", "rule has no description of its purpose") |
		not _described(flow)
	}
	finding := result.finding(rego.metadata.chain(), _flow_resource(i, flow), reasons)
}

# The destination of an Internet-bound flow is outside the declared zones by design.
_external_ok(flow, z) if {
	z == flow.to
	plan.zone_kind(flow.from) == "internet"
}

_described(flow) if count(flow.description) > 0

_duplicates contains f.id if {
	some i, f in input.plan.flows
	some j, g in input.plan.flows
	i != j
	f.from == g.from
	f.to == g.to
	f.protocol == g.protocol
	_ports_overlap(f, g)
}

_ports_overlap(f, g) if {
	some p in f.ports
	p in g.ports
}

_ports_overlap(f, g) if {
	count(f.ports) == 0
	count(g.ports) == 0
}

# METADATA
# title: 规则检查地址、端口与协议 / Rules name addresses, ports and protocol
# scope: document
# custom:
#   id: DJCP-BND-004
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 规则写明协议与端口，管理端口不对外开放
#   title_en: Rules check source and destination address, ports and protocol
#   remediation_zh: TCP/UDP 规则列出具体端口；管理端口不得从互联网接入区或外部开放
#   remediation_en: List explicit ports on TCP/UDP rules; never open management ports from the Internet side
rule_specific contains finding if {
	some i, flow in input.plan.flows
	reasons := ({result.reason("TCP/UDP 规则未列出端口（等于全部端口）", "TCP/UDP rule lists no ports (all ports)") |
		lower(flow.protocol) in {"tcp", "udp"}
		count(flow.ports) == 0
	} | {result.reason(sprintf("端口 %v 无效", [p]), sprintf("port %v is invalid", [p])) |
		some p in flow.ports
		not _valid_port(p)
	}) | {result.reason(sprintf("管理端口 %v 对外开放", [p]), sprintf("management port %v is open from outside", [p])) |
		_from_outside(flow)
		some p in flow.ports
		p in admin_ports
	}
	finding := result.finding(rego.metadata.chain(), _flow_resource(i, flow), reasons)
}

_valid_port(p) if {
	is_number(p)
	p >= 1
	p <= 65535
}

_from_outside(flow) if plan.zone_kind(flow.from) == "internet"

_from_outside(flow) if not plan.zones[flow.from]

# METADATA
# title: IPv4/IPv6 规则一致 / IPv4 and IPv6 rules are equally strict
# scope: document
# custom:
#   id: DJCP-BND-005
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: medium
#   title_zh: IPv4 与 IPv6 规则同样严格，IPv6 不成为旁路
#   title_en: In a dual-stack network every IPv4 rule has an equally strict IPv6 rule and vice versa (no IPv6 bypass)
#   remediation_zh: 在 families 中同时列出 ipv4 与 ipv6；NetworkPolicy 中 ::/0 的范围不得宽于 IPv4 对端
#   remediation_en: List both ipv4 and ipv6 in families; in NetworkPolicies never make ::/0 wider than the IPv4 peers
dual_stack_parity contains finding if {
	some i, flow in input.plan.flows
	fams := {f | some f in flow.families}
	reasons := {result.reason(sprintf("仅对 %v 生效，缺少另一协议族的对应规则", [sort(fams)]), sprintf("applies to %v only; the other family has no matching rule", [sort(fams)])) |
		fams != {"ipv4", "ipv6"}
	}
	finding := result.finding(rego.metadata.chain(), _flow_resource(i, flow), reasons)
}

dual_stack_parity contains finding if {
	some item in k8s.objects("NetworkPolicy")
	reasons := {result.reason(sprintf("%s 规则 %d 对 ::/0 开放而 IPv4 对端受限", [dir, j]), sprintf("%s rule %d opens ::/0 while its IPv4 peers are restricted", [dir, j])) |
		some dir in ["ingress", "egress"]
		some j, r in object.get(item.object.spec, dir, [])
		peers := array.concat(object.get(r, "from", []), object.get(r, "to", []))
		_opens(peers, "::/0")
		not _opens(peers, "0.0.0.0/0")
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

_opens(peers, cidr) if {
	some b in peers
	b.ipBlock.cidr == cidr
	count(object.get(b.ipBlock, "except", [])) == 0
}

# METADATA
# title: 仅经互联网接入区访问互联网 / Internet egress only via the Internet access zone
# scope: document
# custom:
#   id: DJCP-BND-006
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 只有互联网接入区可以访问外部网络
#   title_en: Unauthorised connections from inside to external networks are restricted
#   remediation_zh: 只允许互联网接入区访问外部网络；其他区域经接入区代理出网，NetworkPolicy 不得放行 0.0.0.0/0 或 ::/0
#   remediation_en: Only the Internet access zone reaches outside; other zones go through its proxies, and NetworkPolicies never allow 0.0.0.0/0 or ::/0
egress_via_internet_zone contains finding if {
	some i, flow in input.plan.flows
	not plan.zones[flow.to]
	reasons := {result.reason(
		sprintf("区域 %v 直接访问外部网络 %v", [flow.from, flow.to]),
		sprintf("zone %v reaches external destination %v directly", [flow.from, flow.to]),
	) |
		not plan.zone_kind(flow.from) == "internet"
	}
	finding := result.finding(rego.metadata.chain(), _flow_resource(i, flow), reasons)
}

egress_via_internet_zone contains finding if {
	some item in k8s.objects("NetworkPolicy")
	"Egress" in object.get(item.object.spec, "policyTypes", [])
	reasons := {result.reason(
		sprintf("出站规则 %d 放行任意外部地址", [j]),
		sprintf("egress rule %d allows any external address", [j]),
	) |
		not _ns_zone(item) == "internet"
		some j, r in object.get(item.object.spec, "egress", [])
		_any_destination(r)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# Namespace labels by name; a namespace defined in several files gets the union of its labels.
_ns_labels[name] := object.union_n([k8s.labels(ns.object) | some ns in k8s.objects("Namespace"); ns.object.metadata.name == name]) if {
	some name in {ns.object.metadata.name | some ns in k8s.objects("Namespace")}
}

_ns_zone(item) := object.get(_ns_labels, [k8s.namespace(item.object), "govcloud.io/zone"], null) if {
	object.get(_ns_labels, [k8s.namespace(item.object), "govcloud.io/zone"], null) != null
} else := object.get(k8s.labels(item.object), "govcloud.io/zone", null)

_any_destination(r) if count(object.get(r, "to", [])) == 0

_any_destination(r) if {
	some b in r.to
	b.ipBlock.cidr in {"0.0.0.0/0", "::/0"}
}

# METADATA
# title: 边界安全审计 / Audit at boundaries and key nodes
# scope: document
# custom:
#   id: DJCP-BND-007
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 每个中心都有边界日志审计服务
#   title_en: Security audit at every boundary and key node, covering every user
#   remediation_zh: 在每个中心部署日志审计（log-audit）安全服务；远程管理流量（如 SSH）的 log 设为 true，由边界记录日志
#   remediation_en: Deploy a log-audit security service in every centre; set log true on remote administration flows (e.g. SSH) so that the boundaries log them
boundary_audit contains finding if {
	some i, centre in input.plan.centres
	reasons := {result.reason("中心内没有日志审计服务", "no log-audit service in this centre") |
		not _has_service(centre.id, "log-audit")
	} | {result.reason(sprintf("远程管理流量 %v 未在边界记录日志", [f.id]), sprintf("remote administration flow %v is not logged at the boundary", [f.id])) |
		some f in input.plan.flows
		f.log == false
		some p in f.ports
		p in admin_ports
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Centre", centre.id, sprintf("centres[%d]", [i])), reasons)
}

_has_service(centre, kind) if {
	some s in input.plan.security_services
	s.centre == centre
	s.kind == kind
}

# METADATA
# title: 命名空间默认拒绝 / Namespaces deny by default (NetworkPolicy)
# scope: document
# custom:
#   id: DJCP-K8S-001
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 承载工作负载的命名空间入站、出站默认拒绝
#   title_en: Every namespace with workloads has default-deny NetworkPolicies for ingress and egress
#   remediation_zh: 添加 podSelector 为空、policyTypes 含 Ingress 与 Egress 且不含任何放行规则的 NetworkPolicy
#   remediation_en: Add a NetworkPolicy with an empty podSelector, policyTypes Ingress and Egress and no allow rules
namespace_default_deny contains finding if {
	some ns in _namespaces
	reasons := {result.reason(sprintf("缺少 %s 默认拒绝策略", [dir]), sprintf("no default-deny %s policy", [dir])) |
		some dir in ["Ingress", "Egress"]
		not [ns, dir] in _default_deny
	} | {result.reason(
		sprintf("策略 %v 放行全部 %s 流量，抵消了默认拒绝", [policy, dir]),
		sprintf("policy %v allows all %s traffic, which cancels the default deny", [policy, dir]),
	) |
		some [ns2, dir, policy] in _allow_all
		ns2 == ns
	}
	finding := result.finding(
		rego.metadata.chain(),
		{"kind": "Namespace", "namespace": null, "name": ns, "path": _ns_source(ns)},
		reasons,
	)
}

_namespaces := ({k8s.namespace(w.item.object) | some w in k8s.workloads} | {n.object.metadata.name |
	some n in k8s.objects("Namespace")
}) - k8s.system_namespaces

_ns_source(ns) := object.get(_ns_sources, ns, null)

_ns_sources[name] := sort([n.source | some n in k8s.objects("Namespace"); n.object.metadata.name == name])[0] if {
	some name in {n.object.metadata.name | some n in k8s.objects("Namespace")}
}

_default_deny contains [k8s.namespace(item.object), dir] if {
	some item in k8s.objects("NetworkPolicy")
	spec := item.object.spec
	k8s.empty_selector(object.get(spec, "podSelector", {}))
	some dir in object.get(spec, "policyTypes", ["Ingress"])
	count(object.get(spec, lower(dir), [])) == 0
}

# _allow_all: [namespace, direction, policy] for a policy that selects every pod of the namespace
# and has a rule admitting every peer on every port (`- {}`, or 0.0.0.0/0 / ::/0 without ports).
# NetworkPolicies add up, so such a policy cancels any default deny.
_allow_all contains [k8s.namespace(item.object), dir, k8s.name(item.object)] if {
	some item in k8s.objects("NetworkPolicy")
	spec := item.object.spec
	k8s.empty_selector(object.get(spec, "podSelector", {}))
	some dir in _directions(spec)
	some r in object.get(spec, lower(dir), [])
	count(object.get(r, "ports", [])) == 0
	_any_peer(r, _peer_key[dir])
}

_peer_key := {"Ingress": "from", "Egress": "to"}

# _directions: the policy types a NetworkPolicy enforces (Kubernetes' defaults when unset).
_directions(spec) := {d | some d in spec.policyTypes} if is_array(spec.policyTypes)

else := {"Ingress", "Egress"} if count(object.get(spec, "egress", [])) > 0

else := {"Ingress"}

# _any_peer: the rule names no peer (every source or destination) or the whole Internet.
_any_peer(r, key) if count(object.get(r, key, [])) == 0

_any_peer(r, key) if {
	some peer in r[key]
	peer.ipBlock.cidr in {"0.0.0.0/0", "::/0"}
}

# METADATA
# title: 网络策略入站规则限定来源 / NetworkPolicy ingress rules name their sources
# scope: document
# custom:
#   id: DJCP-K8S-017
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 网络策略的入站规则不放行任意来源（`- {}`、0.0.0.0/0、::/0）到整个命名空间或全部端口
#   title_en: NetworkPolicy ingress rules check the source address — no rule admits every source (`- {}`, 0.0.0.0/0, ::/0) to a whole namespace or on every port
#   remediation_zh: 在 from 中列出具体的命名空间、Pod 或网段，在 ports 中列出端口；面向互联网的入口只对入口网关 Pod 的指定端口开放
#   remediation_en: List specific namespaces, pods or CIDRs in from and the ports in ports; open Internet-facing entry only to the ingress gateway pods on named ports
open_ingress contains finding if {
	some item in k8s.objects("NetworkPolicy")
	spec := item.object.spec
	"Ingress" in _directions(spec)
	whole := {"整个命名空间 the whole namespace" | k8s.empty_selector(object.get(spec, "podSelector", {}))}
	reasons := {result.reason(
		sprintf("入站规则 %d 放行%s，范围：%s", [j, _source_zh(r), _scope_zh(r, whole)]),
		sprintf("ingress rule %d admits %s to %s", [j, _source(r), _scope(r, whole)]),
	) |
		some j, r in object.get(spec, "ingress", [])
		_any_peer(r, "from")
		_broad_target(r, whole)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

_broad_target(_, whole) if count(whole) > 0

_broad_target(r, _) if count(object.get(r, "ports", [])) == 0

_source(r) := "every source" if count(object.get(r, "from", [])) == 0

else := "the whole Internet (0.0.0.0/0 or ::/0)"

_source_zh(r) := "任意来源" if count(object.get(r, "from", [])) == 0

else := "整个互联网（0.0.0.0/0 或 ::/0）"

_scope(r, whole) := concat(" on ", [_pods(whole), _ports(r)])

_scope_zh(r, whole) := concat("，", [_pods_zh(whole), _ports_zh(r)])

_pods(whole) := "every pod of the namespace" if count(whole) > 0

else := "the selected pods"

_pods_zh(whole) := "命名空间内所有 Pod" if count(whole) > 0

else := "所选 Pod"

_ports(r) := "every port" if count(object.get(r, "ports", [])) == 0

else := "the listed ports"

_ports_zh(r) := "全部端口" if count(object.get(r, "ports", [])) == 0

else := "所列端口"
