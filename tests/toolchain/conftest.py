"""Fixtures for the real-engine smoke tests of the offline toolchain."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from govcloud.toolchain import versions as v
from govcloud.toolchain.env import pulumi_env, tool_path

FIXTURES = Path(__file__).parent / "fixtures"

Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def opa() -> Path:
    # tool_path raises ToolMissingError naming the fix (`make toolchain`): a failure, never a skip.
    return tool_path("opa")


@pytest.fixture(scope="session")
def smoke_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the smoke program, its virtualenv pointed at the repository's."""
    project = tmp_path_factory.mktemp("k8s-smoke")
    for f in (FIXTURES / "k8s-smoke").iterdir():
        shutil.copy(f, project / f.name)
    yaml = project / "Pulumi.yaml"
    yaml.write_text(yaml.read_text().replace("VENV", str(v.REPO_ROOT / ".venv")))
    return project


@pytest.fixture(scope="session")
def pulumi(tmp_path_factory: pytest.TempPathFactory, smoke_project: Path) -> Runner:
    """Run the real Pulumi CLI on the smoke project with a private file backend."""
    binary = tool_path("pulumi")
    state = tmp_path_factory.mktemp("pulumi-state")
    env = pulumi_env()
    env["PULUMI_BACKEND_URL"] = f"file://{state}"

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(binary), *args, "--non-interactive"],
            cwd=smoke_project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    return run
