"""Every producer and the report agree on where evidence lives (contracts §7, govcloud.state)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud import state
from govcloud.toolchain import env as toolenv
from govcloud.toolchain.versions import REPO_ROOT


def test_default_is_the_repository_state_dir_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(state.STATE_ENV, raising=False)
    monkeypatch.delenv(state.EVIDENCE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert state.evidence_dir("lab") == REPO_ROOT / ".govcloud" / "evidence" / "lab"
    assert state.runs_dir() == REPO_ROOT / ".govcloud" / "runs"


def test_state_dir_moves_runs_and_evidence_but_not_the_pulumi_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(state.EVIDENCE_ENV, raising=False)
    monkeypatch.setenv(state.STATE_ENV, str(tmp_path / "s"))
    assert state.evidence_dir("lab") == tmp_path / "s" / "evidence" / "lab"
    assert state.runs_dir() == tmp_path / "s" / "runs"
    assert toolenv.state_backend_dir() == REPO_ROOT / ".govcloud" / "state"


def test_evidence_root_moves_the_evidence_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(state.STATE_ENV, str(tmp_path / "s"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(state.EVIDENCE_ENV, "ev")  # relative: made absolute at once
    assert state.evidence_dir("lab") == tmp_path / "ev" / "lab"
    assert state.runs_dir() == tmp_path / "s" / "runs"


def test_write_json_writes_the_document_and_its_copy_atomically(tmp_path: Path) -> None:
    path = tmp_path / "ev" / "lab" / "hosts.json"
    out = tmp_path / "copy" / "hosts.json"
    assert state.write_json(path, {"名": "值"}, out=out) == path
    assert path.read_text(encoding="utf-8") == out.read_text(encoding="utf-8") == '{\n  "名": "值"\n}\n'
    assert sorted(p.name for p in path.parent.iterdir()) == ["hosts.json"]  # no temporary left
