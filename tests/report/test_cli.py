"""`govcloud report` on the command line: exit codes, clear errors, and whatever evidence exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govcloud.cli.app import app
from tests.report.conftest import CATALOGUE


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, ["report", *args])
    return r.exit_code, r.stdout, r.stderr


def test_writes_json_and_html_and_prints_the_path(evidence_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "--stack",
        "lab",
        "--evidence",
        str(evidence_dir),
        "--out",
        str(out),
        "--catalogue",
        str(CATALOGUE),
        "--format",
        "json,html",
    )
    assert code == 0, stderr
    assert stdout.strip() == str(out / "report.html")
    assert {p.name for p in out.iterdir()} == {"report.json", "report.html", "manifest.json"}
    assert "manifest:" in stderr and "SM3" in stderr


def test_fail_on_noncompliant_exits_1(evidence_dir: Path, tmp_path: Path) -> None:
    code, _, _ = run(
        "--evidence",
        str(evidence_dir),
        "--out",
        str(tmp_path / "o"),
        "--catalogue",
        str(CATALOGUE),
        "--format",
        "json",
        "--fail-on-noncompliant",
    )
    assert code == 1


def test_missing_evidence_directory_still_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, _, stderr = run(
        "--evidence",
        str(tmp_path / "none"),
        "--out",
        str(out),
        "--catalogue",
        str(CATALOGUE),
        "--format",
        "json",
    )
    assert code == 0 and "does not exist" in stderr
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["summary"]["overall"]["compliant"] == 0


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run("--out", str(tmp_path), "--format", "html,docx")
    assert code == 2 and "docx" in stderr


def test_malformed_catalogue_names_file_field_and_reason(tmp_path: Path) -> None:
    cat = tmp_path / "catalogue.yaml"
    text = CATALOGUE.read_text(encoding="utf-8").replace(
        "family: area-boundary\n", "family: no-such-family\n", 1
    )
    cat.write_text(text, encoding="utf-8")
    code, _, stderr = run("--out", str(tmp_path / "o"), "--catalogue", str(cat))
    assert code == 2
    assert f"{cat}: items[3](clause 8.1.3.2.a).family: unknown family 'no-such-family'" in stderr
    assert "Traceback" not in stderr
    cat.write_text("schema: govcloud.catalogue/v1\nfamilies: [\n", encoding="utf-8")
    code, _, stderr = run("--out", str(tmp_path / "o"), "--catalogue", str(cat))
    assert code == 2 and "invalid YAML" in stderr and "line" in stderr


def test_malformed_previous_report_is_a_clear_error(evidence_dir: Path, tmp_path: Path) -> None:
    """The previous report is read with the report contract: a real one with one item's status
    broken is exit 2 naming the file and the field."""
    code, _, _ = run(
        "--evidence", str(evidence_dir), "--out", str(tmp_path / "o1"), "--catalogue", str(CATALOGUE)
    )
    assert code in (0, 1)
    prev = tmp_path / "prev.json"
    doc = json.loads((tmp_path / "o1" / "report.json").read_text(encoding="utf-8"))
    doc["scopes"][0]["items"][0]["status"] = "great"
    prev.write_text(json.dumps(doc), encoding="utf-8")
    code, _, stderr = run(
        "--evidence",
        str(evidence_dir),
        "--out",
        str(tmp_path / "o"),
        "--catalogue",
        str(CATALOGUE),
        "--since",
        str(prev),
    )
    where = f"{prev}: scopes[0].items[0].status: previous report: Input should be"
    assert code == 2 and where in stderr, stderr
    prev.write_text(json.dumps({"schema": "govcloud.report/v1", "generated_at": "x", "scopes": []}))
    code, _, stderr = run("--evidence", str(evidence_dir), "--out", str(tmp_path / "o"), "--catalogue",
                          str(CATALOGUE), "--since", str(prev))
    assert code == 2 and f"{prev}: generator: previous report: Field required" in stderr, stderr


def test_since_latest_diffs_against_the_newest_report_and_stale_outputs_go(
    evidence_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `latest` looks under ./out/reports/<stack>/
    base = tmp_path / "out" / "reports" / "lab"
    common = ("--evidence", str(evidence_dir), "--catalogue", str(CATALOGUE))
    code, _, stderr = run(
        *common, "--since", "latest", "--out", str(base / "20261101T000000Z"), "--format", "json"
    )
    assert code == 0 and "no previous report" in stderr
    assert run(*common, "--out", str(base / "20261102T000000Z"), "--format", "json")[0] == 0
    out = base / "20261103T000000Z"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"%PDF stale")
    code, _, stderr = run(*common, "--since", "latest", "--out", str(out), "--format", "json")
    assert code == 0, stderr
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["diff"]["previous"].endswith("20261102T000000Z/report.json")
    assert not (out / "report.pdf").exists()
