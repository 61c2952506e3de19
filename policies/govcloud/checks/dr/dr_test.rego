package govcloud.tests.dr

import data.govcloud.testdata

test_fail_offsite_realtime_backup if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-001", "sjj-gxjh", "nightly, not real time")
}

test_fail_offsite_realtime_backup_2 if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-001", "sjj-gxjh", "no link")
}

test_success_offsite_realtime_backup if {
	testdata.all_pass(testdata.good_findings, "DJCP-DR-001")
}

test_fail_hot_redundancy if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-002", "sjj-gxjh", "no hot redundancy")
}

test_success_hot_redundancy if {
	testdata.all_pass(testdata.good_findings, "DJCP-DR-002")
}

test_success_hot_redundancy_sync_same_city_standby if {
	sys := object.union(testdata.good_input.plan.systems[0], {"placement": {
		"mode": "active-standby", "active": ["prod"],
		"standby": [{"centre": "samecity", "replication": "sync"}, {"centre": "dr", "replication": "async"}],
	}})
	plan := object.union(testdata.good_input.plan, {"systems": [sys]})
	fs := data.govcloud.main.findings with input as object.union(testdata.good_input, {"plan": plan})
	testdata.all_pass(fs, "DJCP-DR-002")
}

# The findings of the good input with its system merged with `overrides`.
_good_with(overrides) := fs if {
	sys := object.union(testdata.good_input.plan.systems[0], overrides)
	plan := object.union(testdata.good_input.plan, {"systems": [sys]})
	fs := data.govcloud.main.findings with input as object.union(testdata.good_input, {"plan": plan})
}

test_fail_ha_quorum if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-003", "sjj-gxjh", "3 distinct centres are needed")
}

test_fail_ha_quorum_unknown_centre if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-003", "sjj-gxjh", "moon is not a centre of the plan")
}

test_fail_ha_quorum_no_majority if {
	fs := _good_with({"ha": {"dcs_members": ["prod", "prod", "samecity", "dr"]}})
	testdata.failed(fs, "DJCP-DR-003", "sjj-gxjh", "losing centre prod leaves 2 of 4 etcd members")
}

test_success_ha_quorum if {
	testdata.all_pass(testdata.good_findings, "DJCP-DR-003")
}

# A level-2 system, and govcloud's own runbook orchestration, are not held to the etcd quorum.
test_success_ha_quorum_only_patroni_at_level_3 if {
	ids := {f.resource.name | some f in testdata.bad_findings; f.rule_id == "DJCP-DR-003"}
	ids == {"sjj-gxjh"}
	manual := _good_with({"ha": {"engine": "manual", "dcs_members": ["prod"]}})
	not "DJCP-DR-003" in {f.rule_id | some f in manual}
}

test_fail_ha_synchronous if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-004", "sjj-gxjh", "does not run in synchronous mode")
}

test_fail_ha_synchronous_no_sync_copy if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-004", "sjj-gxjh", "neither active-active nor replicated")
}

test_success_ha_synchronous if {
	testdata.all_pass(testdata.good_findings, "DJCP-DR-004")
}

test_success_ha_synchronous_sync_standby if {
	fs := _good_with({"placement": {
		"mode": "active-standby", "active": ["prod"],
		"standby": [{"centre": "samecity", "replication": "sync"}, {"centre": "dr", "replication": "async"}],
	}})
	testdata.all_pass(fs, "DJCP-DR-004")
}

# RPO above 0 asks for no synchronous mode; a system without ha is not judged by the HA rules.
test_success_ha_synchronous_only_rpo_0_with_ha if {
	lagging := _good_with({"dr": {"rpo_s": 900}, "ha": {"synchronous_mode": false}})
	not "DJCP-DR-004" in {f.rule_id | some f in lagging}
	none := _good_with({"ha": null})
	ha_rules := {"DJCP-DR-003", "DJCP-DR-004", "DJCP-DR-005"}
	count({f.rule_id | some f in none; f.rule_id in ha_rules}) == 0
}

test_fail_ha_timing if {
	testdata.failed(testdata.bad_findings, "DJCP-DR-005", "sjj-gxjh", "loop_wait 10 + 2 × retry_timeout 10 exceeds ttl 20 s")
}

test_fail_ha_timing_lease_over_rto if {
	fs := _good_with({"ha": {"ttl": 600}})
	testdata.failed(fs, "DJCP-DR-005", "sjj-gxjh", "the leader lease ttl 600 s exceeds the RTO of 300 s")
}

test_success_ha_timing if {
	testdata.all_pass(testdata.good_findings, "DJCP-DR-005")
}

test_success_ha_timing_at_the_limits if {
	fs := _good_with({"dr": {"rto_s": 40}, "ha": {"ttl": 40, "loop_wait": 10, "retry_timeout": 15}})
	testdata.all_pass(fs, "DJCP-DR-005")
}
