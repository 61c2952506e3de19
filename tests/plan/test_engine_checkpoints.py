"""Which engine runs keep Pulumi's per-step state checkpoints.

Throwaway workspaces (tests, the plan bench) write only the final snapshot: Pulumi's file backend
re-serialises the whole snapshot after every step, even in a preview, which made a 9,600-resource
preview run for over an hour (docs/bench-plan.md). The lab's state must survive a killed run, so
the lab keeps every checkpoint whatever the caller's environment says. That the final snapshot is
still written is shown by test_engine_lab.py: `destroy` finds and removes everything `up` made.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.components.workspace import ProgramWorkspace
from govcloud.labstack.automation import lab_env
from govcloud.toolchain.versions import REPO_ROOT

pytestmark = pytest.mark.engine


def _workspace(tmp_path: Path, **kwargs: bool) -> dict[str, str]:
    ws = ProgramWorkspace.create(tmp_path / "ws", "ckpt", REPO_ROOT / "Pulumi.lab.yaml", **kwargs)
    try:
        return dict(ws.stack.workspace.env_vars)
    finally:
        ws.stack.workspace.remove_stack("ckpt", force=True)


def test_throwaway_workspace_writes_only_the_final_snapshot(tmp_path: Path) -> None:
    assert _workspace(tmp_path).get("PULUMI_SKIP_CHECKPOINTS") == "true"


def test_workspace_can_keep_every_checkpoint(tmp_path: Path) -> None:
    assert "PULUMI_SKIP_CHECKPOINTS" not in _workspace(tmp_path, checkpoints=True)


def test_lab_keeps_every_checkpoint_even_when_the_caller_skips_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PULUMI_SKIP_CHECKPOINTS", "true")
    assert "PULUMI_SKIP_CHECKPOINTS" not in lab_env()
