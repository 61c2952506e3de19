# METADATA
# title: Finding builder 结果构造
# description: >-
#   Every check reports through finding/3, so each finding has the same keys
#   (contracts §3). The rule's METADATA carries what only the rule knows; its clause
#   data is in policies/catalogue.yaml, joined by the gate.
package govcloud.lib.result

# finding builds one raw finding for a rule (its rego.metadata.chain()), a resource and the set
# of reasons ({"zh": ..., "en": ...}) why the resource breaks the rule (empty set: pass).
# `meta` is a reference to the rule's custom annotations (no copy); main.decision returns it once
# per rule, and the gate expands each row into a contracts §3 finding.
finding(chain, resource, reasons) := {
	"rule_id": meta.id,
	"status": _status(reasons),
	"resource": resource,
	"reasons": reasons,
	"meta": meta,
} if {
	meta := rule_annotations(chain).custom
}

# rule_annotations: the rule's own annotations. Check rules carry document-scope METADATA, which
# is the first entry of the chain; anything else is searched for the entry with custom.id.
rule_annotations(chain) := chain[0].annotations if {
	chain[0].annotations.custom.id
} else := [entry.annotations | some entry in chain; entry.annotations.custom.id][0]

_status(reasons) := "fail" if count(reasons) > 0

else := "pass"

# reason builds one bilingual reason.
reason(zh, en) := {"zh": zh, "en": en}
