"""The files generated from the contracts are up to date (fast tier; scripts/lint.sh runs the same)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govcloud.contracts.generate import CONTRACTS_MD, SCHEMAS_DIR, documents, main, markers, stale, write
from govcloud.contracts.plan import PlanDocument
from govcloud.toolchain.versions import REPO_ROOT


def test_generated_files_are_up_to_date() -> None:
    assert stale() == [], "run `python -m govcloud.contracts.generate` and commit the result"


def test_every_document_of_the_contracts_is_found() -> None:
    ids = {m.schema_id() for m in documents()}
    assert {"govcloud.plan/v1", "govcloud.plan-lock/v1", "govcloud.check-input/v1"} <= ids
    assert all(m.__module__.startswith("govcloud.contracts.") for m in documents())


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    shutil.copy(REPO_ROOT / CONTRACTS_MD, root / CONTRACTS_MD)
    shutil.copytree(REPO_ROOT / SCHEMAS_DIR, root / SCHEMAS_DIR)
    (root / "policies" / "schemas").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "policies" / "schemas" / "check-input.json", root / "policies" / "schemas")
    return root


def test_check_names_a_stale_table_a_missing_schema_and_an_orphan(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert stale(root) == []
    md = root / CONTRACTS_MD
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("| `hosts[].segment` |", "| `hosts[].seg` |"), encoding="utf-8")
    (root / SCHEMAS_DIR / "plan-lock-v1.schema.json").unlink()
    (root / SCHEMAS_DIR / "gone-v1.schema.json").write_text("{}", encoding="utf-8")
    assert set(stale(root)) == {
        CONTRACTS_MD,
        SCHEMAS_DIR / "plan-lock-v1.schema.json",
        SCHEMAS_DIR / "gone-v1.schema.json",
    }
    write(root)
    assert stale(root) == [] and not (root / SCHEMAS_DIR / "gone-v1.schema.json").exists()


def test_a_document_without_markers_gets_a_section_and_hand_prose_stays(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    md = root / CONTRACTS_MD
    begin, end = markers(PlanDocument)
    text = md.read_text(encoding="utf-8")
    start, stop = text.index(begin), text.index(end) + len(end)
    md.write_text(text[:start] + text[stop:], encoding="utf-8")
    write(root)
    out = md.read_text(encoding="utf-8")
    assert out.count(begin) == 1 and out.rstrip().endswith(end)
    assert "## 1. The plan" in out and "Every host names the segment" in out


def test_the_command_exits_1_when_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy(tmp_path)
    assert main(["--check", "--root", str(root)]) == 0
    (root / SCHEMAS_DIR / "plan-v1.schema.json").write_text("{}", encoding="utf-8")
    assert main(["--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "docs/schemas/plan-v1.schema.json" in err and "python -m govcloud.contracts.generate" in err
    assert main(["--root", str(root)]) == 0 and main(["--check", "--root", str(root)]) == 0
