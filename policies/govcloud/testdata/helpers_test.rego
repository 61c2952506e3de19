# Test helpers shared by the check tests (not shipped in the bundle: *_test.rego).
package govcloud.testdata

good_findings := fs if {
	fs := data.govcloud.main.findings with input as good_input
}

bad_findings := fs if {
	fs := data.govcloud.main.findings with input as bad_input
}

# failed: rule `id` reports resource `name` as failing, with an English reason containing `text`.
failed(findings, id, name, text) if {
	some f in findings
	f.rule_id == id
	f.resource.name == name
	f.status == "fail"
	some r in f.reasons
	contains(r.en, text)
}

# all_pass: rule `id` evaluated at least one resource and none failed.
all_pass(findings, id) if {
	mine := [f | some f in findings; f.rule_id == id]
	count(mine) > 0
	every f in mine {
		f.status == "pass"
	}
}
