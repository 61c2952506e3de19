"""The lab reads the plan through its contract and adds only its own checks (pure: no root needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.contracts.base import ContractError
from govcloud.contracts.plan import Flow
from govcloud.lab import firewall
from govcloud.lab.spec import LabPlanError, build_spec
from govcloud.plan import load_plan

FIXTURE = Path(__file__).parent / "fixtures" / "plan-lab.json"


def _plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_the_real_lab_plan_builds_and_hosts_take_their_planned_segment() -> None:
    doc = load_plan(stack="lab").document()
    spec = build_spec(doc, "lab")
    assert len(spec.hosts) == 18 and spec.plan is doc
    for planned, built in zip(doc.hosts, spec.hosts, strict=True):
        seg = doc.segment(planned.segment)
        assert seg.ipv4 is not None and built.gw4 == seg.ipv4.gateway
    assert all(isinstance(f, Flow) for f in spec.flows), "the firewall reads the plan's own flows"


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda p: p["hosts"][0].update(segment="prod/management/lab"), "$.hosts[0].segment", "not in"),
        (lambda p: p["hosts"][0].update(segment="prod/nowhere/lab"), "$.hosts[0].segment", "no segment"),
        (lambda p: p["address_plan"]["segments"][0].pop("ipv6"), "$.address_plan.segments[0].ipv6", "dual"),
        (lambda p: p["hosts"][0].pop("ipv6"), "$.hosts[0].ipv6", "dual-stack"),
        (lambda p: p["links"][0].update(loss_pct=100.0), "$.links[0].loss_pct", "< 100"),
        (lambda p: p["flows"][0].update({"from": "*"}), "$.flows[0].from", "unknown zone"),
        (lambda p: p["hosts"][0].update(drillable="no"), "$.hosts[0].drillable", "boolean"),
        (lambda p: p.update(centres=[]), "$.centres", "at least 1"),
        (lambda p: p.pop("schema"), "$.schema", "not a govcloud document"),
    ],
)
def test_lab_and_contract_errors_name_the_json_path(mutate: Any, field: str, words: str) -> None:
    plan = _plan()
    mutate(plan)
    with pytest.raises(LabPlanError) as err:
        build_spec(plan, "lab")
    assert err.value.field == field and words in err.value.reason, err.value.render()
    assert isinstance(err.value, ContractError)


HOSTILE = [b"", b"\xff\xfe", b"[1, 2]", b"[" * 100_000, b'{"schema": "govcloud.plan/v1"}']


@pytest.mark.parametrize("content", HOSTILE)
def test_lab_up_refuses_a_hostile_plan_before_touching_the_machine(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    res = CliRunner().invoke(app, ["lab", "up", "--stack", "lab", "--plan", str(path)])
    assert res.exit_code == 2, res.output
    assert str(path) in res.stderr and "Traceback" not in res.output + res.stderr


def test_a_logged_flow_gets_a_log_statement_before_its_accept() -> None:
    spec = build_spec(_plan(), "lab")
    logged = next(f for f in spec.flows if f.id == "management-to-public-ssh")
    plain = next(f for f in spec.flows if f.id == "internet-to-public-https")
    assert logged.log and not plain.log
    log = 'log prefix "gc-lab flow management-to-public-ssh: " level info'
    for rule in firewall.flow_rules(spec, logged):
        assert f"tcp dport {{ 22 }} {log} counter accept" in rule
    assert all("log" not in r for r in firewall.flow_rules(spec, plain))
