"""The plan document contract (govcloud.contracts.plan): what the planner writes reads back, every
reader gets the same errors for the same bad document, and the stack config shares its models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.plan import Flow, PlanDocument, PlanLock, System, SystemFields
from govcloud.plan import PlanError, load_plan
from govcloud.plan.loader import read_lock
from govcloud.plan.models import FlowConfig, PoolConfig, SystemConfig
from govcloud.toolchain.versions import REPO_ROOT

LOCKS = REPO_ROOT / "stacks" / "locks"


@pytest.fixture(scope="module")
def lab_doc() -> dict[str, Any]:
    return load_plan(stack="lab").to_json()


@pytest.mark.parametrize("stack", ["lab", "chuzhou"])
def test_the_planners_document_reads_back_unchanged(stack: str) -> None:
    doc = load_plan(stack=stack).to_json()
    text = json.dumps(doc, ensure_ascii=False)
    assert read(PlanDocument, text).dump() == doc
    assert read(PlanDocument, doc).dump() == doc


def test_the_flow_of_the_config_is_the_flow_of_the_document() -> None:
    """One flow model: the config narrows it, a field added to the document's flow is the config's too."""
    assert issubclass(FlowConfig, Flow)
    assert set(Flow.model_fields) == set(FlowConfig.model_fields)
    assert Flow.model_fields["from_"].alias == "from"
    assert issubclass(SystemConfig, SystemFields) and issubclass(System, SystemFields)
    assert PoolConfig.model_config["extra"] == "forbid" and Flow.model_config["extra"] == "ignore"


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ("govcloud.plan/v9", "newer govcloud"),
        ("govcloud.plan/v0", "unsupported version"),
        ("govcloud.findings/v1", "expected govcloud.plan/v1"),
        (None, "not a govcloud document"),
    ],
)
def test_versions(lab_doc: dict[str, Any], schema: str | None, words: str) -> None:
    with pytest.raises(ContractError) as err:
        read(PlanDocument, {**lab_doc, "schema": schema}, source="plan.json")
    assert err.value.field == "schema" and words in err.value.reason


def _broken(doc: dict[str, Any], change: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(doc))
    change(copy)
    return copy


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["zones"].append(d["zones"][0]), "zones[8].id", "duplicate id"),
        (lambda d: d["hosts"].append(d["hosts"][2]), "hosts[18].name", "duplicate id"),
        (lambda d: d["hosts"][3].update(segment="prod/nowhere/infra"), "hosts[3].segment", "no segment"),
        (lambda d: d["flows"][0].update(encrypted="yes"), "flows[0].encrypted", "valid boolean"),
        (lambda d: d["systems"][0].update(level=3.0), "systems[0].level", "whole number"),
        (lambda d: d["systems"][0].update(level="三"), "systems[0].level", ""),
        (lambda d: d["hosts"][0].update(ipv4="198.18.0.300"), "hosts[0].ipv4", "not an IPv4 address"),
        (lambda d: d["links"][0].update(ipv6="fd00::1/64"), "links[0].ipv6", "host bits set"),
        (
            lambda d: d["address_plan"]["segments"][0].pop("owner"),
            "address_plan.segments[0].owner",
            "Field required",
        ),
        (lambda d: d.pop("log_integrity"), "log_integrity", "Field required"),
        (lambda d: d.update(centres=[]), "centres", "at least 1"),
        (lambda d: d["centres"][0].update(name="a\u202eb"), "centres[0].name", "control or invisible"),
    ],
)
def test_a_bad_plan_names_the_field(lab_doc: dict[str, Any], change: Any, path: str, words: str) -> None:
    with pytest.raises(ContractError) as err:
        read(PlanDocument, _broken(lab_doc, change), source="plan.json")
    assert err.value.path == path and words in err.value.reason, err.value.render()
    assert err.value.render().startswith(f"plan.json: {path}: ")


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"\x00\xff",
        b"[]",
        b'{"schema": "govcloud.plan/v1", "centres": NaN}',
        b"[" * 50_000 + b"]" * 50_000,
    ],
)
def test_hostile_files_are_contract_errors(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(text)
    with pytest.raises(ContractError) as err:
        read(PlanDocument, path)
    assert err.value.file == str(path)


def test_what_the_gate_judges_is_read_not_refused(lab_doc: dict[str, Any]) -> None:
    """A document that breaks the planner's value rules is still a plan: the gate reports each
    violation against its clause (a wildcard flow, a segment without IPv6)."""

    def change(d: dict[str, Any]) -> None:
        d["flows"][0].update({"from": "*", "protocol": "any", "ports": [70000], "boundary": ""})
        del d["address_plan"]["segments"][0]["ipv6"]
        d["systems"][0]["placement"]["standby"][0]["replication"] = "nightly"

    plan = read(PlanDocument, _broken(lab_doc, change))
    assert plan.flows[0].from_ == "*" and plan.address_plan.segments[0].ipv6 is None
    assert "ipv6" not in plan.dump()["address_plan"]["segments"][0], "absent, never null"


def test_every_real_host_sits_in_a_platform_segment(lab_doc: dict[str, Any]) -> None:
    """On a real plan every host is in its zone's infra segment: it belongs to the platform."""
    plan = read(PlanDocument, lab_doc)
    assert plan.hosts and all(plan.system_of(h) is None for h in plan.hosts)
    assert {plan.segment(h.segment).owner for h in plan.hosts} == {"infra"}


@pytest.mark.parametrize("stack", ["lab", "chuzhou"])
def test_the_lock_files_are_plan_locks(stack: str) -> None:
    lock = read(PlanLock, LOCKS / f"{stack}.plan.lock.json")
    assert lock.stack == stack and lock.segments
    assert lock.dump() == load_plan(stack=stack).lock()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "invalid JSON"),
        ('{"schema": "govcloud.plan-lock/v2", "stack": "x", "segments": {}}', "newer govcloud"),
        (
            '{"schema": "govcloud.plan-lock/v1", "stack": "x", "segments": {"a": {"ipv4": "x"}}}',
            "segments.a.ipv4",
        ),
    ],
)
def test_a_bad_lock_is_an_unreadable_plan(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "x.plan.lock.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as err:
        read_lock(path)
    assert err.value.unreadable and words in err.value.issues[0].reason
