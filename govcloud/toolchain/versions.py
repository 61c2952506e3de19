"""Pinned versions of the external tools and where their builds are cached."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WRAPPERS = REPO_ROOT / "toolchain"

OPA_VERSION = "v1.22.3"
PULUMI_VERSION = "v3.274.1"
KUBERNETES_VERSION = "v4.25.0"
KUBERNETES_PROVIDER_MODULE_VERSION = "v4.0.0-20260115033456-f47bc2d6f199"  # = release v4.25.0
CHECKOV_VERSION = "3.3.30"


def cache_root() -> Path:
    """Where built tools live: $GOVCLOUD_CACHE, else $XDG_CACHE_HOME/govcloud, else ~/.cache/govcloud."""
    explicit = os.environ.get("GOVCLOUD_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "govcloud"


@dataclass(frozen=True)
class Tool:
    """One family of binaries built from one wrapper module."""

    name: str
    version: str
    wrapper: str
    binaries: tuple[str, ...]
    extra_inputs: tuple[str, ...] = field(default=())

    def fingerprint(self) -> str:
        """Hash of the wrapper's go.mod, go.sum and Go sources: a change to any rebuilds the tool."""
        digest = hashlib.sha256()
        root = WRAPPERS / self.wrapper
        for path in sorted(root.rglob("*")):
            if path.is_file() and (path.suffix in {".mod", ".sum", ".go"}) and "-embed" not in path.name:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
        digest.update(self.version.encode())
        return digest.hexdigest()[:12]

    def directory(self) -> Path:
        return cache_root() / "tools" / f"{self.name}-{self.version}-{self.fingerprint()}"

    def path(self, binary: str) -> Path:
        return self.directory() / binary


OPA = Tool("opa", OPA_VERSION, "opa", ("opa",))
PULUMI = Tool(
    "pulumi",
    PULUMI_VERSION,
    "pulumi",
    ("pulumi", "pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-pulumi-python"),
)
KUBERNETES = Tool(
    "pulumi-resource-kubernetes", KUBERNETES_VERSION, "kubernetes", ("pulumi-resource-kubernetes",)
)
TOOLS: tuple[Tool, ...] = (OPA, PULUMI, KUBERNETES)


def pulumi_home() -> Path:
    """PULUMI_HOME: plugins and credentials, keyed by the CLI and provider versions."""
    return cache_root() / f"pulumi-home-{PULUMI_VERSION}-k8s-{KUBERNETES_VERSION}"


def checkov_venv() -> Path:
    """checkov pins many libraries that clash with ansible-lint: it gets a virtualenv of its own."""
    return cache_root() / f"checkov-{CHECKOV_VERSION}"
