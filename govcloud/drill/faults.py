"""Fault injection (lab only) and network fencing with nftables inside a db host's namespace.

Both tables sit in the host's own namespace, so they work whatever the lab's routing looks like:
- `gc_<stack>_drill_fault`: the centre is lost; every packet not on loopback is dropped both ways
  (a blackhole, not a link-down: link-down flushes IPv6 addresses and gives instant errors).
- `gc_<stack>_drill_fence`: nothing may reach postgres on 5432 from outside the host until the
  node has been rewound and re-attached as a standby.
The management path stays out of band (`ip netns exec`, unix sockets), like a BMC or a console.
"""

from __future__ import annotations

from govcloud.drill.topology import DbNode
from govcloud.lab.sh import nsexec, run_proc


def _table(stack: str, kind: str) -> str:
    return f"gc_{stack.replace('-', '_')}_drill_{kind}"


FAULT_RULES = """table inet {name} {{
  chain in {{
    type filter hook input priority -10; policy accept;
    iifname "lo" accept
    drop
  }}
  chain out {{
    type filter hook output priority -10; policy accept;
    oifname "lo" accept
    drop
  }}
}}
"""

FENCE_RULES = """table inet {name} {{
  chain in {{
    type filter hook input priority -20; policy accept;
    iifname != "lo" tcp dport 5432 drop
  }}
}}
"""


def _apply(node: DbNode, text: str) -> None:
    run_proc(nsexec(node.netns, "nft", "-f", "-"), input_text=text)


def tables(node: DbNode) -> list[str]:
    out = run_proc(nsexec(node.netns, "nft", "list", "tables"), check=False).stdout
    return [line.split()[-1] for line in out.splitlines() if line.startswith("table ")]


def _delete(node: DbNode, name: str) -> bool:
    if name in tables(node):
        run_proc(nsexec(node.netns, "nft", "delete", "table", "inet", name))
        return True
    return False


def isolate(stack: str, node: DbNode) -> None:
    name = _table(stack, "fault")
    _delete(node, name)
    _apply(node, FAULT_RULES.format(name=name))


def heal(stack: str, node: DbNode) -> bool:
    return _delete(node, _table(stack, "fault"))


def isolated(stack: str, node: DbNode) -> bool:
    return _table(stack, "fault") in tables(node)


def fence(stack: str, node: DbNode) -> None:
    name = _table(stack, "fence")
    _delete(node, name)
    _apply(node, FENCE_RULES.format(name=name))


def unfence(stack: str, node: DbNode) -> bool:
    return _delete(node, _table(stack, "fence"))


def fenced(stack: str, node: DbNode) -> bool:
    return _table(stack, "fence") in tables(node)
