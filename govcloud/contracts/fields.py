"""Field types shared by the documents and by the inputs they are planned from (字段类型).

Defined here, below every package that uses them, so the plan's config models (govcloud.plan.models)
and the plan document (govcloud.contracts.plan) type a field the same way.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal, get_args

import netaddr
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

SLUG = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"

# Unicode categories never shown raw: controls (NUL, ESC...), format characters (bidi overrides,
# zero-width), surrogates, private use, unassigned, line and paragraph separators.
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def unprintable(text: str) -> list[str]:
    """The characters of `text` a terminal must not receive raw, as U+XXXX, in order, unique."""
    if text.isprintable():  # no character of the Other or Separator categories: the fast common case
        return []
    seen: dict[str, None] = {}
    for ch in text:
        if unicodedata.category(ch) in UNPRINTABLE_CATEGORIES:
            seen.setdefault(f"U+{ord(ch):04X}", None)
    return list(seen)


def _text(value: str) -> str:
    bad = unprintable(value)
    if bad:
        raise ValueError(
            f"contains control or invisible characters ({', '.join(bad[:5])}): write printable text only "
            "/ 含控制字符或不可见字符（如终端转义、双向文本控制符）"
        )
    return value


def _whole(value: object) -> object:
    """Strict types: `3.0` is not the level 3 (pydantic's Literal would take it as equal)."""
    if isinstance(value, float):
        raise PydanticCustomError(
            "level_not_whole",
            "Input should be 2, 3 or 4, written as a whole number, not a float / 等级须写作整数 2、3 或 4",
        )
    return value


Slug = Annotated[str, Field(pattern=SLUG, max_length=63)]
# Free text (names, descriptions, paths): anything printable; no control characters (NUL, ESC),
# no bidi overrides or zero-width characters, which would hide or reorder what a reviewer reads.
Text = Annotated[str, AfterValidator(_text)]
Level = Annotated[Literal[2, 3, 4], BeforeValidator(_whole)]
CentreRole = Literal["production", "same-city", "remote-dr"]
ZoneKind = Literal["public", "dedicated", "internet", "management", "security", "replication"]
HostRole = Literal["app", "db", "bastion", "log-audit", "time", "ids", "waf", "lb"]
# A security service (安全服务) a system may be protected by and a host role may provide.
Protection = Literal["bastion", "log-audit", "time", "ids", "waf"]
PROTECTIONS: tuple[Protection, ...] = get_args(Protection)
Digest = Literal["sha256", "sm3"]
DIGESTS: tuple[Digest, ...] = ("sha256", "sm3")
Family = Literal["ipv4", "ipv6"]
FAMILIES: tuple[Family, ...] = ("ipv4", "ipv6")
PortNumber = Annotated[int, Field(ge=1, le=65535)]


def _prefix(value: str, version: int) -> str:
    try:
        net = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError(f"not an IPv{version} prefix: {value!r}") from exc
    if net.version != version or "/" not in value:
        raise ValueError(f"not an IPv{version} prefix (address/length): {value!r}")
    if net.ip != net.network:
        raise ValueError(f"host bits set in {value!r}; the network is {net.cidr}")
    return str(net.cidr)


def _v4(value: str) -> str:
    return _prefix(value, 4)


def _v6(value: str) -> str:
    return _prefix(value, 6)


V4Prefix = Annotated[str, AfterValidator(_v4)]
V6Prefix = Annotated[str, AfterValidator(_v6)]
