"""Carry a lab stack's state across a move of the provider module.

Pulumi stores each dynamic resource's provider in the state as a base64 dill pickle that names the
provider's class by module path. The lab's providers lived in `govcloud.lab.providers` until the
stack composition moved to `govcloud.labstack` (to end the lab <-> secsvc package cycle); a lab
brought up before the move names the old path, and every `refresh`, `up` or `down` of it would fail
to load its providers. `legacy_providers` rewrites those pickles to the current module, in place,
before the engine runs.
"""

from __future__ import annotations

import base64
import sys
from typing import Any

import dill  # type: ignore[import-untyped]
from pulumi.dynamic.dynamic import serialize_provider

from govcloud.labstack import providers

# module paths the lab's provider class had before; each is loaded as the current module
LEGACY_MODULES = ("govcloud.lab.providers",)
_PROVIDER_KEY = "__provider"


def _rewrite(blob: str) -> str | None:
    """The blob pickled again under the current module, or None when it names no legacy module."""
    raw = base64.b64decode(blob)
    legacy = [m for m in LEGACY_MODULES if m.encode() in raw]
    if not legacy:
        return None
    saved = {m: sys.modules.get(m) for m in legacy}
    try:
        for m in legacy:
            sys.modules[m] = providers
        provider = dill.loads(raw)
    finally:
        for m, mod in saved.items():
            if mod is None:
                sys.modules.pop(m, None)
            else:
                sys.modules[m] = mod
    return str(serialize_provider(provider))


def legacy_providers(deployment: dict[str, Any]) -> int:
    """Rewrite, in `deployment` (a `pulumi stack export` document), every provider pickle that names
    a legacy module; return how many resources changed."""
    changed = 0
    for res in deployment.get("resources") or []:
        touched = False
        for part in ("inputs", "outputs"):
            props = res.get(part) or {}
            blob = props.get(_PROVIDER_KEY)
            if isinstance(blob, str) and (new := _rewrite(blob)) is not None:
                props[_PROVIDER_KEY] = new
                touched = True
        changed += touched
    return changed
