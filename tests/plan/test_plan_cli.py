"""`govcloud plan` / `govcloud inventory` on the shipped stacks, and the plan JSON contract (§1)."""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.plan import load_plan
from govcloud.toolchain.versions import REPO_ROOT

# docs/contracts.md §1: every key of the example, per object (more keys are allowed).
CONTRACT: dict[str, set[str]] = {
    "top": {
        "schema",
        "stack",
        "name",
        "lab",
        "centres",
        "zones",
        "flows",
        "departments",
        "systems",
        "address_plan",
        "links",
        "hosts",
        "security_services",
        "log_retention_days",
        "log_integrity",
    },
    "centre": {
        "id",
        "role",
        "role_zh",
        "name",
        "city",
        "distance_km",
        "platform_level",
        "capacity",
        "kubernetes",
    },
    "zone": {"id", "kind", "name_zh", "name_en", "department"},
    "flow": {
        "id",
        "from",
        "to",
        "protocol",
        "ports",
        "boundary",
        "encrypted",
        "authenticated",
        "families",
        "description",
    },
    "department": {"id", "name", "name_en"},
    "system": {
        "id",
        "department",
        "name",
        "level",
        "zone",
        "placement",
        "dr",
        "data_classification",
        "data_residency",
        "storage",
        "internet_facing",
        "protections",
        "workloads",
    },
    "address_plan": {"pools", "reserved", "segments"},
    "segment": {"id", "centre", "zone", "system", "hosts", "ipv4", "ipv6", "utilisation"},
    "link": {"id", "a", "b", "kind", "latency_ms", "loss_pct", "bandwidth_mbit", "encrypted", "ipv4", "ipv6"},
    "host": {"name", "centre", "zone", "role", "ipv4", "ipv6", "drillable"},
    "security_service": {"id", "kind", "kind_zh", "centre", "zone", "host", "ipv4", "ipv6"},
}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module", params=["lab", "chuzhou"])
def doc(request: pytest.FixtureRequest) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["plan", "--stack", request.param, "--format", "json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def missing(obj: dict[str, Any], kind: str) -> set[str]:
    return CONTRACT[kind] - set(obj)


def test_plan_json_follows_contract_section_1(doc: dict[str, Any]) -> None:
    assert doc["schema"] == "govcloud.plan/v1"
    assert not missing(doc, "top")
    for key, kind in (
        ("centres", "centre"),
        ("zones", "zone"),
        ("flows", "flow"),
        ("departments", "department"),
        ("systems", "system"),
        ("links", "link"),
        ("hosts", "host"),
        ("security_services", "security_service"),
    ):
        assert doc[key], key
        for obj in doc[key]:
            assert not missing(obj, kind), (key, obj.get("id") or obj.get("name"), missing(obj, kind))
    assert not missing(doc["address_plan"], "address_plan")
    for seg in doc["address_plan"]["segments"]:
        assert not missing(seg, "segment"), seg["id"]
        assert {"prefix", "gateway", "reserved", "usable"} <= set(seg["ipv4"]) and {
            "prefix",
            "gateway",
        } <= set(seg["ipv6"])
    for s in doc["systems"]:
        assert {"rto_s", "rpo_s", "gbt20988_level"} <= set(s["dr"]) and 1 <= s["dr"]["gbt20988_level"] <= 6
    ids = (
        [c["id"] for c in doc["centres"]]
        + [z["id"] for z in doc["zones"]]
        + [s["id"] for s in doc["systems"]]
    )
    assert all(i.replace("-", "").isalnum() and i == i.lower() for i in ids)


def test_hosts_lie_in_their_segments_and_each_centre_has_app_and_db(doc: dict[str, Any]) -> None:
    segs = {s["id"]: s for s in doc["address_plan"]["segments"]}
    for h in doc["hosts"]:
        seg = segs[h["segment"]]
        assert ipaddress.ip_address(h["ipv4"]) in ipaddress.ip_network(seg["ipv4"]["prefix"]), h["name"]
        assert ipaddress.ip_address(h["ipv6"]) in ipaddress.ip_network(seg["ipv6"]["prefix"]), h["name"]
        assert h["ipv4"] not in (seg["ipv4"]["gateway"], *seg["ipv4"]["reserved"]), h["name"]
    for c in doc["centres"]:
        roles = {h["role"] for h in doc["hosts"] if h["centre"] == c["id"]}
        assert {"app", "db"} <= roles, c["id"]


def test_links_join_every_pair_with_latency_by_distance(doc: dict[str, Any]) -> None:
    pairs = {frozenset((lk["a"], lk["b"])): lk for lk in doc["links"]}
    assert len(pairs) == 3
    for lk in doc["links"]:
        net4, net6 = ipaddress.ip_network(lk["ipv4"]), ipaddress.ip_network(lk["ipv6"])
        assert net4.prefixlen == 31 and net6.prefixlen == 127
        if lk["kind"] == "same-city":
            assert lk["latency_ms"] == 1.0
        else:
            assert 2.0 <= lk["latency_ms"] <= 50.0


def test_lab_addresses_stay_in_lab_ranges(runner: CliRunner) -> None:
    doc = load_plan(stack="lab").to_json()
    v4, v6 = ipaddress.IPv4Network("198.18.0.0/15"), ipaddress.IPv6Network("fd00::/8")
    for s in doc["address_plan"]["segments"]:
        assert ipaddress.IPv4Network(s["ipv4"]["prefix"]).subnet_of(v4), s["id"]
        assert ipaddress.IPv6Network(s["ipv6"]["prefix"]).subnet_of(v6), s["id"]
    for f in ("Pulumi.lab.yaml", "Pulumi.chuzhou.yaml"):
        text = (REPO_ROOT / f).read_text(encoding="utf-8")
        for private in ("10.", "172.16.", "192.168."):
            assert f" {private}" not in text and f"'{private}" not in text, (f, private)


def test_zone_pool_holds_the_zone_segments() -> None:
    plan = load_plan(stack="chuzhou")
    pool = ipaddress.IPv4Network("198.18.120.0/21")
    for sid, pre in plan.addresses.segments.items():
        inside = ipaddress.IPv4Network(str(pre.ipv4)).subnet_of(pool)
        assert inside == sid.startswith("prod/internet/"), sid


def test_table_and_csv_formats(runner: CliRunner) -> None:
    table = runner.invoke(app, ["plan", "--stack", "lab"])
    assert table.exit_code == 0
    for text in ("生产中心", "同城双活中心", "异地灾备中心", "地址规划", "fd00:6c:1:", "198.18."):
        assert text in table.stdout, text
    out = runner.invoke(app, ["plan", "--stack", "lab", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == len(load_plan(stack="lab").addresses.segments)
    assert all(r["ipv4"] and r["ipv6"] for r in rows)


def test_evidence_is_written(runner: CliRunner) -> None:
    assert runner.invoke(app, ["plan", "--stack", "lab", "--format", "json"]).exit_code == 0
    path = Path(os.environ["GOVCLOUD_EVIDENCE_ROOT"]) / "lab" / "plan.json"
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == "govcloud.plan/v1"


def test_lock_file_round_trip(tmp_path: Path, runner: CliRunner, lab_raw: dict[str, Any]) -> None:
    cfg = tmp_path / "mine.yaml"
    cfg.write_text(yaml.safe_dump(lab_raw, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(app, ["plan", "--config", str(cfg), "--write-lock", "--json"]).exit_code == 0
    lock = json.loads((tmp_path / "mine.plan.lock.json").read_text(encoding="utf-8"))
    assert lock["schema"] == "govcloud.plan-lock/v1"
    # Pin the public infra segment elsewhere through the lock: the plan follows the lock.
    lock["segments"]["prod/public/infra"] = {"ipv4": "198.18.63.0/25", "ipv6": "fd00:6c:1:ffff::/64"}
    (tmp_path / "mine.plan.lock.json").write_text(json.dumps(lock), encoding="utf-8")
    doc = json.loads(runner.invoke(app, ["plan", "--config", str(cfg), "--json"]).stdout)
    seg = next(s for s in doc["address_plan"]["segments"] if s["id"] == "prod/public/infra")
    assert seg["ipv4"]["prefix"] == "198.18.63.0/25"
    fresh = json.loads(runner.invoke(app, ["plan", "--config", str(cfg), "--json", "--no-lock"]).stdout)
    seg = next(s for s in fresh["address_plan"]["segments"] if s["id"] == "prod/public/infra")
    assert seg["ipv4"]["prefix"] != "198.18.63.0/25"


def test_shipped_locks_match_the_plans() -> None:
    """stacks/locks/*.plan.lock.json are up to date (`govcloud plan --stack S --write-lock`)."""
    for stack in ("lab", "chuzhou"):
        locked = json.loads(
            (REPO_ROOT / "stacks" / "locks" / f"{stack}.plan.lock.json").read_text(encoding="utf-8")
        )
        assert locked == load_plan(stack=stack, use_lock=False).lock(), stack


def test_inventory_groups_per_centre_zone_and_role(tmp_path: Path, runner: CliRunner) -> None:
    target = tmp_path / "lab.yml"
    result = runner.invoke(app, ["inventory", "--stack", "lab", "--out", str(target), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["hosts"] == len(load_plan(stack="lab").hosts)
    ansible_inventory = REPO_ROOT / ".venv" / "bin" / "ansible-inventory"
    listed = subprocess.run(
        [str(ansible_inventory), "-i", str(target), "--list"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "ANSIBLE_LOCAL_TEMP": str(tmp_path)},
    )
    inv = json.loads(listed.stdout)
    assert set(inv["centre_prod"]["hosts"]) == {
        f"prod-{r}-1" for r in ("app", "db", "bastion", "log-audit", "ids", "waf")
    }
    assert "prod-db-1" in inv["role_db"]["hosts"] and "dr-db-1" in inv["role_db"]["hosts"]
    assert "prod-waf-1" in inv["zone_internet"]["hosts"]
    hostvars = inv["_meta"]["hostvars"]["samecity-app-1"]
    assert hostvars["ansible_host"].startswith("198.18.") and hostvars["govcloud_ipv6"].startswith("fd00:")
