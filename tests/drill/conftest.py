"""Fixtures of the drill tests: the session's real lab (the `lab` fixture of tests/conftest.py) and,
per test module, one database service on it: the manual one (`drill_lab`) or Patroni's
(`patroni_lab`). The two share the db hosts, so each module takes its service down at its end.
A lab that does not come up fails these tests; there is no fallback topology.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govcloud.contracts.drill import DrillRecord
from govcloud.drill.ha.service import PatroniService
from govcloud.drill.ha.settings import PRESETS
from govcloud.drill.pgservice import Service
from govcloud.drill.topology import Topology, TopologyError, from_lab_status


@dataclass
class DrillLab:
    stack: str
    status: dict[str, Any]
    topo: Topology
    service: Service
    choice: str
    plan: dict[str, Any] | None = None


@dataclass
class DrillTopology:
    stack: str
    status: dict[str, Any]
    topo: Topology
    plan: dict[str, Any] | None


def _say(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


def _plan(args: list[str]) -> dict[str, Any] | None:
    if args[:1] == ["--plan"]:
        data: dict[str, Any] = json.loads(Path(args[1]).read_text(encoding="utf-8"))
        return data
    from govcloud.plan import load_plan  # noqa: PLC0415 - only for GOVCLOUD_LAB_PLAN=stack:NAME

    return load_plan(stack=args[1]).to_json()


@pytest.fixture(scope="session")
def drill_topology(
    request: pytest.FixtureRequest,
    lab: dict[str, Any],
    lab_plan_args: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DrillTopology]:
    topo = from_lab_status(lab, source="lab")
    _say(request.config, f"[drill] topology: real lab, stack {lab['stack']} (`lab` fixture)")
    old_root = os.environ.get("GOVCLOUD_EVIDENCE_ROOT")
    os.environ["GOVCLOUD_EVIDENCE_ROOT"] = str(tmp_path_factory.mktemp("evidence"))
    try:
        yield DrillTopology(stack=topo.stack, status=lab, topo=topo, plan=_plan(lab_plan_args))
    finally:
        if old_root is None:
            os.environ.pop("GOVCLOUD_EVIDENCE_ROOT", None)
        else:
            os.environ["GOVCLOUD_EVIDENCE_ROOT"] = old_root


def _service_lab(where: DrillTopology, service: Service, choice: str) -> Iterator[DrillLab]:
    try:
        service.up()
        yield DrillLab(
            stack=where.stack,
            status=where.status,
            topo=where.topo,
            service=service,
            choice=choice,
            plan=where.plan,
        )
    finally:
        service.down()


@pytest.fixture(scope="module")
def drill_lab(drill_topology: DrillTopology) -> Iterator[DrillLab]:
    """The manual service (govcloud's own runbook orchestration) for one test module."""
    yield from _service_lab(drill_topology, Service(drill_topology.topo), "manual")


@pytest.fixture(scope="module")
def patroni_lab(drill_topology: DrillTopology) -> Iterator[DrillLab]:
    """Patroni + etcd + HAProxy with the lab timings, for one test module."""
    yield from _service_lab(
        drill_topology, PatroniService(drill_topology.topo, PRESETS["patroni-lab"]), "patroni-lab"
    )


def as_written(rec: DrillRecord) -> dict[str, Any]:
    """The record as `govcloud drill run` wrote it (the JSON document on disk), plus its path."""
    assert rec.record_path is not None
    data: dict[str, Any] = json.loads(Path(rec.record_path).read_text(encoding="utf-8"))
    return data | {"record_path": rec.record_path}


def run_on(lab: DrillLab, scenario: str, *, ha: str, ticket: str, **params: Any) -> dict[str, Any]:
    """One drill on the module's service, through the same entry point as `govcloud drill run`; the
    record as written."""
    from govcloud.drill.run import run_drill  # noqa: PLC0415 - keeps the fixtures' imports light

    return as_written(
        run_drill(
            lab.stack, scenario, ticket=ticket, status=lab.status, params=params or None, plan=lab.plan, ha=ha
        )
    )


def synthetic_status(*, with_dr: bool = True) -> dict[str, Any]:
    """A lab-status dict for unit tests that need no namespaces."""
    centres = [("prod", "production"), ("samecity", "same-city")] + ([("dr", "remote-dr")] if with_dr else [])
    return {
        "schema": "govcloud.lab-status/v1",
        "stack": "unit",
        "up": True,
        "latency_mechanism": "userspace-relay",
        "centres": [{"id": c, "role": r, "netns": f"gc-unit-{c}"} for c, r in centres],
        "hosts": [
            {
                "name": f"{c}-db-1",
                "centre": c,
                "role": "db",
                "netns": f"gc-unit-{c}-db-1",
                "ipv4": f"198.19.250.{i + 1}",
                "ipv6": f"fd00:6c:dd:f::{i + 1}",
            }
            for i, (c, _r) in enumerate(centres)
        ],
        "relays": [
            {
                "from_centre": "samecity",
                "to_host": "prod-db-1",
                "listen": "198.19.251.1:15001",
                "target": "198.19.250.1:5432",
                "delay_ms": 1.0,
            }
        ],
        "inventory": None,
    }


__all__ = ["DrillLab", "TopologyError", "run_on", "synthetic_status"]
