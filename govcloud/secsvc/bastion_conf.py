"""The bastion (堡垒机): session wrapper, sshd drop-in, and the admin-SSH filter on every host.

Operators log in to the bastion as `ops` (key only) and name the target: `ssh ops@BASTION HOST
[COMMAND]` (what `govcloud ssh HOST` runs). sshd forces every `ops` session through the wrapper,
which checks the target against the bastion's list, logs who, from where, when, the target and the
command (authpriv, shipped to the log collector), records interactive sessions with `script`
(input and output) and logs each typed line at the end. The bastion reaches targets with its own
key, which the targets accept from the bastions' addresses only.
"""

from __future__ import annotations

USER = "ops"
WRAPPER = "/usr/local/sbin/gc-bastion"
TARGETS = "/etc/govcloud/bastion/targets"
KNOWN_HOSTS = "/etc/govcloud/bastion/known_hosts"
SESSIONS = "/var/log/govcloud/bastion"
SSHD_DROPIN = "/etc/ssh/sshd_config.d/10-govcloud-bastion.conf"
NFT_TABLE = "gc_admin"

SSHD = f"""# govcloud lab: 堡垒机 — every session of {USER} goes through the recording wrapper
Match User {USER}
    ForceCommand {WRAPPER}
    AllowTcpForwarding no
    AllowAgentForwarding no
    X11Forwarding no
    PermitTunnel no
"""

WRAPPER_SCRIPT = r"""#!/bin/bash
# govcloud 堡垒机 session wrapper (written by the lab; see govcloud/secsvc/bastion_conf.py).
set -u
sid="$(date -u +%Y%m%dT%H%M%S)-$$"
who="$(id -un)"
from="${SSH_CLIENT%% *}"
req="${SSH_ORIGINAL_COMMAND:-}"
target="${req%% *}"
rest=""
[ "$req" != "$target" ] && rest="${req#* }"
log() { logger -t gc-bastion -p authpriv.notice -- "$*"; }
addr="$(awk -v t="$target" '$1 == t { print $2; exit }' __TARGETS__)"
if [ -z "$target" ] || [ -z "$addr" ]; then
    log "session=$sid user=$who from=$from target=${target:-none} result=denied reason=unknown-target"
    echo "堡垒机：未授权的目标 / bastion: target '${target}' is not in the bastion's list" >&2
    exit 2
fi
log "session=$sid user=$who from=$from target=$target addr=$addr result=start command=${rest:-<interactive>}"
opts=(-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=__KNOWN__ -o ConnectTimeout=10)
if [ -n "$rest" ]; then
    ssh "${opts[@]}" "root@$addr" -- "$rest"
    rc=$?
else
    mkdir -p -m 0700 __SESSIONS__
    script -q -f -I "__SESSIONS__/$sid.in" -O "__SESSIONS__/$sid.out" -c "ssh -t ${opts[*]} root@$addr"
    rc=$?
    tr -d '\r' < "__SESSIONS__/$sid.in" | head -n 500 | while IFS= read -r line; do
        [ -n "$line" ] && log "session=$sid user=$who target=$target typed=$line"
    done
fi
log "session=$sid user=$who from=$from target=$target result=end rc=$rc"
exit "$rc"
"""


def wrapper() -> str:
    return (WRAPPER_SCRIPT.replace("__TARGETS__", TARGETS).replace("__KNOWN__", KNOWN_HOSTS)
            .replace("__SESSIONS__", SESSIONS))


def targets(entries: list[tuple[str, str]]) -> str:
    return "".join(f"{name} {addr}\n" for name, addr in sorted(entries))


def authorized_line(pubkey: str, sources: list[str]) -> str:
    """The bastion key's line in a target's authorized_keys: usable from the bastions only."""
    return f'from="{",".join(sources)}",no-agent-forwarding,no-X11-forwarding,no-port-forwarding {pubkey}'


def admin_filter(v4: list[str], v6: list[str]) -> str:
    """nftables: SSH into this host only from the bastions and the out-of-band management network.

    Anything else is answered with a TCP reset and counted (the boundary IDS raises the alert).
    Only this table is replaced; the hardening role's own table stays.
    """
    return (
        f"table inet {NFT_TABLE}\n"
        f"delete table inet {NFT_TABLE}\n"
        f"table inet {NFT_TABLE} {{\n"
        f"  set admin4 {{ type ipv4_addr; flags interval; elements = {{ {', '.join(v4)} }} }}\n"
        f"  set admin6 {{ type ipv6_addr; flags interval; elements = {{ {', '.join(v6)} }} }}\n"
        "  chain input {\n"
        "    type filter hook input priority -10; policy accept;\n"
        "    tcp dport 22 ip saddr @admin4 accept\n"
        "    tcp dport 22 ip6 saddr @admin6 accept\n"
        "    tcp dport 22 counter reject with tcp reset comment \"admin SSH only via the bastion\"\n"
        "  }\n"
        "}\n"
    )
