"""Where the playbook runner's files live: the repository root and the playbook project.

Runs and evidence: govcloud.state.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO_ROOT / "playbooks"
PROJECT_DIR = PLAYBOOKS / "project"
ROLE_DIR = PROJECT_DIR / "roles" / "djcp_hardening"
INFRA_TESTS = REPO_ROOT / "tests" / "infra"

