"""Normalise everything `govcloud check` is given into one OPA input (contracts §2).

Sources: a plan JSON file (govcloud.plan/v1), `pulumi preview --json` output, a directory of plain
Kubernetes YAML/JSON (multi-document, any producer), and host facts. Every problem is reported as a
PolicyInputError naming the file, the field and the reason.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from govcloud.policy.errors import PolicyInputError

INPUT_SCHEMA = "govcloud.check-input/v1"
PLAN_SCHEMA = "govcloud.plan/v1"
MANIFEST_SUFFIXES = {".yaml", ".yml", ".json"}
# Files that live beside manifests but are not Kubernetes objects.
NOT_MANIFESTS = {"kustomization.yaml", "kustomization.yml", "chart.yaml", "pulumi.yaml"}
PLAN_LISTS = ("centres", "zones", "flows", "systems", "links", "hosts", "security_services", "departments")
UNIQUE_IDS = {"centres": "id", "zones": "id", "systems": "id", "flows": "id", "links": "id", "hosts": "name"}

KubeItem = dict[str, Any]
# libyaml's loader when PyYAML was built with it: 10,000 manifests parse in about a second.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyInputError(str(path), "-", f"cannot read file: {exc.strerror} / 无法读取文件") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyInputError(
            str(path), f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg} / JSON 格式错误"
        ) from exc


def validate_plan(plan: Any, source: str) -> dict[str, Any]:
    """Checks the parts of govcloud.plan/v1 that the rules rely on; returns the plan."""
    if not isinstance(plan, dict):
        raise PolicyInputError(source, "(document)", "a plan must be a JSON object / 规划必须是 JSON 对象")
    if plan.get("schema") != PLAN_SCHEMA:
        raise PolicyInputError(
            source, "schema", f"expected {PLAN_SCHEMA!r}, found {plan.get('schema')!r} / 规划版本不受支持"
        )
    for key in PLAN_LISTS:
        if key in plan and not isinstance(plan[key], list):
            raise PolicyInputError(source, key, "must be a list / 必须是列表")
    for key, id_field in UNIQUE_IDS.items():
        seen: set[str] = set()
        for i, entry in enumerate(plan.get(key, [])):
            if not isinstance(entry, dict):
                raise PolicyInputError(source, f"{key}[{i}]", "must be an object / 必须是对象")
            ident = entry.get(id_field)
            if not isinstance(ident, str) or not ident:
                raise PolicyInputError(
                    source, f"{key}[{i}].{id_field}", "missing or not a string / 缺失或不是字符串"
                )
            if ident in seen:
                raise PolicyInputError(source, f"{key}[{i}].{id_field}", f"duplicate id {ident!r} / 标识重复")
            seen.add(ident)
    for i, system in enumerate(plan.get("systems", [])):
        if not isinstance(system.get("level"), int) or system["level"] not in (1, 2, 3, 4, 5):
            raise PolicyInputError(
                source, f"systems[{i}].level", "must be an integer 1-5 / 等级必须是 1-5 的整数"
            )
    return plan


def load_plan_file(path: Path) -> dict[str, Any]:
    """A govcloud.plan/v1 JSON file (`govcloud plan --format json`)."""
    return validate_plan(_read_json(path), str(path))


def _kube_object_from_resource(rtype: str, state: dict[str, Any]) -> dict[str, Any] | None:
    """`kubernetes:apps/v1:Deployment` + inputs -> a Kubernetes object; None for non-object types."""
    parts = rtype.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes" or "/" not in parts[1]:
        return None
    group, version = parts[1].split("/", 1)
    if group in {"yaml", "helm.sh", "kustomize"}:
        return None
    api_version = version if group == "core" else f"{group}/{version}"
    obj = dict(state.get("inputs") or state.get("outputs") or {})
    obj.setdefault("apiVersion", api_version)
    obj.setdefault("kind", parts[2])
    return obj


def load_preview_json(path: Path) -> tuple[list[KubeItem], list[dict[str, Any]]]:
    """`pulumi preview --json`: Kubernetes objects from the planned steps, and the other resources."""
    doc = _read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("steps", []), list):
        raise PolicyInputError(str(path), "steps", "not `pulumi preview --json` output / 不是 preview JSON")
    kube: list[KubeItem] = []
    others: list[dict[str, Any]] = []
    for i, step in enumerate(doc.get("steps", [])):
        if not isinstance(step, dict):
            raise PolicyInputError(str(path), f"steps[{i}]", "must be an object / 必须是对象")
        if step.get("op") in {
            "delete",
            "discard",
            "delete-replaced",
            "read-discard",
            "remove-pending-replace",
        }:
            continue
        state = step.get("newState") or step.get("new") or {}
        if not isinstance(state, dict):
            raise PolicyInputError(str(path), f"steps[{i}].newState", "must be an object / 必须是对象")
        rtype = str(state.get("type", step.get("type", "")))
        urn = str(state.get("urn", step.get("urn", f"steps[{i}]")))
        obj = _kube_object_from_resource(rtype, state)
        if obj is None:
            others.append({"urn": urn, "type": rtype, "inputs": state.get("inputs", {})})
            continue
        _check_object(obj, urn, f"steps[{i}].newState.inputs")
        kube.append({"source": urn, "object": obj})
    return kube, others


def _check_object(obj: Any, source: str, where: str) -> None:
    if not isinstance(obj, dict):
        raise PolicyInputError(source, where, "a Kubernetes object must be a mapping / 必须是映射")
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj[field]:
            raise PolicyInputError(source, f"{where}.{field}", "missing or not a string / 缺失或不是字符串")
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise PolicyInputError(source, f"{where}.metadata.name", "missing or not a string / 缺失或不是字符串")
    if "namespace" in meta and not isinstance(meta["namespace"], str):
        raise PolicyInputError(source, f"{where}.metadata.namespace", "must be a string / 必须是字符串")
    for field in ("spec", "rules", "subjects"):
        if field in obj and obj[field] is not None and not isinstance(obj[field], dict | list):
            raise PolicyInputError(source, f"{where}.{field}", "must be a mapping or list / 必须是映射或列表")


def _documents(path: Path, base: Path) -> Iterator[tuple[str, Any]]:
    rel = path.relative_to(base).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyInputError(str(path), "-", f"cannot read file: {exc} / 无法读取文件") from exc
    if path.suffix == ".json":
        try:
            yield f"{rel}", json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyInputError(
                str(path), f"line {exc.lineno}", f"invalid JSON: {exc.msg} / JSON 格式错误"
            ) from exc
        return
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else "-"
        raise PolicyInputError(str(path), where, f"invalid YAML: {exc.problem} / YAML 格式错误") from exc
    except yaml.YAMLError as exc:
        raise PolicyInputError(str(path), "-", f"invalid YAML: {exc} / YAML 格式错误") from exc
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        yield (rel if len(docs) == 1 else f"{rel}#{i}"), doc


# Above this many files the YAML is parsed in worker processes (PyYAML builds objects in Python).
PARALLEL_FILES = 2000


def _load_file(path: Path, directory: Path) -> list[KubeItem]:
    items: list[KubeItem] = []
    for source, doc in _documents(path, directory):
        for j, obj in enumerate(_expand_lists(doc)):
            where = "(document)" if j == 0 and doc is obj else f"items[{j}]"
            _check_object(obj, f"{directory.name}/{source}", where)
            items.append({"source": f"{directory.name}/{source}", "object": obj})
    return items


def _load_chunk(paths: list[Path], directory: Path) -> list[KubeItem]:
    return [item for path in paths for item in _load_file(path, directory)]


def load_manifest_dir(directory: Path) -> list[KubeItem]:
    """Every Kubernetes object under a directory (recursively; multi-document YAML; kind: List)."""
    if not directory.is_dir():
        raise PolicyInputError(str(directory), "-", "not a directory / 不是目录")
    files = sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix in MANIFEST_SUFFIXES and p.name.lower() not in NOT_MANIFESTS
    )
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_FILES or workers < 2:
        return _load_chunk(files, directory)
    size = -(-len(files) // (workers * 4))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_load_chunk, chunks, [directory] * len(chunks)))
    return [item for part in parts for item in part]


def _expand_lists(doc: Any) -> Iterable[Any]:
    if isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
        return list(doc["items"])
    return [doc]


def check_duplicates(items: list[KubeItem]) -> None:
    """Two objects with the same kind, namespace and name would make the result ambiguous."""
    seen: dict[tuple[str, str, str], str] = {}
    for item in items:
        obj = item["object"]
        key = (obj["kind"], str(obj["metadata"].get("namespace", "")), obj["metadata"]["name"])
        if key in seen:
            raise PolicyInputError(
                item["source"],
                "metadata.name",
                f"duplicate {key[0]} {key[2]!r} (also in {seen[key]}) / 对象重复",
            )
        seen[key] = item["source"]


def load_host_facts(path: Path) -> list[dict[str, Any]]:
    """Host facts: [{"host": ..., "facts": {...}}] or {"<host>": {...facts}}."""
    doc = _read_json(path)
    if isinstance(doc, dict) and "hosts" in doc:
        doc = doc["hosts"]
    if isinstance(doc, dict):
        doc = [{"host": k, "facts": v} for k, v in sorted(doc.items())]
    if not isinstance(doc, list):
        raise PolicyInputError(str(path), "(document)", "expected a list of {host, facts} / 应为主机事实列表")
    for i, entry in enumerate(doc):
        if not isinstance(entry, dict) or not isinstance(entry.get("host"), str):
            raise PolicyInputError(str(path), f"[{i}].host", "missing or not a string / 缺失或不是字符串")
        if not isinstance(entry.get("facts"), dict):
            raise PolicyInputError(str(path), f"[{i}].facts", "must be an object / 必须是对象")
    return doc


def build_input(
    level: int,
    plan: dict[str, Any] | None,
    kubernetes: list[KubeItem],
    hosts: list[dict[str, Any]] | None = None,
    resources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The one OPA input document for a change (contracts §2; `resources` is an additive field)."""
    check_duplicates(kubernetes)
    return {
        "schema": INPUT_SCHEMA,
        "level": level,
        "plan": plan,
        "kubernetes": kubernetes,
        "hosts": hosts or [],
        "resources": resources or [],
    }
