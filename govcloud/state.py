"""Where govcloud keeps what it writes: `.govcloud/` at the repository root (contracts §7).

One place for every part (plan, policy gate, hardening, verification, drills, report), so that the
evidence an auditor reads is found where each command wrote it, whatever the working directory.

* GOVCLOUD_STATE_DIR moves the whole directory (runs, evidence; tests keep theirs out of the repo);
* GOVCLOUD_EVIDENCE_ROOT moves the evidence root only.

The Pulumi file backend (`.govcloud/state`) and the lab's own files (`.govcloud/lab`) stay at the
repository; Pulumi's own PULUMI_BACKEND_URL moves the backend.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def write_json(
    path: Path,
    doc: object,
    *,
    out: Path | None = None,
    indent: int = 2,
    default: Callable[[Any], Any] | None = None,
) -> Path:
    """Write one evidence document (UTF-8 JSON), atomically, and a copy to `out` if given."""
    text = json.dumps(doc, ensure_ascii=False, indent=indent, default=default) + "\n"
    for target in (path, out):
        if target is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)  # a reader never sees half a document
    return path
