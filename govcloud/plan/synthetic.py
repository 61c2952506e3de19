"""Synthetic plans of any size on the lab ranges, for property tests and benchmarks."""

from __future__ import annotations

import hashlib
from typing import Any

CENTRES = (
    ("prod", "production", 0, "198.18.0.0/17", "fd00:6c:1::/48"),
    ("samecity", "same-city", 25, "198.18.128.0/17", "fd00:6c:2::/48"),
    ("dr", "remote-dr", 130, "198.19.0.0/17", "fd00:6c:3::/48"),
)
BASE_ZONES = ("public", "internet", "management", "security", "replication")


def digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def system(dept: str, n: int, hosts: int = 30, zone: str | None = None) -> dict[str, Any]:
    sid = f"{dept}-s{n}"
    return {
        "id": sid,
        "department": dept,
        "name": f"系统 {sid}",
        "name_en": f"System {sid}",
        "level": 3,
        "zone": zone or f"dedicated-{dept}",
        "placement": {
            "mode": "active-active",
            "active": ["prod", "samecity"],
            "standby": [{"centre": "dr", "replication": "async"}],
        },
        "dr": {"rto_s": 300, "rpo_s": 0},
        "data_classification": "important",
        "data_residency": "anhui",
        "storage": {"encrypted": True, "key_owner": "tenant"},
        "protections": ["bastion", "log-audit"],
        "hosts": hosts,
        "workloads": [
            {
                "name": "api",
                "image": f"registry.example/{sid}/api@sha256:{digest(sid)}",
                "replicas": 2,
                "ports": [{"port": 8443, "protocol": "TCP", "name": "https"}],
                "cpu": "250m",
                "memory": "256Mi",
            }
        ],
    }


def synthetic_config(
    departments: int,
    systems_per_department: int,
    hosts: int = 30,
    pools: tuple[tuple[str, str], ...] | None = None,
) -> dict[str, Any]:
    """A lab plan: 3 centres, `departments` x `systems_per_department` active-active systems."""
    depts = [f"d{i:03d}" for i in range(departments)]
    pool_list = [
        {"centre": cid, "ipv4": (pools[i][0] if pools else v4), "ipv6": (pools[i][1] if pools else v6)}
        for i, (cid, _r, _d, v4, v6) in enumerate(CENTRES)
    ]
    return {
        "name": f"synthetic {departments}x{systems_per_department}",
        "lab": True,
        "centres": [
            {
                "id": cid,
                "role": role,
                "name": f"centre {cid}",
                "city": "滁州",
                "distance_km": dist,
                "platform_level": 3,
                "capacity": {"vcpu": 64, "memory_gib": 256, "storage_tib": 10.0},
                "kubernetes": {"mode": "render", "directory": f"out/synthetic/{cid}"},
            }
            for cid, role, dist, _v4, _v6 in CENTRES
        ],
        "zones": [{"id": z, "kind": z} for z in BASE_ZONES]
        + [{"id": f"dedicated-{d}", "kind": "dedicated", "department": d} for d in depts],
        "departments": [{"id": d, "name": f"部门 {d}", "name_en": f"Department {d}"} for d in depts],
        "flows": [
            {
                "id": "mgmt-ssh",
                "from": "management",
                "to": "public",
                "protocol": "tcp",
                "ports": [22],
                "boundary": "management-boundary",
                "encrypted": True,
            },
            *(
                {
                    "id": f"{d}-to-public",
                    "from": f"dedicated-{d}",
                    "to": "public",
                    "protocol": "tcp",
                    "ports": [443],
                    "boundary": "public-boundary",
                    "encrypted": True,
                }
                for d in depts
            ),
        ],
        "systems": [system(d, n, hosts) for d in depts for n in range(systems_per_department)],
        "pools": pool_list,
        "link_pool": {"ipv4": "198.19.255.0/24", "ipv6": "fd00:6c:ff::/48"},
        "reserved": [{"name": "政务内网 (stand-in)", "ipv4": ["198.19.240.0/21"], "ipv6": ["fd00:6d::/32"]}],
        "hosts": [
            {"role": "app", "zone": "public"},
            {"role": "db", "zone": "public"},
            {"role": "bastion", "zone": "management"},
        ],
    }
