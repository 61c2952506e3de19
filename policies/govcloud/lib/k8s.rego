# METADATA
# title: Kubernetes helpers Kubernetes 辅助
# description: >-
#   Walks input.kubernetes ([{source, object}]) and extracts pod specs from every
#   workload kind, and from any other kind that embeds a pod template (Argo Rollouts,
#   Knative Services, operators' CRs). Objects of kinds no rule knows are listed, never an error.
package govcloud.lib.k8s

workload_kinds := {
	"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
	"ReplicationController", "Job", "CronJob",
}

cluster_scoped_kinds := {
	"Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "PersistentVolume",
	"CustomResourceDefinition", "PriorityClass", "IngressClass",
}

known_kinds := (workload_kinds | cluster_scoped_kinds) | {
	"Service", "NetworkPolicy", "Role", "RoleBinding", "Ingress", "ConfigMap",
	"Secret", "ServiceAccount", "PersistentVolumeClaim", "PodDisruptionBudget",
	"HorizontalPodAutoscaler", "LimitRange", "ResourceQuota",
}

system_namespaces := {"kube-system", "kube-public", "kube-node-lease"}

# namespace: null for cluster-scoped kinds; "default" when metadata.namespace is absent, null or "".
namespace(obj) := null if {
	obj.kind in cluster_scoped_kinds
} else := ns if {
	ns := obj.metadata.namespace
	is_string(ns)
	ns != ""
} else := "default"

# name: metadata.name, or "<generateName>*" for objects the API server names on creation.
name(obj) := obj.metadata.name if {
	is_string(obj.metadata.name)
	obj.metadata.name != ""
} else := concat("", [obj.metadata.generateName, "*"])

resource(item) := {
	"kind": item.object.kind,
	"namespace": namespace(item.object),
	"name": name(item.object),
	"path": item.source,
}

# by_kind groups the objects by kind once (OPA indexes the comprehension on `kind`).
by_kind[kind] := items if {
	some kind in {item.object.kind | some item in input.kubernetes}
	items := [item | some item in input.kubernetes; item.object.kind == kind]
}

objects(kind) := object.get(by_kind, kind, [])

pod_spec(obj) := obj.spec if obj.kind == "Pod"

pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

pod_spec(obj) := obj.spec.template.spec if {
	obj.kind in (workload_kinds - {"Pod", "CronJob"})
}

# Any other kind that embeds a pod template: spec.template (Rollout, Knative Service, CloneSet, …),
# spec.jobTemplate (CronJob-like CRs) or template (PodTemplate). Only one of them is taken.
pod_spec(obj) := _embedded_pod_spec(obj) if not obj.kind in workload_kinds

_embedded_pod_spec(obj) := obj.spec.template.spec if {
	is_array(obj.spec.template.spec.containers)
} else := obj.spec.jobTemplate.spec.template.spec if {
	is_array(obj.spec.jobTemplate.spec.template.spec.containers)
} else := obj.template.spec if {
	is_array(obj.template.spec.containers)
}

# has_pod_template: the object is judged as a workload (so its kind is not "unevaluated").
has_pod_template(obj) if pod_spec(obj)

# workloads: [{item, spec}] for every object that carries a pod spec.
workloads := [{"item": item, "spec": spec} |
	some item in input.kubernetes
	spec := pod_spec(item.object)
]

containers(spec) := array.concat(
	array.concat(object.get(spec, "containers", []), object.get(spec, "initContainers", [])),
	object.get(spec, "ephemeralContainers", []),
)

labels(obj) := object.get(obj.metadata, "labels", {})

empty_selector(sel) if {
	count(object.get(sel, "matchLabels", {})) == 0
	count(object.get(sel, "matchExpressions", [])) == 0
}

unknown contains {"kind": item.object.kind, "name": name(item.object), "source": item.source} if {
	some item in input.kubernetes
	not item.object.kind in known_kinds
	not has_pod_template(item.object)
}
