package govcloud.tests.boundary

import data.govcloud.testdata

test_fail_controlled_interface if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-001", "any-any", "names no boundary")
}

test_success_controlled_interface if {
	testdata.all_pass(testdata.good_findings, "DJCP-BND-001")
}

test_fail_default_deny if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-002", "any-any", "from is the wildcard *")
}

test_fail_default_deny_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-002", "any-any", "protocol is the wildcard any")
}

test_success_default_deny if {
	testdata.all_pass(testdata.good_findings, "DJCP-BND-002")
}

test_fail_rule_minimal if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-003", "internet-ssh-sjj-dup", "duplicates another rule")
}

test_fail_rule_minimal_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-003", "any-any", "no description")
}

test_fail_rule_minimal_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-003", "sjj-direct-egress", "zone external is not declared")
}

test_success_rule_minimal if {
	testdata.all_pass(testdata.good_findings, "DJCP-BND-003")
}

test_fail_rule_specific if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-004", "sjj-to-gaj", "lists no ports")
}

test_fail_rule_specific_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-004", "internet-ssh-sjj", "port 70000 is invalid")
}

test_fail_rule_specific_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-004", "internet-ssh-sjj", "management port 22")
}

test_success_rule_specific if {
	testdata.all_pass(testdata.good_findings, "DJCP-BND-004")
}

test_fail_dual_stack_parity if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-005", "any-any", "[\"ipv4\"] only")
}

test_fail_dual_stack_parity_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-005", "internet-ssh-sjj", "[\"ipv6\"] only")
}

test_fail_dual_stack_parity_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-005", "open", "opens ::/0")
}

test_success_dual_stack_parity if {
	testdata.all_pass(testdata.good_findings, "DJCP-BND-005")
}

test_fail_egress_via_internet_zone if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-006", "sjj-direct-egress", "reaches external destination")
}

test_fail_egress_via_internet_zone_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-006", "open", "egress rule 0 allows any external address")
}

test_fail_egress_via_internet_zone_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-006", "open", "egress rule 1 allows any external address")
}

test_success_egress_via_internet_zone if {
	testdata.all_pass(testdata.good_findings, "DJCP-BND-006")
}

test_fail_boundary_audit if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-007", "dr", "no log-audit service")
}

test_success_boundary_audit if {
	testdata.all_pass(testdata.good_findings, "DJCP-BND-007")
}

test_fail_namespace_default_deny if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-001", "legacy", "no default-deny Ingress")
}

test_fail_namespace_default_deny_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-001", "legacy", "no default-deny Egress")
}

test_success_namespace_default_deny if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-001")
}
