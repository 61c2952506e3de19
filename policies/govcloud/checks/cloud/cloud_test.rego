package govcloud.tests.cloud

import data.govcloud.testdata

test_fail_platform_level if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-001", "sjj-gxjh", "level-2 platform dr")
}

test_success_platform_level if {
	testdata.all_pass(testdata.good_findings, "DJCP-CLD-001")
}

test_fail_level_isolation if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-002", "dedicated-sjj", "levels [2, 3]")
}

test_success_level_isolation if {
	testdata.all_pass(testdata.good_findings, "DJCP-CLD-002")
}

test_fail_tenant_isolation if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-003", "dedicated-sjj", "another department gaj")
}

test_fail_tenant_isolation_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-003", "dedicated-x", "no department")
}

test_fail_tenant_isolation_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-003", "sjj-to-gaj", "two dedicated")
}

test_success_tenant_isolation if {
	testdata.all_pass(testdata.good_findings, "DJCP-CLD-003")
}

test_fail_namespace_isolation if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-010", "open", "admits every namespace")
}

test_success_namespace_isolation if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-010")
}

test_fail_image_digest if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-004", "debug", "nginx:latest")
}

test_fail_image_digest_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-004", "sjj-gxjh", "api:latest")
}

test_success_image_digest if {
	testdata.all_pass(testdata.good_findings, "DJCP-CLD-004")
}

test_fail_data_residency if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-005", "sjj-gxjh", "singapore")
}

test_success_data_residency if {
	testdata.all_pass(testdata.good_findings, "DJCP-CLD-005")
}

test_fail_tenant_keys if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-006", "sjj-gxjh", "owned by platform")
}

test_success_tenant_keys if {
	testdata.all_pass(testdata.good_findings, "DJCP-CLD-006")
}

test_fail_management_separation if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-007", "public-to-mgmt", "tenant zone public")
}

test_fail_management_separation_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-CLD-007", "mgmt-app-1", "business role app")
}

test_success_management_separation if {
	testdata.all_pass(testdata.good_findings, "DJCP-CLD-007")
}

test_fail_resource_limits if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-009", "debug", "resources.limits.cpu")
}

test_success_resource_limits if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-009")
}
