"""Where the policy gate finds its files in the repository."""

from __future__ import annotations

from pathlib import Path

from govcloud.toolchain.versions import REPO_ROOT

POLICIES = REPO_ROOT / "policies"
REGO_ROOT = POLICIES / "govcloud"
CATALOGUE = POLICIES / "catalogue.yaml"
WAIVERS = POLICIES / "waivers.yaml"
CHECKOV_DIR = POLICIES / "checkov"
CHECKOV_CHECKS = CHECKOV_DIR / "checks"
CHECKOV_MAPPING = CHECKOV_DIR / "mapping.yaml"
PLAYBOOKS = REPO_ROOT / "playbooks"
EVIDENCE = REPO_ROOT / ".govcloud" / "evidence"

DECISION_PATH = "govcloud/main/decision"


def evidence_dir(stack: str) -> Path:
    """.govcloud/evidence/<stack>/ (contracts §7)."""
    return EVIDENCE / stack
