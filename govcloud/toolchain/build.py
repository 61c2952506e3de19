"""Build the offline toolchain from the Go module proxy, once per version, into the cache.

Usage: python3 -m govcloud.toolchain.build [--json] [--only opa,pulumi,...]

Each tool family is built from a small wrapper module under toolchain/ (its go.mod and go.sum are
committed, so the build makes no checksum-database round trips). Binaries land in
$GOVCLOUD_CACHE/tools/<tool>-<version>-<fingerprint>/; a second run finds them and builds nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from govcloud.toolchain import versions as v

# Written last into a virtualenv the build made, so a half-made one is never taken for complete.
COMPLETE = ".govcloud-complete"
BUILD_GOGC = "400"


class BuildError(RuntimeError):
    """A tool could not be built; the message says which command failed and how to retry."""


def _log(msg: str) -> None:
    print(f"[toolchain] {msg}", file=sys.stderr, flush=True)


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    merged = dict(os.environ)
    merged.update(env or {})
    proc = subprocess.run(cmd, cwd=cwd, env=merged, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise BuildError(f"command failed ({proc.returncode}) in {cwd}: {' '.join(cmd)}\n{tail}")
    return proc.stdout


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise BuildError("the Go toolchain (go 1.26) is not on PATH: install it (Debian: golang) and retry")
    return go


def module_dir(wrapper: Path, module: str) -> Path:
    """Download MODULE at the version the wrapper's go.mod selects, and return its directory.

    `go mod download -json` fetches the module when the cache is cold and prints its `Dir`; on a
    warm cache it only prints. An empty or missing `Dir` is an error naming the module and the
    command to retry, never a path relative to the wrapper (`Path("")` is `.`).
    """
    version = _run([_go(), "list", "-m", "-f", "{{.Version}}", module], cwd=wrapper).strip()
    if not version:
        raise BuildError(f"{wrapper / 'go.mod'} does not require {module}: run `go mod tidy` in {wrapper}")
    out = _run([_go(), "mod", "download", "-json", f"{module}@{version}"], cwd=wrapper)
    try:
        info = json.loads(out)
    except json.JSONDecodeError as exc:
        raise BuildError(f"`go mod download -json {module}@{version}` printed no JSON: {exc}") from exc
    if info.get("Error"):
        raise BuildError(f"cannot download {module}@{version}: {info['Error']}")
    directory = str(info.get("Dir") or "")
    if not directory or not Path(directory).is_absolute() or not Path(directory).is_dir():
        raise BuildError(
            f"{module}@{version} has no directory in the Go module cache (got {directory!r}): "
            f"run `go mod download {module}@{version}` in {wrapper} and retry"
        )
    return Path(directory)


def _go_build(
    wrapper: Path, package: str, output: Path, tags: str, ldflags: str, *, cgo: bool = True
) -> None:
    env = {} if cgo else {"CGO_ENABLED": "0"}
    # The compiler and linker are Go programs: collecting garbage 4x less often cut their CPU time
    # by 17-25 % in A/B builds of OPA here (bench/toolchain_bench.py --gogc), for ~50 % more memory.
    env["GOGC"] = os.environ.get("GOGC", BUILD_GOGC)
    # -buildvcs=false: the wrappers live in govcloud's own git checkout, whose history is not the
    # tool's; without it the result would depend on the user's git configuration (safe.directory).
    cmd = [_go(), "build", "-trimpath", "-buildvcs=false", "-tags", tags, "-ldflags", ldflags]
    cmd += ["-o", str(output), package]
    _run(cmd, cwd=wrapper, env=env)


def _build_opa(tool: v.Tool, out: Path) -> None:
    wrapper = v.WRAPPERS / tool.wrapper
    # OPA reads its version from the module's build info: no -X stamp needed.
    _go_build(wrapper, "github.com/open-policy-agent/opa", out / "opa", "opa_no_oci", "-s -w", cgo=False)


def _build_pulumi(tool: v.Tool, out: Path) -> None:
    wrapper = v.WRAPPERS / tool.wrapper
    ldflags = f"-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version={tool.version}"
    tags = "osusergo,grpcnotrace"
    _go_build(wrapper, "./cmd/pulumi-language-python", out / "pulumi-language-python", tags, ldflags)
    _go_build(wrapper, "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", out / "pulumi", tags, ldflags)
    sdk = module_dir(wrapper, "github.com/pulumi/pulumi/sdk/v3")
    for shim in ("python/cmd/pulumi-language-python-exec", "python/dist/pulumi-resource-pulumi-python"):
        target = out / Path(shim).name
        shutil.copyfile(sdk / shim, target)  # the module cache is read-only: copy, then chmod
        target.chmod(0o755)


KUBERNETES_MODULE = "github.com/pulumi/pulumi-kubernetes/provider/v4"


def prepare_kubernetes(wrapper: Path) -> Path:
    """Write the two JSON files the provider's main package embeds; return the package directory.

    They are generated upstream and not part of the Go module: they are read from the module's
    cmd/pulumi-resource-kubernetes (downloaded first: `module_dir`), with the release version stamped
    into the schema. A missing file is an error naming it, never a traceback.
    """
    module = module_dir(wrapper, KUBERNETES_MODULE)
    pkg = wrapper / "cmd" / "pulumi-resource-kubernetes"
    sources = module / "cmd" / "pulumi-resource-kubernetes"
    embeds = {"schema.json": "schema-embed.json", "terraform-mapping.json": "terraform-mapping-embed.json"}
    for name, embed in embeds.items():
        try:
            doc = json.loads((sources / name).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise BuildError(f"{KUBERNETES_MODULE}: cannot read {sources / name}: {exc}") from exc
        if name == "schema.json":
            doc["version"] = v.KUBERNETES_VERSION.lstrip("v")
        (pkg / embed).write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return pkg


def _build_kubernetes(tool: v.Tool, out: Path) -> None:
    wrapper = v.WRAPPERS / tool.wrapper
    prepare_kubernetes(wrapper)
    ldflags = f"-s -w -X {KUBERNETES_MODULE}/pkg/version.Version={tool.version}"
    _go_build(
        wrapper, "./cmd/pulumi-resource-kubernetes", out / "pulumi-resource-kubernetes", "osusergo", ldflags
    )


BUILDERS = {"opa": _build_opa, "pulumi": _build_pulumi, "pulumi-resource-kubernetes": _build_kubernetes}


def is_built(tool: v.Tool) -> bool:
    return all(tool.path(b).is_file() for b in tool.binaries)


def build_tool(tool: v.Tool) -> dict[str, Any]:
    """Build one tool unless its cache entry is complete; return what happened, with timings."""
    target = tool.directory()
    if is_built(tool):
        return {"tool": tool.name, "version": tool.version, "status": "cached", "path": str(target)}
    _log(f"{tool.name} {tool.version}: building from the Go module proxy (several minutes on 2 cores)...")
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{tool.name}-", dir=target.parent))
    staging.chmod(0o755)
    try:
        BUILDERS[tool.name](tool, staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)  # atomic: a killed build never leaves a half-filled cache entry
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    seconds = round(time.monotonic() - started, 1)
    sizes = {b: tool.path(b).stat().st_size for b in tool.binaries}
    _log(f"{tool.name} {tool.version}: built in {seconds} s ({sum(sizes.values()) / 1e6:.1f} MB)")
    return {
        "tool": tool.name,
        "version": tool.version,
        "status": "built",
        "seconds": seconds,
        "bytes": sizes,
        "path": str(target),
    }


def install_kubernetes_plugin() -> dict[str, Any]:
    """Register the provider with the Pulumi CLI (`pulumi plugin install ... --file`), offline."""
    version = v.KUBERNETES_VERSION.lstrip("v")
    home = v.pulumi_home()
    plugin_dir = home / "plugins" / f"resource-kubernetes-v{version}"
    if (plugin_dir / "pulumi-resource-kubernetes").is_file():
        return {"tool": "kubernetes-plugin", "status": "cached", "path": str(plugin_dir)}
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    cmd = [
        str(v.PULUMI.path("pulumi")),
        "plugin",
        "install",
        "resource",
        "kubernetes",
        version,
        "--file",
        str(v.KUBERNETES.path("pulumi-resource-kubernetes")),
        "--non-interactive",
    ]
    _run(cmd, cwd=v.REPO_ROOT, env=env)
    _log(f"kubernetes provider {version} installed into {home}")
    return {"tool": "kubernetes-plugin", "status": "installed", "path": str(plugin_dir)}


def install_checkov(python: str = sys.executable) -> dict[str, Any]:
    """checkov in its own virtualenv (its pins clash with ansible-lint's), called as a program.

    The virtualenv is made beside its final place and renamed when pip has finished, so a killed
    install never leaves a `checkov` executable that is not complete. (A virtualenv's scripts carry
    its path, so it is created at the final path under a lock-free staging name, then checked.)
    """
    venv = v.checkov_venv()
    exe = venv / "bin" / "checkov"
    if exe.is_file() and (venv / COMPLETE).is_file():
        return {"tool": "checkov", "version": v.CHECKOV_VERSION, "status": "cached", "path": str(exe)}
    _log(f"checkov {v.CHECKOV_VERSION}: creating its own virtualenv at {venv} (pip, about 1-2 minutes) ...")
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)  # an incomplete earlier attempt
    try:
        _run([python, "-m", "venv", str(venv)], cwd=v.REPO_ROOT)
        _run([str(venv / "bin" / "pip"), "install", "-q", f"checkov=={v.CHECKOV_VERSION}"], cwd=v.REPO_ROOT)
        _run([str(exe), "--version"], cwd=v.REPO_ROOT)
    except BuildError:
        shutil.rmtree(venv, ignore_errors=True)
        raise
    (venv / COMPLETE).write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z") + "\n", encoding="utf-8")
    seconds = round(time.monotonic() - started, 1)
    _log(f"checkov {v.CHECKOV_VERSION}: installed in {seconds} s")
    return {"tool": "checkov", "version": v.CHECKOV_VERSION, "status": "built", "seconds": seconds}


# The names `--only` (and `make toolchain ONLY=...`) takes, in build order; `kubernetes` needs the
# Pulumi CLI to register the provider plugin.
STEPS = ("opa", "pulumi", "kubernetes", "checkov")


def build_command(step: str) -> str:
    """The command that builds one step: what `govcloud doctor` tells a user to run."""
    return f"make toolchain ONLY={step}"


def _step_actions(step: str) -> list[Callable[[], dict[str, Any]]]:
    if step == "opa":
        return [lambda: build_tool(v.OPA)]
    if step == "pulumi":
        return [lambda: build_tool(v.PULUMI)]
    if step == "kubernetes":
        return [lambda: build_tool(v.PULUMI), lambda: build_tool(v.KUBERNETES), install_kubernetes_plugin]
    return [install_checkov]


def _record(entries: list[dict[str, Any]]) -> None:
    """Append built and failed steps to the build log `govcloud doctor` reads (cache hits are not logged)."""
    record = build_log()
    record.parent.mkdir(parents=True, exist_ok=True)
    with record.open("a", encoding="utf-8") as fh:
        for entry in entries:
            if entry["status"] != "cached":
                fh.write(json.dumps({**entry, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}) + "\n")


def build_log() -> Path:
    return v.cache_root() / "build-log.jsonl"


def last_failures() -> dict[str, dict[str, Any]]:
    """The last logged failure of each step that has not been built since (for `govcloud doctor`)."""
    path = build_log()
    failures: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return failures
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            continue
        step = str(entry.get("step") or entry.get("tool") or "")
        if entry.get("status") == "failed":
            failures[step] = entry
        elif entry.get("status") in {"built", "installed"}:
            failures.pop(step, None)
    return failures


def _run_step(step: str) -> tuple[list[dict[str, Any]], BuildError | None]:
    """One step's actions in order; the results so far and the error that stopped it, if any."""
    results: list[dict[str, Any]] = []
    for action in _step_actions(step):
        try:
            try:
                results.append({"step": step, **action()})
            except OSError as exc:  # a cache directory that is not ours, a full disk, ...
                where = f" ({exc.filename})" if exc.filename else ""
                raise BuildError(f"{step}: {exc.strerror or exc}{where}") from exc
        except BuildError as exc:
            failed = {"step": step, "status": "failed", "error": str(exc)[:4000], "fix": build_command(step)}
            return [*results, failed], exc
    return results, None


# Steps that mostly wait on the network (pip): they run beside the Go builds, which keep both cores
# busy compiling, instead of after them.
BESIDE_GO = frozenset({"checkov"})


def run_steps(wanted: list[str]) -> tuple[list[dict[str, Any]], BuildError | None]:
    """Run the wanted steps (Go builds in order, pip installs beside them); log what was built or failed.

    A failed Go step stops the Go steps after it; the step beside them still finishes. The first
    error is returned; every failure is logged with its step, for `govcloud doctor`.
    """
    beside = [s for s in STEPS if s in wanted and s in BESIDE_GO]
    in_order = [s for s in STEPS if s in wanted and s not in BESIDE_GO]
    with ThreadPoolExecutor(max_workers=max(1, len(beside))) as pool:
        futures = [pool.submit(_run_step, s) for s in beside]
        entries: list[dict[str, Any]] = []
        first: BuildError | None = None
        for step in in_order:
            done, error = _run_step(step)
            entries += done
            if error is not None:
                first = error
                break
        for future in futures:
            done, error = future.result()
            entries += done
            first = first or error
    _record(entries)
    return [e for e in entries if e["status"] != "failed"], first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build govcloud's offline toolchain (OPA, Pulumi, plugins).")
    parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {','.join(STEPS)}")
    args = parser.parse_args(argv)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()] or list(STEPS)
    unknown = [w for w in wanted if w not in STEPS]
    if unknown:
        _log(f"unknown step(s) {', '.join(unknown)}: choose from {', '.join(STEPS)}")
        return 2
    results, error = run_steps(wanted)
    if error is not None:
        _log(f"FAILED: {error}")
        _log("构建失败：见上方说明；修复后重新运行同一命令即可（已完成的步骤不会重复构建）。")
        if args.json:
            print(json.dumps({"ok": False, "error": str(error), "results": results}, indent=2))
        return 1
    if args.json:
        print(json.dumps({"ok": True, "results": results}, indent=2))
    else:
        for r in results:
            _log(f"{r['tool']}: {r['status']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
