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
		not _drops_all(c)
	}) | ({result.reason(sprintf("容器 %v 未启用 seccomp", [c.name]), sprintf("container %v has no seccomp profile", [c.name])) |
		some c in k8s.containers(w.spec)
		not _seccomp(w.spec, c)
	} | {result.reason(sprintf("卷 %v 挂载宿主机路径 %v（restricted 级不允许 hostPath）", [v.name, v.hostPath.path]), sprintf("volume %v mounts host path %v (the restricted profile allows no hostPath)", [v.name, v.hostPath.path])) |
		some v in object.get(w.spec, "volumes", [])
		is_string(v.hostPath.path)
		not sensitive_host_path(v.hostPath.path)
	})
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

# Runtimes accept capability names in any case and with or without the CAP_ prefix.
capability(name) := trim_prefix(upper(name), "CAP_")

_drops_all(c) if {
	some cap in object.get(c, ["securityContext", "capabilities", "drop"], [])
	capability(cap) == "ALL"
}

# METADATA
# title: 不挂载宿主机敏感路径 / No hostPath mounts of sensitive host paths (container escape)
# scope: document
# custom:
#   id: DJCP-K8S-014
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: 容器不挂载宿主机根目录、/proc、/sys、/etc、容器运行时套接字等敏感路径（防容器逃逸）
#   title_en: Least privilege — containers do not mount the host's root, /proc, /sys, /etc, the container runtime socket or other sensitive host paths (container escape)
#   remediation_zh: 删除敏感 hostPath 卷；需要宿主机数据时使用 CSI 卷或只读的专用目录，节点代理类工作负载经审批后登记豁免
#   remediation_en: Remove the sensitive hostPath volumes; use CSI volumes or a dedicated read-only directory, and register an approved waiver for node agents that truly need host access
host_path_escape contains finding if {
	some w in k8s.workloads
	reasons := {result.reason(
		sprintf("卷 %v 挂载宿主机敏感路径 %v", [v.name, v.hostPath.path]),
		sprintf("volume %v mounts the sensitive host path %v", [v.name, v.hostPath.path]),
	) |
		some v in object.get(w.spec, "volumes", [])
		is_string(v.hostPath.path)
		sensitive_host_path(v.hostPath.path)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

# Host paths through which a container reaches the host (or its container runtime) as root.
_sensitive_exact := {"", "/bin", "/home", "/lib", "/lib64", "/opt", "/run", "/sbin", "/srv", "/usr", "/var", "/var/lib", "/var/run"}

_sensitive_prefixes := {
	"/boot", "/dev", "/etc", "/lib/modules", "/proc", "/root", "/sys", "/usr/bin", "/usr/lib",
	"/usr/sbin", "/var/lib/containerd", "/var/lib/docker", "/var/lib/etcd", "/var/lib/kubelet",
	"/var/run/containerd", "/var/run/crio", "/var/run/docker", "/run/containerd", "/run/crio",
	"/run/docker", "/var/run/secrets", "/run/secrets",
}

_host_path(path) := trim_right(path, "/")

sensitive_host_path(path) if _host_path(path) in _sensitive_exact

sensitive_host_path(path) if {
	some prefix in _sensitive_prefixes
	_under(_host_path(path), prefix)
}

sensitive_host_path(path) if endswith(_host_path(path), ".sock")

_under(path, prefix) if path == prefix

_under(path, prefix) if startswith(path, concat("", [prefix, "/"]))

# METADATA
# title: 不添加高危能力 / No dangerous capabilities added
# scope: document
# custom:
#   id: DJCP-K8S-015
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 容器不通过 capabilities.add 获得 SYS_ADMIN、NET_ADMIN、SYS_PTRACE 等基线之外的能力
#   title_en: Least privilege — containers add no capability beyond the Pod Security baseline set (no SYS_ADMIN, NET_ADMIN, SYS_PTRACE, …)
#   remediation_zh: 删除 capabilities.add 中基线之外的能力（仅 NET_BIND_SERVICE 等基线能力可按需添加）；确需者经审批登记豁免
#   remediation_en: Remove capabilities beyond the baseline set from capabilities.add (add only baseline ones such as NET_BIND_SERVICE when needed); register an approved waiver where one is truly required
added_capabilities contains finding if {
	some w in k8s.workloads
	reasons := {result.reason(
		sprintf("容器 %v 添加能力 %v", [c.name, capability(cap)]),
		sprintf("container %v adds capability %v", [c.name, capability(cap)]),
	) |
		some c in k8s.containers(w.spec)
		some cap in object.get(c, ["securityContext", "capabilities", "add"], [])
		is_string(cap)
		not capability(cap) in _baseline_capabilities
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

# The capabilities the Pod Security "baseline" profile lets a container add.
_baseline_capabilities := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# METADATA
# title: 不以明文保存口令与密钥 / No plain-text credentials in manifests
# scope: document
# custom:
#   id: DJCP-K8S-012
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 口令、密钥和令牌等鉴别数据不以明文写在 env、启动参数或 ConfigMap 中
#   title_en: Confidentiality of authentication data at rest — passwords, keys and tokens are not written in plain text in env values, arguments or ConfigMaps
#   remediation_zh: 改用 Secret（secretKeyRef/envFrom）并由外部密钥管理（KMS、Vault、External Secrets、SealedSecret）注入；轮换已泄露的口令和密钥
#   remediation_en: Use secretKeyRef/envFrom from Secrets delivered by a key manager (KMS, Vault, External Secrets, SealedSecrets); rotate every credential that was committed
plaintext_credentials contains finding if {
	some w in k8s.workloads
	reasons := {result.reason(
		sprintf("容器 %v 的环境变量 %v 含明文%s", [c.name, e.name, _what_zh(kind)]),
		sprintf("container %v env %v holds a plain-text %s", [c.name, e.name, kind]),
	) |
		some c in k8s.containers(w.spec)
		some e in object.get(c, "env", [])
		some kind in _secret_kinds(object.get(e, "name", ""), object.get(e, "value", ""))
	} | {result.reason(
		sprintf("容器 %v 的启动参数含明文%s", [c.name, _what_zh(kind)]),
		sprintf("container %v passes a plain-text %s on its command line", [c.name, kind]),
	) |
		some c in k8s.containers(w.spec)
		some arg in array.concat(object.get(c, "command", []), object.get(c, "args", []))
		some kind in _secret_arg(arg)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(w.item), reasons)
}

plaintext_credentials contains finding if {
	some item in k8s.objects("ConfigMap")
	reasons := {result.reason(
		sprintf("键 %v 含明文%s", [key, _what_zh(kind)]),
		sprintf("key %v holds a plain-text %s", [key, kind]),
	) |
		some key, value in object.get(item.object, "data", {})
		some kind in _secret_kinds(key, value)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# Names that hold credentials: DB_PASSWORD, JWT_SECRET, API_KEY, ACCESS_KEY, GITHUB_TOKEN, …
_credential_name := `(?i)(^|[_.-])(pass(word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?token)$`

# Values that are credentials whatever their name: private keys, cloud access keys, tokens,
# passwords inside URLs.
_secret_values := {
	"private key": `-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`,
	"cloud access key": `\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bLTAI[0-9A-Za-z]{12,24}\b|\bAKID[0-9A-Za-z]{32}\b`,
	"access token": `\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bxox[baprs]-[A-Za-z0-9-]{10,}|\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.`,
	"password in a URL": `[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@$][^/\s@]*@`,
}

# Values that only point at a credential or are not one: references, templates, flags.
_placeholder(value) if value == ""

_placeholder(value) if regex.match(`^(\$\(.*\)|\$\{.*\}|<.*>|\{\{.*\}\})$`, value)

_placeholder(value) if lower(value) in {"true", "false", "yes", "no", "on", "off", "none", "null", "enabled", "disabled"}

_placeholder(value) if startswith(value, "/")

_secret_kinds(name, value) := {kind |
	some kind, pattern in _secret_values
	is_string(value)
	regex.match(pattern, value)
} | {"credential" |
	is_string(name)
	is_string(value)
	regex.match(_credential_name, name)
	not _placeholder(value)
}

_secret_arg(arg) := {"credential" |
	is_string(arg)
	parts := regex.find_all_string_submatch_n(`(?i)^--?(password|passwd|pwd|token|secret|api-?key|access-?key|secret-?key)=(.*)$`, arg, 1)
	count(parts) == 1
	not _placeholder(parts[0][2])
} | {kind |
	is_string(arg)
	some kind, pattern in _secret_values
	regex.match(pattern, arg)
}

_what_zh(kind) := object.get(
	{
		"credential": "口令或密钥",
		"private key": "私钥",
		"cloud access key": "云访问密钥",
		"access token": "访问令牌",
		"password in a URL": "URL 中的口令",
	},
	kind,
	kind,
)

# METADATA
# title: 不提交含数据的 Secret / No Secret objects with data committed
# scope: document
# custom:
#   id: DJCP-K8S-013
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: 代码库中不提交含 data/stringData 的 Secret（base64 不是加密）
#   title_en: Confidentiality of authentication data at rest — no Secret objects with data or stringData in the repository (base64 is not encryption)
#   remediation_zh: 用 SealedSecret、External Secrets 或 KMS 加密后再提交，从代码库（含历史）中删除明文 Secret 并轮换其中的口令和密钥
#   remediation_en: Commit SealedSecrets or ExternalSecrets (or KMS-encrypted files) instead, remove the plain Secret from the repository and its history, and rotate what it held
committed_secrets contains finding if {
	some item in k8s.objects("Secret")
	reasons := {result.reason(
		sprintf("%s 含键 %v（%v）", [field, key, object.get(item.object, "type", "Opaque")]),
		sprintf("%s holds key %v (%v)", [field, key, object.get(item.object, "type", "Opaque")]),
	) |
		some field in ["data", "stringData"]
		some key, value in object.get(item.object, field, {})
		not value in {"", null}
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
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
# title: 管理端口不经 NodePort 暴露 / No NodePort or LoadBalancer for management ports and admin UIs
# scope: document
# custom:
#   id: DJCP-K8S-006
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 管理端口与管理界面不通过 NodePort 或负载均衡暴露
#   title_en: Management endpoints and admin UIs are reachable only from restricted terminals (not via NodePort/LoadBalancer)
#   remediation_zh: 管理端口和管理界面（如 Grafana、Kibana、Nacos 控制台）使用 ClusterIP，经堡垒机或受限的内部入口访问
#   remediation_en: Keep management ports and admin UIs (Grafana, Kibana, the Nacos console, …) on ClusterIP services reached through the bastion or a restricted internal entry
admin_port_exposure contains finding if {
	some item in k8s.objects("Service")
	type := object.get(item.object.spec, "type", "ClusterIP")
	reasons := {result.reason(
		sprintf("%s 服务暴露管理端口 %v（%s）", [type, _port_label(p), concat("，", sort(_admin_port(p)))]),
		sprintf("%s service exposes management port %v (%s)", [type, _port_label(p), concat(", ", sort(_admin_port(p)))]),
	) |
		type in {"NodePort", "LoadBalancer"}
		some p in object.get(item.object.spec, "ports", [])
		count(_admin_port(p)) > 0
	} | {result.reason(
		sprintf("%s 服务暴露管理界面 %v 的端口 %v", [type, ui, _port_label(p)]),
		sprintf("%s service exposes the admin UI of %v on port %v", [type, ui, _port_label(p)]),
	) |
		type in {"NodePort", "LoadBalancer"}
		some ui in _admin_ui_service(item.object)
		some p in object.get(item.object.spec, "ports", [])
		count(_admin_port(p)) == 0
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# Well-known ports of management UIs and consoles (beyond the remote-administration ports).
admin_ui_ports := {
	4040: "Spark UI", 5601: "Kibana", 8088: "YARN ResourceManager", 8161: "ActiveMQ console",
	8200: "Vault", 8500: "Consul UI", 8848: "Nacos console", 9090: "Prometheus",
	9093: "Alertmanager", 9870: "HDFS NameNode UI", 15672: "RabbitMQ management",
	16686: "Jaeger UI", 50070: "HDFS NameNode UI",
}

_admin_name := `(?i)(ssh|rdp|vnc|telnet|admin|mgmt|manage|console|debug|jmx|pprof|actuator)`

# Services whose name or selector names a well-known management UI.
_admin_ui_re := `(?i)^(kubernetes-dashboard|grafana|kibana|prometheus|alertmanager|jenkins|argocd-server|rabbitmq|phpmyadmin|adminer|pgadmin|mongo-express|redis-commander|kafka-ui|kafdrop|akhq|portainer|rancher|consul|vault|traefik|spark|airflow|flink|jupyter|tomcat|weave-scope|nacos|sentinel-dashboard|xxl-job-admin|kuboard|minio-console|cerebro|zipkin|jaeger|skywalking|hue|zeppelin)([-_.].*)?$`

# _admin_port: why a service port is a management port (empty set: it is not).
_admin_port(p) := ((({"remote administration" | p.port in boundary.admin_ports} | {"remote administration" |
	object.get(p, "targetPort", 0) in boundary.admin_ports
}) | {ui | ui := admin_ui_ports[p.port]}) | {ui | ui := admin_ui_ports[p.targetPort]}) | {"named as management" |
	regex.match(_admin_name, object.get(p, "name", ""))
}

_admin_ui_service(obj) := {v |
	some v in array.concat([obj.metadata.name], [x | some key in ["app", "app.kubernetes.io/name", "component", "k8s-app"]; x := obj.spec.selector[key]])
	is_string(v)
	regex.match(_admin_ui_re, v)
}

_port_label(p) := sprintf("%v/%v", [object.get(p, "name", "-"), p.port])

# METADATA
# title: 数据库与数据服务端口不对外暴露 / No NodePort or LoadBalancer for database and data-service ports
# scope: document
# custom:
#   id: DJCP-K8S-016
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: high
#   title_zh: 数据库、缓存、消息队列、搜索引擎等高危端口不通过 NodePort 或负载均衡暴露
#   title_en: High-risk data ports (databases, caches, queues, search engines) are not exposed via NodePort or LoadBalancer
#   remediation_zh: 数据服务使用 ClusterIP，仅允许应用所在命名空间经 NetworkPolicy 访问；跨区访问经边界设备
#   remediation_en: Keep data services on ClusterIP, admit only the application's namespaces with NetworkPolicies, and cross zones through the boundary
data_port_exposure contains finding if {
	some item in k8s.objects("Service")
	type := object.get(item.object.spec, "type", "ClusterIP")
	reasons := {result.reason(
		sprintf("%s 服务暴露数据端口 %v（%s）", [type, _port_label(p), concat("，", sort(_data_port(p)))]),
		sprintf("%s service exposes data port %v (%s)", [type, _port_label(p), concat(", ", sort(_data_port(p)))]),
	) |
		type in {"NodePort", "LoadBalancer"}
		some p in object.get(item.object.spec, "ports", [])
		count(_data_port(p)) > 0
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

# Default ports of data services (the list public 等保 checkers use, plus domestic databases).
data_ports := {
	1433: "SQL Server", 1521: "Oracle", 1883: "MQTT", 2181: "ZooKeeper", 2881: "OceanBase",
	3306: "MySQL", 4222: "NATS", 5236: "DM 达梦", 5432: "PostgreSQL", 5672: "AMQP",
	5984: "CouchDB", 6379: "Redis", 6432: "PgBouncer", 7000: "Cassandra", 8086: "InfluxDB",
	8123: "ClickHouse", 8529: "ArangoDB", 9042: "Cassandra", 9092: "Kafka", 9200: "Elasticsearch",
	9300: "Elasticsearch transport", 11211: "Memcached", 26257: "CockroachDB", 27017: "MongoDB",
	27018: "MongoDB", 50000: "DB2", 54321: "KingbaseES 人大金仓", 61616: "ActiveMQ",
}

_data_name := `(?i)(mysql|mariadb|postgres|pgsql|redis|mongo|elastic|opensearch|kafka|zookeeper|memcache|cassandra|cql|amqp|clickhouse|influx|couchdb|oracle|mssql|sqlserver|dameng|kingbase|oceanbase)`

# _data_port: why a service port is a data-service port (empty set: it is not).
_data_port(p) := (({db | db := data_ports[p.port]} | {db | db := data_ports[p.targetPort]}) | {"named as a data service" |
	regex.match(_data_name, object.get(p, "name", ""))
}) | {"targets a data-service port" |
	is_string(p.targetPort)
	regex.match(_data_name, p.targetPort)
}

# METADATA
# title: RBAC 最小权限 / RBAC roles grant least privilege
# scope: document
# custom:
#   id: DJCP-K8S-007
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
# title: 不向个人、服务账号或宽泛组授予集群管理权限 / No cluster-admin or wildcard roles for users, service accounts or broad groups
# scope: document
# custom:
#   id: DJCP-K8S-008
#   levels: [2, 3, 4]
#   mandatory_levels: [2, 3, 4]
#   severity: critical
#   title_zh: cluster-admin 不绑定给用户、组或服务账号；cluster-admin、admin、edit 与通配角色不绑定给 system:authenticated、system:unauthenticated、system:serviceaccounts 等宽泛组
#   title_en: cluster-admin is not bound to users, groups or service accounts, and no cluster-admin, admin, edit or wildcard role is bound to broad groups (system:authenticated, system:unauthenticated, system:serviceaccounts[:ns])
#   remediation_zh: 为管理员建立按职责划分的角色（系统、审计、安全管理员），删除 cluster-admin 绑定；绑定对象写成具体的服务账号，不用宽泛组
#   remediation_en: Create duty-separated roles (system, audit, security administrator) and remove the cluster-admin binding; bind roles to named service accounts, never to broad groups
no_cluster_admin contains finding if {
	some item in array.concat(k8s.objects("RoleBinding"), k8s.objects("ClusterRoleBinding"))
	role := object.get(item.object, ["roleRef", "name"], "")
	reasons := {result.reason(sprintf("cluster-admin 绑定给 %v %v", [s.kind, s.name]), sprintf("cluster-admin is bound to %v %v", [s.kind, s.name])) |
		role == "cluster-admin"
		some s in object.get(item.object, "subjects", [])
		not startswith(s.name, "system:")
	} | {result.reason(
		sprintf("%v 角色 %v 绑定给宽泛主体 %v %v（%s）", [_power_zh(item), role, s.kind, s.name, _broad_zh(s)]),
		sprintf("%v role %v is bound to the broad subject %v %v (%s)", [_power(item), role, s.kind, s.name, _broad(s)]),
	) |
		_powerful_role(item)
		some s in object.get(item.object, "subjects", [])
		_broad(s)
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

_broad(s) := "every authenticated user" if {
	s.kind == "Group"
	s.name == "system:authenticated"
} else := "anyone, unauthenticated" if {
	s.kind == "Group"
	s.name == "system:unauthenticated"
} else := "anyone, unauthenticated" if {
	s.kind == "User"
	s.name == "system:anonymous"
} else := "every service account of the cluster" if {
	s.kind == "Group"
	s.name == "system:serviceaccounts"
} else := "every service account of a namespace" if {
	s.kind == "Group"
	startswith(s.name, "system:serviceaccounts:")
}

_broad_zh(s) := object.get(
	{
		"every authenticated user": "所有已认证用户",
		"anyone, unauthenticated": "任何人（含未认证）",
		"every service account of the cluster": "集群内所有服务账号",
		"every service account of a namespace": "某命名空间的所有服务账号",
	},
	_broad(s),
	_broad(s),
)

_powerful_role(item) if item.object.roleRef.name in {"cluster-admin", "admin", "edit"}

_powerful_role(item) if _wildcard_role(item)

# The bound role is in the change set and grants a wildcard verb or resource.
_wildcard_role(item) if {
	some role in array.concat(k8s.objects("ClusterRole"), k8s.objects("Role"))
	role.object.kind == object.get(item.object.roleRef, "kind", "ClusterRole")
	role.object.metadata.name == item.object.roleRef.name
	_same_scope(role.object, item.object)
	some r in object.get(role.object, "rules", [])
	some field in ["verbs", "resources"]
	"*" in object.get(r, field, [])
}

_same_scope(role, _) if role.kind == "ClusterRole"

_same_scope(role, binding) if {
	role.kind == "Role"
	k8s.namespace(role) == k8s.namespace(binding)
}

_power(item) := "built-in" if item.object.roleRef.name in {"cluster-admin", "admin", "edit"}

else := "wildcard"

_power_zh(item) := "内置管理" if item.object.roleRef.name in {"cluster-admin", "admin", "edit"}

else := "通配"

# METADATA
# title: 入口流量加密 / Ingress traffic uses TLS
# scope: document
# custom:
#   id: DJCP-K8S-011
#   levels: [3, 4]
#   mandatory_levels: [3, 4]
#   severity: high
#   title_zh: Ingress 的每个主机名都启用 TLS
#   title_en: Cryptography protects data in transit — every Ingress host is served over TLS
#   remediation_zh: 在 spec.tls 中为每个主机名配置证书（国密场景使用 TLCP 网关）
#   remediation_en: Configure spec.tls for every host (TLCP gateway where 国密 is required)
ingress_tls contains finding if {
	some item in k8s.objects("Ingress")
	tls := object.get(item.object.spec, "tls", [])
	tls_hosts := {h | some t in tls; some h in object.get(t, "hosts", [])}
	reasons := ({result.reason(sprintf("主机 %v 未启用 TLS", [r.host]), sprintf("host %v is not served over TLS", [r.host])) |
		some r in object.get(item.object.spec, "rules", [])
		is_string(r.host)
		not r.host in tls_hosts
	} | {result.reason(
		sprintf("规则 %d 未指定主机（匹配所有主机名），而 TLS 只覆盖 %v", [j, sort(tls_hosts)]),
		sprintf("rule %d has no host (it matches every host name) while TLS covers only %v", [j, sort(tls_hosts)]),
	) |
		some j, r in object.get(item.object.spec, "rules", [])
		not _has_host(r)
		count(tls) > 0
		not _tls_default_certificate(tls)
	}) | {result.reason("未配置 TLS", "no TLS configured") |
		count(tls) == 0
	}
	finding := result.finding(rego.metadata.chain(), k8s.resource(item), reasons)
}

_has_host(r) if is_string(r.host)

# A tls entry without hosts serves the controller's default certificate to every host name.
_tls_default_certificate(tls) if {
	some t in tls
	count(object.get(t, "hosts", [])) == 0
}

# METADATA
# title: 存储加密 / Storage is encrypted
# scope: document
# custom:
#   id: DJCP-CES-001
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
