"""Which address space a pool may use (地址空间): the rule for plans that are not lab plans.

A pool (`pools[]`, `link_pool`) of a non-lab plan must lie in:

* private space: RFC 1918 (10/8, 172.16/12, 192.168/16) or IPv6 ULA (fc00::/7, RFC 4193), the
  usual choice for a 专用网络区 (department-planned addresses); or
* a documentation or benchmarking range (192.0.2/24, 198.51.100/24, 203.0.113/24, 198.18/15;
  2001:db8::/32, 3fff::/20): placeholders that no one routes, for a plan written before the
  provincial 政务外网 management centre has allocated the real prefixes; or
* public (globally routed) space, only with `public: true` on the pool: the 政务外网's own
  国家公共IP / 地方公共IP of the 公用网络区, or a carrier's addresses for the 互联网接入区.

Every other special-purpose range is refused whatever the pool says: multicast, loopback,
link-local, "this network", the reserved 240/4 and limited broadcast, carrier-grade NAT shared space
(100.64/10), IETF protocol assignments, 6to4/Teredo/NAT64 translation ranges, IPv4-mapped IPv6,
discard-only and the IPv6 space outside global unicast (2000::/3) and ULA.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import netaddr

SpaceKind = Literal["private", "placeholder", "public", "refused"]


@dataclass(frozen=True)
class Space:
    kind: SpaceKind
    net: netaddr.IPNetwork | None  # the special-purpose range that decided, if any
    label: str  # what it is, with its RFC


def _ranges(*items: tuple[str, str]) -> tuple[tuple[netaddr.IPNetwork, str], ...]:
    return tuple((netaddr.IPNetwork(cidr), label) for cidr, label in items)


PRIVATE = _ranges(
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("fc00::/7", "unique local (ULA, RFC 4193)"),
)
PLACEHOLDER = _ranges(
    ("192.0.2.0/24", "documentation (RFC 5737)"),
    ("198.51.100.0/24", "documentation (RFC 5737)"),
    ("203.0.113.0/24", "documentation (RFC 5737)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("2001:db8::/32", "documentation (RFC 3849)"),
    ("3fff::/20", "documentation (RFC 9637)"),
)
REFUSED = _ranges(
    ("0.0.0.0/8", '"this network" (RFC 1122)'),
    ("100.64.0.0/10", "carrier-grade NAT shared space (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 1122)"),
    ("169.254.0.0/16", "link-local (RFC 3927)"),
    ("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    ("192.88.99.0/24", "6to4 relay anycast (RFC 7526)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "reserved, with the limited broadcast address (RFC 1112, RFC 919)"),
    ("::/128", "the unspecified address (RFC 4291)"),
    ("::1/128", "loopback (RFC 4291)"),
    ("::ffff:0:0/96", "IPv4-mapped addresses (RFC 4291)"),
    ("64:ff9b::/96", "NAT64 (RFC 6052)"),
    ("64:ff9b:1::/48", "local-use NAT64 (RFC 8215)"),
    ("100::/64", "discard-only (RFC 6666)"),
    ("2001::/23", "IETF protocol assignments, with Teredo (RFC 2928, RFC 4380)"),
    ("2002::/16", "6to4 (RFC 3056)"),
    ("fe80::/10", "link-local (RFC 4291)"),
    ("fec0::/10", "deprecated site-local (RFC 3879)"),
    ("ff00::/8", "multicast (RFC 4291)"),
)
GLOBAL_UNICAST_V6 = netaddr.IPNetwork("2000::/3")
ULA = netaddr.IPNetwork("fc00::/7")


def _overlaps(a: netaddr.IPNetwork, b: netaddr.IPNetwork) -> bool:
    return a.version == b.version and int(a.first) <= int(b.last) and int(b.first) <= int(a.last)


def classify(net: netaddr.IPNetwork) -> Space:
    """The address space of a prefix; `refused` names the first special-purpose range it touches."""
    for rng, label in PRIVATE:
        if rng.version == net.version and net in rng:
            return Space("private", rng, label)
    for rng, label in PLACEHOLDER:
        if rng.version == net.version and net in rng:
            return Space("placeholder", rng, label)
    for rng, label in REFUSED:
        if _overlaps(net, rng):
            return Space("refused", rng, label)
    if net.version == 6 and not (net in GLOBAL_UNICAST_V6 or net in ULA):
        return Space("refused", None, "reserved by the IETF (outside 2000::/3 and fc00::/7, RFC 4291)")
    return Space("public", None, "public (globally routed)")
