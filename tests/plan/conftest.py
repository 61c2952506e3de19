"""Shared fixtures of the plan tests."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcloud.plan.loader import extract_namespace, read_yaml
from govcloud.toolchain.versions import REPO_ROOT

LAB_FILE = REPO_ROOT / "Pulumi.lab.yaml"
CHUZHOU_FILE = REPO_ROOT / "Pulumi.chuzhou.yaml"


@pytest.fixture(scope="session")
def lab_raw_session() -> dict[str, Any]:
    raw, _prefix = extract_namespace(read_yaml(LAB_FILE))
    return raw


@pytest.fixture
def lab_raw(lab_raw_session: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of the lab plan's `govcloud:` settings, free to mutate."""
    return copy.deepcopy(lab_raw_session)


@pytest.fixture(scope="session")
def chuzhou_raw_session() -> dict[str, Any]:
    raw, _prefix = extract_namespace(read_yaml(CHUZHOU_FILE))
    return raw


@pytest.fixture
def chuzhou_raw(chuzhou_raw_session: dict[str, Any]) -> dict[str, Any]:
    """A private deep copy of the chuzhou plan's settings (not a lab plan: real address rules)."""
    return copy.deepcopy(chuzhou_raw_session)


def write_plain(path: Path, raw: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def _evidence_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`govcloud plan` writes evidence; keep the tests' evidence out of the repository."""
    old = os.environ.get("GOVCLOUD_EVIDENCE_ROOT")
    os.environ["GOVCLOUD_EVIDENCE_ROOT"] = str(tmp_path_factory.mktemp("evidence"))
    yield
    if old is None:
        os.environ.pop("GOVCLOUD_EVIDENCE_ROOT", None)
    else:
        os.environ["GOVCLOUD_EVIDENCE_ROOT"] = old
