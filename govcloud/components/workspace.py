"""A throwaway Pulumi workspace running the govcloud program offline (tests and benchmarks).

The workspace is a temporary directory holding a copy of Pulumi.yaml (virtualenv made absolute),
a copy of the stack config, and a link to the repository's `stacks/` program; state goes to a
file backend inside it and rendered manifests under `<dir>/render` (GOVCLOUD_RENDER_ROOT), so
nothing in the repository or the shared state directory is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pulumi import automation as auto

from govcloud.state import EVIDENCE_ENV
from govcloud.toolchain import env as toolenv
from govcloud.toolchain import versions as v


def kubernetes_plugin_dir() -> Path:
    return v.pulumi_home() / "plugins" / f"resource-kubernetes-{v.KUBERNETES_VERSION}"


def require_engine() -> None:
    """Raise ToolMissingError (saying how to get them) unless the CLI and the provider are built."""
    toolenv.tool_path("pulumi")
    toolenv.tool_path("pulumi-language-python")
    if not (kubernetes_plugin_dir() / "pulumi-resource-kubernetes").is_file():
        raise toolenv.ToolMissingError(
            f"the Kubernetes provider plugin {v.KUBERNETES_VERSION} is not installed in "
            f"{kubernetes_plugin_dir()}. Build it with `make toolchain` "
            "(python -m govcloud.toolchain.build), which compiles it from the Go module proxy and runs "
            "`pulumi plugin install resource kubernetes ... --file`.\n"
            "未安装 Kubernetes provider 插件：请运行 `make toolchain`。"
        )


@dataclass
class ProgramWorkspace:
    """One stack of the govcloud program in a private directory."""

    root: Path
    stack_name: str
    stack: auto.Stack

    @property
    def render_root(self) -> Path:
        return self.root / "render"

    @classmethod
    def create(
        cls, root: Path, stack_name: str, config_file: Path, *, checkpoints: bool = False
    ) -> ProgramWorkspace:
        require_engine()
        root.mkdir(parents=True, exist_ok=True)
        project = yaml.safe_load((v.REPO_ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
        project["runtime"]["options"]["virtualenv"] = str(v.REPO_ROOT / ".venv")
        (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, allow_unicode=True), encoding="utf-8")
        (root / f"Pulumi.{stack_name}.yaml").write_text(
            config_file.read_text(encoding="utf-8"), encoding="utf-8"
        )
        link = root / "stacks"
        if not link.exists():
            link.symlink_to(v.REPO_ROOT / "stacks", target_is_directory=True)
        state = root / "state"
        state.mkdir(exist_ok=True)
        env = toolenv.pulumi_env()
        env["PULUMI_BACKEND_URL"] = f"file://{state}"
        env["GOVCLOUD_RENDER_ROOT"] = str(root / "render")
        env[EVIDENCE_ENV] = str(root / "evidence")
        # Pulumi's file backend serialises and integrity-checks the whole snapshot after every step,
        # even in a preview that writes nothing: quadratic in the number of resources (a 9,600-
        # resource preview ran for over an hour). This state is thrown away with the directory, so
        # keep only the final snapshot (`checkpoints=True` restores Pulumi's default, for the bench).
        # Stacks whose state matters (the lab) keep every checkpoint.
        if not checkpoints:
            env["PULUMI_SKIP_CHECKPOINTS"] = "true"
        # The Automation API wants <root>/bin/pulumi: point it at the toolchain's build.
        cli = root / "pulumi-cli" / "bin"
        cli.mkdir(parents=True, exist_ok=True)
        if not (cli / "pulumi").exists():
            (cli / "pulumi").symlink_to(toolenv.tool_path("pulumi"))
        command = auto.PulumiCommand(root=str(root / "pulumi-cli"))
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(root), pulumi_home=str(v.pulumi_home()), env_vars=env, pulumi_command=command
        )
        stack = auto.create_or_select_stack(stack_name=stack_name, work_dir=str(root), opts=opts)
        # These workspaces render manifests only: never build lab namespaces from a test or bench run.
        stack.set_config("lab:declare", auto.ConfigValue(value="false"))
        return cls(root, stack_name, stack)

    def preview(self) -> auto.PreviewResult:
        return self.stack.preview(color="never", diff=False, suppress_progress=True)

    def up(self) -> auto.UpResult:
        return self.stack.up(color="never", diff=False, suppress_progress=True)

    def destroy(self) -> None:
        """Destroy the stack's resources and remove the stack from the private backend."""
        self.stack.destroy(color="never", suppress_progress=True)
        self.stack.workspace.remove_stack(self.stack_name)


def stack_config_text(raw: dict[str, object]) -> str:
    """A `Pulumi.<stack>.yaml` holding the given `govcloud:` settings."""
    config: dict[str, object] = {"pulumi:disable-default-providers": ["kubernetes"]}
    config.update({f"govcloud:{k}": v for k, v in raw.items()})
    return yaml.safe_dump({"config": config}, allow_unicode=True, sort_keys=False)
