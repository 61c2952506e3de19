"""Reading a plan: `Pulumi.<stack>.yaml` (`govcloud:` keys) or a plain YAML file, plus its lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import yaml

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.plan import PlanLock
from govcloud.plan.errors import PlanError, PlanIssue, printable, unprintable
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


# A plan nests about eight levels deep (config > govcloud:systems > [i] > placement > standby > [j]);
# anything far deeper is hostile input, refused before PyYAML's recursive composer overflows the stack.
MAX_DEPTH = 64
MERGE_TAG = "tag:yaml.org,2002:merge"
VALUE_TAG = "tag:yaml.org,2002:value"
STR_TAG = "tag:yaml.org,2002:str"


class _PlanLoader(yaml.SafeLoader):
    """SafeLoader with the plan's rules (every refusal is a YAML error at the offending line):

    * no duplicate keys (PyYAML silently keeps the last one);
    * keys are strings (no `? [a, b]` complex keys, no `1:` or `on:` read as a number or boolean);
    * no merge keys (`<<:`): write the keys out, or alias a whole mapping (`&name` / `*name`);
    * at most MAX_DEPTH levels of nesting;
    * a scalar that matches a YAML type but cannot be built (a timestamp `2024-13-45`, an integer of
      thousands of digits) is an error at its line, not a Python exception.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested deeper than {MAX_DEPTH} levels (a plan needs about 8) / 嵌套层数超过 {MAX_DEPTH}",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            shown = _clip(repr(node.value)) if isinstance(node, yaml.ScalarNode) else node.tag
            reason = f"cannot read the value {shown} as {node.tag}: {_clip(str(exc), 120)} / 值无法解析"
            raise yaml.constructor.ConstructorError(None, None, reason, node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "YAML merge keys (`<<:`) are not supported: write the keys out, or alias a whole "
                    "mapping (`&name` / `*name`) / 不支持 YAML 合并键",
                    key_node.start_mark,
                )
            if key_node.tag == VALUE_TAG:  # a plain `=` key: the text "=", as PyYAML's own loader reads it
                key_node.tag = STR_TAG
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "a sequence or mapping used as a key (`? [a, b]`): keys are plain names / 不支持复合键",
                    key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {_clip(repr(key_node.value))} is read as {type(key).__name__}, not text; "
                    "quote it / 键须为字符串",
                    key_node.start_mark,
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {_clip(repr(key))} / 键重复", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stack_file(stack: str, root: Path = REPO_ROOT) -> Path:
    return root / f"Pulumi.{stack}.yaml"


def lock_path(stack: str | None = None, config: Path | None = None) -> Path:
    """Where a plan's lock lives: stacks/locks/<stack>.plan.lock.json, or beside a plain config file."""
    if config is not None:
        return config.with_name(f"{config.stem}.plan.lock.json")
    return LOCK_DIR / f"{stack}.plan.lock.json"


def _unreadable(where: str, reason: str, file: str) -> PlanError:
    return PlanError([PlanIssue(where, reason, file)], True)


def _decode(data: bytes, file: str) -> str:
    """The file's text; a file that is not UTF-8 (binary, GBK, UTF-16) is unreadable input."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise _unreadable(
            f"line {line}, byte {exc.start}",
            f"not UTF-8 text{hint}: byte 0x{data[exc.start]:02x} cannot be decoded; a plan is a UTF-8 "
            "YAML file / 文件不是 UTF-8 编码的文本",
            file,
        ) from None


def _mark(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _runaway_quote(text: str, problem: yaml.Mark) -> yaml.Token | None:
    """A quoted string that spans lines and ends where the parser gave up: an unterminated quote
    swallows the following lines up to the next quote character, so the error shows up far below."""
    last: yaml.Token | None = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= problem.index:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ("'", '"')
                and token.end_mark.line > token.start_mark.line
            ):
                last = token
    except yaml.YAMLError:
        pass
    if last is not None and problem.line - last.end_mark.line <= 1:
        return last
    return None


SYNTAX = "YAML syntax error / YAML 语法错误"
REFUSED = "YAML not accepted / YAML 内容不被接受"
# Errors whose context mark is where the trouble starts: an opening quote or bracket never closed.
_OPENED = (
    "while scanning a quoted scalar",
    "while scanning a block scalar",
    "while parsing a flow sequence",
    "while parsing a flow mapping",
)


def _syntax_issue(exc: yaml.YAMLError, text: str, file: str) -> PlanIssue:
    """The YAML error at the line where the problem starts, with where the parser noticed it."""
    if isinstance(exc, yaml.reader.ReaderError):
        pos = exc.position
        line, column = text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return PlanIssue(
            f"line {line}, column {column}",
            f"{SYNTAX}: character U+{ord(char):04X} is not allowed in a YAML file (write control "
            "characters as escapes in double quotes) / 不允许的字符",
            file,
        )
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return PlanIssue("(document)", f"{SYNTAX}: {exc}", file)
    problem, context = exc.problem or "syntax error", exc.context
    pmark, cmark = exc.problem_mark, exc.context_mark
    start, notes = pmark, [f"{problem} at {_mark(pmark)}"]
    if context and cmark is not None:
        notes.append(f"{context} at {_mark(cmark)}")
        if context.startswith(_OPENED):
            start = cmark
    if start is pmark and isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError):
        quote = _runaway_quote(text, pmark)
        if quote is not None:
            start = quote.start_mark
            notes.insert(
                0,
                f"the quoted string opened at {_mark(quote.start_mark)} runs on to line "
                f"{quote.end_mark.line + 1}: an unterminated quote? / 引号未闭合？",
            )
    if start is pmark and len(notes) == 1:
        notes = [problem]
    kind = SYNTAX if isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError) else REFUSED
    return PlanIssue(_mark(start), f"{kind}: {'; '.join(notes)}", file)


def read_yaml(path: Path) -> Any:
    """The YAML document of a plan or stack file; PlanError(unreadable) if it cannot be read.

    Unreadable: a missing or unreadable file, text that is not UTF-8, an empty file, a YAML syntax
    error, a duplicate or non-string key, a merge key, nesting deeper than MAX_DEPTH.
    """
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable("(file)", f"cannot read: {exc.strerror or exc} / 无法读取", file) from exc
    text = _decode(data, file)
    if not text.lstrip("\ufeff").strip():
        raise _unreadable("(file)", "empty file: no settings to read / 文件为空", file)
    try:
        doc = yaml.load(text, Loader=_PlanLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PlanError([_syntax_issue(exc, text, file)], True) from None
    except RecursionError:  # MAX_DEPTH stops the composer first; this is the last line of defence
        raise _unreadable("(document)", "nested too deeply to read / 嵌套层数过多", file) from None
    if doc is None:
        raise _unreadable(
            "(document)", "empty document: only comments or `null`, no settings / 文件为空（只有注释）", file
        )
    return doc


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


# The Chinese of pydantic's own messages (ours are written in both languages).
_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "finite_number": "须为有限数值（不能是 .inf 或 .nan）",
    "literal_error": "取值不在允许范围内",
    "string_pattern_mismatch": "格式不符",
    "string_too_short": "长度不足",
    "string_too_long": "过长",
    "too_short": "条目不足",
    "too_long": "条目过多",
    "greater_than": "超出范围",
    "greater_than_equal": "超出范围",
    "less_than": "超出范围",
    "less_than_equal": "超出范围",
    "int_type": "须为整数",
    "float_type": "须为数值",
    "string_type": "须为字符串",
    "bool_type": "须为布尔值",
    "dict_type": "须为映射",
    "list_type": "须为列表",
    "model_type": "须为映射",
    "model_attributes_type": "须为映射",
    "union_tag_invalid": "取值不在允许范围内",
    "union_tag_not_found": "缺少必填字段",
}


def parse_config(raw: dict[str, Any], prefix: str = "") -> PlanConfig:
    """Validate the shape of the settings; errors carry the field path."""
    # Keys are strings when the YAML loader read them; a caller's dict may hold anything (sort as text).
    unknown = sorted((k for k in raw if k not in CONFIG_KEYS), key=str)
    issues = [
        PlanIssue(f"{prefix}{k}", f"unknown setting (known: {', '.join(CONFIG_KEYS)}) / 未知配置项")
        for k in unknown
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
            shown = "" if isinstance(value, dict | list) or value is None else f" (got {_clip(repr(value))})"
            zh = _ZH.get(err["type"])
            issues.append(PlanIssue(prefix + _loc(loc), f"{err['msg']}{shown}" + (f" / {zh}" if zh else "")))
        raise PlanError(issues) from exc


def read_lock(path: Path) -> dict[str, dict[str, str]] | None:
    """The prefixes a lock file keeps (govcloud.plan-lock/v1), or None when there is no lock."""
    if not path.exists():
        return None
    try:
        lock = read(PlanLock, path)
    except ContractError as exc:
        where = f"{exc.path}: " if exc.path else ""
        reason = f"unreadable lock file: {where}{_clip(exc.reason, 200)} / 锁文件无法读取"
        raise PlanError([PlanIssue("(lock)", reason, str(path))], True) from None
    return {k: {"ipv4": v.ipv4, "ipv6": v.ipv6} for k, v in lock.segments.items()}


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


def config_stack_name(path: Path) -> str:
    """The stack name of a plain plan file: its name without `.yaml` (it names the evidence directory)."""
    stack = path.stem
    if stack in ("", ".", "..") or unprintable(stack):
        raise _unreadable(
            "(file)",
            f"the file name gives no usable stack name ({printable(stack)!r}): rename the file, e.g. "
            "city-plan.yaml / 文件名不能作为栈名",
            str(path),
        )
    return stack


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
        stack = config_stack_name(path)
        raw, prefix = extract_namespace(read_yaml(path))
        lock = read_lock(lock_path(None, path)) if use_lock else None
        return plan_from_raw(raw, stack, prefix, lock, str(path))
    except PlanError as exc:
        raise exc.with_file(path) from None
