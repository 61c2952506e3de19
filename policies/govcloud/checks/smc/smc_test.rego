package govcloud.tests.smc

import data.govcloud.testdata

test_fail_management_zone if {
	testdata.failed(testdata.bad_findings, "DJCP-SMC-001", "prod-bastion", "sits in zone public")
}

test_success_management_zone if {
	testdata.all_pass(testdata.good_findings, "DJCP-SMC-001")
}

test_fail_secure_management_path if {
	testdata.failed(testdata.bad_findings, "DJCP-SMC-002", "public-to-mgmt", "not encrypted")
}

test_success_secure_management_path if {
	testdata.all_pass(testdata.good_findings, "DJCP-SMC-002")
}

test_fail_log_retention if {
	testdata.failed(testdata.bad_findings, "DJCP-SMC-003", "log_retention_days", "90 days")
}

test_fail_log_retention_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-SMC-003", "prod-app-1", "30 days")
}

test_success_log_retention if {
	testdata.all_pass(testdata.good_findings, "DJCP-SMC-003")
}

test_success_inline_waf_may_sit_at_the_edge if {
	waf := {"id": "prod-waf", "kind": "waf", "centre": "prod", "zone": "internet", "host": "prod-waf-1"}
	plan := object.union(testdata.good_input.plan, {"security_services": array.concat(testdata.good_input.plan.security_services, [waf])})
	fs := data.govcloud.main.findings with input as object.union(testdata.good_input, {"plan": plan})
	testdata.all_pass(fs, "DJCP-SMC-001")
}

test_success_secure_management_path_authenticated_ntp if {
	testdata.all_pass(testdata.good_findings, "DJCP-SMC-002")
	some f in testdata.good_input.plan.flows
	f.id == "public-ntp-to-mgmt"
	f.encrypted == false
}

test_fail_secure_management_path_unauthenticated_ntp if {
	flow := {
		"id": "public-ntp-plain", "from": "dedicated-sjj", "to": "management", "protocol": "udp", "ports": [123],
		"boundary": "prod-boundary", "encrypted": false, "families": ["ipv4", "ipv6"], "description": "x",
	}
	plan := object.union(testdata.good_input.plan, {"flows": array.concat(testdata.good_input.plan.flows, [flow])})
	fs := data.govcloud.main.findings with input as object.union(testdata.good_input, {"plan": plan})
	testdata.failed(fs, "DJCP-SMC-002", "public-ntp-plain", "not encrypted")
}
