"""The CrossGuard pack with the real engine: `pulumi preview --policy-pack` blocks a violating lab
change (mandatory violation, non-zero exit) and passes a clean one. Same OPA decision as the gate."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from govcloud.policy import paths
from govcloud.toolchain import versions as v
from govcloud.toolchain.env import ToolMissingError, pulumi_env, tool_path
from tests.policy.conftest import FIXTURES

pytestmark = pytest.mark.engine
PACK_DIR = paths.POLICIES / "crossguard"
LAUNCHER = PACK_DIR / "govcloud-crossguard"
Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def pulumi_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Runner, Path]:
    try:
        binary = tool_path("pulumi")
        tool_path("pulumi-resource-kubernetes")
    except ToolMissingError as exc:
        pytest.fail(f"the CrossGuard test needs the Pulumi CLI and Kubernetes provider: {exc}", pytrace=False)
    project = tmp_path_factory.mktemp("crossguard")
    for f in (FIXTURES / "crossguard_program").iterdir():
        shutil.copy(f, project / f.name)
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(pulumi_yaml.read_text().replace("VENV", str(v.REPO_ROOT / ".venv")))
    env = pulumi_env()
    # A fresh machine's environment: Python buffers a pipe's output. The language host must cope
    # (it did not, and the preview hung waiting for the pack's port, when this was inherited).
    env.pop("PYTHONUNBUFFERED", None)
    env["PULUMI_BACKEND_URL"] = f"file://{tmp_path_factory.mktemp('crossguard-state')}"
    env["GOVCLOUD_LEVEL"] = "3"
    env["GOVCLOUD_WAIVERS"] = str(FIXTURES / "waivers" / "none.yaml")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(binary), *args, "--non-interactive"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    init = run("stack", "init", "policy")
    assert init.returncode == 0, init.stderr
    assert run("config", "set", "fixture:renderDir", str(project / "rendered")).returncode == 0
    return run, project


def test_violating_change_is_blocked(pulumi_project: tuple[Runner, Path]) -> None:
    run, _ = pulumi_project
    assert run("config", "set", "fixture:violate", "true").returncode == 0
    proc = run("preview", "--policy-pack", str(LAUNCHER))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "djcp-mandatory" in out and "mandatory" in out
    assert "DJCP-K8S-004" in out and "8.1.4.2.d" in out  # privileged container
    assert "DJCP-K8S-003" in out  # hostNetwork


def test_clean_change_passes(pulumi_project: tuple[Runner, Path]) -> None:
    run, _ = pulumi_project
    assert run("config", "set", "fixture:violate", "false").returncode == 0
    proc = run("preview", "--policy-pack", str(LAUNCHER))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "DJCP-" not in out


def test_directory_pack_form(pulumi_project: tuple[Runner, Path]) -> None:
    """The pack given as a directory runs through the language host's RunPlugin, with the same verdicts."""
    run, _ = pulumi_project
    assert run("config", "set", "fixture:violate", "true").returncode == 0
    proc = run("preview", "--policy-pack", str(PACK_DIR))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "DJCP-K8S-004" in out and "mandatory" in out
    assert run("config", "set", "fixture:violate", "false").returncode == 0
    proc = run("preview", "--policy-pack", str(PACK_DIR))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bridge_gives_the_gate_decision(opa_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack's bridge asks the same OPA decision: blocking -> mandatory, other fails -> advisory."""
    from govcloud.policy.crossguard import PackResource, violations  # noqa: PLC0415

    monkeypatch.setenv("GOVCLOUD_OPA_URL", opa_url)
    monkeypatch.setenv("GOVCLOUD_WAIVERS", str(FIXTURES / "waivers" / "none.yaml"))
    monkeypatch.delenv("GOVCLOUD_PLAN", raising=False)
    urn = "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::web"
    deploy = PackResource(
        urn=urn,
        type="kubernetes:apps/v1:Deployment",
        props={
            "metadata": {"name": "web", "namespace": "gx"},
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "c", "image": "nginx:latest", "securityContext": {"privileged": True}}
                        ]
                    }
                }
            },
        },
    )
    stack = PackResource(
        urn="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type="pulumi:pulumi:Stack", props={}
    )
    blocking = violations([deploy, stack], mandatory=True)
    assert any("DJCP-K8S-004" in v.message and v.urn == urn for v in blocking)
    advisory = violations([deploy, stack], mandatory=False)
    assert all("DJCP-K8S-004" not in v.message for v in advisory)
    monkeypatch.setenv("GOVCLOUD_LEVEL", "2")
    level2 = violations([deploy, stack], mandatory=False)
    assert any("DJCP-K8S-005" in v.message for v in level2)  # mandatory only at 3 and 4


def test_bridge_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    from govcloud.policy.crossguard import PackResource, violations  # noqa: PLC0415
    from govcloud.policy.opa_server import free_port  # noqa: PLC0415

    monkeypatch.setenv("GOVCLOUD_OPA_URL", f"http://127.0.0.1:{free_port()}")
    res = [
        PackResource(
            urn="urn:x::Namespace::a", type="kubernetes:core/v1:Namespace", props={"metadata": {"name": "a"}}
        )
    ]
    blocking = violations(res, mandatory=True)
    assert len(blocking) == 1 and "could not decide" in blocking[0].message
