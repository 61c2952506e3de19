"""The one way of reading a document: schema id first, strict JSON, field paths in every error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from pydantic import Field

from govcloud.contracts.base import ContractError, Document, read
from govcloud.errors import ExitCode


class Sample(Document):
    schema_: Literal["govcloud.sample/v2"] = Field("govcloud.sample/v2", alias="schema")
    items: list[int]

    UPGRADES: ClassVar[dict[int, Any]] = {1: lambda d: {**d, "items": d.pop("values", [])}}


def test_reads_a_file_text_and_mapping(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"schema": "govcloud.sample/v2", "items": [1, 2]}', encoding="utf-8")
    assert read(Sample, path).items == [1, 2]
    assert read(Sample, path.read_text()).items == [1, 2]
    assert read(Sample, {"schema": "govcloud.sample/v2", "items": []}).items == []
    assert Sample(items=[3]).dump() == {"schema": "govcloud.sample/v2", "items": [3]}


def test_unknown_fields_are_ignored_within_a_version() -> None:
    assert read(Sample, {"schema": "govcloud.sample/v2", "items": [], "later": 1}).items == []


@pytest.mark.parametrize(
    ("doc", "field", "words"),
    [
        ({"items": []}, "schema", "not a govcloud document"),
        ({"schema": 7, "items": []}, "schema", "not a govcloud document"),
        ({"schema": "govcloud.other/v2", "items": []}, "schema", "expected govcloud.sample/v2"),
        ({"schema": "govcloud.sample/v9", "items": []}, "schema", "newer govcloud"),
        ({"schema": "govcloud.sample/v0", "items": []}, "schema", "supported: v1, v2"),
        ({"schema": "govcloud.sample/v2", "items": [1, "x"]}, "items[1]", "integer"),
        ([1, 2], None, "JSON object"),
    ],
)
def test_errors_name_the_field_and_reason(doc: Any, field: str | None, words: str) -> None:
    with pytest.raises(ContractError) as info:
        read(Sample, doc, source="f.json")
    err = info.value
    assert err.file == "f.json" and err.field == field and words in err.reason
    assert err.exit_code == ExitCode.INPUT
    assert err.render().startswith("f.json: ")


def test_an_older_version_is_upgraded() -> None:
    assert read(Sample, {"schema": "govcloud.sample/v1", "values": [5]}).items == [5]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b'{"schema": "govcloud.sample/v2", "items": [NaN]}', "not a JSON number"),
        (b'{"schema": "govcloud.sample/v2", "items": [Infinity]}', "not a JSON number"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"schema": ', "invalid JSON at line 1"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_hostile_json_is_a_contract_error(text: bytes, words: str) -> None:
    with pytest.raises(ContractError, match=words):
        read(Sample, text, source="x.json")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="cannot read"):
        read(Sample, tmp_path / "missing.json")


def test_jsonpath() -> None:
    assert ContractError("f", ("zones", 4, "id"), "r").jsonpath == "$.zones[4].id"
    assert ContractError("f", (), "r").jsonpath == "$"
