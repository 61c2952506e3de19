"""Normalise everything `govcloud check` is given into one OPA input (contracts §2).

Sources: a plan JSON file (govcloud.plan/v1), `pulumi preview --json` output, directories of
Kubernetes YAML/JSON (govcloud.policy.manifests: any producer, problems as data) and host facts.
A plan or host-facts file that is unusable stops the gate (PolicyInputError naming the file, the
field and the reason); a bad step of a preview is one InputProblem and the rest is still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.check_input import CheckInput
from govcloud.contracts.plan import PlanDocument
from govcloud.policy import documents
from govcloud.policy.documents import DocumentError
from govcloud.policy.errors import InputProblem, PolicyInputError
from govcloud.policy.manifests import KubeItem, object_name, object_problem

DELETE_OPS = {"delete", "discard", "delete-replaced", "read-discard", "remove-pending-replace"}


def _read_json(path: Path) -> Any:
    try:
        return documents.load_json_file(path)
    except DocumentError as exc:
        raise PolicyInputError(
            str(path), exc.field, exc.reason, line=exc.line, kind=exc.kind or "invalid-input"
        ) from exc


def validate_plan(plan: PlanDocument | Mapping[str, Any], source: str) -> PlanDocument:
    """The plan as its contract (govcloud.contracts.plan) reads it; PolicyInputError naming the field."""
    if isinstance(plan, PlanDocument):
        return plan
    if not isinstance(plan, Mapping):
        raise PolicyInputError(source, "(document)", "a plan must be a JSON object / 规划必须是 JSON 对象")
    try:
        return read(PlanDocument, plan, source=source)
    except ContractError as exc:
        raise PolicyInputError(source, exc.path or "(document)", exc.reason) from exc


def load_plan_file(path: Path) -> PlanDocument:
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
    props = state.get("inputs") or state.get("outputs") or {}
    obj = dict(props) if isinstance(props, dict) else {}
    obj.setdefault("apiVersion", api_version)
    obj.setdefault("kind", parts[2])
    return obj


def load_preview_json(path: Path) -> tuple[list[KubeItem], list[dict[str, Any]], list[InputProblem]]:
    """`pulumi preview --json`: Kubernetes objects of the planned steps, the other resources, problems.

    An unreadable file or one that is not a preview is one problem; so is each malformed step, and
    the other steps are still read. A preview that creates or updates nothing is a problem too
    (the gate never passes on nothing read).
    """
    source = str(path)
    try:
        doc = _read_json(path)
    except PolicyInputError as exc:
        return [], [], [exc.problem()]
    if not isinstance(doc, dict) or not isinstance(doc.get("steps", []), list):
        return (
            [],
            [],
            [
                InputProblem(
                    source,
                    None,
                    "steps",
                    "not `pulumi preview --json` output / 不是 preview JSON",
                    "not-preview",
                    "give the output of `pulumi preview --json` / 请提供 `pulumi preview --json` 的输出",
                )
            ],
        )
    kube: list[KubeItem] = []
    others: list[dict[str, Any]] = []
    problems: list[InputProblem] = []
    steps = doc.get("steps", [])
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if not isinstance(step, dict):
            problems.append(
                InputProblem(source, None, where, "must be an object / 必须是对象", "invalid-step")
            )
            continue
        if step.get("op") in DELETE_OPS:
            continue
        state = step.get("newState") or step.get("new") or {}
        if not isinstance(state, dict):
            problems.append(
                InputProblem(
                    source, None, f"{where}.newState", "must be an object / 必须是对象", "invalid-step"
                )
            )
            continue
        rtype = str(state.get("type", step.get("type", "")))
        urn = str(state.get("urn", step.get("urn", where)))
        props = state.get("inputs") or state.get("outputs") or {}
        if not isinstance(props, dict):
            problems.append(
                InputProblem(
                    source, None, f"{where}.newState.inputs", "must be an object / 必须是对象", "invalid-step"
                )
            )
            continue
        obj = _kube_object_from_resource(rtype, {"inputs": props})
        if obj is None:
            others.append({"urn": urn, "type": rtype, "inputs": props})
            continue
        problem = object_problem(obj, f"{where}.newState.inputs")
        if problem is not None:
            problems.append(InputProblem(urn, None, problem[0], problem[1], "invalid-object"))
            continue
        kube.append(
            {"source": urn, "object": obj, "location": {"file": source, "start_line": None, "end_line": None}}
        )
    if not kube and not others:
        problems.append(
            InputProblem(
                source,
                None,
                "steps",
                "the preview creates or updates no resource: nothing to judge / preview 中没有任何资源",
                "no-objects",
                "run `pulumi preview --json` on a stack with resources / 请对含资源的栈运行 preview",
            )
        )
    return kube, others, problems


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


def find_duplicates(items: list[KubeItem]) -> list[dict[str, Any]]:
    """Objects with the same kind, namespace and name in different places (sibling apps often reuse
    names; each finding names its file, so they are reported, not refused)."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for item in items:
        obj = item["object"]
        meta = obj["metadata"]
        if not meta.get("name"):
            continue  # generateName: every apply creates a new object
        key = (obj["kind"], str(meta.get("namespace") or ""), object_name(obj))
        seen.setdefault(key, []).append(item["source"])
    return [
        {"kind": k[0], "namespace": k[1] or None, "name": k[2], "sources": sources}
        for k, sources in sorted(seen.items())
        if len(sources) > 1
    ]


def build_input(
    level: int,
    plan: PlanDocument | None,
    kubernetes: list[KubeItem],
    hosts: list[dict[str, Any]] | None = None,
    resources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The one OPA input document for a change (govcloud.check-input/v1, govcloud.contracts.check_input;
    policies/schemas/check-input.json is its JSON Schema, which `opa check` types the rules with)."""
    return CheckInput.assemble(level, plan, kubernetes, hosts or [], resources or [])
