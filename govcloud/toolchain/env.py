"""The process environment under which govcloud runs OPA and Pulumi: offline, no service, no surprises."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from govcloud.toolchain import versions as v

STATE_DIR = v.REPO_ROOT / ".govcloud"
PASSPHRASE_FILE = STATE_DIR / "passphrase"


class ToolMissingError(RuntimeError):
    """A required external tool is not available; the message says how to get it."""


def state_backend_dir() -> Path:
    """The Pulumi file backend: a project-owned state directory (never the Pulumi service).

    PULUMI_BACKEND_URL, if set, is used instead (`pulumi_env` keeps it).
    """
    return STATE_DIR / "state"


def _passphrase_file() -> Path:
    if not PASSPHRASE_FILE.exists():
        PASSPHRASE_FILE.parent.mkdir(parents=True, exist_ok=True)
        # Lab and test stacks only: production stacks set PULUMI_CONFIG_PASSPHRASE(_FILE) themselves.
        PASSPHRASE_FILE.write_text("govcloud-lab-passphrase\n", encoding="utf-8")
        PASSPHRASE_FILE.chmod(0o600)
    return PASSPHRASE_FILE


def tool_path(name: str) -> Path:
    """The path of a toolchain binary: the cached build if present, else one on PATH."""
    for tool in v.TOOLS:
        if name in tool.binaries:
            cached = tool.path(name)
            if cached.is_file():
                return cached
    found = shutil.which(name)
    if found:
        return Path(found)
    raise ToolMissingError(
        f"`{name}` is not built and not on PATH. Build the offline toolchain with `make toolchain` "
        f"(python3 -m govcloud.toolchain.build), which compiles it from the Go module proxy.\n"
        f"未找到 `{name}`：请运行 `make toolchain` 从 Go 模块代理离线构建。"
    )


def pulumi_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the Pulumi CLI and the Automation API: file backend, passphrase, no network."""
    env = dict(os.environ if base is None else base)
    bindirs = [str(v.PULUMI.directory()), str(v.OPA.directory())]
    venv_bin = str(v.REPO_ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join([*bindirs, venv_bin, env.get("PATH", "")])
    state = state_backend_dir()
    state.mkdir(parents=True, exist_ok=True)
    env.setdefault("PULUMI_BACKEND_URL", f"file://{state}")
    if "PULUMI_CONFIG_PASSPHRASE" not in env:
        env.setdefault("PULUMI_CONFIG_PASSPHRASE_FILE", str(_passphrase_file()))
    env["PULUMI_HOME"] = str(v.pulumi_home())
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    env["PULUMI_DISABLE_REGISTRY_RESOLVE"] = "true"
    env["PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"] = env.get(
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", "false"
    )
    env["PULUMI_PYTHON_CMD"] = str(v.REPO_ROOT / ".venv" / "bin" / "python")
    # The Kubernetes provider's renderYamlToDirectory mode must not see a kubeconfig.
    env.pop("KUBECONFIG", None)
    return env
