"""`govcloud check` end to end: load inputs, ask OPA once, add checkov, apply waivers, report.

Fail closed and never silent: every input that cannot be judged is an error entry of the report
(the run goes on over the rest); anything that stops the run (a malformed waiver file, OPA down,
a bug) becomes an error entry too. Either way the report is complete in every format and the
exit code is 2.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govcloud.contracts.plan import PlanDocument
from govcloud.plan import PlanError, load_plan
from govcloud.policy import checkov_scan, engine, inputs, paths, report, waivers
from govcloud.policy.errors import GateError, InputProblem, PolicyInputError
from govcloud.policy.manifests import ManifestSet, load_manifest_dir
from govcloud.policy.opa_server import OpaServer
from govcloud.state import evidence_dir, write_json
from govcloud.toolchain.env import ToolMissingError


@dataclass
class GateOptions:
    level: int = 3
    stack: str | None = None
    plan: Path | None = None
    preview_json: Path | None = None
    manifests: list[Path] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
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


def plan_for_stack(stack: str) -> tuple[PlanDocument, str]:
    """The stack's plan: .govcloud/evidence/<stack>/plan.json, else the plan the planner makes now."""
    evidence = evidence_dir(stack) / "plan.json"
    if evidence.is_file():
        return inputs.load_plan_file(evidence), str(evidence)
    try:
        return load_plan(stack=stack).document(), f"stack:{stack}"
    except PlanError as exc:  # the planner's errors name file, field and reason
        raise PolicyInputError(f"--stack {stack}", "plan", f"{exc} / 无法生成规划") from exc


def _has_yaml(directory: Path | None) -> bool:
    return bool(directory and directory.is_dir() and any(directory.rglob("*.y*ml")))


def _write_objects(items: list[dict[str, Any]], directory: Path) -> None:
    for i, item in enumerate(items):
        (directory / f"{i:05d}.yaml").write_text(
            yaml.safe_dump(item["object"], sort_keys=False), encoding="utf-8"
        )


def internal_problem(exc: BaseException) -> InputProblem:
    """A bug or an unforeseen condition: exit 2 with the exception named, never a traceback."""
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    return InputProblem(
        "(govcloud)",
        None,
        "-",
        f"internal error {type(exc).__name__}{at}: {exc} / 内部错误",
        "internal",
        "please report it with the command line; GOVCLOUD_DEBUG=1 prints the traceback / "
        "请连同命令行一起报告；设置 GOVCLOUD_DEBUG=1 可显示调用栈",
    )


def run_gate(opts: GateOptions) -> GateResult:
    """Runs the gate; never raises for bad input, a failing engine or a bug (see the module doc)."""
    problems: list[InputProblem] = []
    described: dict[str, Any] = {}
    try:
        return _run(opts, problems, described)
    except GateError as exc:
        problems.append(exc.problem())
    except ToolMissingError as exc:
        problems.append(InputProblem("(toolchain)", None, "-", str(exc), "tool-missing"))
    except Exception as exc:  # fail closed with a message, never a traceback
        if os.environ.get("GOVCLOUD_DEBUG"):
            traceback.print_exception(exc)
        problems.append(internal_problem(exc))
    doc = report.build_report(
        [],
        level=opts.level,
        inputs=described,
        policy_revision=None,
        unevaluated=[],
        errors=[p.to_json() for p in problems],
    )
    return GateResult(report=doc, exit_code=report.exit_code(doc))


def _run(opts: GateOptions, problems: list[InputProblem], described: dict[str, Any]) -> GateResult:
    if not (opts.stack or opts.plan or opts.preview_json or opts.manifests):
        raise PolicyInputError(
            "(command line)",
            "inputs",
            "give --stack, --plan, --preview-json or --manifests / 缺少输入",
            kind="usage",
        )
    if opts.level not in (2, 3, 4):
        raise PolicyInputError(
            "(command line)", "--level", "must be 2, 3 or 4 / 等级必须是 2、3 或 4", kind="usage"
        )
    waiver_list = waivers.load_waivers(opts.waivers_file)

    plan: PlanDocument | None = None
    if opts.stack:
        plan, described["plan"] = plan_for_stack(opts.stack)
        described["stack"] = opts.stack
    if opts.plan:
        plan = inputs.load_plan_file(opts.plan)
        described["plan"] = str(opts.plan)
    kube: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    if opts.preview_json:
        preview_kube, resources, preview_problems = inputs.load_preview_json(opts.preview_json)
        kube += preview_kube
        problems += preview_problems
        described["preview_json"] = str(opts.preview_json)
    sets: list[ManifestSet] = []
    for directory in opts.manifests:
        loaded = load_manifest_dir(directory, opts.excludes)
        sets.append(loaded)
        problems += loaded.problems
    manifest_items = [item for m in sets for item in m.items]
    kube += manifest_items
    described["manifests"] = [str(d) for d in opts.manifests]
    if sets:
        described["manifest_dirs"] = [m.summary() for m in sets]
    hosts = inputs.load_host_facts(opts.host_facts) if opts.host_facts else []
    duplicates = inputs.find_duplicates(kube)
    described.update({"kubernetes_objects": len(kube), "hosts": len(hosts), "errors": len(problems)})
    if duplicates:
        described["duplicates"] = duplicates
    input_doc = inputs.build_input(opts.level, plan, kube, hosts, resources)

    decision, revision = engine.evaluate(
        input_doc, opa_url=opts.opa_url, timeout=opts.timeout, before_query=opts.before_query
    )
    findings: list[dict[str, Any]] = engine.expand(decision)  # joins the clause catalogue
    _locate(findings, kube, opts)

    if opts.checkov:
        findings += _checkov_findings(opts, kube, sets)

    today = opts.today or dt.datetime.now(dt.UTC).date()
    findings += waivers.apply_waivers(findings, waiver_list, today, str(opts.waivers_file))
    doc = report.build_report(
        findings,
        level=opts.level,
        inputs=described,
        policy_revision=revision,
        unevaluated=list(decision.unevaluated),
        errors=[p.to_json() for p in problems],
    )
    evidence = None
    if opts.stack:
        evidence = write_json(evidence_dir(opts.stack) / "findings.json", doc)
    return GateResult(report=doc, exit_code=report.exit_code(doc), evidence=evidence)


def _locate(findings: list[dict[str, Any]], kube: list[dict[str, Any]], opts: GateOptions) -> None:
    """Gives each finding the file and lines of its object (manifests) or its input file (plan)."""
    where = {item["source"]: item.get("location") for item in kube}
    plan_file = str(opts.plan) if opts.plan else None
    for f in findings:
        location = where.get(str(f["resource"].get("path")))
        if location:
            f["location"] = dict(location)
            if location.get("start_line"):
                f["line_range"] = [location["start_line"], location["end_line"]]
        elif plan_file:
            f["location"] = {"file": plan_file, "start_line": None, "end_line": None}


def _checkov_findings(
    opts: GateOptions, kube: list[dict[str, Any]], sets: list[ManifestSet]
) -> list[dict[str, Any]]:
    """checkov over the objects the gate accepted (copies of their files: Helm templates, patches and
    excluded files never reach it), playbooks/ and the preview's objects rendered to YAML."""
    base: dict[str, Path] = {}
    dirs: list[Path] = []
    real: dict[str, Path] = {}
    if _has_yaml(opts.playbooks):
        assert opts.playbooks is not None
        dirs.append(opts.playbooks)
        base["playbooks"] = opts.playbooks
    manifest_sources = {item["source"] for m in sets for item in m.items}
    with tempfile.TemporaryDirectory(prefix="govcloud-checkov-") as tmp:
        for i, m in enumerate(sets):
            files = sorted({Path(item["location"]["file"]) for item in m.items})
            if not files:
                continue
            copy = Path(tmp) / f"m{i}" / m.label
            for path in files:
                target = copy / path.relative_to(m.directory)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            dirs.append(copy)
            base[m.label] = copy
            real[m.label] = m.directory
        preview_items = [item for item in kube if item["source"] not in manifest_sources]
        if preview_items:
            rendered = Path(tmp) / "preview"
            rendered.mkdir()
            _write_objects(preview_items, rendered)
            dirs.append(rendered)
            base["preview"] = rendered
        if not dirs:
            return []
        results = checkov_scan.run_checkov(dirs)
        found = checkov_scan.to_findings(results, opts.level, base, checkov_scan.load_mapping())
    for f in found:
        label, _, rel = str(f["resource"].get("path") or "").partition("/")
        if label in real and rel:
            lines = f.get("line_range") or [None, None]
            f["location"] = {"file": str(real[label] / rel), "start_line": lines[0], "end_line": lines[-1]}
        elif label == "playbooks" and opts.playbooks is not None and rel:
            lines = f.get("line_range") or [None, None]
            f["location"] = {"file": str(opts.playbooks / rel), "start_line": lines[0], "end_line": lines[-1]}
    return found
