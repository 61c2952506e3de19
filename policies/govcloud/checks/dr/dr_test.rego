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
