"""A directory of Kubernetes manifests as a real repository holds it: objects, and everything else.

Every file whose name ends in .yaml, .yml or .json (any case) is read. What is not a Kubernetes
object the gate can judge becomes an InputProblem (file, line, reason, hint) and the walk goes on:

- Helm: files under a chart's `templates/` and text with Helm actions (`{{ .Values ... }}`) are
  templates (render them with `helm template`); `values*.yaml` of a chart are values files;
- kustomize: files a kustomization names as patches, generator inputs or transformer configs, and
  documents that are strategic-merge (`$patch: ...`) or JSON 6902 patches, are not objects (run
  `kustomize build`); a workload without its pod template is a partial object;
- YAML/JSON that does not parse, binary files, documents that are not Kubernetes objects.

Known tool files (kustomization.yaml, Chart.yaml, Chart.lock, values.schema.json, Pulumi*.yaml)
are skipped and listed; `--exclude` and `.govcloudignore` skip more (listed too). A directory that
yields no object at all is itself a problem: the gate never passes on nothing read.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from govcloud.policy import documents
from govcloud.policy.documents import Document, DocumentError
from govcloud.policy.errors import InputProblem
from govcloud.policy.ignore import IgnoreRules

KubeItem = dict[str, Any]

MANIFEST_SUFFIXES = {".yaml", ".yml", ".json"}
KUSTOMIZATION_NAMES = {"kustomization.yaml", "kustomization.yml", "kustomization"}
# Files of the tools around manifests (lower-case names): never Kubernetes objects.
TOOL_FILES = KUSTOMIZATION_NAMES | {
    "chart.yaml",
    "chart.lock",
    "requirements.yaml",
    "requirements.lock",
    "values.schema.json",
    "pulumi.yaml",
}
TOOL_FILE_RE = re.compile(r"^pulumi\.[^/]+\.ya?ml$", re.IGNORECASE)
SKIPPED_DIRS = {".git"}
VALUES_RE = re.compile(r"^(.*[-_.])?values([-_.].*)?\.ya?ml$", re.IGNORECASE)
# Actions only Helm templates contain (Prometheus/Alertmanager templates in ConfigMaps do not).
HELM_RE = re.compile(
    r"\{\{-?\s*(?:[^}]*\.(?:Values|Release|Chart|Capabilities|Files)\b|include\s+\"|toYaml\b|tpl\s)"
)
# Kinds whose objects must carry a pod template; without one they are partial objects (patches).
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec", "containers"),
    "Deployment": ("spec", "template", "spec", "containers"),
    "StatefulSet": ("spec", "template", "spec", "containers"),
    "DaemonSet": ("spec", "template", "spec", "containers"),
    "ReplicaSet": ("spec", "template", "spec", "containers"),
    "ReplicationController": ("spec", "template", "spec", "containers"),
    "Job": ("spec", "template", "spec", "containers"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec", "containers"),
}
# Above this many files the YAML is parsed in worker processes (PyYAML builds objects in Python).
PARALLEL_FILES = 2000

HINT_HELM_TEMPLATE = (
    "a Helm template: render it first with `helm template`, check the output, and exclude the chart "
    "sources / Helm 模板：请先用 `helm template` 渲染后检查渲染结果，并排除模板源文件"
)
HINT_HELM_VALUES = (
    "a Helm values file, not a Kubernetes object: check the chart rendered with these values "
    "(`helm template -f`) and exclude the file / "
    "Helm values 文件不是 Kubernetes 对象：请检查用它渲染的结果并排除该文件"
)
HINT_KUSTOMIZE = (
    "a kustomize patch or input, not a whole object: run `kustomize build` on the overlay, check the "
    "output, and exclude the overlay sources / kustomize 补丁或输入，不是完整对象：请对 overlay 运行 "
    "`kustomize build` 后检查输出，并排除源文件"
)
HINT_NOT_KUBERNETES = (
    "not a Kubernetes object: exclude it with --exclude or .govcloudignore / 不是 Kubernetes 对象："
    "请用 --exclude 或 .govcloudignore 排除"
)
HINT_FIX_OBJECT = (
    "fix the object, or exclude the file if it is not meant for a cluster / 修正该对象，或排除该文件"
)
HINT_FIX_SYNTAX = "fix the syntax, or exclude the file / 修正语法，或排除该文件"


@dataclass
class FileContext:
    """What the whole tree says about one file: its chart, its role in a kustomization."""

    chart_templates: bool = False
    chart_values: bool = False
    kustomize_role: str | None = None
    kustomization: str | None = None


@dataclass
class ManifestSet:
    """Everything read from one `--manifests` directory."""

    directory: Path
    label: str
    items: list[KubeItem] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    excluded: list[dict[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "files": len(self.files),
            "objects": len(self.items),
            "problems": len(self.problems),
            "excluded": self.excluded,
            "skipped": self.skipped,
        }


def _walk(directory: Path, rules: IgnoreRules, result: ManifestSet) -> tuple[list[Path], list[Path]]:
    """The files to read and the kustomizations to consult (both not excluded); unreadable
    directories are problems, symlinked directories are listed as skipped (not followed)."""
    prune_ok = not any(p.negated for p in rules.patterns)
    files: list[Path] = []
    kustomizations: list[Path] = []

    def unreadable(err: OSError) -> None:
        result.problems.append(
            InputProblem(
                str(err.filename),
                None,
                "-",
                f"cannot read directory: {err.strerror} / 无法读取目录",
                "unreadable",
                HINT_NOT_KUBERNETES,
            )
        )

    for root, dirs, names in os.walk(directory, onerror=unreadable, followlinks=False):
        base = Path(root)
        rel_root = base.relative_to(directory).as_posix()
        kept = []
        for d in sorted(dirs):
            rel = d if rel_root == "." else f"{rel_root}/{d}"
            if d in SKIPPED_DIRS:
                continue
            pattern = rules.match(rel, is_dir=True) if prune_ok else None
            if pattern is not None:
                result.excluded.append({"path": rel + "/", "pattern": pattern.text, "source": pattern.source})
                continue
            if (base / d).is_symlink():
                result.skipped.append(f"{rel}/ (symbolic link, not followed)")
                continue
            kept.append(d)
        dirs[:] = kept
        for name in sorted(names):
            path = base / name
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if Path(name).suffix.lower() not in MANIFEST_SUFFIXES and name.lower() not in KUSTOMIZATION_NAMES:
                continue
            if not path.is_file():
                continue
            pattern = rules.match(rel)
            if pattern is not None:
                result.excluded.append({"path": rel, "pattern": pattern.text, "source": pattern.source})
                continue
            if name.lower() in KUSTOMIZATION_NAMES:
                kustomizations.append(path)
            if name.lower() in TOOL_FILES or TOOL_FILE_RE.match(name):
                result.skipped.append(rel)
                continue
            files.append(path)
    return files, kustomizations


def _chart_roots(directory: Path) -> set[Path]:
    roots: set[Path] = set()
    for root, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        if any(n.lower() == "chart.yaml" for n in names):
            roots.add(Path(root))
    return roots


def _kustomize_roles(kustomizations: list[Path], problems: list[InputProblem]) -> dict[Path, tuple[str, str]]:
    """Resolved path -> (role, kustomization) for every file a kustomization names as a non-object."""
    roles: dict[Path, tuple[str, str]] = {}
    for path in kustomizations:
        rel = str(path)
        try:
            docs = documents.parse_yaml(documents.read_text(path))
        except DocumentError as exc:
            problems.append(
                InputProblem(rel, exc.line, exc.field, exc.reason, exc.kind or "yaml-syntax", HINT_FIX_SYNTAX)
            )
            continue
        for doc in docs:
            if isinstance(doc.value, dict):
                for target, role in _kustomization_refs(doc.value):
                    try:
                        resolved = (path.parent / target).resolve()
                    except (OSError, ValueError, RuntimeError):
                        continue
                    roles[resolved] = (role, rel)
    return roles


def _kustomization_refs(doc: dict[str, Any]) -> list[tuple[str, str]]:
    refs: list[tuple[str, str]] = []

    def add(value: Any, role: str) -> None:
        if isinstance(value, str) and value and "\n" not in value and "://" not in value:
            refs.append((value, role))

    def entries(key: str) -> list[Any]:
        value = doc.get(key)
        return value if isinstance(value, list) else []

    for v in entries("patchesStrategicMerge"):
        add(v, "patch")
    for key in ("patches", "patchesJson6902"):
        for p in entries(key):
            if isinstance(p, dict):
                add(p.get("path"), "patch")
    for key in ("configMapGenerator", "secretGenerator"):
        for g in entries(key):
            if not isinstance(g, dict):
                continue
            for list_key in ("files", "envs"):
                listed = g.get(list_key)
                for f in listed if isinstance(listed, list) else []:
                    if isinstance(f, str):
                        add(f.split("=", 1)[-1], "generator input")
            add(g.get("env"), "generator input")
    for r in entries("replacements"):
        if isinstance(r, dict):
            add(r.get("path"), "configuration")
    for key in ("transformers", "generators", "validators", "configurations"):
        for v in entries(key):
            add(v, "configuration")
    openapi = doc.get("openapi")
    if isinstance(openapi, dict):
        add(openapi.get("path"), "configuration")
    return refs


def _context(path: Path, charts: set[Path], roles: dict[Path, tuple[str, str]]) -> FileContext:
    ctx = FileContext()
    for parent in path.parents if charts else ():
        if parent in charts:
            rel = path.relative_to(parent).parts
            ctx.chart_templates = rel[0] == "templates"
            in_values_place = len(rel) == 1 or rel[0] == "ci"
            ctx.chart_values = in_values_place and bool(VALUES_RE.match(path.name))
            break
    if roles:
        try:
            role = roles.get(path.resolve())
        except (OSError, RuntimeError):
            role = None
        if role is not None:
            ctx.kustomize_role, ctx.kustomization = role
    return ctx


def _first_template_line(text: str) -> int | None:
    match = HELM_RE.search(text) or re.search(r"\{\{", text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load_file(path: Path, rel: str, ctx: FileContext) -> tuple[list[KubeItem], list[InputProblem]]:
    """The objects of one file and the problems that stop parts of it from being judged.

    Objects are named `rel` (`<dir name>/<path>`, `#<n>` for the n-th document), as findings and
    waivers know them; problems name the file by its path, so editors and code scanning find it.
    """
    items, problems = _load_file(path, rel, ctx)
    return items, [replace(p, file=str(path)) for p in problems]


def _load_file(path: Path, rel: str, ctx: FileContext) -> tuple[list[KubeItem], list[InputProblem]]:
    try:
        text = documents.read_text(path)
    except DocumentError as exc:
        return [], [InputProblem(rel, exc.line, "-", exc.reason, "unreadable", HINT_NOT_KUBERNETES)]
    if ctx.chart_templates:
        return [], [
            InputProblem(
                rel,
                _first_template_line(text) or 1,
                "-",
                "a template of a Helm chart (under templates/) / Helm chart 模板（templates/ 下）",
                "helm-template",
                HINT_HELM_TEMPLATE,
            )
        ]
    if ctx.chart_values:
        return [], [
            InputProblem(
                rel,
                1,
                "-",
                "a values file of a Helm chart / Helm chart 的 values 文件",
                "helm-values",
                HINT_HELM_VALUES,
            )
        ]
    if ctx.kustomize_role is not None:
        return [], [
            InputProblem(
                rel,
                1,
                "-",
                f"a kustomize {ctx.kustomize_role} named by {ctx.kustomization} / "
                "被上述 kustomization 引用的补丁或输入文件",
                "kustomize-patch",
                HINT_KUSTOMIZE,
            )
        ]
    helm = HELM_RE.search(text)
    if helm is not None:
        line = text.count("\n", 0, helm.start()) + 1
        return [], [
            InputProblem(
                rel,
                line,
                "-",
                "Helm template actions ({{ .Values ... }}) / 含 Helm 模板语法",
                "helm-template",
                HINT_HELM_TEMPLATE,
            )
        ]
    is_json = path.suffix.lower() == ".json"
    try:
        docs = documents.parse_json(text) if is_json else documents.parse_yaml(text)
    except DocumentError as exc:
        if "{{" in text and exc.kind in {"yaml-syntax", "json-syntax"}:
            return [], [
                InputProblem(
                    rel,
                    _first_template_line(text),
                    exc.field,
                    f"template syntax ({{{{ }}}}) that is not YAML: {exc.reason} / 含模板语法，无法解析",
                    "template",
                    HINT_HELM_TEMPLATE,
                )
            ]
        return [], [
            InputProblem(rel, exc.line, exc.field, exc.reason, exc.kind or "invalid-input", HINT_FIX_SYNTAX)
        ]
    reader = _DocumentReader(values_name=bool(VALUES_RE.match(path.name)), file=str(path))
    for doc in docs:
        if doc.value is not None:
            reader.read(doc, rel if len(docs) == 1 else f"{rel}#{doc.index}")
    return reader.items, reader.problems


@dataclass
class _DocumentReader:
    """Turns the documents of one file into objects and problems."""

    values_name: bool
    file: str
    items: list[KubeItem] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

    def read(self, doc: Document, source: str) -> None:
        value = doc.value
        if _is_json6902(value) or doc.directives:
            what = (
                "a JSON 6902 patch"
                if _is_json6902(value)
                else f"a strategic-merge patch ({sorted(doc.directives)[0]})"
            )
            self.problems.append(
                InputProblem(
                    source, doc.start_line, "-", f"{what} / kustomize 补丁", "kustomize-patch", HINT_KUSTOMIZE
                )
            )
            return
        if isinstance(value, dict) and value.get("kind") == "List" and isinstance(value.get("items"), list):
            for j, obj in enumerate(value["items"]):
                lines = doc.item_lines[j] if j < len(doc.item_lines) else (doc.start_line, doc.end_line)
                self.object(obj, source, f"items[{j}]", lines)
            return
        self.object(value, source, "(document)", (doc.start_line, doc.end_line))

    def object(self, obj: Any, source: str, where: str, lines: tuple[int, int]) -> None:
        start = lines[0]
        if not isinstance(obj, dict) or ("apiVersion" not in obj and "kind" not in obj):
            if self.values_name and isinstance(obj, dict):
                self.problems.append(
                    InputProblem(
                        source,
                        start,
                        where,
                        "a Helm values file / Helm values 文件",
                        "helm-values",
                        HINT_HELM_VALUES,
                    )
                )
                return
            shape = (
                "a mapping without apiVersion and kind"
                if isinstance(obj, dict)
                else f"a {type(obj).__name__}"
            )
            self.problems.append(
                InputProblem(
                    source,
                    start,
                    where,
                    f"not a Kubernetes object ({shape}) / 不是 Kubernetes 对象",
                    "not-kubernetes",
                    HINT_NOT_KUBERNETES,
                )
            )
            return
        problem = object_problem(obj, where)
        if problem is not None:
            self.problems.append(
                InputProblem(source, start, problem[0], problem[1], "invalid-object", HINT_FIX_OBJECT)
            )
            return
        partial = _missing_pod_template(obj)
        if partial is not None:
            self.problems.append(
                InputProblem(
                    source,
                    start,
                    f"{where}.{partial}",
                    f"a partial {obj['kind']} without its pod template (a kustomize patch?) / "
                    f"{obj['kind']} 缺少 Pod 模板，是不完整对象（kustomize 补丁？）",
                    "kustomize-patch",
                    HINT_KUSTOMIZE,
                )
            )
            return
        location = {"file": self.file, "start_line": start, "end_line": lines[1]}
        self.items.append({"source": source, "object": obj, "location": location})


def _is_json6902(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(op, dict) and "op" in op and "path" in op for op in value)
    )


def _missing_pod_template(obj: dict[str, Any]) -> str | None:
    path = POD_TEMPLATE_PATHS.get(obj["kind"])
    if path is None:
        return None
    node: Any = obj
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return ".".join(path)
        node = node[key]
    return None if isinstance(node, list) else ".".join(path)


def object_problem(obj: Any, where: str) -> tuple[str, str] | None:
    """(field, reason) when `obj` is not a usable Kubernetes object; None when it is."""
    if not isinstance(obj, dict):
        return where, "a Kubernetes object must be a mapping / 必须是映射"
    for required in ("apiVersion", "kind"):
        if not isinstance(obj.get(required), str) or not obj[required]:
            return f"{where}.{required}", "missing or not a string / 缺失或不是字符串"
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return f"{where}.metadata", "missing or not a mapping / 缺失或不是映射"
    name = meta.get("name")
    generate = meta.get("generateName")
    if not (isinstance(name, str) and name) and not (isinstance(generate, str) and generate):
        return f"{where}.metadata.name", "missing or not a string (and no generateName) / 缺失或不是字符串"
    if meta.get("namespace") is not None and not isinstance(meta["namespace"], str):
        return f"{where}.metadata.namespace", "must be a string / 必须是字符串"
    for key in ("labels", "annotations"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            return f"{where}.metadata.{key}", "must be a mapping / 必须是映射"
    for key in ("spec", "rules", "subjects"):
        if key in obj and obj[key] is not None and not isinstance(obj[key], dict | list):
            return f"{where}.{key}", "must be a mapping or list / 必须是映射或列表"
    return None


def object_name(obj: dict[str, Any]) -> str:
    """metadata.name, or `<generateName>*` for objects the API server names."""
    meta = obj["metadata"]
    name = meta.get("name")
    return name if isinstance(name, str) and name else f"{meta.get('generateName')}*"


def _load_chunk(
    jobs: list[tuple[Path, str, FileContext]],
) -> list[tuple[list[KubeItem], list[InputProblem]]]:
    return [load_file(path, rel, ctx) for path, rel, ctx in jobs]


def load_manifest_dir(directory: Path, excludes: list[str] | None = None) -> ManifestSet:
    """Every object under `directory` (recursive; multi-document YAML; kind: List) and every problem."""
    label = directory.name or str(directory)
    result = ManifestSet(directory=directory, label=label)
    if not directory.is_dir():
        result.problems.append(
            InputProblem(
                str(directory),
                None,
                "-",
                "not a directory / 不是目录",
                "unreadable",
                "give a directory of Kubernetes YAML / 请指定 Kubernetes YAML 所在目录",
            )
        )
        return result
    rules = IgnoreRules.for_directory(directory, list(excludes or []))
    files, kustomizations = _walk(directory, rules, result)
    charts = _chart_roots(directory)
    roles = _kustomize_roles(kustomizations, result.problems)
    jobs = []
    for path in files:
        rel = path.relative_to(directory).as_posix()
        result.files.append(rel)
        jobs.append((path, f"{label}/{rel}", _context(path, charts, roles)))
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FILES or workers < 2:
        outcomes = _load_chunk(jobs)
    else:
        size = -(-len(jobs) // (workers * 4))
        chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = [o for part in pool.map(_load_chunk, chunks) for o in part]
    for items, problems in outcomes:
        result.items += items
        result.problems += problems
    if not result.items:
        reason = (
            f"no Kubernetes object found ({len(result.files)} file(s) read, {len(result.excluded)} excluded, "
            f"{len(result.problems)} with problems) / 未读到任何 Kubernetes 对象"
        )
        result.problems.append(
            InputProblem(
                str(directory),
                None,
                "-",
                reason,
                "no-objects",
                "the gate never passes on nothing read: check the path and the exclusions / "
                "门禁不会在未读到任何对象时通过：请检查路径与排除规则",
            )
        )
    return result
