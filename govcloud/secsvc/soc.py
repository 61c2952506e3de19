"""态势感知 situational-awareness summary from the log collectors (`govcloud soc`).

Counts, per centre and zone: denied flows (IDS policy-violation alerts: admin SSH that bypasses the
bastion, traffic toward the 政务内网), authentication failures (sshd, bastion refusals), IDS alerts
and WAF blocks; and the top sources. Addresses are mapped to lab hosts, centres and zones with
the lab's plan.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govcloud.contracts.plan import PlanDocument, as_plan
from govcloud.secsvc.store import Event

SCHEMA = "govcloud.soc/v1"
DENIED_SIDS = {9100002, 9100003}
AUTH_FAIL = re.compile(
    r"Failed (password|publickey)|Invalid user|authentication failure|not allowed because|"
    r"maximum authentication attempts|Connection closed by authenticating user|result=denied"
)
FROM_ADDR = re.compile(r"(?:from|by(?: authenticating user \S+)?) \[?([0-9a-fA-F.:]+)\]?(?: port|\s|$)")
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
CATEGORIES = ("denied_flows", "auth_failures", "ids_alerts", "waf_blocks", "bastion_sessions")
CATEGORY_ZH = {"denied_flows": "被拒绝的访问", "auth_failures": "认证失败", "ids_alerts": "入侵检测告警",
               "waf_blocks": "WAF 拦截", "bastion_sessions": "堡垒机会话"}


@dataclass
class Where:
    """Address -> (host, centre, zone) from the lab's hosts and segments."""

    hosts: dict[str, dict[str, str]]  # host name -> {centre, zone}
    addresses: dict[str, str] = field(default_factory=dict)  # normalised address -> host
    segments: list[tuple[IPNet, str, str]] = field(default_factory=list)

    @classmethod
    def from_plan(cls, plan: PlanDocument | Mapping[str, Any]) -> Where:
        doc = as_plan(plan)
        w = cls({h.name: {"centre": h.centre, "zone": h.zone} for h in doc.hosts})
        for h in doc.hosts:
            for addr in (h.ipv4, h.ipv6):
                if addr:
                    w.addresses[str(ipaddress.ip_address(addr))] = h.name
        for s in doc.address_plan.segments:
            for part in (s.ipv4, s.ipv6):
                if part is not None:
                    w.segments.append((ipaddress.ip_network(part.prefix), s.centre, s.zone))
        return w

    def name(self, addr: str) -> str:
        try:
            norm = str(ipaddress.ip_address(addr))
        except ValueError:
            return addr
        return self.addresses.get(norm, norm)

    def place(self, addr: str) -> tuple[str, str]:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return ("?", "?")
        for net, centre, zone in self.segments:
            if ip.version == net.version and ip in net:
                return (centre, zone)
        return ("external", "external")

    def of_host(self, host: str) -> tuple[str, str]:
        h = self.hosts.get(host)
        return (h["centre"], h["zone"]) if h else ("?", "?")


@dataclass
class Finding:
    category: str
    centre: str
    zone: str
    source: str
    detail: str
    at: str


def classify(ev: Event, where: Where) -> list[Finding]:
    tag = ev.tag.rstrip(":")
    at = ev.stored.isoformat(timespec="seconds")
    out: list[Finding] = []
    if tag == "suricata" and ev.message.startswith("{"):
        try:
            rec = json.loads(ev.message)
        except ValueError:
            return out
        if rec.get("event_type") != "alert":
            return out
        alert = rec.get("alert", {})
        src, dst = str(rec.get("src_ip", "")), str(rec.get("dest_ip", ""))
        centre, zone = where.place(dst)
        sensor_centre, _ = where.of_host(ev.host)
        detail = f"{alert.get('signature_id')} {alert.get('signature', '')} -> {where.name(dst)}"
        out.append(Finding("ids_alerts", sensor_centre if centre == "external" else centre, zone,
                           where.name(src), detail, at))
        if alert.get("signature_id") in DENIED_SIDS:
            out.append(Finding("denied_flows", sensor_centre if centre == "external" else centre, zone,
                               where.name(src), detail, at))
        return out
    if tag == "modsecurity" and ev.message.startswith("{"):
        try:
            tx = json.loads(ev.message).get("transaction", {})
        except ValueError:
            return out
        code = int(tx.get("response", {}).get("http_code", 0) or 0)
        if code != 403:  # only blocks by the WAF
            return out
        rules = sorted({str(m.get("details", {}).get("ruleId", "")) for m in tx.get("messages", [])} - {""})
        centre, zone = where.of_host(ev.host)
        uri = str(tx.get("request", {}).get("uri", ""))[:120]
        out.append(Finding("waf_blocks", centre, zone, where.name(str(tx.get("client_ip", ""))),
                           f"403 {uri} rules {','.join(rules[:6])}", at))
        return out
    centre, zone = where.of_host(ev.host)
    if tag == "gc-bastion" and "result=start" in ev.message:
        start = re.search(r"from=(\S+)", ev.message)
        out.append(Finding("bastion_sessions", centre, zone, where.name(start.group(1)) if start else "?",
                           ev.message[:200], at))
    if (tag.startswith("sshd") or tag == "gc-bastion") and AUTH_FAIL.search(ev.message):
        who = FROM_ADDR.search(ev.message) or re.search(r"from=(\S+)", ev.message)
        out.append(Finding("auth_failures", centre, zone, where.name(who.group(1)) if who else "?",
                           f"{ev.host}: {ev.message[:160]}", at))
    return out


def summarise(events: Iterable[Event], where: Where, *, stack: str, since: dt.datetime | None,
              top: int = 10) -> dict[str, Any]:
    findings: list[Finding] = []
    total = 0
    hosts: set[str] = set()
    for ev in events:
        total += 1
        hosts.add(ev.host)
        findings.extend(classify(ev, where))
    totals = {c: sum(1 for f in findings if f.category == c) for c in CATEGORIES}
    places: dict[tuple[str, str], Counter[str]] = {}
    for f in findings:
        places.setdefault((f.centre, f.zone), Counter())[f.category] += 1
    sources: Counter[str] = Counter(f.source for f in findings if f.category != "bastion_sessions")
    recent = sorted((f for f in findings if f.category != "bastion_sessions"), key=lambda f: f.at)[-top:]
    return {
        "schema": SCHEMA, "stack": stack, "since": since.isoformat() if since else None,
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "records": total, "reporting_hosts": sorted(hosts),
        "totals": totals, "labels_zh": CATEGORY_ZH,
        "by_place": [{"centre": c, "zone": z, **{k: n.get(k, 0) for k in CATEGORIES}}
                     for (c, z), n in sorted(places.items())],
        "top_sources": [{"source": s, "events": n} for s, n in sources.most_common(top)],
        "recent": [f.__dict__ for f in recent],
    }
