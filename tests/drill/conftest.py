"""Fixtures of the drill tests: one replicated database service per session, on the real lab when
the `lab` fixture of tests/conftest.py exists and works, otherwise on the drill's own gc-ddev
testbed (or when GOVCLOUD_DRILL_TOPOLOGY=testbed). The choice is printed in the test output
("[drill] topology: ...")."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govcloud.drill import testbed
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


def _say(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


@pytest.fixture(scope="session")
def drill_lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillLab]:
    if os.geteuid() != 0:
        pytest.fail("the drill tests need root (network namespaces, nftables, postgres as its own user)")
    status: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    why = ""
    forced = os.environ.get("GOVCLOUD_DRILL_TOPOLOGY", "")
    try:
        if forced == "testbed":
            raise pytest.FixtureLookupError("lab", request, "GOVCLOUD_DRILL_TOPOLOGY=testbed")
        candidate = request.getfixturevalue("lab")
        from_lab_status(candidate)
        status = candidate
        plan = json.loads(Path(request.getfixturevalue("lab_plan_path")).read_text(encoding="utf-8"))
    except pytest.FixtureLookupError:
        why = (
            "GOVCLOUD_DRILL_TOPOLOGY=testbed"
            if forced == "testbed"
            else "no `lab` fixture in tests/conftest.py"
        )
    except (Exception, pytest.skip.Exception, pytest.fail.Exception) as exc:
        why = f"`lab` fixture not usable for drills: {str(exc)[:200]}"
    built_testbed = status is None
    if status is None:
        status = testbed.up()
        choice = f"own testbed gc-{testbed.STACK}-* ({why})"
        topo = from_lab_status(status, source="testbed")
    else:
        choice = f"real lab, stack {status['stack']} (`lab` fixture)"
        topo = from_lab_status(status, source="lab")
    _say(request.config, f"[drill] topology: {choice}")
    old_root = os.environ.get("GOVCLOUD_EVIDENCE_ROOT")
    os.environ["GOVCLOUD_EVIDENCE_ROOT"] = str(tmp_path_factory.mktemp("evidence"))
    service = Service(topo)
    try:
        service.up()
        yield DrillLab(stack=topo.stack, status=status, topo=topo, service=service, choice=choice, plan=plan)
    finally:
        service.down()
        if built_testbed:
            testbed.down()
        if old_root is None:
            os.environ.pop("GOVCLOUD_EVIDENCE_ROOT", None)
        else:
            os.environ["GOVCLOUD_EVIDENCE_ROOT"] = old_root


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


__all__ = ["DrillLab", "TopologyError", "synthetic_status"]
