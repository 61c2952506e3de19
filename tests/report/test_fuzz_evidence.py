"""Fuzzing the evidence `govcloud report` reads (issue 14): plan.json, findings.json, hosts.json,
drills/*.json (two records of the contract, one written by a real drill) and harden/*.json, mutated
and replaced by hostile files.

Properties, for every input:

* no traceback: `load_evidence` never raises, and `govcloud report` exits 0 (a bad evidence file
  is shown inside the report as missing / corrupt / rejected evidence, never a crash);
* the report JSON is strict JSON (no NaN / Infinity) and lists every input with a state; an
  input that is not `ok` carries a note (the field and the reason), and never counts as a pass;
* the HTML carries no unescaped markup from the evidence.

The number of examples is bounded for the fast tier; GOVCLOUD_FUZZ_EXAMPLES raises it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.report.evidence import load_evidence
from tests.report.conftest import CATALOGUE, EVIDENCE, FIXTURES

EXAMPLES = int(os.environ.get("GOVCLOUD_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=max(EXAMPLES // 2, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
MARKER = "<script>fuzz()</script>"

# Evidence files (relative to the evidence directory) and their seeds.
TARGETS: dict[str, bytes] = {
    "plan.json": (EVIDENCE / "plan.json").read_bytes(),
    "findings.json": (EVIDENCE / "findings.json").read_bytes(),
    "hosts.json": (EVIDENCE / "hosts.json").read_bytes(),
    "drills/20261129T110000Z-samecity-failover.json": next((EVIDENCE / "drills").glob("*.json")).read_bytes(),
    "drills/20261129T200625Z-samecity-failover.json": (
        FIXTURES / "records" / "drill-run-record.json"
    ).read_bytes(),
    "harden/20261129T100000Z.json": next((EVIDENCE / "harden").glob("*.json")).read_bytes(),
}
NAMES = sorted(TARGETS)

ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            MARKER,
            "\x1b[31m",
            "a\u202eb",
            "[/]",
            "9999-99-99T99:99:99Z",
            "2026-11-29T10:00:00Z",
            "fail",
            "pass",
            "govcloud.plan/v1",
            "govcloud.drill/v1",
            "govcloud.findings/v1",
            "govcloud.host-evidence/v1",
        ]
    ),
)
ODD_VALUES = st.recursive(
    ODD_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@st.composite
def json_mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed with values replaced or removed at random paths, serialised (NaN/Infinity allowed)."""
    name = draw(st.sampled_from(NAMES))
    doc = json.loads(TARGETS[name])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(_paths(doc))))
        value = draw(ODD_VALUES)
        if not path:
            doc = value
            continue
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        if isinstance(node, dict) and draw(st.booleans()):
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    return name, json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8")


@st.composite
def byte_mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(NAMES))
    data = bytearray(TARGETS[name])
    for _ in range(draw(st.integers(1, 5))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if op == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            token = draw(
                st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e999", b"\xff", b"[" * 300, b"null"])
            )
            data[pos:pos] = token
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            del data[pos:]
    return name, bytes(data)


HOSTILE = st.tuples(
    st.sampled_from(NAMES),
    st.one_of(
        st.binary(max_size=1000),
        st.integers(1, 200_000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(1, 200_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        st.sampled_from([b"", b"null", b"[]", b'"x"', b"NaN", b"{}", b'{"schema": null}']),
    ),
)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def _check(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="gc-fuzz-ev-") as tmp:
        evidence = Path(tmp) / "evidence"
        shutil.copytree(EVIDENCE, evidence)
        drill_run = evidence / "drills" / "20261129T200625Z-samecity-failover.json"
        drill_run.write_bytes(TARGETS["drills/20261129T200625Z-samecity-failover.json"])
        (evidence / name).write_bytes(data)

        ev = load_evidence(evidence, "lab")  # never raises
        assert all(i.state == "ok" or (i.note_en and i.note_zh) for i in ev.inputs), ev.inputs

        out = Path(tmp) / "out"
        result = CliRunner().invoke(
            app,
            [
                "report",
                "--stack",
                "lab",
                "--evidence",
                str(evidence),
                "--out",
                str(out),
                "--format",
                "json,html",
                "--catalogue",
                str(CATALOGUE),
            ],
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"traceback {result.exception!r} on {name}: {data[:300]!r}"
        )
        assert result.exit_code == 0, result.output
        report = json.loads(
            (out / "report.json").read_text(encoding="utf-8"), parse_constant=_refuse_constant
        )
        states = {i["path"]: i["state"] for i in report["inputs"]}
        assert any(p.endswith(name) for p in states), states
        html = (out / "report.html").read_text(encoding="utf-8")
        assert MARKER not in html


def test_the_seeds_give_a_clean_report() -> None:
    for name, data in TARGETS.items():
        _check(name, data)


@FUZZ
@given(json_mutation())
def test_evidence_with_odd_values(case: tuple[str, bytes]) -> None:
    _check(*case)


@FUZZ
@given(byte_mutation())
def test_evidence_with_byte_mutations(case: tuple[str, bytes]) -> None:
    _check(*case)


@FUZZ
@given(HOSTILE)
def test_hostile_evidence_files(case: tuple[str, bytes]) -> None:
    _check(*case)


# ---- the report's other inputs: catalogue (YAML), previous report (--since), manifest (verify) ----------

CATALOGUE_SEED = CATALOGUE.read_bytes()
YAML_TOKENS = [
    b"[" * 100_000,
    b"{a: " * 1000,
    b"2024-13-45",
    b"9" * 5000,
    b"<<: *a",
    b"? [a]\n: b",
    b"\x00",
    b"\xff",
]


@st.composite
def catalogue_text(draw: st.DrawFn) -> bytes:
    data = bytearray(CATALOGUE_SEED)
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["token", "flip", "truncate"]))
        if op == "token":
            data[pos:pos] = draw(st.sampled_from(YAML_TOKENS))
        elif op == "flip" and pos < len(data):
            data[pos] ^= 1 << draw(st.integers(0, 7))
        else:
            del data[pos:]
    return bytes(data)


def _report(*args: str) -> Any:
    result = CliRunner().invoke(app, ["report", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback {result.exception!r}"
    )
    return result


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 10))
@given(st.one_of(catalogue_text(), HOSTILE.map(lambda c: c[1])))
def test_hostile_catalogue(data: bytes) -> None:
    """A malformed catalogue is an input error (exit 2) with the file named, never a crash."""
    with tempfile.TemporaryDirectory(prefix="gc-fuzz-cat-") as tmp:
        cat = Path(tmp) / "catalogue.yaml"
        cat.write_bytes(data)
        out = Path(tmp) / "out"
        result = _report(
            "--evidence",
            str(EVIDENCE),
            "--out",
            str(out),
            "--format",
            "json",
            "--catalogue",
            str(cat),
        )
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert str(cat) in result.stderr, result.stderr


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 10))
@given(HOSTILE.map(lambda c: c[1]))
def test_hostile_previous_report_and_manifest(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="gc-fuzz-prev-") as tmp:
        prev = Path(tmp) / "prev"
        prev.mkdir()
        (prev / "report.json").write_bytes(data)
        (prev / "manifest.json").write_bytes(data)
        out = Path(tmp) / "out"
        since = _report(
            "--evidence",
            str(EVIDENCE),
            "--out",
            str(out),
            "--format",
            "json",
            "--catalogue",
            str(CATALOGUE),
            "--since",
            str(prev),
        )
        assert since.exit_code == 2 and str(prev / "report.json") in since.stderr, since.output
        verify = _report("verify", str(prev))
        assert verify.exit_code == 2 and str(prev / "manifest.json") in verify.stderr, verify.output
