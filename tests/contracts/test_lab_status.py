"""The lab status contract: what `govcloud lab status` writes and the drills read (fast, no root)."""

from __future__ import annotations

from typing import Any

import pytest

from govcloud.contracts.base import read
from govcloud.contracts.lab_status import LabStatus
from govcloud.drill.topology import TopologyError, from_lab_status
from tests.drill.conftest import synthetic_status


def test_a_minimal_status_of_real_hosts_is_enough_for_a_drill() -> None:
    topo = from_lab_status(synthetic_status())
    assert [n.centre for n in topo.nodes] == ["prod", "samecity", "dr"]
    assert isinstance(topo.status, LabStatus) and topo.relays[0].listen_port == 15001


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: s.update(schema="govcloud.lab-status/v2"), "newer govcloud"),
        (lambda s: s.update(schema="govcloud.findings/v1"), "expected govcloud.lab-status/v1"),
        (lambda s: s["hosts"][1].pop("ipv4"), "hosts[1].ipv4"),
        (lambda s: s["relays"][0].update(delay_ms="1 ms"), "relays[0].delay_ms"),
        (lambda s: s.update(up=False), "not up"),
    ],
    ids=["newer", "other-document", "host-without-address", "delay-not-a-number", "down"],
)
def test_a_bad_status_refuses_the_drill_naming_the_field(change: Any, reason: str) -> None:
    status = synthetic_status()
    change(status)
    with pytest.raises(TopologyError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        from_lab_status(status)


def test_the_written_form_reads_back() -> None:
    status = read(LabStatus, synthetic_status())
    assert read(LabStatus, status.dump()) == status
