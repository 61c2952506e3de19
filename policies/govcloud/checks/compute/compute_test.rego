package govcloud.tests.compute

import data.govcloud.testdata

test_fail_pod_security if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-002", "legacy", "enforce level is")
}

test_success_pod_security if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-002")
}

test_fail_host_namespaces if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-003", "debug", "hostNetwork is enabled")
}

test_fail_host_namespaces_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-003", "debug", "hostPID is enabled")
}

test_fail_host_namespaces_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-003", "debug", "hostPort 8080")
}

test_success_host_namespaces if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-003")
}

test_fail_no_privileged if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-004", "debug", "is privileged")
}

test_fail_no_privileged_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-004", "agent", "may escalate")
}

test_success_no_privileged if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-004")
}

test_fail_security_context if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-005", "agent", "runAsNonRoot")
}

test_fail_security_context_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-005", "agent", "writable root")
}

test_fail_security_context_3 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-005", "agent", "drop ALL")
}

test_fail_security_context_4 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-005", "agent", "no seccomp")
}

test_success_security_context if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-005")
}

test_fail_admin_port_exposure if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-006", "ssh", "management port ssh/22")
}

test_fail_admin_port_exposure_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-006", "ssh", "web-admin/9000")
}

test_success_admin_port_exposure if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-006")
}

test_fail_rbac_least_privilege if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-007", "god", "wildcard in verbs")
}

test_fail_rbac_least_privilege_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-007", "god", "impersonate")
}

test_success_rbac_least_privilege if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-007")
}

test_fail_no_cluster_admin if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-008", "ops-admin", "User ops")
}

test_success_no_cluster_admin if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-008")
}

test_fail_ingress_tls if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-011", "web", "no TLS configured")
}

test_fail_ingress_tls_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-011", "web", "legacy.example.gov.cn is not served")
}

test_success_ingress_tls if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-011")
}

test_fail_storage_encryption if {
	testdata.failed(testdata.bad_findings, "DJCP-CES-001", "sjj-gxjh", "storage is not encrypted")
}

test_fail_storage_encryption_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-CES-001", "plain", "StorageClass")
}

test_success_storage_encryption if {
	testdata.all_pass(testdata.good_findings, "DJCP-CES-001")
}

test_fail_no_root_login if {
	testdata.failed(testdata.bad_findings, "DJCP-CES-002", "prod-app-1", "PermitRootLogin is yes")
}

test_success_no_root_login if {
	testdata.all_pass(testdata.good_findings, "DJCP-CES-002")
}

test_success_pod_level_security_context if {
	c := {"name": "c", "image": "r/x@sha256:0000000000000000000000000000000000000000000000000000000000000000", "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}}
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "gx"}, "spec": {
		"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
		"containers": [c],
	}}
	fs := data.govcloud.main.findings with input as {"schema": "govcloud.check-input/v1", "level": 3, "plan": null, "kubernetes": [{"source": "p.yaml", "object": pod}], "hosts": []}
	testdata.all_pass(fs, "DJCP-K8S-005")
}

test_fail_admin_target_port if {
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb", "namespace": "gx"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": 6443}]}}
	fs := data.govcloud.main.findings with input as {"schema": "govcloud.check-input/v1", "level": 3, "plan": null, "kubernetes": [{"source": "s.yaml", "object": svc}], "hosts": []}
	testdata.failed(fs, "DJCP-K8S-006", "lb", "LoadBalancer service exposes management port -/443")
}
