package govcloud.tests.secsvc

import data.govcloud.testdata

_with_plan(patch) := fs if {
	plan := object.union(testdata.good_input.plan, patch)
	fs := data.govcloud.main.findings with input as object.union(testdata.good_input, {"plan": plan})
}

_portal := object.union(testdata.good_input.plan.systems[0], {
	"id": "sjj-portal", "zone": "public", "internet_facing": true,
	"protections": ["bastion", "log-audit", "ids", "time", "waf"],
	"placement": {"mode": "active-active", "active": ["prod", "samecity"], "standby": []},
})

_waf(centre, zone) := {"id": sprintf("%v-waf", [centre]), "kind": "waf", "centre": centre, "zone": zone, "host": sprintf("%v-waf-1", [centre])}

_services_with_waf(zone) := array.concat(testdata.good_input.plan.security_services, [_waf("prod", zone), _waf("samecity", zone)])

# DJCP-SVC-001

test_fail_system_protections if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-001", "sjj-gxjh", "lacks protection time")
}

test_fail_system_protections_unserved if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-001", "sjj-gxjh", "centre prod has no log-audit service")
}

test_fail_system_protections_internet_facing_needs_waf if {
	sys := object.union(_portal, {"protections": ["bastion", "log-audit", "ids", "time"]})
	fs := _with_plan({"systems": [sys], "security_services": _services_with_waf("internet")})
	testdata.failed(fs, "DJCP-SVC-001", "sjj-portal", "lacks protection waf")
}

test_success_system_protections if {
	testdata.all_pass(testdata.good_findings, "DJCP-SVC-001")
}

test_success_system_protections_level_2_needs_none if {
	sys := object.union(testdata.good_input.plan.systems[0], {"level": 2, "protections": []})
	testdata.all_pass(_with_plan({"systems": [sys]}), "DJCP-SVC-001")
}

# DJCP-SVC-002

test_fail_bastion_admin_path if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-002", "internet-ssh-sjj", "bypasses the bastion")
}

test_fail_bastion_admin_path_ssh_protocol if {
	flow := {
		"id": "public-ssh", "from": "public", "to": "dedicated-sjj", "protocol": "ssh", "ports": [],
		"boundary": "prod-boundary", "encrypted": true, "families": ["ipv4", "ipv6"], "description": "x",
	}
	fs := _with_plan({"flows": array.concat(testdata.good_input.plan.flows, [flow])})
	testdata.failed(fs, "DJCP-SVC-002", "public-ssh", "SSH from public")
}

test_success_bastion_admin_path if {
	testdata.all_pass(testdata.good_findings, "DJCP-SVC-002")
}

# DJCP-SVC-003

test_fail_boundary_ids if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-003", "prod", "no ids service")
}

test_fail_boundary_ids_unmonitored_boundary if {
	flow := object.union(testdata.good_input.plan.flows[0], {"id": "edge-https", "boundary": "edge-boundary"})
	fs := _with_plan({"flows": array.concat(testdata.good_input.plan.flows, [flow])})
	testdata.failed(fs, "DJCP-SVC-003", "samecity", "boundary edge-boundary is not monitored")
}

test_success_boundary_ids if {
	testdata.all_pass(testdata.good_findings, "DJCP-SVC-003")
}

# DJCP-SVC-004

test_fail_internet_waf if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-004", "gaj-l2", "waf is not among its protections")
}

test_fail_internet_waf_no_service if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-004", "gaj-l2", "active centre prod has no waf service")
}

test_fail_internet_waf_wrong_zone if {
	fs := _with_plan({"systems": [_portal], "security_services": _services_with_waf("public")})
	testdata.failed(fs, "DJCP-SVC-004", "sjj-portal", "not an Internet access zone")
}

test_success_internet_waf if {
	fs := _with_plan({"systems": [_portal], "security_services": _services_with_waf("internet")})
	testdata.all_pass(fs, "DJCP-SVC-004")
	testdata.all_pass(fs, "DJCP-SVC-001")
}

# DJCP-SVC-005

test_fail_log_integrity if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-005", "log_integrity", "not sealed")
}

test_fail_log_integrity_sm3 if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-005", "log_integrity", "lack sm3")
}

test_fail_log_integrity_chain if {
	testdata.failed(testdata.bad_findings, "DJCP-SVC-005", "log_integrity", "not chained")
}

test_fail_log_integrity_missing if {
	fs := data.govcloud.main.findings with input as json.remove(testdata.good_input, ["plan/log_integrity"])
	testdata.failed(fs, "DJCP-SVC-005", "log_integrity", "lack sha256")
}

test_success_log_integrity if {
	testdata.all_pass(testdata.good_findings, "DJCP-SVC-005")
}
