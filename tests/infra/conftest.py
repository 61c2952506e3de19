"""Host checks (testinfra) for 等保 8.1.4 安全计算环境 (and the host side of 8.2.4.4 a), one or more
per clause item.

Hosts: the inventory in GOVCLOUD_TEST_INVENTORY (dev hosts, or the one `govcloud verify` passes),
else the `lab_inventory` session fixture of tests/conftest.py. Level: GOVCLOUD_VERIFY_LEVEL (3).

Every test is marked `@pytest.mark.clause("8.1.4.x.y")` and calls `check(probe)`: the probe runs
on every host and returns a Result (observed vs expected) or raises NotApplicable; each host's
verdict is recorded (user property "djcp") for the evidence JSON, and the test fails if any host
fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from govcloud.runner.inventory import load_inventory
from govcloud.runner.labvars import lab_extravars
from govcloud.runner.targets import NotApplicable, Result, Target, load_targets

Probe = Callable[[Target], Result]


@pytest.fixture(scope="session")
def infra_inventory(request: pytest.FixtureRequest) -> Path:
    env = os.environ.get("GOVCLOUD_TEST_INVENTORY")
    if env:
        path = Path(env)
        if not path.exists():
            pytest.fail(f"GOVCLOUD_TEST_INVENTORY={env}: file does not exist")
        return path
    return Path(request.getfixturevalue("lab_tenant_inventory"))


@pytest.fixture(scope="session")
def targets(infra_inventory: Path) -> list[Target]:
    level = int(os.environ.get("GOVCLOUD_VERIFY_LEVEL", "3"))
    found = load_targets(infra_inventory, level, os.environ.get("GOVCLOUD_VERIFY_LIMIT") or None)
    extra = lab_extravars(load_inventory(infra_inventory))  # lab inventories: the OOB management zone
    for target in found:
        target.vars.update(extra)
    return found


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@pytest.fixture
def check(
    request: pytest.FixtureRequest, targets: list[Target], record_property: Callable[[str, Any], None]
) -> Callable[[Probe], None]:
    marker = request.node.get_closest_marker("clause")
    if marker is None or not marker.args:
        pytest.fail(f"{request.node.name}: mark the test with @pytest.mark.clause('8.1.4.x.y')")
    clause = str(marker.args[0])
    name = request.node.name

    def one(target: Target, probe: Probe) -> dict[str, Any]:
        rec: dict[str, Any] = {"host": target.name, "clause": clause, "check": name, "at": _now()}
        try:
            res = probe(target)
            rec.update(status="pass" if res.ok else "fail", observed=res.observed, expected=res.expected)
        except NotApplicable as na:
            rec.update(status="not_applicable", observed=str(na), expected="")
        except Exception as exc:  # the check could not run: evidence says error, test fails
            rec.update(status="error", observed=f"{type(exc).__name__}: {exc}"[:600], expected="")
        return rec

    def run(probe: Probe) -> None:
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(targets)))) as pool:
            records = list(pool.map(lambda t: one(t, probe), targets))
        record_property("djcp", records)
        bad = [r for r in records if r["status"] in {"fail", "error"}]
        if bad:
            lines = [
                f"{r['host']}: {r['status']}: observed {r['observed']!r}, expected {r['expected']!r}"
                for r in bad
            ]
            pytest.fail(f"{clause} {name}\n" + "\n".join(lines), pytrace=False)
        if all(r["status"] == "not_applicable" for r in records):
            pytest.skip(f"{clause}: not applicable on every host: {records[0]['observed']}")

    return run
