package govcloud.tests.network

import data.govcloud.testdata

test_fail_zone_address_plan if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-001", "prod/ghost/x", "zone ghost is not declared")
}

test_fail_zone_address_plan_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-001", "prod/ghost/x", "centre nowhere")
}

test_fail_zone_address_plan_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-001", "prod/management/mgmt", "no ipv6 prefix")
}

test_fail_zone_address_plan_4 if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-001", "prod/public/portal", "overlaps")
}

test_fail_zone_address_plan_5 if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-001", "prod/ghost/x", "lab ipv4 prefix 10.255.1.0/28 is outside")
}

test_success_zone_address_plan if {
	testdata.all_pass(testdata.good_findings, "DJCP-NET-001")
}

test_fail_important_zone_not_at_edge if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-002", "internet-ssh-sjj", "straight from edge zone internet")
}

test_success_important_zone_not_at_edge if {
	testdata.all_pass(testdata.good_findings, "DJCP-NET-002")
}

test_fail_cross_centre_redundancy if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-003", "sjj-gxjh", "fewer than 2")
}

test_success_cross_centre_redundancy if {
	testdata.all_pass(testdata.good_findings, "DJCP-NET-003")
}

test_fail_cross_zone_encryption if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-004", "internet-ssh-sjj", "not encrypted")
}

test_success_cross_zone_encryption if {
	testdata.all_pass(testdata.good_findings, "DJCP-NET-004")
}

test_fail_inter_centre_link_encryption if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-005", "prod-samecity", "not encrypted")
}

test_fail_inter_centre_link_encryption_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-005", "prod-samecity", "mars is not a declared centre")
}

test_success_inter_centre_link_encryption if {
	testdata.all_pass(testdata.good_findings, "DJCP-NET-005")
}

test_fail_no_gov_intranet_link if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-006", "prod/ghost/x", "政务内网")
}

test_fail_no_gov_intranet_link_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-006", "mgmt-app-1", "政务内网")
}

test_fail_no_gov_intranet_link_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-NET-006", "open", "政务内网")
}

test_success_no_gov_intranet_link if {
	testdata.all_pass(testdata.good_findings, "DJCP-NET-006")
}

test_success_ntp_and_icmp_need_no_encryption if {
	extra := [
		{"id": "ntp", "from": "management", "to": "public", "protocol": "udp", "ports": [123], "boundary": "b", "encrypted": false, "families": ["ipv4", "ipv6"], "description": "time"},
		{"id": "ping", "from": "management", "to": "public", "protocol": "icmp", "ports": [], "boundary": "b", "encrypted": false, "families": ["ipv4", "ipv6"], "description": "ping"},
	]
	plan := object.union(testdata.good_input.plan, {"flows": array.concat(testdata.good_input.plan.flows, extra)})
	fs := data.govcloud.main.findings with input as object.union(testdata.good_input, {"plan": plan})
	testdata.all_pass(fs, "DJCP-NET-004")
}
