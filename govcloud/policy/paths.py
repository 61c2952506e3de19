"""Where the policy gate finds its files in the repository."""

from __future__ import annotations

from govcloud.toolchain.versions import REPO_ROOT

POLICIES = REPO_ROOT / "policies"
REGO_ROOT = POLICIES / "govcloud"
CATALOGUE = POLICIES / "catalogue.yaml"
WAIVERS = POLICIES / "waivers.yaml"
CHECKOV_DIR = POLICIES / "checkov"
CHECKOV_CHECKS = CHECKOV_DIR / "checks"
CHECKOV_MAPPING = CHECKOV_DIR / "mapping.yaml"
PLAYBOOKS = REPO_ROOT / "playbooks"

DECISION_PATH = "govcloud/main/decision"
