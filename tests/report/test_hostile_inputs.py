"""Hostile files the report reads (issue 14): evidence is shown as corrupt, never a traceback; the
catalogue, the previous report and the manifest are input errors (exit 2) naming the file."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import govcloud
from govcloud.cli.app import app
from govcloud.report.evidence import load_evidence
from tests.report.conftest import CATALOGUE, FIXTURES, edit_json
from tests.support import run_govcloud

RECORD = FIXTURES / "records" / "drill-run-record.json"
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


def _state(evidence: Path, rel: str) -> tuple[str, str]:
    info = next(i for i in load_evidence(evidence, "lab").inputs if i.rel == rel)
    return info.state, info.note_en


@pytest.mark.parametrize("rel", ["plan.json", "findings.json", "hosts.json", "drills/deep.json"])
def test_deeply_nested_evidence_is_corrupt(evidence_dir: Path, rel: str) -> None:
    (evidence_dir / rel).write_bytes(DEEP_JSON)
    assert _state(evidence_dir, rel) == ("corrupt", "not valid JSON: nested too deeply")


def _record(change: Any) -> dict[str, Any]:
    raw = json.loads(RECORD.read_text(encoding="utf-8"))
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "note"),
    [
        (lambda r: r.update(achieved=[1, 2]), "field achieved: Input should be a valid dictionary"),
        (lambda r: r.update(targets=["sjj-gxjh"]), "field targets: Input should be a valid dictionary"),
        (
            lambda r: r["targets"].update(systems=[1]),
            "field targets.systems[0]: Input should be a valid dictionary",
        ),
        (lambda r: r.update(steps=["fault"]), "field steps[0]: Input should be a valid dictionary"),
        (
            lambda r: r.update(replication_before_fault=[{"replay_lag_s": "1 s"}]),
            "field replication_before_fault[0].replay_lag_s: Input should be a valid number",
        ),
        (
            lambda r: r.update(replication_before_fault=["x"]),
            "field replication_before_fault[0]: Input should be a valid dictionary",
        ),
        (
            lambda r: r["consistency"].update(digests=5),
            "field consistency.digests: Input should be a valid list",
        ),
        (lambda r: r.update(gbt20988="level 6"), "field gbt20988: Input should be a valid dictionary"),
    ],
    ids=["achieved", "targets", "target-systems", "steps", "lag-type", "lag-entries", "digests", "gbt20988"],
)
def test_drill_record_parts_of_the_wrong_type_reject_the_record(
    evidence_dir: Path, change: Any, note: str
) -> None:
    path = evidence_dir / "drills" / "20261129T200625Z-samecity-failover.json"
    path.write_text(json.dumps(_record(change)), encoding="utf-8")
    state, why = _state(evidence_dir, f"drills/{path.name}")
    assert state == "corrupt" and note in why, why


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_make_evidence_corrupt(evidence_dir: Path, token: str) -> None:
    """NaN or Infinity is no measurement: the drill is missing evidence, not a pass."""
    drill = next((evidence_dir / "drills").glob("*.json"))
    text = drill.read_text(encoding="utf-8")
    doc = json.loads(text)
    doc["achieved"]["rto_write_s"] = "@@"
    drill.write_text(json.dumps(doc).replace('"@@"', token), encoding="utf-8")
    state, why = _state(evidence_dir, f"drills/{drill.name}")
    assert state == "corrupt" and "finite number" in why, why


def test_non_finite_number_in_the_plan_is_corrupt(evidence_dir: Path) -> None:
    edit_json(evidence_dir / "plan.json", lambda d: d["systems"][0]["dr"].update(rto_s="@@"))
    path = evidence_dir / "plan.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"@@"', "NaN"), encoding="utf-8")
    state, why = _state(evidence_dir, "plan.json")
    assert state == "corrupt" and "finite number" in why, why


def _govcloud(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real process: libyaml used to crash the interpreter (SIGSEGV), which no CliRunner survives.
    It runs the govcloud package this test imported."""
    env = {**os.environ, "PYTHONPATH": str(Path(govcloud.__file__).parents[1])}
    return run_govcloud(*args, cwd=cwd, env=env, timeout=120)


def test_deeply_nested_catalogue_is_an_input_error(tmp_path: Path, evidence_dir: Path) -> None:
    cat = tmp_path / "catalogue.yaml"
    cat.write_bytes(b"schema: " + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    out = tmp_path / "out"
    r = _govcloud(
        tmp_path, "report", "--evidence", str(evidence_dir), "--out", str(out), "--catalogue", str(cat)
    )
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert f"{cat}: line 1: invalid YAML: nested deeper than 64 levels" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("schema: 2024-13-45\n", "month must be in 1..12"),
        ("schema: " + "9" * 5000 + "\n", "Exceeds the limit"),
    ],
    ids=["impossible-date", "huge-integer"],
)
def test_catalogue_values_yaml_cannot_build(
    tmp_path: Path, evidence_dir: Path, text: str, reason: str
) -> None:
    cat = tmp_path / "catalogue.yaml"
    cat.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(
        app,
        ["report", "--evidence", str(evidence_dir), "--out", str(tmp_path / "o"), "--catalogue", str(cat)],
    )
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 2 and f"{cat}: invalid YAML value" in r.stderr and reason in r.stderr, r.stderr


def test_deeply_nested_previous_report_and_manifest(tmp_path: Path, evidence_dir: Path) -> None:
    prev = tmp_path / "prev"
    prev.mkdir()
    (prev / "report.json").write_bytes(DEEP_JSON)
    (prev / "manifest.json").write_bytes(DEEP_JSON)
    runner = CliRunner()
    args = [
        "report",
        "--evidence",
        str(evidence_dir),
        "--out",
        str(tmp_path / "o"),
        "--catalogue",
        str(CATALOGUE),
    ]
    since = runner.invoke(app, [*args, "--since", str(prev)])
    assert since.exit_code == 2 and "nested too deeply" in since.stderr, (since.exception, since.output)
    verify = runner.invoke(app, ["report", "verify", str(prev)])
    assert verify.exit_code == 2 and "nested too deeply" in verify.stderr, (verify.exception, verify.output)
