"""`govcloud check` end to end: load inputs, ask OPA once, add checkov, apply waivers, report."""

from __future__ import annotations

import datetime as dt
import importlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govcloud.policy import checkov_scan, engine, inputs, paths, report, waivers
from govcloud.policy.errors import PolicyInputError
from govcloud.policy.opa_server import OpaServer
from govcloud.state import evidence_dir, write_json


@dataclass
class GateOptions:
    level: int = 3
    stack: str | None = None
    plan: Path | None = None
    preview_json: Path | None = None
    manifests: list[Path] = field(default_factory=list)
    host_facts: Path | None = None
    opa_url: str | None = None
    waivers_file: Path = paths.WAIVERS
    checkov: bool = True
    playbooks: Path | None = paths.PLAYBOOKS
    timeout: float = 60.0
    today: dt.date | None = None
    before_query: Callable[[OpaServer | None], None] | None = None


@dataclass
class GateResult:
    report: dict[str, Any]
    exit_code: int
    evidence: Path | None = None


def plan_for_stack(stack: str) -> tuple[dict[str, Any], str]:
    """The stack's plan: .govcloud/evidence/<stack>/plan.json, else govcloud.plan.load_plan(stack=...)."""
    evidence = evidence_dir(stack) / "plan.json"
    if evidence.is_file():
        return inputs.load_plan_file(evidence), str(evidence)
    try:
        module = importlib.import_module("govcloud.plan")
    except ImportError:
        module = None
    loader = getattr(module, "load_plan", None) if module is not None else None
    if loader is None:
        raise PolicyInputError(
            f"--stack {stack}",
            "plan",
            f"no {evidence} and govcloud.plan.load_plan is not available; "
            f"run `govcloud plan --stack {stack}` "
            f"or pass --plan FILE / 找不到该栈的规划",
        )
    try:
        plan = loader(stack=stack)
    except Exception as exc:  # the plan engine's own errors name file, field and reason
        raise PolicyInputError(f"--stack {stack}", "plan", f"{exc} / 无法生成规划") from exc
    if hasattr(plan, "to_json"):  # govcloud.plan.Plan
        plan = plan.to_json()
    elif hasattr(plan, "model_dump"):
        plan = plan.model_dump(mode="json", by_alias=True)
    return inputs.validate_plan(plan, f"govcloud.plan.load_plan(stack={stack!r})"), f"stack:{stack}"


def _has_yaml(directory: Path | None) -> bool:
    return bool(directory and directory.is_dir() and any(directory.rglob("*.y*ml")))


def _write_objects(items: list[dict[str, Any]], directory: Path) -> None:
    for i, item in enumerate(items):
        (directory / f"{i:05d}.yaml").write_text(
            yaml.safe_dump(item["object"], sort_keys=False), encoding="utf-8"
        )


def run_gate(opts: GateOptions) -> GateResult:
    if not (opts.stack or opts.plan or opts.preview_json or opts.manifests):
        raise PolicyInputError(
            "(command line)", "inputs", "give --stack, --plan, --preview-json or --manifests / 缺少输入"
        )
    if opts.level not in (2, 3, 4):
        raise PolicyInputError("(command line)", "--level", "must be 2, 3 or 4 / 等级必须是 2、3 或 4")
    waiver_list = waivers.load_waivers(opts.waivers_file)

    plan: dict[str, Any] | None = None
    described: dict[str, Any] = {}
    if opts.stack:
        plan, described["plan"] = plan_for_stack(opts.stack)
        described["stack"] = opts.stack
    if opts.plan:
        plan = inputs.load_plan_file(opts.plan)
        described["plan"] = str(opts.plan)
    kube: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    if opts.preview_json:
        preview_kube, resources = inputs.load_preview_json(opts.preview_json)
        kube += preview_kube
        described["preview_json"] = str(opts.preview_json)
    manifest_items: list[dict[str, Any]] = []
    for directory in opts.manifests:
        manifest_items += inputs.load_manifest_dir(directory)
    kube += manifest_items
    described["manifests"] = [str(d) for d in opts.manifests]
    hosts = inputs.load_host_facts(opts.host_facts) if opts.host_facts else []
    described.update({"kubernetes_objects": len(kube), "hosts": len(hosts)})
    input_doc = inputs.build_input(opts.level, plan, kube, hosts, resources)

    decision, revision = engine.evaluate(
        input_doc, opa_url=opts.opa_url, timeout=opts.timeout, before_query=opts.before_query
    )
    findings: list[dict[str, Any]] = engine.expand(decision)

    if opts.checkov:
        findings += _checkov_findings(opts, kube, manifest_items)

    today = opts.today or dt.datetime.now(dt.UTC).date()
    findings += waivers.apply_waivers(findings, waiver_list, today, str(opts.waivers_file))
    doc = report.build_report(
        findings,
        level=opts.level,
        inputs=described,
        policy_revision=revision,
        unevaluated=list(decision.get("unevaluated", [])),
    )
    evidence = None
    if opts.stack:
        evidence = write_json(evidence_dir(opts.stack) / "findings.json", doc)
    return GateResult(report=doc, exit_code=report.exit_code(doc), evidence=evidence)


def _checkov_findings(
    opts: GateOptions, kube: list[dict[str, Any]], manifest_items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    base: dict[str, Path] = {d.name: d for d in opts.manifests}
    dirs = list(opts.manifests)
    if _has_yaml(opts.playbooks):
        assert opts.playbooks is not None
        dirs.append(opts.playbooks)
        base["playbooks"] = opts.playbooks
    with tempfile.TemporaryDirectory(prefix="govcloud-checkov-") as tmp:
        preview_items = kube[: len(kube) - len(manifest_items)]
        if preview_items:
            rendered = Path(tmp) / "preview"
            rendered.mkdir()
            _write_objects(preview_items, rendered)
            dirs.append(rendered)
            base["preview"] = rendered
        if not dirs:
            return []
        results = checkov_scan.run_checkov(dirs)
        return checkov_scan.to_findings(results, opts.level, base, checkov_scan.load_mapping())
