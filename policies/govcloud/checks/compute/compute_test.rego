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

# ---- issue 17: what a level-3 review looks for first -------------------------------------------

_kube(objects) := {"schema": "govcloud.check-input/v1", "level": 3, "plan": null, "hosts": [], "kubernetes": [{"source": sprintf("o%d.yaml", [i]), "object": o} | some i, o in objects]}

_digest := "r/x@sha256:0000000000000000000000000000000000000000000000000000000000000000"

_hardened := {"name": "c", "image": _digest, "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}

_pod(name, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "gx"}, "spec": spec}

test_fail_plaintext_credentials if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-012", "web", "env DB_PASSWORD holds a plain-text credential")
}

test_fail_plaintext_credentials_url if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-012", "web", "env DATABASE_URL holds a plain-text password in a URL")
}

test_fail_plaintext_credentials_args if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-012", "web", "plain-text credential on its command line")
}

test_fail_plaintext_credentials_configmap if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-012", "web-config", "key tls.key holds a plain-text private key")
}

test_fail_plaintext_credentials_configmap_key if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-012", "web-config", "key jwt.secret holds a plain-text credential")
}

test_fail_plaintext_credentials_cloud_key if {
	c := object.union(_hardened, {"env": [{"name": "OSS_ID", "value": "LTAI5tAbCdEfGhIjKlMnOp"}]})
	fs := data.govcloud.main.findings with input as _kube([_pod("p", {"containers": [c]})])
	testdata.failed(fs, "DJCP-K8S-012", "p", "env OSS_ID holds a plain-text cloud access key")
}

test_success_plaintext_credentials if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-012")
}

test_success_plaintext_credentials_references if {
	env := [
		{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
		{"name": "API_TOKEN", "value": "$(TOKEN)"},
		{"name": "SECRET_NAME", "value": "db-credentials"},
		{"name": "AUTH", "value": "true"},
		{"name": "REDIS_PASSWORD", "value": "none"},
		{"name": "TLS_PRIVATE_KEY", "value": "/certs/tls.key"},
		{"name": "DATABASE_URL", "value": "postgres://app:$(DB_PASSWORD)@pg:5432/app"},
	]
	c := object.union(_hardened, {"env": env, "args": ["--password-file=/run/secrets/p", "--token=$(TOKEN)"]})
	fs := data.govcloud.main.findings with input as _kube([_pod("p", {"containers": [c]})])
	testdata.all_pass(fs, "DJCP-K8S-012")
}

test_fail_committed_secrets if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-013", "db-credentials", "data holds key password (Opaque)")
}

test_fail_committed_secrets_string_data if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-013", "db-credentials", "stringData holds key username")
}

test_success_committed_secrets if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-013")
}

test_fail_host_path_escape if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-014", "web", "mounts the sensitive host path /var/run/docker.sock")
}

test_fail_host_path_escape_root if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-014", "web", "mounts the sensitive host path /")
}

test_fail_host_path_escape_proc_without_privileged if {
	spec := {"containers": [_hardened], "volumes": [{"name": "p", "hostPath": {"path": "/proc/"}}, {"name": "s", "hostPath": {"path": "/run/containerd/containerd.sock", "type": "Socket"}}]}
	fs := data.govcloud.main.findings with input as _kube([_pod("p", spec)])
	testdata.failed(fs, "DJCP-K8S-014", "p", "sensitive host path /proc/")
	testdata.failed(fs, "DJCP-K8S-014", "p", "sensitive host path /run/containerd/containerd.sock")
	testdata.all_pass(fs, "DJCP-K8S-004")
}

test_success_host_path_escape if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-014")
}

test_success_host_path_escape_lookalikes if {
	spec := {"containers": [_hardened], "volumes": [{"name": "d", "hostPath": {"path": "/data/etc"}}, {"name": "e", "hostPath": {"path": "/etcd-backup"}}]}
	fs := data.govcloud.main.findings with input as _kube([_pod("p", spec)])
	testdata.all_pass(fs, "DJCP-K8S-014")
	testdata.failed(fs, "DJCP-K8S-005", "p", "mounts host path /data/etc (the restricted profile allows no hostPath)")
}

test_fail_added_capabilities if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-015", "web", "adds capability SYS_ADMIN")
}

test_fail_added_capabilities_any_case if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-015", "web", "adds capability NET_ADMIN")
}

test_success_added_capabilities if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-015")
}

test_success_added_capabilities_baseline if {
	c := object.union(_hardened, {"securityContext": object.union(_hardened.securityContext, {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "cap_chown"]}})})
	fs := data.govcloud.main.findings with input as _kube([_pod("p", {"containers": [c]})])
	testdata.all_pass(fs, "DJCP-K8S-015")
}

test_success_security_context_drop_all_lower_case if {
	c := object.union(_hardened, {"securityContext": object.union(_hardened.securityContext, {"capabilities": {"drop": ["all"]}})})
	fs := data.govcloud.main.findings with input as _kube([_pod("p", {"containers": [c]})])
	testdata.all_pass(fs, "DJCP-K8S-005")
}

test_fail_data_port_exposure if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-016", "search", "exposes data port http/9200 (Elasticsearch)")
}

test_fail_data_port_exposure_by_name if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-016", "db", "postgres/15432 (PostgreSQL, named as a data service)")
}

test_success_data_port_exposure if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-016")
}

test_success_data_port_cluster_ip if {
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "redis", "namespace": "gx"}, "spec": {"ports": [{"name": "redis", "port": 6379}]}}
	fs := data.govcloud.main.findings with input as _kube([svc])
	testdata.all_pass(fs, "DJCP-K8S-016")
}

test_fail_admin_port_exposure_admin_ui if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-006", "grafana", "exposes the admin UI of grafana on port http/80")
}

test_fail_admin_port_exposure_ui_port if {
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "mq", "namespace": "gx"}, "spec": {"type": "NodePort", "ports": [{"name": "web", "port": 15672}]}}
	fs := data.govcloud.main.findings with input as _kube([svc])
	testdata.failed(fs, "DJCP-K8S-006", "mq", "management port web/15672 (RabbitMQ management)")
}

test_fail_no_cluster_admin_broad_group if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-008", "all-service-accounts-admin", "Group system:serviceaccounts (every service account of the cluster)")
}

test_fail_no_cluster_admin_edit_to_authenticated if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-008", "edit-everyone", "role edit is bound to the broad subject Group system:authenticated")
}

test_fail_no_cluster_admin_wildcard_role if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-008", "god-shop", "wildcard role god is bound to the broad subject Group system:serviceaccounts:shop")
}

test_fail_no_cluster_admin_anonymous if {
	crb := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "anon"}, "roleRef": {"kind": "ClusterRole", "name": "admin"}, "subjects": [{"kind": "User", "name": "system:anonymous"}, {"kind": "Group", "name": "system:unauthenticated"}]}
	fs := data.govcloud.main.findings with input as _kube([crb])
	testdata.failed(fs, "DJCP-K8S-008", "anon", "User system:anonymous (anyone, unauthenticated)")
	testdata.failed(fs, "DJCP-K8S-008", "anon", "Group system:unauthenticated (anyone, unauthenticated)")
}

test_success_no_cluster_admin_narrow_role_to_group if {
	role := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "viewer"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
	crb := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "v"}, "roleRef": {"kind": "ClusterRole", "name": "viewer"}, "subjects": [{"kind": "Group", "name": "system:authenticated"}, {"kind": "Group", "name": "system:masters"}]}
	fs := data.govcloud.main.findings with input as _kube([role, crb])
	testdata.all_pass(fs, "DJCP-K8S-008")
}

test_fail_ingress_tls_rule_without_host if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-011", "shop", "rule 1 has no host (it matches every host name) while TLS covers only")
}

test_success_ingress_tls_default_certificate if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-011")
	some f in testdata.good_findings
	f.rule_id == "DJCP-K8S-011"
	f.resource.name == "catch-all"
}

test_fail_custom_kind_with_pod_template if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-004", "canary", "container canary is privileged")
}

test_success_custom_kind_with_pod_template if {
	testdata.all_pass(testdata.good_findings, "DJCP-K8S-004")
	some f in testdata.good_findings
	f.rule_id == "DJCP-K8S-005"
	f.resource.kind == "Rollout"
	f.status == "pass"
}

test_fail_custom_job_template_kind if {
	cr := {"apiVersion": "example.io/v1", "kind": "ScheduledBackup", "metadata": {"name": "b", "namespace": "gx"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostNetwork": true, "containers": [_hardened]}}}}}}
	fs := data.govcloud.main.findings with input as _kube([cr])
	testdata.failed(fs, "DJCP-K8S-003", "b", "hostNetwork is enabled")
}

test_fail_pod_template_object if {
	pt := {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t", "namespace": "gx"}, "template": {"spec": {"hostIPC": true, "containers": [_hardened]}}}
	fs := data.govcloud.main.findings with input as _kube([pt])
	testdata.failed(fs, "DJCP-K8S-003", "t", "hostIPC is enabled")
}

test_fail_generate_name_object if {
	testdata.failed(testdata.bad_findings, "DJCP-K8S-003", "migrate-*", "hostPID is enabled")
}

test_success_empty_namespace_is_default if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": null}, "spec": {"containers": [_hardened]}}
	fs := data.govcloud.main.findings with input as _kube([pod])
	some f in fs
	f.rule_id == "DJCP-K8S-005"
	f.resource.namespace == "default"
	f.status == "pass"
}

test_fail_admin_port_exposure_8080_admin_ui if {
	jenkins := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ci", "namespace": "gx"}, "spec": {"type": "LoadBalancer", "selector": {"app": "jenkins"}, "ports": [{"name": "http", "port": 8080}]}}
	api := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "gx"}, "spec": {"type": "LoadBalancer", "selector": {"app": "api"}, "ports": [{"name": "http", "port": 8080}]}}
	fs := data.govcloud.main.findings with input as _kube([jenkins, api])
	testdata.failed(fs, "DJCP-K8S-006", "ci", "exposes the admin UI of jenkins on port http/8080")
	some f in fs
	f.rule_id == "DJCP-K8S-006"
	f.resource.name == "api"
	f.status == "pass"
}
