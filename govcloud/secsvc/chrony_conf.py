"""chrony for the lab's time service (时间同步): one server per centre, every host a client.

Lab hosts share the machine's kernel clock, so chronyd runs with `-x` (never steps or slews the
clock: that would need CAP_SYS_TIME and would move the machine's time); it still measures and
reports the offset to its source, which is what the verification reads. NTP packets are
authenticated with a SHA-256 symmetric key (the plan's NTP flows are `authenticated: true`).
"""

from __future__ import annotations

CONF = "/etc/govcloud/chrony.conf"
KEYS = "/etc/govcloud/chrony.keys"
KEY_ID = 1


def keyfile(secret_hex: str) -> str:
    return f"{KEY_ID} SHA256 HEX:{secret_hex}\n"


def server(host: str, allow: list[str]) -> str:
    lines = [f"# govcloud lab: {host} is the 时间同步 time source (local clock, stratum 8)",
             "local stratum 8", f"keyfile {KEYS}", "driftfile /var/lib/chrony/govcloud.drift",
             "cmdport 0", *(f"allow {a}" for a in allow)]
    return "\n".join(lines) + "\n"


def client(host: str, sources: list[str]) -> str:
    lines = [f"# govcloud lab: {host} uses the plan's time source(s)", f"keyfile {KEYS}",
             "driftfile /var/lib/chrony/govcloud.drift", "cmdport 0",
             *(f"server {s} key {KEY_ID} iburst minpoll 4 maxpoll 6" for s in sources)]
    return "\n".join(lines) + "\n"
