"""Where things live: the repository root, the playbook project, the evidence directories."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO_ROOT / "playbooks"
PROJECT_DIR = PLAYBOOKS / "project"
ROLE_DIR = PROJECT_DIR / "roles" / "djcp_hardening"
INFRA_TESTS = REPO_ROOT / "tests" / "infra"


def state_dir() -> Path:
    """`.govcloud/` in the working directory (or GOVCLOUD_STATE_DIR)."""
    return Path(os.environ.get("GOVCLOUD_STATE_DIR", ".govcloud")).resolve()


def evidence_dir(stack: str) -> Path:
    return state_dir() / "evidence" / stack


def runs_dir() -> Path:
    return state_dir() / "runs"
