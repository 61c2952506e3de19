"""The bridge used by the CrossGuard pack (policies/crossguard/): Pulumi resources in, the same OPA
decision out. No rule logic lives here; the pack only turns blocking findings into mandatory
violations and other failing findings into advisory ones.

Configuration (environment of `pulumi preview/up --policy-pack ...`):
GOVCLOUD_LEVEL (2|3|4, default 3), GOVCLOUD_PLAN (a govcloud.plan/v1 file, optional),
GOVCLOUD_OPA_URL (use a running OPA instead of starting one), GOVCLOUD_WAIVERS (waiver file),
GOVCLOUD_CROSSGUARD_DUMP (write the OPA input the pack built to this file, for debugging).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from govcloud.policy import engine, inputs, paths, waivers
from govcloud.policy.errors import GateError


@dataclass(frozen=True)
class PackResource:
    """What the pack needs of a pulumi_policy PolicyResource."""

    urn: str
    type: str
    props: Any  # a mapping; pulumi_policy's proxy objects are unwrapped by kube_items


@dataclass(frozen=True)
class Violation:
    message: str
    urn: str | None


def kube_items(resources: Iterable[PackResource]) -> list[dict[str, Any]]:
    """Kubernetes objects of the stack, one per kubernetes:<group>/<version>:<Kind> resource."""
    items: list[dict[str, Any]] = []
    for res in resources:
        obj = inputs._kube_object_from_resource(res.type, {"inputs": _plain(res.props)})
        if obj is None:
            continue
        meta = obj.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            obj["metadata"] = {
                **(meta if isinstance(meta, dict) else {}),
                "name": res.urn.rsplit("::", 1)[-1],
            }
        items.append({"source": res.urn, "object": obj})
    return items


# Pulumi's sentinels for values unknown during preview (computed, asset, archive, object).
UNKNOWN_SENTINELS = {
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
}


def _unwrap(value: Any) -> Any:
    """pulumi_policy hands props as unknown-checking proxies; `proxy["__target"]` is the raw value."""
    if isinstance(value, Mapping | Sequence) and not isinstance(value, dict | list | str):
        try:
            return cast(Any, value)["__target"]
        except (KeyError, IndexError, TypeError):
            return dict(value) if isinstance(value, Mapping) else list(value)
    return value


def _known(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value in UNKNOWN_SENTINELS)


def _plain(value: Any) -> Any:
    """JSON-safe copy without unknowns (they are simply absent, so rules treat them as not set)."""
    value = _unwrap(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if _known(v)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value if _known(v)]
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


_CACHE: dict[str, list[dict[str, Any]]] = {}


def findings_for(resources: Iterable[PackResource]) -> list[dict[str, Any]]:
    """Evaluates the stack once (cached by input hash) and applies the waivers."""
    level = int(os.environ.get("GOVCLOUD_LEVEL", "3"))
    plan_file = os.environ.get("GOVCLOUD_PLAN")
    plan = inputs.load_plan_file(Path(plan_file)) if plan_file else None
    doc = inputs.build_input(level, plan, kube_items(resources))
    dump = os.environ.get("GOVCLOUD_CROSSGUARD_DUMP")
    if dump:  # debugging aid: the exact OPA input the pack built
        Path(dump).write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    key = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()
    if key not in _CACHE:
        decision, _rev = engine.evaluate(doc, opa_url=os.environ.get("GOVCLOUD_OPA_URL") or None)
        found = engine.expand(decision)
        waiver_file = Path(os.environ.get("GOVCLOUD_WAIVERS", str(paths.WAIVERS)))
        found += waivers.apply_waivers(
            found, waivers.load_waivers(waiver_file), dt.date.today(), str(waiver_file)
        )
        _CACHE[key] = found
    return _CACHE[key]


def _message(f: dict[str, Any]) -> str:
    res = f["resource"]
    where = "/".join(str(x) for x in (res.get("kind"), res.get("namespace"), res.get("name")) if x)
    return (
        f"[{f['rule_id']} GB/T 22239-2019 {f['clause']} {f['severity']}] {where}: "
        f"{f['message']['zh']} / {f['message']['en']} — 修复 fix: {f['remediation']['en']}"
    )


def violations(resources: list[PackResource], *, mandatory: bool) -> list[Violation]:
    """Blocking findings (mandatory=True) or the other failing findings (advisory)."""
    try:
        found = findings_for(resources)
    except GateError as exc:
        if mandatory:  # fail closed: an engine or input error blocks the deployment
            return [Violation(f"govcloud 等保 gate could not decide / 门禁无法判定: {exc}", None)]
        return []
    urns = {r.urn for r in resources}
    out: list[Violation] = []
    for f in found:
        if f["status"] != "fail" or bool(f.get("blocking")) != mandatory:
            continue
        path = f["resource"].get("path")
        out.append(Violation(_message(f), path if path in urns else None))
    return out
