# METADATA
# title: govcloud 等保 decision 等保决策
# description: >-
#   The one decision the gate asks: every finding (pass and fail) of every check
#   under data.govcloud.checks, filtered to the rules that apply at the gate level,
#   with blocking set for level-appropriate mandatory failures.
package govcloud.main

import data.govcloud.lib.k8s

default level := 3

level := input.level if input.level in {2, 3, 4}

input_errors contains "input.schema must be govcloud.check-input/v1" if {
	input.schema != "govcloud.check-input/v1"
}

input_errors contains "input.level must be 2, 3 or 4" if {
	not input.level in {2, 3, 4}
}

_applicable contains f if {
	some family, rule
	some f in data.govcloud.checks[family][rule]
	level in f.meta.levels
}

# findings: one row per (rule, resource), pass and fail; the rule's metadata is in `rules`.
findings := [{
	"rule_id": f.rule_id,
	"status": f.status,
	"blocking": _blocking(f),
	"resource": f.resource,
	"reasons": f.reasons,
} |
	some f in _applicable
]

# rules: the METADATA (custom annotations) of every rule that produced a finding: what only the
# rule knows (id, severity, levels, mandatory_levels, titles, remediation). Clause, family, level
# equivalents and test code are not here: the gate joins them from policies/catalogue.yaml.
rules := {f.rule_id: f.meta | some f in _applicable}

_blocking(f) if {
	f.status == "fail"
	level in f.meta.mandatory_levels
}

else := false

decision := {
	"schema": "govcloud.decision/v3",
	"level": level,
	"findings": findings,
	"rules": rules,
	"unevaluated": [u | some u in k8s.unknown],
	"input_errors": [e | some e in input_errors],
}
