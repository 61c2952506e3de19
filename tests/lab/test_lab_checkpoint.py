"""A checkpoint cut short by a killed `lab up` is repaired from Pulumi's backup (no lab needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcloud.labstack import automation


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(automation.env, "state_backend_dir", lambda: tmp_path)
    monkeypatch.setattr(automation, "project_of", lambda _stack: "govcloud-lab")
    stacks = tmp_path / ".pulumi" / "stacks" / "govcloud-lab"
    stacks.mkdir(parents=True)
    return stacks


def test_empty_checkpoint_is_restored_from_the_backup(backend: Path) -> None:
    good = {"version": 3, "checkpoint": {"stack": "x1"}}
    (backend / "x1.json").write_bytes(b"")
    (backend / "x1.json.bak").write_text(json.dumps(good), encoding="utf-8")
    said: list[str] = []
    automation.repair_checkpoint("x1", said.append)
    assert json.loads((backend / "x1.json").read_text(encoding="utf-8")) == good
    assert list(backend.glob("x1.json.broken-*")), "the broken file is kept for inspection"
    assert "restored" in said[0]


def test_unreadable_checkpoint_without_backup_is_set_aside(backend: Path) -> None:
    (backend / "x2.json").write_text('{"version": 3, "checkp', encoding="utf-8")
    said: list[str] = []
    automation.repair_checkpoint("x2", said.append)
    assert not (backend / "x2.json").exists()
    assert list(backend.glob("x2.json.broken-*"))
    assert "no backup" in said[0]


def test_valid_checkpoint_is_left_alone(backend: Path) -> None:
    (backend / "x3.json").write_text('{"version": 3}', encoding="utf-8")
    said: list[str] = []
    automation.repair_checkpoint("x3", said.append)
    assert (backend / "x3.json").read_text(encoding="utf-8") == '{"version": 3}'
    assert not said


def test_empty_attributes_sidecar_and_temp_files_are_removed(backend: Path) -> None:
    (backend / "x4.json").write_text('{"version": 3}', encoding="utf-8")
    (backend / "x4.json.attrs").write_bytes(b"")
    (backend / "x4.json.bak.attrs").write_text('{"user.content-type": "x"}', encoding="utf-8")
    (backend / "x4.json.18ec99893a362b28.tmp").write_text("{", encoding="utf-8")
    automation.repair_checkpoint("x4", lambda _line: None)
    assert not (backend / "x4.json.attrs").exists()
    assert not (backend / "x4.json.18ec99893a362b28.tmp").exists()
    assert (backend / "x4.json.bak.attrs").exists() and (backend / "x4.json").exists()
