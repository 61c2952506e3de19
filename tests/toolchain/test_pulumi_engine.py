"""The real Pulumi engine (CLI + govcloud's language host + Kubernetes provider) on a file backend.

One stack goes through preview, up (manifests appear on disk), a second up with no changes, and
destroy (manifests removed). The tests run in file order and share the stack.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.toolchain.conftest import Runner


@pytest.fixture(scope="module")
def stack(pulumi: Runner, smoke_project: Path) -> Path:
    render = smoke_project / "rendered"
    pulumi("stack", "init", "smoke")
    pulumi("config", "set", "smoke:renderDir", str(render))
    return render


def test_preview_plans_three_resources(pulumi: Runner, stack: Path) -> None:
    proc = pulumi("preview", "--diff")
    assert "+ 4 to create" in proc.stdout or "4 to create" in proc.stdout, proc.stdout
    assert not stack.exists(), "preview must not write manifests"


def test_up_renders_manifests(pulumi: Runner, stack: Path) -> None:
    proc = pulumi("up", "--yes", "--skip-preview")
    assert "4 created" in proc.stdout, proc.stdout
    manifests = sorted((stack / "1-manifest").glob("*.yaml"))
    docs = [yaml.safe_load(p.read_text()) for p in manifests]
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["ConfigMap", "Namespace"]
    ns = next(d for d in docs if d["kind"] == "Namespace")
    assert ns["metadata"]["labels"]["govcloud.io/level"] == "3"


def test_second_up_changes_nothing(pulumi: Runner, stack: Path) -> None:
    proc = pulumi("up", "--yes", "--expect-no-changes")
    assert "4 unchanged" in proc.stdout, proc.stdout


def test_outputs_are_readable(pulumi: Runner, stack: Path) -> None:
    proc = pulumi("stack", "output", "namespace")
    assert proc.stdout.strip() == "govcloud-smoke"


def test_destroy_removes_manifests(pulumi: Runner, stack: Path) -> None:
    proc = pulumi("destroy", "--yes")
    assert "4 deleted" in proc.stdout, proc.stdout
    assert not list((stack / "1-manifest").glob("*.yaml"))
    pulumi("stack", "rm", "--yes", "smoke")
