"""Security services as first-class plan objects (issue 9): host roles that provide extra services,
the IDS sensor's monitored boundaries, the log-integrity settings and authenticated flows."""

from __future__ import annotations

from typing import Any

from govcloud.plan import plan_from_raw
from govcloud.plan.plan import SECURITY_KIND_ZH

KINDS = {"bastion", "log-audit", "time", "ids", "waf"}


def _doc(raw: dict[str, Any]) -> dict[str, Any]:
    return plan_from_raw(raw, "lab").to_json()


def test_lab_has_every_service_in_every_centre_on_18_hosts(lab_raw: dict[str, Any]) -> None:
    doc = _doc(lab_raw)
    assert len(doc["hosts"]) == 18
    hosts = {h["name"]: h for h in doc["hosts"]}
    by_centre: dict[str, set[str]] = {}
    for svc in doc["security_services"]:
        assert set(svc) >= {"id", "kind", "kind_zh", "centre", "zone", "host", "ipv4", "ipv6"}
        assert svc["id"] == f"{svc['centre']}-{svc['kind']}"
        assert svc["kind_zh"] == SECURITY_KIND_ZH[svc["kind"]]
        host = hosts[svc["host"]]
        assert (svc["ipv4"], svc["ipv6"], svc["zone"], svc["centre"]) == (
            host["ipv4"],
            host["ipv6"],
            host["zone"],
            host["centre"],
        )
        assert ("monitors" in svc) == (svc["kind"] == "ids")
        by_centre.setdefault(svc["centre"], set()).add(svc["kind"])
    assert by_centre == {c["id"]: KINDS for c in doc["centres"]}
    time = {s["centre"]: s["host"] for s in doc["security_services"] if s["kind"] == "time"}
    assert time == {c: f"{c}-bastion-1" for c in ("prod", "samecity", "dr")}
    assert {s["kind_zh"] for s in doc["security_services"]} == {
        "堡垒机",
        "日志审计",
        "时间同步",
        "入侵检测",
        "Web应用防火墙",
    }


def test_ids_monitors_every_boundary_by_default_and_can_be_narrowed(lab_raw: dict[str, Any]) -> None:
    boundaries = sorted({f["boundary"] for f in lab_raw["flows"]})
    ids = [s for s in _doc(lab_raw)["security_services"] if s["kind"] == "ids"]
    assert ids and all(s["monitors"] == boundaries for s in ids)
    lab_raw["hosts"][4]["monitors"] = ["security-boundary", "internet-boundary"]
    ids = [s for s in _doc(lab_raw)["security_services"] if s["kind"] == "ids"]
    assert all(s["monitors"] == ["internet-boundary", "security-boundary"] for s in ids)


def test_a_role_providing_ids_through_services_becomes_the_sensor(lab_raw: dict[str, Any]) -> None:
    lab_raw["hosts"] = [h for h in lab_raw["hosts"] if h["role"] != "ids"]
    lab_raw["hosts"][3].update({"services": ["ids"], "monitors": ["public-boundary"]})  # log-audit
    doc = _doc(lab_raw)
    assert len(doc["hosts"]) == 15
    ids = {s["centre"]: s for s in doc["security_services"] if s["kind"] == "ids"}
    assert ids["prod"]["host"] == "prod-log-audit-1" and ids["prod"]["monitors"] == ["public-boundary"]


def test_the_first_host_providing_a_kind_wins(lab_raw: dict[str, Any]) -> None:
    lab_raw["hosts"][2]["count"] = 2
    lab_raw["hosts"][0]["services"] = ["time"]  # app hosts come first in the hosts list
    doc = _doc(lab_raw)
    time = [s for s in doc["security_services"] if s["kind"] == "time"]
    assert [s["host"] for s in time] == ["prod-app-1", "samecity-app-1", "dr-app-1"]
    assert len({s["id"] for s in doc["security_services"]}) == len(doc["security_services"])


def test_log_integrity_defaults_and_is_emitted(lab_raw: dict[str, Any]) -> None:
    assert _doc(lab_raw)["log_integrity"] == {"seal": "daily", "digests": ["sha256", "sm3"], "chained": True}
    lab_raw.pop("log_integrity", None)
    assert _doc(lab_raw)["log_integrity"] == {"seal": "daily", "digests": ["sha256", "sm3"], "chained": True}
    lab_raw["log_integrity"] = {"seal": "none", "digests": ["sha256"], "chained": False}
    assert _doc(lab_raw)["log_integrity"] == {"seal": "none", "digests": ["sha256"], "chained": False}


def test_lab_flows_for_the_security_services(lab_raw: dict[str, Any]) -> None:
    doc = _doc(lab_raw)
    kinds = {z["id"]: z["kind"] for z in doc["zones"]}
    with_hosts = {h["zone"] for h in doc["hosts"]} | {z for z, k in kinds.items() if k == "dedicated"}
    flows = doc["flows"]
    assert all(isinstance(f["authenticated"], bool) for f in flows)

    def sources(to: str, protocol: str, port: int) -> set[str]:
        return {
            f["from"] for f in flows if f["to"] == to and f["protocol"] == protocol and f["ports"] == [port]
        }

    # every zone with hosts ships to the collector, the security zone too (its IDS hosts' alerts)
    assert sources("security", "tcp", 6514) == with_hosts
    assert sources("management", "udp", 123) == with_hosts - {"management"}
    ssh_to = {f["to"] for f in flows if f["from"] == "management" and f["ports"] == [22]}
    assert ssh_to == with_hosts - {"management"}
    for f in flows:
        if f["ports"] == [123]:
            assert f["authenticated"] and not f["encrypted"] and f["boundary"] == "management-boundary"
        if f["ports"] == [6514]:
            assert f["encrypted"] and f["boundary"] == "security-boundary"
        if f["ports"] == [22]:
            assert f["encrypted"] and kinds[f["from"]] == "management"
