"""`lab up | down | status | refresh` over the Pulumi Automation API, with a lock and a crash-safe down."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from govcloud.contracts.lab_status import LabStatus
from govcloud.contracts.plan import PlanDocument
from govcloud.lab import cleanup, image, inventory, latency, naming, sh, status
from govcloud.lab.cleanup import sweep
from govcloud.lab.locking import stack_lock
from govcloud.lab.spec import LabSpec, build_spec
from govcloud.labstack import migrate
from govcloud.labstack.program import declare_lab
from govcloud.toolchain import env, versions

PROJECT = os.environ.get("GOVCLOUD_LAB_PROJECT", "govcloud-lab")
REPO_PROJECT = "govcloud"  # the name in the repository's Pulumi.yaml


def repo_stack(stack: str) -> bool:
    """A stack of the repository's own program (Pulumi.<stack>.yaml exists, e.g. `lab`).

    For such a stack `govcloud lab up` is `pulumi up -s <stack>` of the repository program
    (stacks/__main__.py, which renders the manifests and, with `lab:declare: true` in the stack
    config, declares the lab through `declare_lab`): one program, one state. Other stack names
    (tests, benchmarks) run the lab alone as an inline program of project `govcloud-lab`.
    """
    return (versions.REPO_ROOT / f"Pulumi.{stack}.yaml").is_file()


def project_of(stack: str) -> str:
    return REPO_PROJECT if repo_stack(stack) else PROJECT
Output = Callable[[str], Any]


class LabError(RuntimeError):
    """An error to show the user as is (no traceback): not root, busy, a failed Pulumi operation."""


def require_root() -> None:
    if os.geteuid() != 0:
        raise LabError(
            "the lab creates network namespaces, mounts and nftables tables: run it as root "
            "(e.g. `sudo .venv/bin/govcloud lab up`).\n"
            "实验环境需要 root 权限（网络命名空间、挂载、nftables）。"
        )


def preflight(cache_needed: bool = True) -> None:
    """Every tool the lab runs must be there before anything is created (clear ToolMissingError)."""
    tools = ["ip", "tc", "nft", "ssh-keygen", "unshare", "mount", "ss"]
    if cache_needed and not image.is_ready(naming.cache_dir()):
        tools.append("debootstrap")
    sh.require(*tools)
    env.tool_path("pulumi")


def lab_env() -> dict[str, str]:
    e = env.pulumi_env()
    # The lab's state must survive a killed run (repair_checkpoint, `lab down`): keep Pulumi's
    # per-step checkpoints even if the caller's environment turns them off.
    e.pop("PULUMI_SKIP_CHECKPOINTS", None)
    venv = versions.REPO_ROOT / ".venv"
    if (venv / "bin" / "python").exists():
        e["PULUMI_RUNTIME_VIRTUALENV"] = str(venv)  # the dynamic provider process imports govcloud
    return e


def _stack(stack: str, program: Callable[[], None]) -> auto.Stack:
    work = naming.state_dir(stack) / "project"
    work.mkdir(parents=True, exist_ok=True)
    e = lab_env()
    e[cleanup.ENGINE_MARK] = stack  # `lab down` finds the engine processes of a killed run by it
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = e["PATH"]  # PulumiCommand probes `pulumi version` with the process PATH
    try:
        command = auto.PulumiCommand(skip_version_check=True)
    finally:
        os.environ["PATH"] = old_path
    if repo_stack(stack):
        repo = str(versions.REPO_ROOT)
        opts = auto.LocalWorkspaceOptions(work_dir=repo, env_vars=e, pulumi_command=command)
        return auto.create_or_select_stack(stack_name=stack, work_dir=repo, opts=opts)
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(work), env_vars=e, pulumi_command=command,
        project_settings=auto.ProjectSettings(name=PROJECT, runtime="python"),
    )
    return auto.create_or_select_stack(stack_name=stack, project_name=PROJECT, program=program, opts=opts)


def _noop() -> None:
    """The empty program: destroy and refresh do not run the program's resources."""


def up(stack: str, plan: PlanDocument | Mapping[str, Any], on_output: Output = print) -> LabStatus:
    require_root()
    spec: LabSpec = build_spec(plan, stack)
    preflight()
    with stack_lock(stack):
        on_output(f"latency mechanism / 时延模拟方式: {latency.mechanism(stack)}")
        repair_checkpoint(stack, on_output)
        st = _stack(stack, lambda: declare_lab(spec.plan, stack))
        _unstick(st, on_output)
        try:
            st.up(on_output=on_output, color="never", suppress_progress=False)
        except auto.errors.CommandError as exc:
            raise LabError(f"`pulumi up` of the lab stack {stack!r} failed:\n{_tail(exc)}") from None
    result = status.build(spec.stack)
    from govcloud.secsvc.host_services import hardening_vars  # noqa: PLC0415

    host_vars, shared = hardening_vars(spec)
    inventory.write(stack, result.hosts, flows=spec.flows, host_vars=host_vars, shared=shared)
    return result


def refresh(stack: str, on_output: Output = print) -> None:
    require_root()
    naming.check_stack(stack)
    with stack_lock(stack):
        st = _stack(stack, _noop)
        _unstick(st, on_output)
        try:
            st.refresh(on_output=on_output, color="never")
        except auto.errors.CommandError as exc:
            raise LabError(f"`pulumi refresh` of the lab stack {stack!r} failed:\n{_tail(exc)}") from None


def down(stack: str, on_output: Output = print) -> dict[str, list[str]]:
    """Destroy the stack, then sweep anything left by prefix. Safe twice and after a killed `up`."""
    require_root()
    naming.check_stack(stack)
    with stack_lock(stack, remove=True):
        destroy_error = None
        repair_checkpoint(stack, on_output)
        if _stack_exists(stack):
            st = _stack(stack, _noop)
            for attempt in range(2):
                try:
                    _unstick(st, on_output)
                    st.destroy(on_output=on_output, color="never")
                    destroy_error = None
                    break
                except auto.errors.CommandError as exc:
                    destroy_error = _tail(exc)
                    on_output(f"destroy attempt {attempt + 1} failed; sweeping by prefix and retrying")
                    sweep(stack)
        left = sweep(stack)
        if destroy_error:
            raise LabError(
                f"`pulumi destroy` of the lab stack {stack!r} failed (objects swept):\n{destroy_error}"
            )
        return left


def forget(stack: str) -> None:
    """Remove a downed lab stack from the Pulumi state and its key directory (test and bench stacks)."""
    naming.check_stack(stack)
    repair_checkpoint(stack, lambda _line: None)
    if _stack_exists(stack):
        st = _stack(stack, _noop)
        st.workspace.remove_stack(stack)
    meta = env.state_backend_dir() / ".pulumi"
    project = project_of(stack)
    for pattern in (f"{stack}.json*.bak*", f"{stack}.json*.broken-*"):  # `stack rm` leaves .bak
        for leftover in (meta / "stacks" / project).glob(pattern):
            leftover.unlink()
    for kind in ("backups", "history", "locks/organization"):
        shutil.rmtree(meta / kind / project / stack, ignore_errors=True)
    shutil.rmtree(naming.state_dir(stack), ignore_errors=True)


def _valid_json(path: Path) -> bool:
    try:
        raw = path.read_bytes()
        json.loads(gzip.decompress(raw) if ".gz" in path.suffixes else raw)
    except (OSError, ValueError, EOFError):
        return False
    return True


def repair_checkpoint(stack: str, on_output: Output = print) -> None:
    """A `lab up` killed while Pulumi wrote its checkpoint can leave it empty or cut short, and then
    every Pulumi command on the stack fails ("failed to load checkpoint: EOF"). Put back the newest
    readable backup Pulumi keeps, or else set the broken file aside (down then sweeps by prefix)."""
    meta = env.state_backend_dir() / ".pulumi"
    stacks = meta / "stacks" / project_of(stack)
    # the file backend keeps each blob's attributes in a JSON sidecar (<blob>.attrs); a missing one is
    # fine, an empty or cut one fails every read of the stack; half-written <blob>.<n>.tmp are debris
    for side in [*stacks.glob(f"{stack}.json*.attrs"), *stacks.glob(f"{stack}.json.*.tmp")]:
        if side.suffix == ".tmp" or not _valid_json(side):
            on_output(f"removing {side.name}, cut short by an interrupted run / 清除中断运行留下的残缺文件")
            side.unlink()
    for current in (stacks / f"{stack}.json", stacks / f"{stack}.json.gz"):
        if not current.is_file() or _valid_json(current):
            continue
        candidates = [stacks / f"{current.name}.bak"]
        backups = meta / "backups" / project_of(stack) / stack
        if backups.is_dir():
            candidates += sorted(backups.iterdir(), key=lambda f: f.stat().st_mtime, reverse=True)
        gz = ".gz" in current.suffixes
        good = next((c for c in candidates
                     if c.is_file() and (".gz" in c.suffixes) == gz and _valid_json(c)), None)
        broken = current.with_name(f"{current.name}.broken-{int(time.time())}")
        current.rename(broken)
        if good is not None:
            shutil.copyfile(good, current)
            on_output(f"the stack's checkpoint was cut short (killed run): restored {good.name} "
                      f"/ 状态文件损坏，已从备份恢复; the broken file is {broken.name}")
        else:
            on_output(f"the stack's checkpoint was cut short and no backup is readable: set aside as "
                      f"{broken.name} / 状态文件损坏且无可用备份")


def _stack_exists(stack: str) -> bool:
    backend = env.state_backend_dir() / ".pulumi" / "stacks" / project_of(stack)
    return any((backend / f"{stack}{suffix}").is_file() for suffix in (".json", ".json.gz"))


def _unstick(st: auto.Stack, on_output: Output) -> None:
    """After a killed `up`: release the dead run's state lock and drop its pending operations. And
    for a lab brought up by an older govcloud: rewrite its providers' module path (labstack.migrate)."""
    locks = env.state_backend_dir() / ".pulumi" / "locks" / "organization" / project_of(st.name) / st.name
    if locks.is_dir() and any(locks.iterdir()):
        on_output("removing the state lock of an interrupted run / 清除中断运行留下的状态锁")
        st.cancel()
        for f in locks.iterdir():
            f.unlink(missing_ok=True)
    try:
        deployment = st.export_stack()
    except auto.errors.CommandError:
        return
    dep: dict[str, Any] = dict(deployment.deployment or {})
    changed = False
    if dep.get("pending_operations"):
        on_output(f"dropping {len(dep['pending_operations'])} pending operation(s) of an interrupted run")
        dep["pending_operations"] = []
        changed = True
    if moved := migrate.legacy_providers(dep):
        on_output(f"{moved} resource(s) name the lab's providers by their old module path: rewritten "
                  "to govcloud.labstack.providers / 状态中的旧提供者路径已迁移")
        changed = True
    if changed:
        st.import_stack(auto.Deployment(version=deployment.version, deployment=dep))


def _tail(exc: auto.errors.CommandError, lines: int = 40) -> str:
    """The diagnostics of a failed Pulumi command (not its whole output)."""
    text = str(exc)
    if "Diagnostics:" in text:
        text = text.split("Diagnostics:", 1)[1]
        for end in ("\nOutputs:", "\nResources:"):
            text = text.split(end, 1)[0]
    return "\n".join(text.strip("\n").splitlines()[-lines:])


def status_json(stack: str, measure: bool = True) -> str:
    return json.dumps(status.build(stack, measure).dump(), ensure_ascii=False, indent=2)
