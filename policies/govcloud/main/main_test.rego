package govcloud.tests.main

import data.govcloud.main
import data.govcloud.testdata

test_success_decision_shape if {
	d := main.decision with input as testdata.good_input
	d.schema == "govcloud.decision/v3"
	d.level == 3
	d.input_errors == []
	d.unevaluated == []
	count(d.findings) > 0
	every f in d.findings {
		f.blocking == false
		f.reasons == set()
	}
	every id, meta in d.rules {
		meta.id == id
		regex.match(`^DJCP-[A-Z0-9]+-\d{3}$`, meta.id)
		not meta.clause
		meta.title_zh
		meta.title_en
		meta.remediation_zh
		meta.remediation_en
		meta.severity in {"critical", "high", "medium", "low"}
		count(meta.levels) > 0
	}
}

test_fail_unknown_kind_is_listed_not_an_error if {
	d := main.decision with input as testdata.bad_input
	d.unevaluated == [{"kind": "FooBar", "name": "x", "source": "manifests_bad/edge.yaml"}]
	d.input_errors == []
}

test_fail_bad_schema_and_level if {
	d := main.decision with input as {"schema": "nope", "level": 7}
	d.level == 3
	d.input_errors == ["input.level must be 2, 3 or 4", "input.schema must be govcloud.check-input/v1"]
	d.findings == []
}

test_success_empty_input_no_findings if {
	d := main.decision with input as {"schema": "govcloud.check-input/v1", "level": 3, "plan": null, "kubernetes": [], "hosts": []}
	d.findings == []
	d.input_errors == []
}

# Level 2: rules that only apply at levels 3 and 4 are not evaluated; advisory rules do not block.
test_success_level_2_filters_rules if {
	fs := main.findings with input as object.union(testdata.bad_input, {"level": 2})
	ids := {f.rule_id | some f in fs}
	not "DJCP-DR-002" in ids
	not "DJCP-NET-004" in ids
	"DJCP-BND-002" in ids
	some f in fs
	f.rule_id == "DJCP-BND-003"
	f.status == "fail"
	f.blocking == false
}

test_fail_level_3_blocks_mandatory if {
	some f in testdata.bad_findings
	f.rule_id == "DJCP-BND-003"
	f.status == "fail"
	f.blocking == true
}

test_fail_level_4_uses_level_4_rules if {
	fs := main.findings with input as object.union(testdata.bad_input, {"level": 4})
	some f in fs
	f.rule_id == "DJCP-DR-002"
	f.blocking == true
}

# Objects missing spec fields do not crash any rule.
test_success_malformed_objects_do_not_crash if {
	odd := [
		{"source": "x.yaml", "object": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nospec"}}},
		{"source": "x.yaml", "object": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}},
		{"source": "x.yaml", "object": {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"}, "spec": {}}},
		{"source": "x.yaml", "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}},
	]
	d := main.decision with input as {"schema": "govcloud.check-input/v1", "level": 3, "plan": null, "kubernetes": odd, "hosts": []}
	d.input_errors == []
	some f in d.findings
	f.rule_id == "DJCP-K8S-005"
	f.resource.name == "p"
	f.status == "fail"
}
