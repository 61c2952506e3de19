"""Environment checks behind `govcloud doctor`: every tool govcloud runs, its version, and the fix."""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from govcloud.toolchain import patroni
from govcloud.toolchain import versions as v
from govcloud.toolchain.build import build_command, last_failures
from govcloud.toolchain.env import ToolMissingError, pulumi_env, tool_path

MAKE_SETUP = "make setup"


@dataclass(frozen=True)
class Check:
    """The result of one check, as printed and as JSON."""

    name: str
    kind: str  # python | binary | plugin | system
    required: bool
    ok: bool
    version: str | None
    expected: str | None
    detail: str
    fix: str | None


PYTHON_PACKAGES: tuple[tuple[str, str], ...] = (
    ("pulumi", "pulumi"),
    ("pulumi-kubernetes", "pulumi_kubernetes"),
    ("pulumi-policy", "pulumi_policy"),
    ("ansible-core", "ansible"),
    ("ansible-runner", "ansible_runner"),
    ("opa-python-client", "opa_client"),
    ("pytest-testinfra", "testinfra"),
    ("netaddr", "netaddr"),
    ("typer", "typer"),
    ("rich", "rich"),
    ("pydantic", "pydantic"),
    ("PyYAML", "yaml"),
    ("Jinja2", "jinja2"),
    ("gmssl", "gmssl"),
)

# System tools from Debian's packages: (command, package, version argument, purpose).
SYSTEM_TOOLS: tuple[tuple[str, str, str, str], ...] = (
    ("go", "golang", "version", "builds OPA and Pulumi from the Go module proxy"),
    ("ip", "iproute2", "-V", "lab network namespaces and links"),
    ("nft", "nftables", "--version", "lab boundary firewalls"),
    ("debootstrap", "debootstrap", "--version", "lab host images"),
    ("ssh", "openssh-client", "-V", "reaching lab hosts"),
    ("etcd", "etcd-server", "--version", "DR drills on Patroni: the etcd3 DCS, one member per centre"),
    ("haproxy", "haproxy", "-v", "DR drills on Patroni: the endpoint that follows the leader"),
)


def _pins() -> dict[str, str]:
    """Exact pins from pyproject.toml's dependency list (name==version)."""
    pins: dict[str, str] = {}
    pyproject = v.REPO_ROOT / "pyproject.toml"
    if pyproject.is_file():
        for name, version in re.findall(
            r'"([A-Za-z0-9_.\-]+)==([^"]+)"', pyproject.read_text(encoding="utf-8")
        ):
            pins[name.lower()] = version
    return pins


def _run_version(cmd: list[str]) -> str | None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 and not text:
        return None
    match = re.search(r"v?(\d+\.\d+(?:\.\d+)?)", text)
    return match.group(1) if match else (text.splitlines()[0] if text else None)


def check_python() -> list[Check]:
    pins = _pins()
    out: list[Check] = []
    for dist, _module in PYTHON_PACKAGES:
        expected = pins.get(dist.lower())
        try:
            found: str | None = md.version(dist)
        except md.PackageNotFoundError:
            found = None
        ok = found is not None and (expected is None or found == expected)
        detail = "installed" if ok else ("not installed" if found is None else f"pinned {expected}")
        out.append(Check(dist, "python", True, ok, found, expected, detail, None if ok else MAKE_SETUP))
    return out


def _why_missing(step: str, what: str, failures: dict[str, dict[str, Any]]) -> str:
    """`what`, plus the last failed build of its step if one is logged (a half-built machine)."""
    failed = failures.get(step)
    if failed is None:
        return what
    error = str(failed.get("error", "")).strip().splitlines()
    first = error[0][:300] if error else "no message"
    return f"{what}; last build failed {failed.get('date', '')}: {first} / 上次构建失败"


def _binary_check(name: str, step: str, expected: str, args: list[str], failures: dict[str, Any]) -> Check:
    fix = build_command(step)
    try:
        path = tool_path(name)
    except ToolMissingError:
        detail = _why_missing(step, "not built, not on PATH / 未构建", failures)
        return Check(name, "binary", True, False, None, expected or None, detail, fix)
    found = _run_version([str(path), *args]) if args else None
    ok = found is None or not expected or found.lstrip("v") == expected.lstrip("v")
    if not args:
        ok = path.is_file()
    detail = str(path)
    return Check(name, "binary", True, ok, found, expected or None, detail, None if ok else fix)


def check_toolchain() -> list[Check]:
    failures = last_failures()
    out = [
        _binary_check("opa", "opa", v.OPA_VERSION, ["version"], failures),
        _binary_check("pulumi", "pulumi", v.PULUMI_VERSION, ["version"], failures),
        _binary_check("pulumi-language-python", "pulumi", "", [], failures),
        _binary_check("pulumi-language-python-exec", "pulumi", "", [], failures),
        _binary_check("pulumi-resource-pulumi-python", "pulumi", "", [], failures),
    ]
    k8s = v.KUBERNETES_VERSION.lstrip("v")
    plugin = v.pulumi_home() / "plugins" / f"resource-kubernetes-v{k8s}" / "pulumi-resource-kubernetes"
    built = v.KUBERNETES.path("pulumi-resource-kubernetes").is_file()
    if plugin.is_file():
        detail = str(plugin)
    elif built:
        detail = f"built, not registered in {v.pulumi_home()} / 已构建但未安装为插件"
    else:
        missing = f"not built, not installed in {v.pulumi_home()} / 未构建"
        detail = _why_missing("kubernetes", missing, failures)
    out.append(
        Check(
            "pulumi-resource-kubernetes",
            "plugin",
            True,
            plugin.is_file(),
            k8s if plugin.is_file() else None,
            k8s,
            detail,
            None if plugin.is_file() else build_command("kubernetes"),
        )
    )
    ansible = Path(pulumi_env()["PULUMI_PYTHON_CMD"]).parent / "ansible-playbook"
    found = _run_version([str(ansible), "--version"]) if ansible.is_file() else None
    out.append(
        Check(
            "ansible-playbook",
            "binary",
            True,
            found is not None,
            found,
            None,
            str(ansible),
            None if found else MAKE_SETUP,
        )
    )
    checkov = v.checkov_venv() / "bin" / "checkov"
    found = _run_version([str(checkov), "--version"]) if checkov.is_file() else None
    ok = found == v.CHECKOV_VERSION
    detail = f"own virtualenv {v.checkov_venv()}"
    out.append(
        Check(
            "checkov",
            "binary",
            True,
            ok,
            found,
            v.CHECKOV_VERSION,
            detail if ok else _why_missing("checkov", detail, failures),
            None if ok else build_command("checkov"),
        )
    )
    return out


SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def check_system() -> list[Check]:
    out: list[Check] = []
    # Debian keeps nft, debootstrap and ip in the sbin directories, which a non-root user's PATH
    # lacks: look there too, so `make check` (no root) does not call installed tools missing.
    search = os.pathsep.join([os.environ.get("PATH", ""), *SBIN_DIRS])
    for cmd, package, arg, purpose in SYSTEM_TOOLS:
        path = shutil.which(cmd, path=search)
        found = _run_version([path, arg]) if path else None
        ok = path is not None
        fix = None if ok else f"apt-get update && apt-get install -y {package}"
        out.append(Check(cmd, "system", True, ok, found, None, purpose if ok else f"missing: {purpose}", fix))
    return out


def check_patroni() -> list[Check]:
    """Patroni's own virtualenv (built by `make setup` as root; the lab and the drills are root-only)."""
    ok = patroni.is_ready()
    root = os.geteuid() == 0
    detail = f"own virtualenv {patroni.venv_dir()}" if ok else "missing (DR drills on Patroni need it)"
    return [
        Check(
            "patroni",
            "binary",
            root,
            ok,
            patroni.PATRONI_VERSION if ok else None,
            patroni.PATRONI_VERSION,
            detail,
            None if ok else "sudo make setup  (or: sudo .venv/bin/python -m govcloud.toolchain.patroni)",
        )
    ]


def run_checks() -> list[Check]:
    return [*check_python(), *check_toolchain(), *check_system(), *check_patroni()]


def as_json(checks: list[Check]) -> dict[str, object]:
    return {
        "schema": "govcloud.doctor/v1",
        "ok": all(c.ok for c in checks if c.required),
        "cache": str(v.cache_root()),
        "checks": [asdict(c) for c in checks],
    }
