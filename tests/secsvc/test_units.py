"""Unit tests of the security services' placement, configurations and SOC summary (no lab)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from govcloud.cli.commands.soc import parse_since
from govcloud.lab import inventory
from govcloud.lab.spec import build_spec
from govcloud.secsvc import bastion_conf, chrony_conf, host_services, rsyslog_conf, sensor, soc, suricata_conf
from govcloud.secsvc.layout import LayoutError, build_layout
from govcloud.secsvc.store import parse_line

FIXTURE = Path(__file__).resolve().parents[1] / "lab" / "fixtures" / "plan-lab.json"


@pytest.fixture
def plan() -> dict[str, object]:
    data: dict[str, object] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_layout_places_each_service_and_serves_other_centres(plan: dict[str, object]) -> None:
    layout = build_layout(build_spec(plan, "u1"))
    assert layout.services_of("prod-bastion-1") == ["bastion", "time"]
    collector = layout.provider("log-audit", "dr")  # dr has no collector: the first centre's serves it
    assert collector is not None and collector.name == "prod-log-audit-1"
    portal = layout.portal("prod")
    assert portal is not None and portal.name == "prod-app-1"
    v4, v6 = layout.admin_sources(layout.host("prod-db-1"))
    assert v4 == ["198.18.2.10", "198.19.254.0/24"] and v6 == ["fd00:6c:0:2::10", "fd00:ffff:6763::/64"]


def test_a_service_on_a_missing_host_names_the_field(plan: dict[str, object]) -> None:
    services = plan["security_services"]
    assert isinstance(services, list)
    services[0]["host"] = "prod-ghost-1"
    with pytest.raises(LayoutError) as info:
        build_layout(build_spec(plan, "u1"))
    assert info.value.field == "$.security_services[0].host" and "prod-ghost-1" in info.value.reason


def test_host_props_by_role(plan: dict[str, object]) -> None:
    layout = build_layout(build_spec(plan, "u1"))
    app = host_services.props_for(layout, layout.host("prod-app-1"))
    assert app["portal"] is True and not app["waf"] and not app["bastion"]
    assert (
        'target="198.18.4.10"' in app["rsyslog"]
        and 'StreamDriverPermittedPeers="prod-log-audit-1"' in app["rsyslog"]
    )
    assert "server 198.18.2.10 key 1" in app["chrony"]
    assert "reject with tcp reset" in app["admin_filter"] and "198.18.2.10" in app["admin_filter"]
    collector = host_services.props_for(layout, layout.host("prod-log-audit-1"))
    assert (
        'input(type="imtcp" port="6514"' in collector["rsyslog"] and "x509/certvalid" in collector["rsyslog"]
    )
    bastion = host_services.props_for(layout, layout.host("prod-bastion-1"))
    assert bastion["chrony_server"] and "prod-db-1 198.18.3.10" in bastion["bastion"]["targets"]
    assert "prod-bastion-1" not in bastion["bastion"]["targets"]
    waf = host_services.props_for(layout, layout.host("prod-waf-1"))
    assert "modsecurity on;" in waf["waf"]["nginx"] and "proxy_ssl_name prod-app-1;" in waf["waf"]["nginx"]
    assert ("/var/log/nginx/modsec_audit.json", "modsecurity") in host_services._shipped_files(
        layout, layout.host("prod-waf-1")
    )


def test_sensor_sniffs_the_centre_bridges_and_links(plan: dict[str, object]) -> None:
    layout = build_layout(build_spec(plan, "u1"))
    props = sensor.props_for(layout, "prod")
    assert props is not None and props["host"] == "prod-ids-1"
    assert {"wan-samecity", "wan-dr"} <= set(props["interfaces"])
    assert all(f"interface: {i}" in props["config"] for i in props["interfaces"])
    assert "198.18.2.10" in props["config"] and "CLASSIFIED_NET" in props["config"]
    assert sensor.props_for(layout, "dr") is None  # no IDS host there
    rules = suricata_conf.RULES_SOURCE.read_text(encoding="utf-8")
    assert "sid:9100001" in rules and "sid:9100002" in rules and "$ADMIN_NET" in rules


def test_config_texts() -> None:
    assert chrony_conf.keyfile("ab" * 32).startswith("1 SHA256 HEX:")
    assert "allow 198.18.0.0/15" in chrony_conf.server("t", ["198.18.0.0/15"])
    assert 'module(load="imfile"' not in rsyslog_conf.client("h", "c", "198.18.4.10", [])
    assert "ForceCommand /usr/local/sbin/gc-bastion" in bastion_conf.SSHD
    assert bastion_conf.authorized_line("ssh-ed25519 AAAA k", ["198.18.2.10"]).startswith(
        'from="198.18.2.10",'
    )
    assert "__TARGETS__" not in bastion_conf.wrapper() and bastion_conf.TARGETS in bastion_conf.wrapper()
    assert inventory.BASTION_USER == bastion_conf.USER  # the hardening role keeps the wrapper forced


def test_collector_line_parsing() -> None:
    ev = parse_line(
        "2026-11-29T18:45:38.109123+00:00 2026-11-29T18:45:38.108682+00:00 prod-bastion-1 "
        "gc-bastion session=1 user=ops from=198.19.254.0 target=prod-db-1 result=end rc=0",
        "c",
    )
    assert ev is not None and ev.host == "prod-bastion-1" and ev.tag == "gc-bastion"
    assert 0 < ev.delay_s < 0.001
    assert parse_line("garbage", "c") is None


def _event(host: str, tag: str, message: str) -> str:
    return f"2026-11-29T18:00:00.000001+00:00 2026-11-29T18:00:00+00:00 {host} {tag} {message}"


def test_soc_classifies_and_places(plan: dict[str, object]) -> None:
    where = soc.Where.from_plan(plan)
    lines = [
        _event(
            "prod-ids-1",
            "suricata",
            json.dumps(
                {
                    "event_type": "alert",
                    "src_ip": "198.18.1.10",
                    "dest_ip": "198.18.3.10",
                    "alert": {"signature_id": 9100002, "signature": "bypass"},
                }
            ),
        ),
        _event(
            "prod-ids-1",
            "suricata",
            json.dumps(
                {
                    "event_type": "alert",
                    "src_ip": "198.18.1.10",
                    "dest_ip": "198.18.4.10",
                    "alert": {"signature_id": 9100001, "signature": "scan"},
                }
            ),
        ),
        _event(
            "prod-waf-1",
            "modsecurity",
            json.dumps(
                {
                    "transaction": {
                        "client_ip": "203.0.113.9",
                        "response": {"http_code": 403},
                        "request": {"uri": "/?id=1"},
                        "messages": [{"details": {"ruleId": "942100"}}, {"details": {"ruleId": "949110"}}],
                    }
                }
            ),
        ),
        _event("prod-waf-1", "modsecurity", json.dumps({"transaction": {"response": {"http_code": 502}}})),
        _event("prod-db-1", "sshd[12]:", "Invalid user admin from 198.18.1.10 port 40000"),
        _event(
            "prod-bastion-1",
            "gc-bastion",
            "session=1 user=ops from=198.19.254.0 target=prod-db-1 result=start",
        ),
    ]
    events = [e for e in (parse_line(ln, "c") for ln in lines) if e is not None]
    out = soc.summarise(events, where, stack="u1", since=None)
    assert out["totals"] == {
        "denied_flows": 1,
        "auth_failures": 1,
        "ids_alerts": 2,
        "waf_blocks": 1,
        "bastion_sessions": 1,
    }
    places = {(r["centre"], r["zone"]): r for r in out["by_place"]}
    assert (
        places[("prod", "replication")]["denied_flows"] == 1
        and places[("prod", "security")]["ids_alerts"] == 1
    )
    assert out["top_sources"][0] == {"source": "prod-app-1", "events": 4}
    assert any("942100" in f["detail"] for f in out["recent"])


def test_parse_since() -> None:
    now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    assert parse_since("30m", now) == dt.datetime(2026, 11, 29, 11, 30, tzinfo=dt.UTC)
    assert parse_since("2d", now) == dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    assert parse_since("all") is None
    assert parse_since("2026-11-29T10:00:00") == dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="duration"):
        parse_since("yesterday")
