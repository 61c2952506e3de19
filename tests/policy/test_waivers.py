"""Waivers: valid ones waive and stay visible; expired ones fail the gate; malformed ones stop it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from govcloud.policy import paths
from govcloud.policy.errors import WaiverFileError
from govcloud.policy.waivers import EXPIRED_RULE, apply_waivers, load_waivers
from tests.policy.conftest import FIXTURES, MANIFESTS_BAD, gate_args

TODAY = dt.date(2026, 11, 29)


def _finding(rule: str = "DJCP-K8S-005", ns: str = "legacy") -> dict[str, Any]:
    return {
        "rule_id": rule,
        "clause": "8.1.4.4.a",
        "status": "fail",
        "blocking": True,
        "resource": {"kind": "Pod", "namespace": ns, "name": "debug", "path": "x.yaml"},
    }


def test_valid_waiver_waives_only_its_selector() -> None:
    waivers = load_waivers(FIXTURES / "waivers" / "valid.yaml")
    hit, miss, other = _finding(), _finding(ns="prod"), _finding(rule="DJCP-K8S-004")
    assert apply_waivers([hit, miss, other], waivers, TODAY, "w.yaml") == []
    assert hit["status"] == "waived" and hit["blocking"] is False
    assert hit["waiver"]["ticket"] == "SEC-2026-042"
    assert miss["status"] == "fail" and other["status"] == "fail"


def test_waiver_expires_at_end_of_its_day() -> None:
    waivers = load_waivers(FIXTURES / "waivers" / "expired.yaml")
    on_day = _finding()
    assert apply_waivers([on_day], waivers, dt.date(2025, 1, 31), "w.yaml") == []
    assert on_day["status"] == "waived"
    after = _finding()
    extra = apply_waivers([after], waivers, dt.date(2025, 2, 1), "w.yaml")
    assert after["status"] == "fail"
    assert [e["rule_id"] for e in extra] == [EXPIRED_RULE]
    assert extra[0]["blocking"] is True and extra[0]["clause"] == "8.1.4.4.a"


BASE = """schema: govcloud.waivers/v1
waivers:
  - id: W-1
    rule: DJCP-K8S-005
    resource: {namespace: legacy}
    reason: r
    approver: a
    ticket: T-1
    expires: 2099-01-01
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("    approver: a\n", ""), "waivers[0].approver"),
        (("expires: 2099-01-01", "expires: next year"), "waivers[0].expires"),
        (("rule: DJCP-K8S-005", "rule: K8S-5"), "waivers[0].rule"),
        (("    resource: {namespace: legacy}\n", ""), "waivers[0].resource"),
        (("resource: {namespace: legacy}", "resource: {owner: me}"), "waivers[0].resource"),
        (("    rule: DJCP-K8S-005\n", ""), "give `rule` or `clause`"),
        (("    ticket: T-1\n", "    ticket: T-1\n    colour: red\n"), "unknown field"),
        (("schema: govcloud.waivers/v1", "schema: v0"), "schema"),
        (("waivers:\n", "waivers: 3\nold:\n"), "waivers: must be a list"),
        (("id: W-1", "id: W-1\n    bad: [unclosed"), "invalid YAML"),
    ],
)
def test_malformed_waiver_files(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(BASE.replace(*change), encoding="utf-8")
    with pytest.raises(WaiverFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_waivers(path)


def test_duplicate_waiver_ids(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(BASE + BASE.split("waivers:\n", 1)[1], encoding="utf-8")
    with pytest.raises(WaiverFileError, match="duplicate id"):
        load_waivers(path)


@pytest.mark.engine
def test_gate_with_expired_waiver_fails(cli: Any, opa_url: str) -> None:
    args = gate_args(opa_url, "--manifests", str(MANIFESTS_BAD))
    args[args.index("--waivers") + 1] = str(FIXTURES / "waivers" / "expired.yaml")
    res = cli(*args)
    assert res.exit_code == 1
    expired = [f for f in res.json()["findings"] if f["rule_id"] == EXPIRED_RULE]
    assert len(expired) == 1 and expired[0]["blocking"] is True


@pytest.mark.engine
def test_gate_with_malformed_waiver_exits_2(cli: Any, opa_url: str, tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(BASE.replace("    approver: a\n", ""), encoding="utf-8")
    args = gate_args(opa_url, "--manifests", str(MANIFESTS_BAD))
    args[args.index("--waivers") + 1] = str(path)
    res = cli(*args)
    assert res.exit_code == 2
    assert "waivers[0].approver" in res.stderr


@pytest.mark.engine
def test_repository_waiver_file_is_valid() -> None:
    load_waivers(paths.WAIVERS)
