"""ansible-lint, production profile, over the playbook project (role, playbook, RHEL vars)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from govcloud.runner.paths import PLAYBOOKS


def test_ansible_lint_production_profile_clean() -> None:
    lint = Path(sys.executable).parent / "ansible-lint"
    exe = str(lint) if lint.exists() else shutil.which("ansible-lint")
    assert exe, "ansible-lint is missing: pip install 'ansible-lint==26.10.1' (dev extra of pyproject.toml)"
    targets = ["project/harden.yml", "project/roles/djcp_hardening"]  # drills/ has its own owner
    proc = subprocess.run(
        [exe, "--profile", "production", "--offline", "--nocolor", *targets],
        cwd=PLAYBOOKS,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
