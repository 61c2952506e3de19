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
from pathlib import Path
from typing import Any

from govcloud.toolchain import versions as v


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


def _go_build(wrapper: Path, package: str, output: Path, tags: str, ldflags: str, cgo: bool = True) -> None:
    env = {} if cgo else {"CGO_ENABLED": "0"}
    cmd = [_go(), "build", "-trimpath", "-tags", tags, "-ldflags", ldflags, "-o", str(output), package]
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


def _build_kubernetes(tool: v.Tool, out: Path) -> None:
    wrapper = v.WRAPPERS / tool.wrapper
    module = module_dir(wrapper, "github.com/pulumi/pulumi-kubernetes/provider/v4")
    pkg = wrapper / "cmd" / "pulumi-resource-kubernetes"
    schema = json.loads((module / "cmd/pulumi-resource-kubernetes/schema.json").read_text())
    schema["version"] = tool.version.lstrip("v")
    (pkg / "schema-embed.json").write_text(json.dumps(schema, separators=(",", ":")))
    mapping = json.loads((module / "cmd/pulumi-resource-kubernetes/terraform-mapping.json").read_text())
    (pkg / "terraform-mapping-embed.json").write_text(json.dumps(mapping, separators=(",", ":")))
    ldflags = f"-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version={tool.version}"
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
    """checkov in its own virtualenv (its pins clash with ansible-lint's), called as a program."""
    venv = v.checkov_venv()
    exe = venv / "bin" / "checkov"
    if exe.is_file():
        return {"tool": "checkov", "version": v.CHECKOV_VERSION, "status": "cached", "path": str(exe)}
    _log(f"checkov {v.CHECKOV_VERSION}: creating its own virtualenv at {venv} ...")
    started = time.monotonic()
    staging = venv.with_name(venv.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _run([python, "-m", "venv", str(venv)], cwd=v.REPO_ROOT)
        _run([str(venv / "bin" / "pip"), "install", "-q", f"checkov=={v.CHECKOV_VERSION}"], cwd=v.REPO_ROOT)
    except BuildError:
        shutil.rmtree(venv, ignore_errors=True)
        raise
    seconds = round(time.monotonic() - started, 1)
    _log(f"checkov {v.CHECKOV_VERSION}: installed in {seconds} s")
    return {"tool": "checkov", "version": v.CHECKOV_VERSION, "status": "built", "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build govcloud's offline toolchain (OPA, Pulumi, plugins).")
    parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    parser.add_argument("--only", default="", help="comma-separated subset: opa,pulumi,kubernetes,checkov")
    args = parser.parse_args(argv)
    wanted = {w.strip() for w in args.only.split(",") if w.strip()} or {
        "opa",
        "pulumi",
        "kubernetes",
        "checkov",
    }
    results: list[dict[str, Any]] = []
    try:
        if "opa" in wanted:
            results.append(build_tool(v.OPA))
        if "pulumi" in wanted or "kubernetes" in wanted:
            results.append(build_tool(v.PULUMI))
        if "kubernetes" in wanted:
            results.append(build_tool(v.KUBERNETES))
            results.append(install_kubernetes_plugin())
        if "checkov" in wanted:
            results.append(install_checkov())
    except BuildError as exc:
        _log(f"FAILED: {exc}")
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc), "results": results}, indent=2))
        return 1
    record = v.cache_root() / "build-log.jsonl"
    record.parent.mkdir(parents=True, exist_ok=True)
    with record.open("a", encoding="utf-8") as fh:
        for r in results:
            if r["status"] != "cached":
                fh.write(json.dumps({**r, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}) + "\n")
    if args.json:
        print(json.dumps({"ok": True, "results": results}, indent=2))
    else:
        for r in results:
            _log(f"{r['tool']}: {r['status']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
