"""The toolchain build on a cold machine: an empty Go module cache must not break it (issue 18).

The build reads files out of Go modules (the Kubernetes provider's schema, the Pulumi SDK's Python
shims). On a fresh machine those modules are not in the cache yet, and `go list -m -f {{.Dir}}`
prints an empty string for them. These tests run the real download-and-locate logic against the
Go module proxy with an empty GOMODCACHE/GOPATH/GOCACHE; only the compile is replaced by a build
of one tiny package of the same module, so the test takes seconds rather than the provider's
minutes. The unit tests below feed the locator a `go` that answers with no directory at all.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from govcloud.toolchain import build
from govcloud.toolchain import versions as v

# A package of the provider module with no dependencies outside the module: compiling it proves the
# module was downloaded where the build looked for it, without compiling client-go and helm.
TINY_PACKAGE = "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"


@pytest.fixture
def cold_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Go module cache, GOPATH and build cache, and a scratch copy of the wrapper modules."""
    home = tmp_path / "home"
    for var, sub in (("GOMODCACHE", "go/pkg/mod"), ("GOPATH", "go"), ("GOCACHE", "go-build")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    # -modcacherw: the module cache is read-only by default, and pytest must be able to delete it.
    monkeypatch.setenv("GOFLAGS", "-modcacherw -buildvcs=false")
    wrappers = tmp_path / "toolchain"
    shutil.copytree(v.WRAPPERS, wrappers, ignore=shutil.ignore_patterns("*-embed.json"))
    monkeypatch.setattr(v, "WRAPPERS", wrappers)
    return home


@pytest.mark.engine
def test_kubernetes_step_downloads_the_provider_module_into_an_empty_cache(
    cold_go: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not any((cold_go / "go/pkg/mod").iterdir()), "the module cache must start empty"
    compiled: list[list[str]] = []

    def tiny_build(wrapper: Path, package: str, output: Path, tags: str, ldflags: str, **_: Any) -> None:
        compiled.append([str(wrapper), package])
        build._run([build._go(), "build", "-o", os.devnull, TINY_PACKAGE], cwd=wrapper)
        output.write_bytes(b"")

    monkeypatch.setattr(build, "_go_build", tiny_build)
    out = tmp_path / "out"
    out.mkdir()
    build._build_kubernetes(v.KUBERNETES, out)  # the real step, with the compile made small

    pkg = v.WRAPPERS / "kubernetes" / "cmd" / "pulumi-resource-kubernetes"
    schema = json.loads((pkg / "schema-embed.json").read_text(encoding="utf-8"))
    assert schema["version"] == v.KUBERNETES_VERSION.lstrip("v")
    assert schema["name"] == "kubernetes"
    mapping = json.loads((pkg / "terraform-mapping-embed.json").read_text(encoding="utf-8"))
    assert mapping, "terraform-mapping-embed.json is empty"
    module_root = cold_go / "go/pkg/mod/github.com/pulumi/pulumi-kubernetes/provider"
    assert any(module_root.glob("v4@*/cmd/pulumi-resource-kubernetes/schema.json")), (
        "the provider module was not downloaded into the (empty) module cache"
    )
    assert compiled and compiled[0][1] == "./cmd/pulumi-resource-kubernetes"


@pytest.mark.engine
def test_pulumi_sdk_shims_are_located_in_an_empty_cache(cold_go: Path) -> None:
    wrapper = v.WRAPPERS / "pulumi"
    sdk = build.module_dir(wrapper, "github.com/pulumi/pulumi/sdk/v3")
    assert sdk.is_absolute() and sdk.is_relative_to(cold_go)
    assert (sdk / "python/cmd/pulumi-language-python-exec").is_file()
    assert (sdk / "python/dist/pulumi-resource-pulumi-python").is_file()


def _fake_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, download_json: str) -> None:
    """A `go` on PATH that knows the module's version but never has a directory for it."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "go"
    script.write_text(
        "#!/bin/sh\n"
        'case "$1 $2" in\n'
        '  "list -m") echo v1.2.3 ;;\n'
        f"  \"mod download\") cat <<'EOF'\n{download_json}\nEOF\n ;;\n"
        '  *) echo "unexpected: $*" >&2; exit 9 ;;\n'
        "esac\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"Path": "example.com/m", "Version": "v1.2.3"}', "has no directory in the Go module cache"),
        ('{"Path": "example.com/m", "Version": "v1.2.3", "Dir": ""}', "has no directory in the Go module cache"),
        ('{"Path": "example.com/m", "Version": "v1.2.3", "Dir": "relative/dir"}', "has no directory"),
        ('{"Path": "example.com/m", "Error": "module lookup disabled by GOPROXY=off"}', "cannot download"),
        ("not json at all", "printed no JSON"),
    ],
)
def test_an_empty_module_directory_is_an_error_naming_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, expected: str
) -> None:
    _fake_go(tmp_path, monkeypatch, answer)
    with pytest.raises(build.BuildError) as info:
        build.module_dir(tmp_path, "example.com/m")
    message = str(info.value)
    assert expected in message
    assert "example.com/m" in message


def test_a_failed_step_is_logged_and_doctor_names_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a failed build `govcloud doctor` names the missing tool and the command that builds it."""
    from govcloud.toolchain import doctor  # noqa: PLC0415

    monkeypatch.setenv("GOVCLOUD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no `go`: the step fails at once
    code = build.main(["--only", "kubernetes"])
    assert code == 1
    failures = build.last_failures()
    assert set(failures) == {"kubernetes"}
    assert "Go toolchain" in failures["kubernetes"]["error"]
    by_name = {c.name: c for c in doctor.check_toolchain()}
    k8s = by_name["pulumi-resource-kubernetes"]
    assert not k8s.ok
    assert k8s.fix == "make toolchain ONLY=kubernetes"
    assert "last build failed" in k8s.detail and "Go toolchain" in k8s.detail
    assert by_name["opa"].fix == "make toolchain ONLY=opa"
