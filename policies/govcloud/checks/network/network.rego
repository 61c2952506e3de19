# METADATA
# title: 安全通信网络 Secure communication network
# description: GB/T 22239-2019 8.1.2 checks over the plan (zones, addresses, centres, links, flows).
package govcloud.checks.network

import data.govcloud.lib.k8s
import data.govcloud.lib.plan
import data.govcloud.lib.result

_segments := input.plan.address_plan.segments

_v4 := {s.id: s.ipv4.prefix | some s in _segments}

_v6 := {s.id: s.ipv6.prefix | some s in _segments}

_overlapping contains id if {
	some prefixes in [_v4, _v6]
	some pair in net.cidr_contains_matches(prefixes, prefixes)
	pair[0] != pair[1]
	some id in pair
}

_lab_ranges := {"ipv4": "198.18.0.0/15", "ipv6": "fd00::/8"}

# METADATA
# title: 网络区域划分与地址分配 / Network zones and per-zone address plan
# scope: document
# description: Every segment belongs to a declared zone and centre, is dual stack and overlaps no other segment.
# custom:
#   id: DJCP-NET-001
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 网段归属已声明的区域和中心，双栈且互不重叠
#   title_en: Network zones are defined and every zone has its own address plan
#   remediation_zh: 为每个网段指定已声明的区域和中心，同时分配 IPv4 与 IPv6 前缀，并消除地址重叠
#   remediation_en: Give every segment a declared zone and centre, both an IPv4 and an IPv6 prefix, and remove overlaps
zone_address_plan contains finding if {
	some i, seg in _segments
	reasons := ((({result.reason(sprintf("网段所在区域 %v 未声明", [seg.zone]), sprintf("zone %v is not declared", [seg.zone])) |
		not plan.zones[seg.zone]
	} | {result.reason(sprintf("网段所在中心 %v 未声明", [seg.centre]), sprintf("centre %v is not declared", [seg.centre])) |
		not plan.centres[seg.centre]
	}) | {result.reason(sprintf("缺少 %s 前缀（双栈要求）", [fam]), sprintf("no %s prefix (dual stack)", [fam])) |
		some fam in ["ipv4", "ipv6"]
		not seg[fam].prefix
	}) | {result.reason("地址与其他网段重叠", "prefix overlaps another segment") |
		seg.id in _overlapping
	}) | {result.reason(sprintf("实验环境 %s 地址 %v 不在 %v 内", [fam, seg[fam].prefix, r]), sprintf("lab %s prefix %v is outside %v", [fam, seg[fam].prefix, r])) |
		input.plan.lab == true
		some fam, r in _lab_ranges
		not net.cidr_contains(r, seg[fam].prefix)
	}
	finding := result.finding(
		rego.metadata.chain(),
		plan.resource("Segment", seg.id, sprintf("address_plan.segments[%d]", [i])),
		reasons,
	)
}

# METADATA
# title: 重要网络区域不部署在边界处 / Important zones are not at the edge
# scope: document
# custom:
#   id: DJCP-NET-002
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 重要区域不直接面向边界，只经边界隔离后可达
#   title_en: Important zones are not placed at the edge and are reliably isolated from other zones
#   remediation_zh: 删除从互联网接入区或外部直接进入专用网络区、管理区、安全区或复制区的流量，改经公用网络区的边界
#   remediation_en: Remove flows from the Internet access zone or outside straight into dedicated, management, security or replication zones; route them via the public zone boundary
important_zone_not_at_edge contains finding if {
	some i, flow in input.plan.flows
	plan.zone_kind(flow.to) in _edge_protected_kinds
	reasons := {result.reason(
		sprintf("从边界区域 %v 直接进入重要区域 %v", [flow.from, flow.to]),
		sprintf("flow enters important zone %v straight from edge zone %v", [flow.to, flow.from]),
	) |
		_edge_source(flow.from)
		not plan.authenticated_time_sync(flow)
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Flow", flow.id, sprintf("flows[%d]", [i])), reasons)
}

# Tenant data and the platform's management and replication planes; the security zone's collectors
# may receive logs from edge devices through the boundary, and edge devices may fetch the time from
# the management zone's time service with authenticated NTP (plan.authenticated_time_sync).
_edge_protected_kinds := {"dedicated", "management", "replication"}

_edge_source(zone) if plan.zone_kind(zone) == "internet"

_edge_source(zone) if not plan.zones[zone]

# METADATA
# title: 跨中心冗余 / Redundancy across centres for level-3 systems
# scope: document
# custom:
#   id: DJCP-NET-003
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 三级及以上系统跨中心部署且工作负载多副本
#   title_en: Lines, key network and key compute devices are redundant
#   remediation_zh: 第三级及以上系统至少部署在两个中心，每个工作负载至少两个副本
#   remediation_en: Place every level-3+ system in at least two centres and run every workload with at least two replicas
cross_centre_redundancy contains finding if {
	some i, sys in input.plan.systems
	sys.level >= 3
	centres := plan.system_centres(sys)
	reasons := ({result.reason(
		sprintf("仅部署在 %d 个中心", [count(centres)]),
		sprintf("placed in %d centre(s) only", [count(centres)]),
	) |
		count(centres) < 2
	} | {result.reason(sprintf("中心 %v 未声明", [c]), sprintf("centre %v is not declared", [c])) |
		some c in centres
		not plan.centres[c]
	}) | {result.reason(
		sprintf("工作负载 %v 副本数 %v < 2", [w.name, w.replicas]),
		sprintf("workload %v has %v replica(s), fewer than 2", [w.name, w.replicas]),
	) |
		some w in sys.workloads
		w.replicas < 2
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("System", sys.id, sprintf("systems[%d]", [i])), reasons)
}

# METADATA
# title: 跨区域通信加密 / Cross-zone flows are encrypted
# scope: document
# custom:
#   id: DJCP-NET-004
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 跨区域流量全程加密
#   title_en: Cryptography protects the confidentiality of data in transit on cross-zone paths
#   remediation_zh: 跨区域流量使用 TLS/TLCP 或 IPsec，并在流量矩阵中标记 encrypted true
#   remediation_en: Carry cross-zone flows over TLS/TLCP or IPsec and mark them encrypted true in the flow matrix
cross_zone_encryption contains finding if {
	some i, flow in input.plan.flows
	flow.from != flow.to
	not _carries_no_data(flow)
	reasons := {result.reason("跨区域流量未加密", "cross-zone flow is not encrypted") | not flow.encrypted == true}
	finding := result.finding(rego.metadata.chain(), plan.resource("Flow", flow.id, sprintf("flows[%d]", [i])), reasons)
}

# ICMP and NTP carry no business data; they are exempt from the encryption requirement.
_carries_no_data(flow) if lower(flow.protocol) == "icmp"

_carries_no_data(flow) if {
	lower(flow.protocol) == "udp"
	flow.ports == [123]
}

# METADATA
# title: 中心间链路加密 / Inter-centre links are encrypted
# scope: document
# custom:
#   id: DJCP-NET-005
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 中心间链路加密并只连接已声明的中心
#   title_en: Integrity (and confidentiality) of data on inter-centre links is protected by cryptography
#   remediation_zh: 中心间复制与业务链路启用 IPsec/TLCP 加密，链路两端必须是已声明的中心
#   remediation_en: Encrypt inter-centre links (IPsec/TLCP) and connect only declared centres
inter_centre_link_encryption contains finding if {
	some i, link in input.plan.links
	reasons := {result.reason("中心间链路未加密", "inter-centre link is not encrypted") |
		not link.encrypted == true
	} | {result.reason(sprintf("链路端点 %v 不是已声明的中心", [c]), sprintf("link end %v is not a declared centre", [c])) |
		some c in [link.a, link.b]
		not plan.centres[c]
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Link", link.id, sprintf("links[%d]", [i])), reasons)
}

# METADATA
# title: 不得与政务内网连通 / No link to the 政务内网
# scope: document
# description: >-
#   政务内网 and 政务外网 are physically isolated (中办发〔2002〕17号); no address, link,
#   flow or NetworkPolicy of the 政务云 may reach a 政务内网 prefix.
# custom:
#   id: DJCP-NET-006
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: 政务云任何对象都不触及政务内网（物理隔离）
#   title_en: Nothing in the 政务云 reaches the 政务内网 (physical isolation)
#   remediation_zh: 在 address_plan.reserved 中声明政务内网前缀（reachable false），并删除触及这些前缀的网段、链路、主机和网络策略
#   remediation_en: Declare the 政务内网 prefixes in address_plan.reserved (reachable false) and remove every segment, link, host or policy that touches them
no_gov_intranet_link contains finding if {
	some subject in _intranet_subjects
	reasons := {result.reason(
		"触及政务内网地址",
		"touches a 政务内网 prefix",
	) |
		plan.touches_intranet(subject.cidrs)
	} | {result.reason("未声明政务内网前缀，无法验证隔离", "no 政务内网 prefix is declared, isolation cannot be verified") |
		subject.resource.kind == "AddressPlan"
		count(plan.intranet_prefixes) == 0
	}
	finding := result.finding(rego.metadata.chain(), subject.resource, reasons)
}

_intranet_subjects contains {"resource": plan.resource("AddressPlan", "address_plan", "address_plan"), "cidrs": []} if {
	input.plan.address_plan
}

_intranet_subjects contains {
	"resource": plan.resource("Segment", seg.id, sprintf("address_plan.segments[%d]", [i])),
	"cidrs": [p | some fam in ["ipv4", "ipv6"]; p := seg[fam].prefix],
} if {
	some i, seg in _segments
}

_intranet_subjects contains {
	"resource": plan.resource("Link", link.id, sprintf("links[%d]", [i])),
	"cidrs": [p | some fam in ["ipv4", "ipv6"]; p := link[fam]],
} if {
	some i, link in input.plan.links
}

_intranet_subjects contains {
	"resource": plan.resource("Host", host.name, sprintf("hosts[%d]", [i])),
	"cidrs": [_host_cidr(a) | some fam in ["ipv4", "ipv6"]; a := host[fam]],
} if {
	some i, host in input.plan.hosts
}

_intranet_subjects contains {
	"resource": k8s.resource(item),
	"cidrs": [b.ipBlock.cidr |
		some dir in ["ingress", "egress"]
		some r in object.get(item.object.spec, dir, [])
		some b in array.concat(object.get(r, "from", []), object.get(r, "to", []))
		b.ipBlock.cidr
	],
} if {
	count(plan.intranet_prefixes) > 0
	some item in k8s.objects("NetworkPolicy")
}

_host_cidr(a) := sprintf("%s/128", [a]) if contains(a, ":")

else := sprintf("%s/32", [a])
