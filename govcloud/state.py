"""Where govcloud keeps what it writes: `.govcloud/` at the repository root (contracts §7).

One place for every part (plan, policy gate, hardening, verification, drills, report), so that the
evidence an auditor reads is found where each command wrote it, whatever the working directory.

* GOVCLOUD_STATE_DIR moves the whole directory (runs, evidence; tests keep theirs out of the repo);
* GOVCLOUD_EVIDENCE_ROOT moves the evidence root only.

The Pulumi file backend (`.govcloud/state`) and the lab's own files (`.govcloud/lab`) stay at the
repository; Pulumi's own PULUMI_BACKEND_URL moves the backend.
"""

from __future__ import annotations

import os
from pathlib import Path

from govcloud.toolchain.versions import REPO_ROOT

STATE_ENV = "GOVCLOUD_STATE_DIR"
EVIDENCE_ENV = "GOVCLOUD_EVIDENCE_ROOT"


def state_dir() -> Path:
    """`.govcloud/` at the repository root, or $GOVCLOUD_STATE_DIR (absolute)."""
    explicit = os.environ.get(STATE_ENV)
    return Path(explicit).resolve() if explicit else REPO_ROOT / ".govcloud"


def evidence_root() -> Path:
    """`<state>/evidence`, or $GOVCLOUD_EVIDENCE_ROOT (absolute: playbooks run elsewhere)."""
    explicit = os.environ.get(EVIDENCE_ENV)
    return Path(explicit).resolve() if explicit else state_dir() / "evidence"


def evidence_dir(stack: str) -> Path:
    """`<evidence root>/<stack>/`: plan.json, findings.json, hosts.json, harden/, drills/."""
    return evidence_root() / stack


def runs_dir() -> Path:
    """`<state>/runs`: ansible-runner private data directories."""
    return state_dir() / "runs"
