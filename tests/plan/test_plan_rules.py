"""Plans the loader used to accept although they are wrong (issue 14, "accepted, but wrong"): each is
rejected (exit 1) with the file, the field path and the reason, and nothing is written."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.plan import PlanError, plan_from_raw
from tests.plan.conftest import write_plain

Mutation = Callable[[dict[str, Any]], None]
ESCAPES = ("\x1b", "\x00", "\u202e", "\u2066", "\u200b", "\u2028", "\x9b")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _both(*mutations: Mutation) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        for m in mutations:
            m(raw)

    return mutate


def _rename(old: str, new: str) -> Mutation:
    """Rename an id everywhere it is used (every string value equal to it)."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return new if node == old else node

    def mutate(raw: dict[str, Any]) -> None:
        raw.update(walk(raw))

    return mutate


def _rejected(
    tmp_path: Path, runner: CliRunner, raw: dict[str, Any], *, case: str, field: str, reason: str
) -> str:
    cfg = write_plain(tmp_path / f"{case}.yaml", raw)
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", "--config", str(cfg), "--out", str(out)])
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert f"{cfg}: {field}: " in message and reason in message, message
    assert not out.exists(), "a rejected plan must produce nothing"
    assert not (Path(os.environ["GOVCLOUD_EVIDENCE_ROOT"]) / case / "plan.json").exists()
    for ch in ESCAPES:
        assert ch not in result.output, f"raw {ch!r} printed"
    js = runner.invoke(app, ["plan", "--config", str(cfg), "--format", "json"])
    assert js.exit_code == 1
    doc = json.loads(js.stdout)
    assert doc["error"] == "plan-invalid"
    assert any(i["path"] == field and reason in i["reason"] for i in doc["issues"]), doc
    return message


# (case, mutation, field path, reason fragment) on the lab plan
LAB_CASES: list[tuple[str, Mutation, str, str]] = [
    # bad resource quantities
    (
        "cpu-zero",
        _set(["systems", 0, "workloads", 0, "cpu"], "0"),
        "systems[0].workloads[0].cpu",
        "above zero",
    ),
    (
        "cpu-zero-decimal",
        _set(["systems", 0, "workloads", 0, "cpu"], "0.0"),
        "systems[0].workloads[0].cpu",
        "above zero",
    ),
    (
        "cpu-below-1m",
        _set(["systems", 0, "workloads", 0, "cpu"], "0.0001"),
        "systems[0].workloads[0].cpu",
        "at most 3 decimals",
    ),
    (
        "cpu-zero-millis",
        _set(["systems", 0, "workloads", 0, "cpu"], "0m"),
        "systems[0].workloads[0].cpu",
        "above zero",
    ),
    (
        "cpu-negative",
        _set(["systems", 0, "workloads", 0, "cpu"], "-1"),
        "systems[0].workloads[0].cpu",
        "above zero",
    ),
    (
        "memory-zero",
        _set(["systems", 0, "workloads", 0, "memory"], "0Mi"),
        "systems[0].workloads[0].memory",
        "Kubernetes quantity",
    ),
    # .inf / .nan
    (
        "distance-inf",
        _set(["centres", 2, "distance_km"], float("inf")),
        "centres[2].distance_km",
        "finite number",
    ),
    (
        "distance-nan",
        _set(["centres", 2, "distance_km"], float("nan")),
        "centres[2].distance_km",
        "finite number",
    ),
    (
        "storage-inf",
        _set(["centres", 0, "capacity", "storage_tib"], float("inf")),
        "centres[0].capacity.storage_tib",
        "finite number",
    ),
    (
        "latency-inf",
        _set(["links"], [{"a": "prod", "b": "dr", "latency_ms": float("inf")}]),
        "links[0].latency_ms",
        "finite number",
    ),
    (
        "loss-nan",
        _set(["links"], [{"a": "prod", "b": "dr", "loss_pct": float("nan")}]),
        "links[0].loss_pct",
        "finite number",
    ),
    # strict types: a level is a whole number
    ("level-float", _set(["systems", 0, "level"], 3.0), "systems[0].level", "whole number"),
    (
        "platform-level-float",
        _set(["centres", 0, "platform_level"], 3.0),
        "centres[0].platform_level",
        "whole number",
    ),
    # control characters, escape sequences, bidi overrides in names
    ("name-escape", _set(["systems", 0, "name"], "数据\x1b[2J\x1b[31m平台"), "systems[0].name", "U+001B"),
    ("name-nul", _set(["systems", 0, "name_en"], "Data\x00 platform"), "systems[0].name_en", "U+0000"),
    ("name-bidi", _set(["departments", 0, "name"], "市数据\u202e局"), "departments[0].name", "U+202E"),
    (
        "name-isolate",
        _set(["departments", 0, "name_en"], "Bureau\u2066x\u2069"),
        "departments[0].name_en",
        "U+2066",
    ),
    ("name-zero-width", _set(["centres", 0, "city"], "滁\u200b州"), "centres[0].city", "U+200B"),
    ("name-line-separator", _set(["name"], "plan\u2028name"), "name", "U+2028"),
    ("c1-control", _set(["flows", 0, "description"], "a\x9b31mb"), "flows[0].description", "U+009B"),
    (
        "directory-nul",
        _set(["centres", 0, "kubernetes", "directory"], "out/\x00lab"),
        "centres[0].kubernetes.directory",
        "U+0000",
    ),
    ("reserved-name", _set(["reserved", 0, "name"], "内网\x07"), "reserved[0].name", "U+0007"),
    ("zone-name", _set(["zones", 0, "name_zh"], "公用\x1b]0;pwned\x07区"), "zones[0].name_zh", "U+001B"),
    # Kubernetes-invalid names
    (
        "workload-starts-with-digit",
        _set(["systems", 0, "workloads", 0, "name"], "1api"),
        "systems[0].workloads[0].name",
        "not a Kubernetes Service name",
    ),
    (
        "port-name-no-letter",
        _set(["systems", 0, "workloads", 0, "ports", 0, "name"], "8443"),
        "systems[0].workloads[0].ports[0].name",
        "at least one letter",
    ),
    (
        "port-name-double-hyphen",
        _set(["systems", 0, "workloads", 0, "ports", 0, "name"], "web--tls"),
        "systems[0].workloads[0].ports[0].name",
        "no '--'",
    ),
    # id collisions in derived keys
    ("system-id-infra", _set(["systems", 1, "id"], "infra"), "systems[1].id", "'infra' is reserved"),
    (
        "system-id-kube-system",
        _set(["systems", 1, "id"], "kube-system"),
        "systems[1].id",
        "Kubernetes system namespace",
    ),
    (
        "system-id-default",
        _set(["systems", 1, "id"], "default"),
        "systems[1].id",
        "Kubernetes system namespace",
    ),
    (
        "pulumi-name-clash",
        _both(_rename("dr", "prod-sjj"), _set(["systems", 2, "id"], "gxjh")),
        "systems[2].id",
        "derived Pulumi resource TenantSystem 'prod-sjj-gxjh' clashes",
    ),
    (
        "lab-netns-clash",
        _rename("dr", "prod-app-1"),
        "hosts[0]",
        "derived lab network namespace 'gc-lab-netns-clash-prod-app-1' clashes",
    ),
    # derived host names longer than a DNS label
    ("host-name-64", _rename("dr", "d" * 52), "centres[2].id", "has 64 characters"),
    # lab plans: public space makes no sense
    (
        "lab-public",
        _set(["pools", 0, "public"], True),
        "pools[0].public",
        "lab plans use only the lab ranges",
    ),
]


@pytest.mark.parametrize("spec", LAB_CASES, ids=[c[0] for c in LAB_CASES])
def test_lab_plan_defect_is_rejected(
    tmp_path: Path, runner: CliRunner, lab_raw: dict[str, Any], spec: tuple[str, Mutation, str, str]
) -> None:
    case, mutate, field, reason = spec
    mutate(lab_raw)
    _rejected(tmp_path, runner, lab_raw, case=case, field=field, reason=reason)


CHUZHOU_CASES: list[tuple[str, Mutation, str, str]] = [
    ("multicast-v4", _set(["pools", 3, "ipv4"], "224.1.0.0/17"), "pools[3].ipv4", "multicast (RFC 5771)"),
    ("multicast-v6", _set(["pools", 3, "ipv6"], "ff0e::/48"), "pools[3].ipv6", "multicast (RFC 4291)"),
    ("loopback", _set(["pools", 3, "ipv4"], "127.0.0.0/17"), "pools[3].ipv4", "loopback"),
    ("link-local-v6", _set(["pools", 3, "ipv6"], "fe80::/48"), "pools[3].ipv6", "link-local"),
    ("cgnat", _set(["pools", 3, "ipv4"], "100.64.0.0/17"), "pools[3].ipv4", "carrier-grade NAT"),
    ("class-e", _set(["pools", 3, "ipv4"], "240.0.0.0/17"), "pools[3].ipv4", "reserved"),
    ("this-network", _set(["pools", 3, "ipv4"], "0.0.0.0/17"), "pools[3].ipv4", '"this network"'),
    ("v4-mapped", _set(["pools", 3, "ipv6"], "::ffff:0:0/96"), "pools[3].ipv6", "IPv4-mapped"),
    ("teredo", _set(["pools", 3, "ipv6"], "2001::/48"), "pools[3].ipv6", "Teredo"),
    ("6to4", _set(["pools", 3, "ipv6"], "2002:c000::/48"), "pools[3].ipv6", "6to4"),
    ("ietf-reserved-v6", _set(["pools", 3, "ipv6"], "4000::/48"), "pools[3].ipv6", "reserved by the IETF"),
    ("link-pool-multicast", _set(["link_pool", "ipv4"], "239.0.0.0/24"), "link_pool.ipv4", "multicast"),
    (
        "refused-even-if-public",
        _both(_set(["pools", 3, "ipv4"], "224.1.0.0/17"), _set(["pools", 3, "public"], True)),
        "pools[3].ipv4",
        "multicast",
    ),
    (
        "public-v4-without-opt-in",
        _set(["pools", 3, "ipv4"], "59.255.0.0/17"),
        "pools[3].ipv4",
        "set `public: true`",
    ),
    (
        "public-v6-without-opt-in",
        _set(["pools", 3, "ipv6"], "240e:f7::/48"),
        "pools[3].ipv6",
        "set `public: true`",
    ),
    ("straddles-rfc1918", _set(["pools", 3, "ipv4"], "10.0.0.0/7"), "pools[3].ipv4", "public address space"),
    (
        "public-opt-in-on-private",
        _set(["pools", 3, "public"], True),
        "pools[3].public",
        "neither prefix is public",
    ),
]


@pytest.mark.parametrize("spec", CHUZHOU_CASES, ids=[c[0] for c in CHUZHOU_CASES])
def test_address_space_of_a_non_lab_plan(
    tmp_path: Path, runner: CliRunner, chuzhou_raw: dict[str, Any], spec: tuple[str, Mutation, str, str]
) -> None:
    case, mutate, field, reason = spec
    mutate(chuzhou_raw)
    _rejected(tmp_path, runner, chuzhou_raw, case=case, field=field, reason=reason)


@pytest.mark.parametrize(
    ("ipv4", "ipv6", "public"),
    [
        ("10.32.0.0/17", "fd12:3456:789a::/48", False),  # RFC 1918 + ULA
        ("172.16.0.0/17", "2001:db8:3::/48", False),  # RFC 1918 + documentation
        ("192.168.0.0/17", "3fff:100::/48", False),  # RFC 1918 + RFC 9637 documentation
        ("59.255.0.0/17", "240e:f7::/48", True),  # public space, declared
        ("10.32.0.0/17", "240e:f7::/48", True),  # private IPv4, public IPv6 (the usual dual stack)
    ],
)
def test_address_spaces_a_non_lab_plan_may_use(
    chuzhou_raw: dict[str, Any], ipv4: str, ipv6: str, public: bool
) -> None:
    chuzhou_raw["pools"][3].update({"ipv4": ipv4, "ipv6": ipv6, "public": public})
    doc = plan_from_raw(chuzhou_raw, "space").to_json()
    pool = doc["address_plan"]["pools"][3]
    assert (pool["ipv4"], pool["ipv6"], pool["public"]) == (ipv4, ipv6, public)
    assert doc["address_plan"]["link_pool"]["public"] is False


@pytest.mark.parametrize("cpu", ["1m", "500m", "1", "1.5", "0.25", "0.001", "2"])
def test_cpu_quantities_still_accepted(lab_raw: dict[str, Any], cpu: str) -> None:
    lab_raw["systems"][0]["workloads"][0]["cpu"] = cpu
    plan_from_raw(lab_raw, "cpu")


@pytest.mark.parametrize("name", ["http", "https-2", "h2c", "a", "metrics-8080", "x" * 15])
def test_kubernetes_port_names_still_accepted(lab_raw: dict[str, Any], name: str) -> None:
    lab_raw["systems"][0]["workloads"][0]["ports"][0]["name"] = name
    plan_from_raw(lab_raw, "ports")


def test_host_names_up_to_63_characters_are_accepted(lab_raw: dict[str, Any]) -> None:
    _rename("dr", "d" * 51)(lab_raw)  # d…d-log-audit-1: 63 characters
    plan = plan_from_raw(lab_raw, "long")
    assert max(len(h.name) for h in plan.hosts) == 63


def test_every_issue_is_reported_with_the_file(tmp_path: Path, lab_raw: dict[str, Any]) -> None:
    """Derived-name problems come all at once, each with a field path."""
    _rename("dr", "d" * 52)(lab_raw)
    lab_raw["systems"][1]["id"] = "infra"
    with pytest.raises(PlanError) as err:
        plan_from_raw(lab_raw, "many", source=str(tmp_path / "many.yaml"))
    paths = {i.path for i in err.value.issues}
    assert {"systems[1].id", "centres[2].id"} <= paths, paths


def test_table_output_escapes_what_it_prints(
    tmp_path: Path, runner: CliRunner, lab_raw: dict[str, Any]
) -> None:
    """Rich markup and emoji codes in a name are printed as written, not interpreted (a name
    `[/]` used to crash the table with a MarkupError); the stack name comes from the file name."""
    lab_raw["name"] = "[bold red]x[/] [/] :thumbs_up: [link=http://x]y[/link]"
    lab_raw["systems"][0]["name"] = "[/red]系统"
    cfg = write_plain(tmp_path / "markup[red].yaml", lab_raw)
    result = runner.invoke(app, ["plan", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "[bold red]x[/] [/] :thumbs_up: [link=http://x]y[/link]" in result.stdout
    assert "[/red]系统" in result.stdout and "stack markup[red]" in result.stdout
    assert "\x1b" not in result.stdout


def test_table_cells_escape_control_characters() -> None:
    """Defence in depth: the table escapes anything unprintable it is handed, even if a plan
    document (read back from a file, say) carries it past validation."""
    from govcloud.cli.commands.plan import _cell  # noqa: PLC0415

    cell = _cell("a\x1b[31mb\u202ec\x00")
    assert cell.plain == "a\\x1b[31mb\\u202ec\\x00"
