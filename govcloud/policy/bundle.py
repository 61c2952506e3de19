"""Builds the OPA bundle from policies/govcloud: every rule module, no tests, a revision hash."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from govcloud.policy import paths


def rule_modules(root: Path = paths.REGO_ROOT) -> list[Path]:
    """The shipped Rego modules (tests and test data excluded)."""
    return sorted(
        p for p in root.rglob("*.rego") if not p.name.endswith("_test.rego") and "testdata" not in p.parts
    )


def revision(root: Path = paths.REGO_ROOT) -> str:
    """A content hash of the shipped modules: the bundle revision recorded with every result."""
    digest = hashlib.sha256()
    for module in rule_modules(root):
        digest.update(module.relative_to(root).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def build_bundle(target: Path, root: Path = paths.REGO_ROOT) -> str:
    """Writes a bundle directory (modules + .manifest) into `target`; returns its revision."""
    target.mkdir(parents=True, exist_ok=True)
    for module in rule_modules(root):
        dest = target / "govcloud" / module.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(module, dest)
    rev = revision(root)
    manifest = {"revision": rev, "roots": ["govcloud"], "rego_version": 1}
    (target / ".manifest").write_text(json.dumps(manifest), encoding="utf-8")
    return rev
