"""The Kubernetes objects of one tenant system in one centre, as plain manifests (no Pulumi here).

The Pulumi components turn each manifest into a resource; tests and the policy gate can read
the same dictionaries. Label keys are documented in docs/plan.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from govcloud.plan.models import FlowConfig, SystemConfig, Workload

LABEL = "govcloud.io"
MANAGED_BY = {"app.kubernetes.io/managed-by": "govcloud"}
PSA = "pod-security.kubernetes.io"
RUN_AS = 10001
Manifest = dict[str, Any]


@dataclass(frozen=True)
class SystemPlacement:
    """One system as placed in one centre."""

    system: SystemConfig
    centre: str
    role: str  # active | standby
    dns: bool
    flows: tuple[FlowConfig, ...]


def cpu_millis(quantity: str) -> int:
    if quantity.endswith("m"):
        return int(quantity[:-1])
    return math.ceil(float(quantity) * 1000)


def memory_mib(quantity: str) -> int:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}
    return math.ceil(int(quantity[:-2]) * units[quantity[-2:]])


def namespace_labels(p: SystemPlacement) -> dict[str, str]:
    s = p.system
    labels = {
        **MANAGED_BY,
        f"{LABEL}/department": s.department,
        f"{LABEL}/system": s.id,
        f"{LABEL}/level": str(s.level),
        f"{LABEL}/zone": s.zone,
        f"{LABEL}/centre": p.centre,
        f"{LABEL}/placement": p.role,
        f"{LABEL}/data-classification": s.data_classification,
    }
    enforce = "restricted" if s.level >= 3 else "baseline"
    labels.update(
        {
            f"{PSA}/enforce": enforce,
            f"{PSA}/enforce-version": "latest",
            f"{PSA}/audit": "restricted",
            f"{PSA}/warn": "restricted",
        }
    )
    return labels


def _meta(name: str, namespace: str | None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {**MANAGED_BY, **(labels or {})}}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def _ports(flow: FlowConfig) -> list[dict[str, Any]]:
    return [{"protocol": flow.protocol.upper(), "port": port} for port in flow.ports]


def network_policies(p: SystemPlacement) -> list[Manifest]:
    """Default deny in and out, same-system traffic, DNS if asked, and one allow per flow.

    ICMP flows cannot be written as a NetworkPolicy: they stay denied inside Kubernetes.
    """
    ns, zone = p.system.id, p.system.zone
    out: list[Manifest] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta("default-deny", ns),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _meta("allow-same-system", ns),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [{"podSelector": {}}]}],
                "egress": [{"to": [{"podSelector": {}}]}],
            },
        },
    ]
    if p.dns:
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": _meta("allow-dns", ns),
                "spec": {
                    "podSelector": {},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {
                            "to": [
                                {
                                    "namespaceSelector": {
                                        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                                    },
                                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                                }
                            ],
                            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                        }
                    ],
                },
            }
        )
    for flow in p.flows:
        if flow.protocol == "icmp":
            continue
        labels = {f"{LABEL}/flow": flow.id, f"{LABEL}/boundary": flow.boundary}
        if flow.log:  # Kubernetes has no portable per-policy logging: the CNI selects the label
            labels[f"{LABEL}/log"] = "true"
        if flow.to == zone:
            out.append(
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": _meta(f"allow-in-{flow.id}", ns, labels),
                    "spec": {
                        "podSelector": {},
                        "policyTypes": ["Ingress"],
                        "ingress": [
                            {
                                "from": [
                                    {"namespaceSelector": {"matchLabels": {f"{LABEL}/zone": flow.from_}}}
                                ],
                                "ports": _ports(flow),
                            }
                        ],
                    },
                }
            )
        if flow.from_ == zone:
            out.append(
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": _meta(f"allow-out-{flow.id}", ns, labels),
                    "spec": {
                        "podSelector": {},
                        "policyTypes": ["Egress"],
                        "egress": [
                            {
                                "to": [{"namespaceSelector": {"matchLabels": {f"{LABEL}/zone": flow.to}}}],
                                "ports": _ports(flow),
                            }
                        ],
                    },
                }
            )
    return out


def resource_quota(p: SystemPlacement) -> Manifest:
    """Twice the steady state (room for a rolling update's surge), for active and standby alike."""
    ws = p.system.workloads
    cpu = 2 * sum(cpu_millis(w.cpu) * w.replicas for w in ws)
    mem = 2 * sum(memory_mib(w.memory) * w.replicas for w in ws)
    pods = 2 * sum(w.replicas for w in ws)
    hard = {
        "requests.cpu": f"{cpu}m",
        "limits.cpu": f"{cpu}m",
        "requests.memory": f"{mem}Mi",
        "limits.memory": f"{mem}Mi",
        "pods": str(pods),
        "services": str(len(ws)),
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    }
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _meta("quota", p.system.id),
        "spec": {"hard": hard},
    }


def limit_range(p: SystemPlacement) -> Manifest:
    ws = p.system.workloads
    small = min(ws, key=lambda w: (cpu_millis(w.cpu), memory_mib(w.memory)))
    max_cpu = max(cpu_millis(w.cpu) for w in ws)
    max_mem = max(memory_mib(w.memory) for w in ws)
    limits = [
        {
            "type": "Container",
            "default": {"cpu": f"{cpu_millis(small.cpu)}m", "memory": f"{memory_mib(small.memory)}Mi"},
            "defaultRequest": {"cpu": f"{cpu_millis(small.cpu)}m", "memory": f"{memory_mib(small.memory)}Mi"},
            "max": {"cpu": f"{max_cpu}m", "memory": f"{max_mem}Mi"},
        }
    ]
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": _meta("limits", p.system.id),
        "spec": {"limits": limits},
    }


def _pod_labels(p: SystemPlacement, w: Workload) -> dict[str, str]:
    return {"app.kubernetes.io/name": w.name, f"{LABEL}/system": p.system.id}


def deployment(p: SystemPlacement, w: Workload) -> Manifest:
    """Hardened pod (non-root, read-only root, no capabilities, RuntimeDefault seccomp, no SA token).

    Active centres run the declared replicas; a standby centre keeps the Deployment at 0 replicas
    until a failover scales it up. Active-active systems spread replicas over distinct nodes.
    """
    sel = _pod_labels(p, w)
    container: dict[str, Any] = {
        "name": w.name,
        "image": w.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": pt.port, "protocol": pt.protocol, "name": pt.name} for pt in w.ports],
        "resources": {
            "requests": {"cpu": w.cpu, "memory": w.memory},
            "limits": {"cpu": w.cpu, "memory": w.memory},
        },
        "securityContext": {
            "privileged": False,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    pod_spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "fsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
    }
    if p.system.placement.mode == "active-active":
        pod_spec["affinity"] = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": sel}, "topologyKey": "kubernetes.io/hostname"}
                ]
            }
        }
    replicas = w.replicas if p.role == "active" else 0
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(w.name, p.system.id, {**sel, f"{LABEL}/placement": p.role}),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": sel},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": {**MANAGED_BY, **sel}}, "spec": pod_spec},
        },
    }


def service(p: SystemPlacement, w: Workload) -> Manifest:
    sel = _pod_labels(p, w)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(w.name, p.system.id, sel),
        "spec": {
            "type": "ClusterIP",
            "ipFamilyPolicy": "RequireDualStack",
            "ipFamilies": ["IPv4", "IPv6"],
            "selector": sel,
            "ports": [
                {"name": pt.name, "port": pt.port, "targetPort": pt.port, "protocol": pt.protocol}
                for pt in w.ports
            ],
        },
    }


def pod_disruption_budget(p: SystemPlacement, w: Workload) -> Manifest:
    sel = _pod_labels(p, w)
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(w.name, p.system.id, sel),
        "spec": {"minAvailable": max(1, w.replicas - 1), "selector": {"matchLabels": sel}},
    }


def namespace(p: SystemPlacement) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": p.system.id, "labels": namespace_labels(p)},
    }


def system_manifests(p: SystemPlacement) -> list[Manifest]:
    """Every object of the system in this centre, namespace first."""
    objs = [namespace(p), *network_policies(p), resource_quota(p), limit_range(p)]
    for w in p.system.workloads:
        objs.append(deployment(p, w))
        if w.ports:
            objs.append(service(p, w))
        if p.role == "active":
            objs.append(pod_disruption_budget(p, w))
    return objs
