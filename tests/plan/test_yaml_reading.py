"""Reading a plan file that is not a good YAML plan: a clear message (file, line, reason) and exit 2
(unreadable input), never a Python traceback (issue 14: crashes and the smaller list)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.plan import PlanError, load_plan, loader
from govcloud.plan.loader import read_lock, read_yaml
from tests.plan.conftest import LAB_FILE

MAX_DEPTH = 64  # documented in docs/plan.md and the CLI help


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _plan(runner: CliRunner, path: Path, *extra: str) -> Any:
    result = runner.invoke(app, ["plan", "--config", str(path), *extra])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}"
    )
    return result


def _unreadable(runner: CliRunner, path: Path, *fragments: str, file: Path | None = None) -> str:
    """Exit 2 with every fragment in the message, as text (stderr) and as JSON (stdout); the
    message names `file` (default: the plan file)."""
    file = file or path
    result = _plan(runner, path)
    assert result.exit_code == 2, (result.exit_code, result.output)
    message = result.stderr
    assert f"{file}: " in message and "无法读取 / cannot read" in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    js = _plan(runner, path, "--format", "json")
    assert js.exit_code == 2
    doc = json.loads(js.stdout)
    assert doc["error"] == "plan-unreadable" and doc["issues"][0]["file"] == str(file), doc
    return message


# ---- the four crashes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ("not UTF-8", "byte 0x89", "line 1, byte 0")),
        (b"name: x\nlab: true\ncity: \xb3\xfa\xd6\xdd\n", ("not UTF-8", "line 3", "byte 0xb3")),  # GBK
        ("name: x\n".encode("utf-16"), ("not UTF-8", "UTF-16")),
    ],
    ids=["binary", "gbk", "utf16"],
)
def test_text_that_is_not_utf8(
    tmp_path: Path, runner: CliRunner, data: bytes, fragments: tuple[str, ...]
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(data)
    _unreadable(runner, path, *fragments)


def test_complex_mapping_key(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: x\n? [a, b]\n: x\n", encoding="utf-8")
    _unreadable(runner, path, "line 2, column 3", "sequence or mapping used as a key")


@pytest.mark.parametrize(
    ("text", "where", "key"),
    [
        ("name: x\n1: a\nzones: []\n", "line 2, column 1", "key '1' is read as int"),
        ("name: x\non: true\n", "line 2, column 1", "key 'on' is read as bool"),
        ("name: x\ncentres:\n  - id: a\n    2024-01-01: x\n", "line 4, column 5", "read as date"),
        ("name: x\n~: x\n", "line 2, column 1", "read as NoneType"),
    ],
    ids=["int-beside-strings", "yaml11-bool", "date", "null"],
)
def test_keys_that_are_not_text(tmp_path: Path, runner: CliRunner, text: str, where: str, key: str) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    _unreadable(runner, path, where, key, "quote it")


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "], ids=["flow-sequences", "flow-mappings", "block"])
def test_deep_nesting(tmp_path: Path, runner: CliRunner, opener: str) -> None:
    levels = 5000
    if opener == "- ":
        body = "".join("  " * i + "-\n" for i in range(levels))  # block sequences, one per line
    else:
        closer = "]" if opener == "[" else "}"
        body = "name: " + opener * levels + closer * levels + "\n"
    path = tmp_path / "plan.yaml"
    path.write_text(body, encoding="utf-8")
    _unreadable(runner, path, f"nested deeper than {MAX_DEPTH} levels")


def test_nesting_at_the_limit_is_read(tmp_path: Path) -> None:
    """The depth limit refuses hostile files only: a document MAX_DEPTH levels deep still loads."""
    assert loader.MAX_DEPTH == MAX_DEPTH
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", encoding="utf-8")
    doc = read_yaml(path)
    depth = 0
    node: Any = doc["a"]
    while isinstance(node, list):
        depth += 1
        node = node[0] if node else None
    assert depth == MAX_DEPTH - 1


# ---- the smaller list ---------------------------------------------------------------------------------


def test_unterminated_quote_is_reported_at_its_own_line(tmp_path: Path, runner: CliRunner) -> None:
    """The quote swallows the lines below up to the next quote; the parser stops at line 6."""
    text = 'name: x\nlab: true\ncentres:\n  - id: "prod\n    role: production\n    name: "Prod"\n'
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    message = _unreadable(runner, path, "YAML syntax error", "unterminated quote", "line 6, column 12")
    assert f"{path}: line 4, column 9:" in message, message


def test_quote_never_closed_is_reported_where_it_opens(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: x\nlab: 'true\nzones: []\ncentres: []\n", encoding="utf-8")
    message = _unreadable(runner, path, "while scanning a quoted scalar")
    assert f"{path}: line 2, column 6:" in message, message


def test_unclosed_bracket_is_reported_where_it_opens(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: x\nzones: [public,\n  internet\nlab: true\n", encoding="utf-8")
    message = _unreadable(runner, path, "flow sequence")
    assert f"{path}: line 2, column 8:" in message, message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("\n  \n\t\n", "empty file"),
        ("\ufeff", "empty file"),
        ("# only a comment\n", "empty document"),
        ("---\n...\n", "empty document"),
        ("~\n", "empty document"),
    ],
    ids=["zero-bytes", "whitespace", "bom-only", "comment-only", "empty-document", "null"],
)
def test_empty_file_is_unreadable_and_says_empty(
    tmp_path: Path, runner: CliRunner, text: str, reason: str
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    _unreadable(runner, path, reason, "文件为空")


def test_empty_stack_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.blank.yaml").write_text("", encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(stack="blank", root=tmp_path)
    assert err.value.unreadable and "empty file" in err.value.issues[0].reason


def test_merge_keys_are_refused_with_a_clear_message(tmp_path: Path, runner: CliRunner) -> None:
    text = "name: x\ncentres:\n  - &prod {id: prod, role: production}\n  - <<: *prod\n    id: samecity\n"
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    message = _unreadable(runner, path, "line 4, column 5", "merge keys (`<<:`) are not supported")
    assert "could not determine a constructor" not in message


def test_whole_mapping_aliases_still_work() -> None:
    """The supported way to share a mapping: Pulumi.chuzhou.yaml aliases whole placements."""
    plan = load_plan(stack="chuzhou", use_lock=False)
    placements = {s.id: s.placement for s in plan.config.systems}
    assert placements["sjj-gxjh"] == placements["sjj-dsjpt"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2024-13-45", "month must be in 1..12"),
        ("9" * 5000, "Exceeds the limit"),
    ],
    ids=["impossible-date", "huge-integer"],
)
def test_scalars_yaml_cannot_build(tmp_path: Path, runner: CliRunner, value: str, fragment: str) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(f"name: x\nlog_retention_days: {value}\n", encoding="utf-8")
    _unreadable(runner, path, "line 2, column 21", fragment)


def test_control_character_in_the_file(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: x\nlab: tr\x00ue\n", encoding="utf-8")
    message = _unreadable(runner, path, "line 2, column 8", "U+0000")
    assert "\x00" not in message


def test_a_directory_is_unreadable(tmp_path: Path, runner: CliRunner) -> None:
    _unreadable(runner, tmp_path, "cannot read")


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe garbage", b"[" * 100_000, b'{"schema": "govcloud.plan-lock/v1", "segments": [1]}', b"{}"],
    ids=["binary", "deep", "wrong-shape", "no-segments"],
)
def test_hostile_lock_file_is_unreadable(tmp_path: Path, content: bytes) -> None:
    lock = tmp_path / "x.plan.lock.json"
    lock.write_bytes(content)
    with pytest.raises(PlanError) as err:
        read_lock(lock)
    assert err.value.unreadable and err.value.issues[0].path == "(lock)"


def test_lock_that_is_a_directory(tmp_path: Path, runner: CliRunner) -> None:
    plan = tmp_path / "city.yaml"
    plan.write_text(LAB_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    lock = tmp_path / "city.plan.lock.json"
    lock.mkdir()
    _unreadable(runner, plan, "(lock)", "unreadable lock file", file=lock)


@pytest.mark.parametrize("name", ["...yaml", "..yaml"])
def test_file_name_that_gives_no_stack_name(tmp_path: Path, runner: CliRunner, name: str) -> None:
    """The stack of a plain plan file is its name without .yaml, and names the evidence directory:
    `...yaml` would be the stack `..`, writing evidence outside the evidence root."""
    path = tmp_path / name
    path.write_text(LAB_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    _unreadable(runner, path, "no usable stack name")
