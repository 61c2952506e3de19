# METADATA
# title: 安全计算环境 Secure computing environment
# description: GB/T 22239-2019 8.1.4 checks over Kubernetes workloads, RBAC, storage and host facts.
package govcloud.checks.compute

import data.govcloud.checks.boundary
import data.govcloud.lib.k8s
import data.govcloud.lib.plan
import data.govcloud.lib.result

# METADATA
# title: Pod 安全准入 / Pod Security admission enforces restricted
# scope: document
# custom:
#   id: DJCP-K8S-002
#   clause: 8.1.4.4.b
#   family: computing-environment
#   equivalents: {"2": "7.1.4.4.b", "4": "9.1.4.4.b"}
#   test_code: L3-CES1-18
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 命名空间强制执行 restricted 级 Pod 安全准入
#   title_en: Namespaces enforce the restricted Pod Security Standard (no unneeded high-risk capabilities)
#   remediation_zh: 为命名空间添加标签 pod-security.kubernetes.io/enforce=restricted
#   remediation_en: Label the namespace pod-security.kubernetes.io/enforce=restricted
pod_security contains finding if {
	some item in k8s.objects("Namespace")
	not item.object.metadata.name in k8s.system_namespaces
	mode := object.get(k8s.labels(item.object), "pod-security.kubernetes.io/enforce", "未设置 unset")
	reasons := {result.reason(sprintf("Pod 安全准入级别为 %v", [mode]), sprintf("Pod Security enforce level is %v", [mode])) |
		mode != "restricted"
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# METADATA
# title: 不共享宿主机命名空间 / No hostNetwork, hostPID, hostIPC or hostPort
# scope: document
# custom:
#   id: DJCP-K8S-003
#   clause: 8.1.4.4.b
#   family: computing-environment
#   equivalents: {"2": "7.1.4.4.b", "4": "9.1.4.4.b"}
#   test_code: L3-CES1-18
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: 工作负载不使用宿主机网络、进程、IPC 与端口
#   title_en: Workloads do not use the host network, PID or IPC namespaces or host ports
#   remediation_zh: 删除 hostNetwork、hostPID、hostIPC 与 hostPort 设置
#   remediation_en: Remove hostNetwork, hostPID, hostIPC and hostPort
host_namespaces contains finding if {
	some w in k8s.workloads
	reasons := {result.reason(sprintf("启用了 %s", [field]), sprintf("%s is enabled", [field])) |
		some field in ["hostNetwork", "hostPID", "hostIPC"]
		w.spec[field] == true
	} | {result.reason(sprintf("容器 %v 使用 hostPort %v", [c.name, p.hostPort]), sprintf("container %v uses hostPort %v", [c.name, p.hostPort])) |
		some c in k8s.containers(w.spec)
		some p in object.get(c, "ports", [])
		object.get(p, "hostPort", 0) != 0
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

# METADATA
# title: 禁止特权容器 / No privileged containers or privilege escalation
# scope: document
# custom:
#   id: DJCP-K8S-004
#   clause: 8.1.4.2.d
#   family: computing-environment
#   equivalents: {"2": "7.1.4.2.d", "4": "9.1.4.2.d"}
#   test_code: L3-CES1-08
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: 容器不以特权运行，也不能提升权限
#   title_en: Least privilege — containers are not privileged and cannot escalate privileges
#   remediation_zh: 设置 privileged false 与 allowPrivilegeEscalation false
#   remediation_en: Set privileged false and allowPrivilegeEscalation false
no_privileged contains finding if {
	some w in k8s.workloads
	reasons := {result.reason(sprintf("容器 %v 为特权容器", [c.name]), sprintf("container %v is privileged", [c.name])) |
		some c in k8s.containers(w.spec)
		c.securityContext.privileged == true
	} | {result.reason(sprintf("容器 %v 未禁止权限提升", [c.name]), sprintf("container %v may escalate privileges", [c.name])) |
		some c in k8s.containers(w.spec)
		not c.securityContext.allowPrivilegeEscalation == false
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

# METADATA
# title: 容器安全上下文加固 / Hardened container securityContext
# scope: document
# custom:
#   id: DJCP-K8S-005
#   clause: 8.1.4.4.a
#   family: computing-environment
#   equivalents: {"2": "7.1.4.4.a", "4": "9.1.4.4.a"}
#   test_code: L3-CES1-17
#   related: [8.1.4.5]
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: medium
#   title_zh: 容器非 root、根文件系统只读、丢弃能力并启用 seccomp
#   title_en: Minimal footprint — containers run as non-root with a read-only root filesystem, all capabilities dropped and seccomp on
#   remediation_zh: 设置 runAsNonRoot true、readOnlyRootFilesystem true、capabilities.drop [ALL] 与 seccompProfile RuntimeDefault
#   remediation_en: Set runAsNonRoot true, readOnlyRootFilesystem true, capabilities.drop [ALL] and seccompProfile RuntimeDefault
security_context contains finding if {
	some w in k8s.workloads
	reasons := (({result.reason(sprintf("容器 %v 未设置 runAsNonRoot", [c.name]), sprintf("container %v does not set runAsNonRoot", [c.name])) |
		some c in k8s.containers(w.spec)
		not _non_root(w.spec, c)
	} | {result.reason(sprintf("容器 %v 根文件系统可写", [c.name]), sprintf("container %v has a writable root filesystem", [c.name])) |
		some c in k8s.containers(w.spec)
		not c.securityContext.readOnlyRootFilesystem == true
	}) | {result.reason(sprintf("容器 %v 未丢弃全部能力", [c.name]), sprintf("container %v does not drop ALL capabilities", [c.name])) |
		some c in k8s.containers(w.spec)
		not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
	}) | {result.reason(sprintf("容器 %v 未启用 seccomp", [c.name]), sprintf("container %v has no seccomp profile", [c.name])) |
		some c in k8s.containers(w.spec)
		not _seccomp(w.spec, c)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

_non_root(_, c) if c.securityContext.runAsNonRoot == true

_non_root(spec, c) if {
	spec.securityContext.runAsNonRoot == true
	not c.securityContext.runAsNonRoot == false
}

_seccomp_ok := {"RuntimeDefault", "Localhost"}

_seccomp(_, c) if c.securityContext.seccompProfile.type in _seccomp_ok

_seccomp(spec, c) if {
	spec.securityContext.seccompProfile.type in _seccomp_ok
	not c.securityContext.seccompProfile.type == "Unconfined"
}

# METADATA
# title: 管理端口不经 NodePort 暴露 / No NodePort or LoadBalancer for management ports
# scope: document
# custom:
#   id: DJCP-K8S-006
#   clause: 8.1.4.4.c
#   family: computing-environment
#   equivalents: {"2": "7.1.4.4.c", "4": "9.1.4.4.c"}
#   test_code: L3-CES1-19
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 管理端口不通过 NodePort 或负载均衡暴露
#   title_en: Management endpoints are reachable only from restricted terminals (not via NodePort/LoadBalancer)
#   remediation_zh: 管理端口使用 ClusterIP 并经堡垒机访问
#   remediation_en: Keep management ports on ClusterIP services reached through the bastion
admin_port_exposure contains finding if {
	some item in k8s.objects("Service")
	type := object.get(item.object.spec, "type", "ClusterIP")
	reasons := {result.reason(
		sprintf("%s 服务暴露管理端口 %v", [type, _port_label(p)]),
		sprintf("%s service exposes management port %v", [type, _port_label(p)]),
	) |
		type in {"NodePort", "LoadBalancer"}
		some p in object.get(item.object.spec, "ports", [])
		_admin_port(p)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

_admin_port(p) if p.port in boundary.admin_ports

_admin_port(p) if object.get(p, "targetPort", 0) in boundary.admin_ports

_admin_port(p) if regex.match(`(?i)(ssh|rdp|admin|mgmt|manage)`, object.get(p, "name", ""))

_port_label(p) := sprintf("%v/%v", [object.get(p, "name", "-"), p.port])

# METADATA
# title: RBAC 最小权限 / RBAC roles grant least privilege
# scope: document
# custom:
#   id: DJCP-K8S-007
#   clause: 8.1.4.2.d
#   family: computing-environment
#   equivalents: {"2": "7.1.4.2.d", "4": "9.1.4.2.d"}
#   test_code: L3-CES1-08
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: RBAC 角色不使用通配权限和提权动词
#   title_en: Least privilege and separation of duties — roles use no wildcard verbs, resources or API groups
#   remediation_zh: 在 Role/ClusterRole 中列出具体的 apiGroups、resources 与 verbs
#   remediation_en: List explicit apiGroups, resources and verbs in Roles and ClusterRoles
rbac_least_privilege contains finding if {
	some item in array.concat(k8s.objects("Role"), k8s.objects("ClusterRole"))
	reasons := {result.reason(sprintf("规则 %d 的 %s 含通配符 *", [j, field]), sprintf("rule %d has a wildcard in %s", [j, field])) |
		some j, r in object.get(item.object, "rules", [])
		some field in ["verbs", "resources", "apiGroups"]
		"*" in object.get(r, field, [])
	} | {result.reason(sprintf("规则 %d 允许 escalate/bind/impersonate", [j]), sprintf("rule %d allows escalate, bind or impersonate", [j])) |
		some j, r in object.get(item.object, "rules", [])
		some v in object.get(r, "verbs", [])
		v in {"escalate", "bind", "impersonate"}
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# METADATA
# title: 禁止绑定 cluster-admin / No cluster-admin bindings for users or service accounts
# scope: document
# custom:
#   id: DJCP-K8S-008
#   clause: 8.1.4.2.d
#   family: computing-environment
#   equivalents: {"2": "7.1.4.2.d", "4": "9.1.4.2.d"}
#   test_code: L3-CES1-08
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: cluster-admin 不绑定给用户、组或服务账号
#   title_en: cluster-admin is not bound to users, groups or service accounts (system groups excepted)
#   remediation_zh: 为管理员建立按职责划分的角色（系统、审计、安全管理员），删除 cluster-admin 绑定
#   remediation_en: Create duty-separated roles (system, audit, security administrator) and remove the cluster-admin binding
no_cluster_admin contains finding if {
	some item in array.concat(k8s.objects("RoleBinding"), k8s.objects("ClusterRoleBinding"))
	reasons := {result.reason(sprintf("cluster-admin 绑定给 %v %v", [s.kind, s.name]), sprintf("cluster-admin is bound to %v %v", [s.kind, s.name])) |
		item.object.roleRef.name == "cluster-admin"
		some s in object.get(item.object, "subjects", [])
		not startswith(s.name, "system:")
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# METADATA
# title: 入口流量加密 / Ingress traffic uses TLS
# scope: document
# custom:
#   id: DJCP-K8S-011
#   clause: 8.1.4.8.a
#   family: computing-environment
#   equivalents: {"4": "9.1.4.8.a"}
#   test_code: L3-CES1-27
#   related: [8.1.2.2.b]
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: Ingress 的每个主机名都启用 TLS
#   title_en: Cryptography protects data in transit — every Ingress host is served over TLS
#   remediation_zh: 在 spec.tls 中为每个主机名配置证书（国密场景使用 TLCP 网关）
#   remediation_en: Configure spec.tls for every host (TLCP gateway where 国密 is required)
ingress_tls contains finding if {
	some item in k8s.objects("Ingress")
	tls_hosts := {h | some t in object.get(item.object.spec, "tls", []); some h in object.get(t, "hosts", [])}
	reasons := {result.reason(sprintf("主机 %v 未启用 TLS", [r.host]), sprintf("host %v is not served over TLS", [r.host])) |
		some r in object.get(item.object.spec, "rules", [])
		not r.host in tls_hosts
	} | {result.reason("未配置 TLS", "no TLS configured") |
		count(tls_hosts) == 0
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# METADATA
# title: 存储加密 / Storage is encrypted
# scope: document
# custom:
#   id: DJCP-CES-001
#   clause: 8.1.4.8.b
#   family: computing-environment
#   equivalents: {"4": "9.1.4.8.b"}
#   test_code: L3-CES1-28
#   related: [8.2.4.4.c]
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 系统存储与 StorageClass 启用加密
#   title_en: Cryptography protects the confidentiality of important data at rest
#   remediation_zh: 系统存储设置 encrypted true；StorageClass 设置 parameters.encrypted "true"（国密 SM4）
#   remediation_en: Set storage encrypted true for systems and parameters.encrypted "true" on StorageClasses (SM4 for 国密)
storage_encryption contains finding if {
	some i, sys in input.plan.systems
	reasons := {result.reason("系统存储未加密", "system storage is not encrypted") | not sys.storage.encrypted == true}
	finding := result.finding(rego.metadata.chain(), plan.resource("System", sys.id, sprintf("systems[%d]", [i])), reasons)
}

storage_encryption contains finding if {
	some item in k8s.objects("StorageClass")
	reasons := {result.reason("StorageClass 未启用加密", "StorageClass does not enable encryption") |
		not lower(sprintf("%v", [object.get(item.object, ["parameters", "encrypted"], false)])) == "true"
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# METADATA
# title: 禁止 root 远程登录 / No remote root login
# scope: document
# custom:
#   id: DJCP-CES-002
#   clause: 8.1.4.2.b
#   family: computing-environment
#   equivalents: {"2": "7.1.4.2.b", "4": "9.1.4.2.b"}
#   test_code: L3-CES1-06
#   levels: [2, 3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 主机禁止 root 通过 SSH 直接登录
#   title_en: Default accounts are renamed or removed — hosts refuse direct SSH root login
#   remediation_zh: sshd_config 设置 PermitRootLogin no，管理员以个人账号经堡垒机登录后 sudo
#   remediation_en: Set PermitRootLogin no in sshd_config; administrators log in with named accounts via the bastion and use sudo
no_root_login contains finding if {
	some i, h in input.hosts
	setting := object.get(h.facts, ["sshd", "permit_root_login"], "未采集 not collected")
	reasons := {result.reason(sprintf("PermitRootLogin 为 %v", [setting]), sprintf("PermitRootLogin is %v", [setting])) |
		setting != "no"
	}
	finding := result.finding(rego.metadata.chain(), plan.resource("Host", h.host, sprintf("hosts[%d]", [i])), reasons)
}
