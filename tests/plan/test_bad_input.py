"""Broken configs: each gives a clear message (file, field, reason), a non-zero exit, no output."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.plan import PlanError, load_plan
from tests.plan.conftest import write_plain

Mutation = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _rpo0_async_only(raw: dict[str, Any]) -> None:
    system = raw["systems"][3]
    system["placement"] = {
        "mode": "active-standby",
        "active": ["prod"],
        "standby": [{"centre": "dr", "replication": "async"}],
    }
    system["dr"]["rpo_s"] = 0


def _dup_system(raw: dict[str, Any]) -> None:
    raw["systems"][1]["id"] = raw["systems"][0]["id"]


# (case id, mutation, exit code, field path expected in the message, reason fragment)
CASES: list[tuple[str, Mutation, int, str, str]] = [
    ("unknown-level", _set(["systems", 0, "level"], 5), 1, "systems[0].level", "Input should be 2, 3 or 4"),
    ("unknown-zone", _set(["systems", 0, "zone"], "nowhere"), 1, "systems[0].zone", "unknown zone 'nowhere'"),
    (
        "unknown-centre",
        _set(["systems", 0, "placement", "active", 1], "mars"),
        1,
        "systems[0].placement.active[1]",
        "unknown centre 'mars'",
    ),
    ("unknown-flow-zone", _set(["flows", 0, "to"], "dmz"), 1, "flows[0].to", "unknown zone 'dmz'"),
    (
        "overlapping-pools",
        _set(["pools", 1, "ipv4"], "198.18.0.0/17"),
        1,
        "pools[1].ipv4",
        "overlaps 198.18.0.0/18 (pools[0].ipv4)",
    ),
    ("pool-over-zhengwu-neiwang", _set(["pools", 2, "ipv6"], "fd00:6d::/48"), 1, "pools[2].ipv6", "政务内网"),
    (
        "lab-out-of-range",
        _set(["pools", 0, "ipv4"], "203.0.113.0/24"),
        1,
        "pools[0].ipv4",
        "lab plans must lie",
    ),
    ("rpo0-async-only", _rpo0_async_only, 1, "systems[3].dr.rpo_s", "asynchronous"),
    ("duplicate-system", _dup_system, 1, "systems", "duplicate system id 'sjj-gxjh'"),
    (
        "wrong-type-distance",
        _set(["centres", 0, "distance_km"], "far"),
        1,
        "centres[0].distance_km",
        "Input should be a valid number",
    ),
    (
        "wrong-type-replicas",
        _set(["systems", 0, "workloads", 0, "replicas"], "two"),
        1,
        "systems[0].workloads[0].replicas",
        "valid integer",
    ),
    (
        "image-not-pinned",
        _set(["systems", 0, "workloads", 0, "image"], "registry.example/gx/api:latest"),
        1,
        "systems[0].workloads[0].image",
        "pinned by digest",
    ),
    ("host-bits-set", _set(["pools", 0, "ipv4"], "198.18.0.1/18"), 1, "pools[0].ipv4", "host bits set"),
    ("unknown-setting", _set(["centers"], []), 1, "centers", "unknown setting"),
    ("two-productions", _set(["centres", 1, "role"], "production"), 1, "centres", "exactly one centre"),
    (
        "service-equal-to-role",
        _set(["hosts", 2, "services"], ["time", "bastion"]),
        1,
        "hosts[2].services[1]",
        "'bastion' is already the role of this host",
    ),
    (
        "unknown-service",
        _set(["hosts", 2, "services"], ["dns"]),
        1,
        "hosts[2].services[0]",
        "Input should be",
    ),
    (
        "duplicate-service",
        _set(["hosts", 2, "services"], ["time", "time"]),
        1,
        "hosts[2].services",
        "duplicate",
    ),
    (
        "monitors-unknown-boundary",
        _set(["hosts", 4, "monitors"], ["nowhere-boundary"]),
        1,
        "hosts[4].monitors[0]",
        "unknown boundary 'nowhere-boundary'",
    ),
    (
        "monitors-without-ids",
        _set(["hosts", 2, "monitors"], ["public-boundary"]),
        1,
        "hosts[2].monitors",
        "only a host role that provides ids",
    ),
    ("log-seal-unknown", _set(["log_integrity"], {"seal": "weekly"}), 1, "log_integrity.seal", "'daily'"),
    (
        "log-digest-unknown",
        _set(["log_integrity"], {"digests": ["md5"]}),
        1,
        "log_integrity.digests[0]",
        "sha256",
    ),
    (
        "log-digest-duplicate",
        _set(["log_integrity"], {"digests": ["sm3", "sm3"]}),
        1,
        "log_integrity.digests",
        "duplicate digest 'sm3'",
    ),
    (
        "flow-authenticated-type",
        _set(["flows", 0, "authenticated"], "yes"),
        1,
        "flows[0].authenticated",
        "boolean",
    ),
    (
        "ha-unknown-engine",
        _set(["systems", 0, "ha"], "pacemaker"),
        1,
        "systems[0].ha",
        "ha is patroni, manual",
    ),
    (
        "ha-mapping-unknown-engine",
        _set(["systems", 0, "ha"], {"engine": "pacemaker"}),
        1,
        "systems[0].ha.engine",
        "Input should be 'patroni' or 'manual'",
    ),
    (
        "ha-negative-ttl",
        _set(["systems", 0, "ha"], {"ttl": -30}),
        1,
        "systems[0].ha.ttl",
        "greater than or equal to 1",
    ),
    (
        "ha-unknown-centre",
        _set(["systems", 0, "ha"], {"dcs_members": ["prod", "mars", "dr"]}),
        1,
        "systems[0].ha.dcs_members[1]",
        "unknown centre 'mars'",
    ),
    (
        "ha-duplicate-member",
        _set(["systems", 0, "ha"], {"dcs_members": ["prod", "dr", "prod"]}),
        1,
        "systems[0].ha.dcs_members",
        "duplicate centre 'prod'",
    ),
    ("ha-unknown-field", _set(["systems", 0, "ha"], {"tll": 30}), 1, "systems[0].ha.tll", "Extra inputs"),
    (
        "pin-unknown-segment",
        _set(["pins"], {"prod/public/ghost": {"ipv4": "198.18.0.0/26", "ipv6": "fd00:6c:1::/64"}}),
        1,
        "pins.prod/public/ghost",
        "does not have",
    ),
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("spec", CASES, ids=[c[0] for c in CASES])
def test_broken_config_is_rejected(
    tmp_path: Path, runner: CliRunner, lab_raw: dict[str, Any], spec: tuple[str, Mutation, int, str, str]
) -> None:
    case, mutate, code, field, reason = spec
    mutate(lab_raw)
    cfg = write_plain(tmp_path / f"{case}.yaml", lab_raw)
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", "--config", str(cfg), "--out", str(out)])
    assert result.exit_code == code, result.output
    message = result.stderr
    assert str(cfg) in message and field in message and reason in message, message
    assert "Traceback" not in result.output
    assert not out.exists(), "a rejected plan must produce nothing"
    evidence = Path(os.environ["GOVCLOUD_EVIDENCE_ROOT"]) / case / "plan.json"
    assert not evidence.exists()
    js = runner.invoke(app, ["plan", "--config", str(cfg), "--format", "json"])
    assert js.exit_code == code
    doc = json.loads(js.stdout)
    assert doc["error"] == "plan-invalid"
    assert any(
        field in i["path"] and reason in i["reason"] and i["file"] == str(cfg) for i in doc["issues"]
    ), doc


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: x\ncentres: [\n  - id: prod\n", "line"),
        ("name: x\nname: y\n", "duplicate key 'name'"),
        ("name: x\n\tlab: true\n", "line 2"),
    ],
    ids=["unclosed-flow", "duplicate-key", "tab-indent"],
)
def test_yaml_errors_are_unreadable_input(tmp_path: Path, runner: CliRunner, text: str, where: str) -> None:
    cfg = tmp_path / "broken.yaml"
    cfg.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["plan", "--config", str(cfg)])
    assert result.exit_code == 2, result.output
    assert str(cfg) in result.stderr and where in result.stderr and "YAML" in result.stderr, result.stderr


def test_stack_file_errors_name_the_config_key(tmp_path: Path, runner: CliRunner) -> None:
    text = (Path(__file__).parents[2] / "Pulumi.lab.yaml").read_text(encoding="utf-8")
    (tmp_path / "Pulumi.broken.yaml").write_text(
        text.replace("      level: 3\n", "      level: 7\n", 1), encoding="utf-8"
    )
    with pytest.raises(PlanError) as err:
        load_plan(stack="broken", root=tmp_path)
    issue = err.value.issues[0]
    assert issue.path == "config.govcloud:systems[0].level" and issue.file.endswith("Pulumi.broken.yaml"), (
        issue
    )


def test_missing_file_and_bad_arguments(tmp_path: Path, runner: CliRunner) -> None:
    missing = runner.invoke(app, ["plan", "--config", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "nope.yaml" in missing.stderr
    both = runner.invoke(app, ["plan", "--stack", "lab", "--config", "x.yaml"])
    assert both.exit_code == 2
    neither = runner.invoke(app, ["plan", "--format", "json"])
    assert neither.exit_code == 2 and json.loads(neither.stdout)["error"] == "usage"
