"""How an operator reaches a lab host: through its centre's bastion (堡垒机), never directly."""

from __future__ import annotations

from dataclasses import dataclass

from govcloud.lab import inventory, naming
from govcloud.lab.spec import build_spec
from govcloud.secsvc import bastion_conf
from govcloud.secsvc.layout import build_layout
from govcloud.secsvc.store import lab_plan


class NoRouteError(LookupError):
    """The host is unknown, or no bastion serves it."""


@dataclass(frozen=True)
class Route:
    host: str
    bastion: str
    bastion_addr: str
    argv: list[str]


def route(stack: str, host: str, command: list[str], *, tty: bool = False, ipv6: bool = False) -> Route:
    """The ssh command line for `host` of the running lab `stack` (through the bastion)."""
    plan = lab_plan(stack)
    spec = build_spec(plan, stack)
    layout = build_layout(spec)
    names = [h.name for h in spec.hosts]
    if host not in names:
        raise NoRouteError(f"{host!r} is not a host of lab {stack!r} (hosts: {', '.join(names)})")
    target = layout.host(host)
    bastion = layout.provider("bastion", target.centre)
    if bastion is None:
        raise NoRouteError(f"the plan of lab {stack!r} has no bastion (堡垒机) service")
    addr = bastion.ipv6 if ipv6 else bastion.ipv4
    base = ["ssh", "-i", str(naming.key_path(stack)), *inventory.ssh_args(stack)]
    if tty:
        base.append("-t")
    remote = " ".join(command)  # like ssh itself: the words are joined, the remote shell parses them
    if bastion.name == host:  # the bastion itself: root over the out-of-band management network
        argv = [*base, f"root@{addr}", *([remote] if remote else [])]
    else:
        argv = [*base, f"{bastion_conf.USER}@{addr}", f"{host} {remote}".strip()]
    return Route(host, bastion.name, addr, argv)
