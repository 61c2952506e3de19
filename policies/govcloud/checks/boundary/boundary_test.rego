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

test_fail_boundary_audit_unlogged_administration if {
	testdata.failed(testdata.bad_findings, "DJCP-BND-007", "prod", "remote administration flow internet-ssh-sjj is not logged")
}

test_fail_boundary_audit_log_turned_off if {
	flows := [object.union(f, {"log": false}) | some f in testdata.good_input.plan.flows]
	fs := data.govcloud.main.findings with input as json.patch(testdata.good_input, [{"op": "replace", "path": "/plan/flows", "value": flows}])
	testdata.failed(fs, "DJCP-BND-007", "samecity", "remote administration flow mgmt-to-sjj-ssh is not logged")
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

# ---- issue 17: allow-all NetworkPolicies --------------------------------------------------------

_np(name, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "gx"}, "spec": spec}

_kube(objects) := {"schema": "govcloud.check-input/v1", "level": 3, "plan": null, "hosts": [], "kubernetes": [{"source": sprintf("o%d.yaml", [i]), "object": o} | some i, o in objects]}

test_fail_open_ingress if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-017", "allow-all", "ingress rule 0 admits every source to every pod of the namespace on every port")
}

test_fail_open_ingress_world_on_namespace if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-017", "world-https", "admits the whole Internet (0.0.0.0/0 or ::/0) to every pod of the namespace")
}

test_fail_open_ingress_ipv6_world_all_ports if {
	np := _np("v6", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"from": [{"ipBlock": {"cidr": "::/0"}}]}]})
	fs := data.govcloud.main.findings with input as _kube([np])
	testdata.failed(fs, "DJCP-K8S-017", "v6", "to the selected pods on every port")
}

test_success_open_ingress if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-017")
}

test_success_open_ingress_gateway_port if {
	# The Internet-facing entry: the gateway pods only, on port 443 only.
	np := _np("gw", {"podSelector": {"matchLabels": {"app": "gateway"}}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]}]})
	egress_only := _np("e", {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]})
	fs := data.govcloud.main.findings with input as _kube([np, egress_only])
	testdata.all_pass(fs, "DJCP-K8S-017")
}

test_fail_namespace_default_deny_cancelled_by_allow_all if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-001", "shop", "policy allow-all allows all Ingress traffic, which cancels the default deny")
}

test_fail_namespace_default_deny_cancelled_in_good_namespace if {
	deny := _np("default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
	open := _np("allow-all", {"podSelector": {}, "ingress": [{}]})
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gx"}}
	fs := data.govcloud.main.findings with input as _kube([ns, deny, open])
	testdata.failed(fs, "DJCP-K8S-001", "gx", "policy allow-all allows all Ingress traffic")
}

test_success_duplicate_namespaces_do_not_conflict if {
	a := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gx", "labels": {"govcloud.io/zone": "internet"}}}
	b := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gx", "labels": {"team": "x"}}}
	deny := _np("default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
	fs := data.govcloud.main.findings with input as _kube([a, b, deny])
	testdata.all_pass(fs, "DJCP-K8S-001")
}
