"""A lab stack's state written before the providers moved to govcloud.labstack (fast, no root)."""

from __future__ import annotations

import base64
import copy
import sys
from typing import Any

import dill  # type: ignore[import-untyped]
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from govcloud.labstack import migrate, providers

LEGACY = "govcloud.lab.providers"


def _str(text: str) -> bytes:
    return b"\x8c" + bytes([len(text)]) + text.encode() + b"\x94"  # SHORT_BINUNICODE, MEMOIZE


@pytest.fixture
def legacy_blob() -> str:
    """LabProvider("host") exactly as govcloud pickled it before the move (pickle protocol 4, as
    `pickletools.dis` showed it then): class LabProvider of module govcloud.lab.providers."""
    new_object = b"\x93\x94)\x81\x94}\x94"  # STACK_GLOBAL, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT (+ MEMOIZE)
    body = _str(LEGACY) + _str("LabProvider") + new_object + _str("kind") + _str("host") + b"sb."
    raw = b"\x80\x04\x95" + len(body).to_bytes(8, "little") + body
    assert len(body) == 63  # the frame length of the real one
    return base64.b64encode(raw).decode()


def _deployment(blob: str) -> dict[str, Any]:
    current = str(serialize_provider(providers.LabProvider("centre")))
    return {
        "resources": [
            {"urn": "urn:pulumi:t::govcloud-lab::pulumi:pulumi:Stack::govcloud-lab-t"},
            {"urn": "u-old", "inputs": {"__provider": blob, "x": 1}, "outputs": {"__provider": blob, "x": 1}},
            {"urn": "u-new", "inputs": {"__provider": current}, "outputs": {"__provider": current}},
        ]
    }


def test_the_old_state_cannot_be_loaded_without_the_migration(legacy_blob: str) -> None:
    with pytest.raises(ModuleNotFoundError, match=r"govcloud\.lab\.providers"):
        dill.loads(base64.b64decode(legacy_blob))


def test_legacy_provider_paths_are_rewritten_to_the_current_module(legacy_blob: str) -> None:
    dep = _deployment(legacy_blob)
    untouched = copy.deepcopy(dep["resources"][2])
    assert migrate.legacy_providers(dep) == 1
    old = dep["resources"][1]
    for part in ("inputs", "outputs"):
        raw = base64.b64decode(old[part]["__provider"])
        assert LEGACY.encode() not in raw
        provider = dill.loads(raw)
        assert type(provider) is providers.LabProvider
        assert provider.kind == "host"
    assert old["inputs"]["x"] == 1
    assert dep["resources"][2] == untouched
    assert LEGACY not in sys.modules
    assert migrate.legacy_providers(dep) == 0  # a second pass has nothing to do


def test_a_state_without_resources_is_left_alone() -> None:
    assert migrate.legacy_providers({}) == 0
    assert migrate.legacy_providers({"resources": None}) == 0
