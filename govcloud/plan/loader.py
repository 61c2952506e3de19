"""Reading a plan: `Pulumi.<stack>.yaml` (`govcloud:` keys) or a plain YAML file, plus its lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import yaml

from govcloud.plan.errors import PlanError, PlanIssue
from govcloud.plan.models import CONFIG_KEYS, PlanConfig
from govcloud.plan.plan import Plan, build_plan
from govcloud.plan.selection import (
    DEPLOY_KEY,
    WHOLE,
    DeploySelection,
    check_selection,
    parse_selection,
    split_deploy,
)
from govcloud.toolchain.versions import REPO_ROOT

NAMESPACE = "govcloud"
LOCK_DIR = REPO_ROOT / "stacks" / "locks"


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} / 键重复", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def stack_file(stack: str, root: Path = REPO_ROOT) -> Path:
    return root / f"Pulumi.{stack}.yaml"


def lock_path(stack: str | None = None, config: Path | None = None) -> Path:
    """Where a plan's lock lives: stacks/locks/<stack>.plan.lock.json, or beside a plain config file."""
    if config is not None:
        return config.with_name(f"{config.stem}.plan.lock.json")
    return LOCK_DIR / f"{stack}.plan.lock.json"


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(
            [PlanIssue("(file)", f"cannot read: {exc.strerror or exc}", str(path))], True
        ) from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(document)"
        problem = getattr(exc, "problem", None) or str(exc)
        issue = PlanIssue(where, f"YAML syntax error: {problem} / YAML 语法错误", str(path))
        raise PlanError([issue], True) from exc


PLAN_FILE_KEY = "planFile"


def plan_file_setting(settings: dict[str, Any], base: Path, where: str) -> Path | None:
    """The plain-YAML plan a stack config points to with `govcloud:planFile`, or None.

    A large plan (a whole city: thousands of systems) does not fit in the stack config Pulumi passes
    to the program (one environment variable, at most 128 KiB on Linux), so a stack may keep its plan
    in a separate file. `planFile` is then the stack's only `govcloud:` key besides `deploy` (the
    slice of the plan the stack deploys); a relative path is taken from the directory of the stack
    config. The plan's lock then lives beside the plan file, shared by every stack of that plan.
    """
    if PLAN_FILE_KEY not in settings:
        return None
    value = settings[PLAN_FILE_KEY]
    field = f"config.{NAMESPACE}:{PLAN_FILE_KEY}"
    if not isinstance(value, str) or not value.strip():
        reason = "must be the path of a plan YAML file / 须为规划文件路径"
        raise PlanError([PlanIssue(field, reason, where)], True)
    others = sorted(k for k in settings if k not in (PLAN_FILE_KEY, DEPLOY_KEY))
    if others:
        raise PlanError(
            [
                PlanIssue(
                    field,
                    f"planFile excludes inline settings (also set: {', '.join(others)}) / "
                    "planFile 与内联规划配置不能同时使用",
                    where,
                )
            ],
            True,
        )
    path = Path(value)
    return path if path.is_absolute() else base / path


def extract_namespace(doc: Any) -> tuple[dict[str, Any], str]:
    """The `govcloud:` settings of a document and the path prefix to report errors with."""
    if not isinstance(doc, dict):
        raise PlanError([PlanIssue("(document)", "expected a mapping at the top level")])
    if "config" in doc and isinstance(doc["config"], dict):
        raw = {
            k.split(":", 1)[1]: v
            for k, v in doc["config"].items()
            if isinstance(k, str) and k.startswith(f"{NAMESPACE}:")
        }
        if not raw:
            raise PlanError([PlanIssue("config", f"no `{NAMESPACE}:` keys in this stack config")])
        return raw, f"config.{NAMESPACE}:"
    if set(doc) == {NAMESPACE} and isinstance(doc[NAMESPACE], dict):
        return dict(doc[NAMESPACE]), f"{NAMESPACE}."
    return dict(doc), ""


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def parse_config(raw: dict[str, Any], prefix: str = "") -> PlanConfig:
    """Validate the shape of the settings; errors carry the field path."""
    unknown = sorted(set(raw) - set(CONFIG_KEYS))
    issues = [
        PlanIssue(f"{prefix}{k}", f"unknown setting (known: {', '.join(CONFIG_KEYS)})") for k in unknown
    ]
    if issues:
        raise PlanError(issues)
    try:
        return PlanConfig.model_validate(raw)
    except pydantic.ValidationError as exc:
        issues = []
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in {"render", "context"}))
            value = err.get("input")
            shown = "" if isinstance(value, dict | list) or value is None else f" (got {value!r})"
            issues.append(PlanIssue(prefix + _loc(loc), f"{err['msg']}{shown}"))
        raise PlanError(issues) from exc


def read_lock(path: Path) -> dict[str, dict[str, str]] | None:
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        segs = doc["segments"]
        if doc.get("schema") != "govcloud.plan-lock/v1" or not isinstance(segs, dict):
            raise ValueError("not a govcloud.plan-lock/v1 document")
        return {str(k): {"ipv4": str(v["ipv4"]), "ipv6": str(v["ipv6"])} for k, v in segs.items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise PlanError([PlanIssue("(lock)", f"unreadable lock file: {exc}", str(path))], True) from exc


def write_lock(plan: Plan, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(plan.lock(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def plan_from_raw(
    raw: dict[str, Any],
    stack: str,
    prefix: str = "",
    lock: dict[str, dict[str, str]] | None = None,
    source: str = "",
) -> Plan:
    config = parse_config(raw, prefix)
    try:
        return build_plan(config, stack, lock, source)
    except PlanError as exc:
        if prefix:
            raise PlanError([PlanIssue(prefix + i.path, i.reason, i.file) for i in exc.issues]) from exc
        raise


def selection_from_raw(value: Any, plan: Plan, where: str) -> DeploySelection:
    """The validated `govcloud:deploy` slice of a stack (WHOLE when the stack sets none)."""
    if value is None:
        return WHOLE
    field = f"config.{NAMESPACE}:{DEPLOY_KEY}"
    selection = parse_selection(value, field, where)
    check_selection(value, plan, field, where)
    return selection


def stack_lock_path(stack: str, root: Path = REPO_ROOT) -> Path:
    """The lock a stack plans with: beside its planFile if it has one, else stacks/locks/<stack>."""
    path = stack_file(stack, root)
    try:
        raw, _prefix = extract_namespace(read_yaml(path))
        plan_file = plan_file_setting(raw, path.parent, str(path))
    except PlanError:
        return lock_path(stack, None)  # load_plan reports what is wrong with the stack config
    return lock_path(None, plan_file) if plan_file is not None else lock_path(stack, None)


def load_stack(stack: str, *, use_lock: bool = True, root: Path = REPO_ROOT) -> tuple[Plan, DeploySelection]:
    """A stack's whole plan and the slice of it the stack deploys (`govcloud:deploy`)."""
    path = stack_file(stack, root)
    if not path.exists():
        raise PlanError([PlanIssue("(file)", f"no stack config for stack {stack!r}", str(path))], True)
    where = str(path)
    try:
        raw, prefix = extract_namespace(read_yaml(path))
        raw, deploy = split_deploy(raw)
        plan_file = plan_file_setting(raw, path.parent, where)
        lockfile = lock_path(stack, None)
        if plan_file is not None:
            where, lockfile = str(plan_file), lock_path(None, plan_file)
            raw, prefix = extract_namespace(read_yaml(plan_file))
        lock = read_lock(lockfile) if use_lock else None
        plan = plan_from_raw(raw, stack, prefix, lock, where)
        return plan, selection_from_raw(deploy, plan, str(path))
    except PlanError as exc:
        raise exc.with_file(where) from None


def load_plan(
    stack: str | None = None,
    config: str | Path | None = None,
    *,
    use_lock: bool = True,
    root: Path = REPO_ROOT,
) -> Plan:
    """Load and plan a stack (`Pulumi.<stack>.yaml` under `root`) or a plain YAML config file.

    A stack's plan is always the whole plan, whatever slice it deploys (`load_stack`).
    Raises PlanError whose issues name the file, the field path and the reason.
    """
    if stack is not None and config is None:
        return load_stack(stack, use_lock=use_lock, root=root)[0]
    if stack is not None or config is None:
        raise PlanError([PlanIssue("(arguments)", "give exactly one of --stack or --config")], True)
    path = Path(config)
    try:
        raw, prefix = extract_namespace(read_yaml(path))
        lock = read_lock(lock_path(None, path)) if use_lock else None
        return plan_from_raw(raw, path.stem, prefix, lock, str(path))
    except PlanError as exc:
        raise exc.with_file(path) from None
