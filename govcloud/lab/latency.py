"""Which latency mechanism this kernel allows, and the tc settings of a link end."""

from __future__ import annotations

import os
import threading

from govcloud.lab import netns, sh

NETEM = "netem"
RELAY = "userspace-relay"


_LOCK = threading.Lock()
_PROBED: dict[str, bool] = {}


def netem_available(stack: str) -> bool:
    """Probe once per process in a throw-away namespace `gc-<stack>-probe` (swept by `lab down`)."""
    forced = os.environ.get("GOVCLOUD_LAB_LATENCY")
    if forced in (NETEM, RELAY):
        return forced == NETEM
    with _LOCK:
        if stack not in _PROBED:
            probe = f"gc-{stack}-probe"
            try:
                netns.ensure(probe)
                _PROBED[stack] = sh.ok(["ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo",
                                        "root", "netem", "delay", "1ms"])
            finally:
                netns.delete(probe)
        return _PROBED[stack]


def mechanism(stack: str) -> str:
    """`netem` where the kernel has it, else `userspace-relay` (GOVCLOUD_LAB_LATENCY overrides)."""
    return NETEM if netem_available(stack) else RELAY


def shape(ns: str, ifname: str, mech: str, latency_ms: float, bandwidth_mbit: float | None) -> None:
    """Egress qdisc of one link end: netem delay (both ends: RTT = 2 x delay) and/or tbf rate."""
    base = ["ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", ifname, "root"]
    if mech == NETEM and latency_ms > 0:
        cmd = [*base, "netem", "delay", f"{latency_ms}ms"]
        if bandwidth_mbit:
            cmd += ["rate", f"{bandwidth_mbit}mbit"]
        sh.run(cmd)
    elif bandwidth_mbit:
        sh.run([*base, "tbf", "rate", f"{bandwidth_mbit}mbit", "burst", "256kb", "latency", "50ms"])
