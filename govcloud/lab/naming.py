"""Names of everything the lab creates (docs/contracts.md, "Lab naming"): all carry `gc-<stack>-`."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from govcloud.toolchain import versions

STACK_RE = re.compile(r"^[a-z][a-z0-9]{0,11}$")
IFNAMSIZ = 15


class LabNameError(ValueError):
    """A stack or object name the lab cannot use."""


def check_stack(stack: str) -> str:
    """Lab stack names are short and hyphen-free, so `gc-<stack>-` never prefixes another stack's objects."""
    if not STACK_RE.match(stack):
        raise LabNameError(
            f"lab stack name {stack!r} must match {STACK_RE.pattern} (lower-case letters and digits, "
            f"no '-', at most 12 characters) / 实验环境栈名只能含小写字母和数字，不含“-”"
        )
    return stack


def prefix(stack: str) -> str:
    return f"gc-{stack}-"


def centre_netns(stack: str, centre: str) -> str:
    return f"gc-{stack}-{centre}"


def host_netns(stack: str, host: str) -> str:
    return f"gc-{stack}-{host}"


def oob_netns(stack: str) -> str:
    """The out-of-band management namespace: where ops (ssh, ansible, status probes) come from."""
    return f"gc-{stack}-oob"


def nft_table(stack: str) -> str:
    return f"gc_{stack}"


def nft_loss_table(stack: str, link: str) -> str:
    return f"gc_{stack}_loss_{re.sub(r'[^a-z0-9]', '_', link)}"


def short_ifname(kind: str, *parts: str) -> str:
    """An interface name of at most 15 characters: readable when it fits, hashed when it does not."""
    name = "-".join([kind, *parts])
    if len(name) <= IFNAMSIZ:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:5]
    head = "-".join([kind, *parts])[: IFNAMSIZ - 6]
    return f"{head.rstrip('-')}-{digest}"[:IFNAMSIZ]


def bridge_name(centre: str, zone: str) -> str:
    return short_ifname("gcb", centre[:4], zone[:3])


def link_ifname(peer_centre: str) -> str:
    """The name, inside a centre router, of the veth end that leads to `peer_centre`."""
    return short_ifname("wan", peer_centre)


def host_peer_ifname(host: str) -> str:
    """The router-side end of a host's veth (its eth0 sits in the host namespace)."""
    return short_ifname("h", host)


OOB_ROUTER_IF = "oob0"


def oob_ifname(centre: str) -> str:
    return short_ifname("oob", centre)


def run_dir(stack: str) -> Path:
    """Runtime files of a stack's lab (overlays, pid files, logs): removed by `lab down`."""
    return Path(os.environ.get("GOVCLOUD_LAB_RUN", "/run/govcloud")) / stack


def host_dir(stack: str, host: str) -> Path:
    return run_dir(stack) / "hosts" / host


def state_dir(stack: str) -> Path:
    """Persistent per-stack files kept across up/down (the lab's SSH key)."""
    return versions.REPO_ROOT / ".govcloud" / "lab" / stack


def key_path(stack: str) -> Path:
    return state_dir(stack) / "ssh" / "id_ed25519"


def cache_dir() -> Path:
    """Where the debootstrap base image is cached (outside the repository)."""
    explicit = os.environ.get("GOVCLOUD_LAB_CACHE")
    return Path(explicit) if explicit else versions.cache_root() / "lab"


def inventory_path(stack: str) -> Path:
    """The lab's inventory, with connection settings. Not inventory/<stack>.yml: that one is the
    plan-only inventory `govcloud inventory` writes (no way in to the lab's namespaces)."""
    explicit = os.environ.get("GOVCLOUD_LAB_INVENTORY_DIR")
    return (Path(explicit) if explicit else versions.REPO_ROOT / "inventory" / "lab") / f"{stack}.yml"


def lock_path(stack: str) -> Path:
    return Path(os.environ.get("GOVCLOUD_LAB_RUN", "/run/govcloud")) / f"{stack}.lock"
