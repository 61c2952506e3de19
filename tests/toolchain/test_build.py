"""The toolchain builder: cache keys and failure messages (the real builds run in `make toolchain`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from govcloud.toolchain import build
from govcloud.toolchain import versions as v


def test_every_tool_is_built_in_the_cache() -> None:
    for tool in v.TOOLS:
        assert build.is_built(tool), f"{tool.name} missing in {tool.directory()}: run `make toolchain`"


def test_cache_entry_is_keyed_by_version_and_wrapper_fingerprint() -> None:
    for tool in v.TOOLS:
        name = tool.directory().name
        assert name.startswith(f"{tool.name}-{tool.version}-")
        assert name.endswith(tool.fingerprint())
        assert tool.fingerprint() == tool.fingerprint()  # deterministic


def test_cache_root_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOVCLOUD_CACHE", str(tmp_path))
    assert v.cache_root() == tmp_path
    monkeypatch.delenv("GOVCLOUD_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert v.cache_root() == tmp_path / "xdg" / "govcloud"


def test_second_build_is_a_cache_hit() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "govcloud.toolchain.build", "--json", "--only", "opa,pulumi"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"status": "built"' not in proc.stdout
    assert proc.stdout.count('"status": "cached"') == 2


def test_build_without_go_fails_with_a_clear_message(tmp_path: Path) -> None:
    env = dict(os.environ, GOVCLOUD_CACHE=str(tmp_path / "cache"), PATH=str(Path(sys.executable).parent))
    proc = subprocess.run(
        [sys.executable, "-m", "govcloud.toolchain.build", "--only", "opa"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "Go toolchain" in proc.stderr and "not on PATH" in proc.stderr
    assert not (tmp_path / "cache" / "tools").exists() or not any((tmp_path / "cache" / "tools").iterdir())
