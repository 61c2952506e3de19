# METADATA
# title: Plan helpers 规划辅助
# description: Lookups over the govcloud.plan/v1 document in input.plan (contracts §1).
package govcloud.lib.plan

zones := {z.id: z | some z in input.plan.zones}

centres := {c.id: c | some c in input.plan.centres}

# Zone kinds that hold important systems or the platform's own management plane.
important_kinds := {"dedicated", "management", "security", "replication"}

tenant_kinds := {"public", "dedicated", "internet"}

zone_kind(id) := zones[id].kind

# The zone ids of a kind.
zone_ids(kind) := {id | some id, z in zones; z.kind == kind}

# Authenticated time sync into the management zone: udp/123 only, with NTP symmetric-key
# authentication (chrony keys, SHA256) declared as flow.authenticated. NTP carries no data, so its
# integrity, not its confidentiality, is what a key protects (docs/policy.md, "NTP").
authenticated_time_sync(flow) if {
	zone_kind(flow.to) == "management"
	lower(flow.protocol) == "udp"
	flow.ports == [123]
	flow.authenticated == true
}

resource(kind, name, path) := {"kind": kind, "namespace": null, "name": name, "path": path}

# All centres a system runs in: active ones and standby ones.
system_centres(sys) := {c | some c in sys.placement.active} | {s.centre | some s in sys.placement.standby}

# The 政务内网 prefixes (address_plan.reserved entries that must never be reachable).
intranet_prefixes contains p if {
	some r in input.plan.address_plan.reserved
	r.reachable == false
	some fam in ["ipv4", "ipv6"]
	some p in r[fam]
}

touches_intranet(cidrs) if {
	some c in cidrs
	some p in intranet_prefixes
	net.cidr_intersects(c, p)
}
