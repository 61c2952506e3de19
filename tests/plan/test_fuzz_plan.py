"""Fuzzing the plan reader (issue 14): random and mutated YAML fed to the loader and to
`govcloud plan --config FILE` (in process).

Properties, for every input:

* no traceback: the loader returns a plan or raises PlanError, nothing else;
* the CLI exits 0, 1 or 2 (the documented codes), with a `govcloud.error/v1` document on failure;
* every accepted plan round-trips through `--format json` as strict JSON (no Infinity / NaN) and
  prints its table without a raw control character.

Inputs: the real plans (Pulumi.lab.yaml, Pulumi.chuzhou.yaml, a synthetic city, the plain forms)
and other YAML of the repository, mutated by byte flips, insertions of YAML-significant tokens,
deletions, truncation and splices; odd values (huge or non-finite numbers, control characters,
odd tags, deep nesting) placed at random paths of the lab plan; and raw binary. The number of
examples is bounded for the fast tier; GOVCLOUD_FUZZ_EXAMPLES raises it for a longer hunt.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.plan import Plan, PlanError, load_plan
from govcloud.plan.loader import extract_namespace, read_yaml
from govcloud.plan.synthetic import synthetic_config
from govcloud.toolchain.versions import REPO_ROOT

EXAMPLES = int(os.environ.get("GOVCLOUD_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
RAW_CONTROLS = ("\x1b", "\x00", "\u202e", "\x9b")
EXIT_CODES = (0, 1, 2)  # docs/plan.md, "Exit codes": valid, plan rejected, unreadable input


def _plain(raw: dict[str, Any], wrap: bool = False) -> bytes:
    doc = {"govcloud": raw} if wrap else raw
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


def _seeds() -> list[bytes]:
    lab = REPO_ROOT / "Pulumi.lab.yaml"
    chuzhou = REPO_ROOT / "Pulumi.chuzhou.yaml"
    lab_raw, _ = extract_namespace(read_yaml(lab))
    chuzhou_raw, _ = extract_namespace(read_yaml(chuzhou))
    others = sorted((REPO_ROOT / "tests" / "policy" / "fixtures").rglob("*.yaml"))[:6]
    return [
        lab.read_bytes(),
        chuzhou.read_bytes(),
        _plain(lab_raw),
        _plain(chuzhou_raw, wrap=True),
        _plain(synthetic_config(2, 2)),
        *(p.read_bytes() for p in others),
    ]


SEEDS = _seeds()

TOKENS = [
    b":",
    b": ",
    b"- ",
    b"-",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"? ",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!python/object:os.system ",
    b"!!binary ",
    b"!!set ",
    b"!!omap ",
    b"!!timestamp ",
    b"!!float ",
    b"!!int ",
    b"!custom ",
    b"'",
    b'"',
    b"\\",
    b"\t",
    b"\n",
    b"\r\n",
    b"\n  ",
    b"#",
    b"|",
    b">",
    b"%YAML 1.1\n",
    b"---\n",
    b"...\n",
    b".inf",
    b"-.inf",
    b".nan",
    b"0x1F",
    b"0o17",
    b"1e400",
    b"9" * 50,
    b"~",
    b"null",
    b"yes",
    b"on",
    b"2024-13-45",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xae",
    b"\xc3",
    b'"\\e[31m"',
    b'"\\u202e"',
    b'"\\ud800"',
    b'"\\x00"',
    b"[" * 200,
    b"{a: " * 80,
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed with a few byte-level mutations."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice", "token"]))
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[pos:]
        elif op == "splice":
            src = draw(st.integers(0, len(data) - 1))
            data[pos:pos] = data[src : src + draw(st.integers(1, 200))]
        else:
            data[pos:pos] = draw(st.sampled_from(TOKENS))
    return bytes(data)


ODD_SCALARS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20),
    st.sampled_from(
        ["0", "0.0", "0m", "-1", "1e3", "[/]", "\x1b[31m", "a\u202eb", "kube-system", "infra", "1api"]
    ),
    st.sampled_from(
        ["224.0.0.0/4", "ff00::/8", "0.0.0.0/0", "::/0", "127.0.0.0/8", "59.255.0.0/16", "2400::/12"]
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


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


def _like(draw: st.DrawFn, old: Any) -> Any:
    """A value of the same kind as `old` (so the plan often stays valid), or an odd one."""
    if draw(st.integers(0, 9)) < 3:
        return draw(ODD_VALUES)
    if isinstance(old, bool):
        return draw(st.booleans())
    if isinstance(old, int):
        return draw(st.integers(0, 70) | st.integers(-(10**20), 10**20))
    if isinstance(old, float):
        return draw(st.floats(min_value=0, max_value=1e6) | st.floats())
    if isinstance(old, str):
        return draw(TEXT | st.sampled_from(["", " ", "[/]", ":smile:", "x" * 70, "中文/English", "a\u202eb"]))
    if isinstance(old, list) and old:
        i = draw(st.integers(0, len(old) - 1))
        op = draw(st.sampled_from(["drop", "duplicate", "reverse"]))
        if op == "drop":
            return old[:i] + old[i + 1 :]
        if op == "duplicate":
            return [*old, old[i]]
        return old[::-1]
    if isinstance(old, dict) and old:
        key = draw(st.sampled_from(sorted(old)))
        return {k: v for k, v in old.items() if k != key}
    return draw(ODD_VALUES)


@st.composite
def odd_plans(draw: st.DrawFn) -> bytes:
    """The lab or chuzhou plan with a few values changed at random paths, mostly for values of the
    same kind (often still a valid plan, so the JSON round trip is exercised) and some odd ones."""
    raw = yaml.safe_load(draw(st.sampled_from([SEEDS[2], SEEDS[4]])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in _paths(raw) if p]))
        node: Any = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = _like(draw, node[path[-1]])
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False).encode("utf-8")


def _nested(depth: int, kind: str) -> bytes:
    if kind == "flow":
        return b"name: " + b"[" * depth + b"]" * depth + b"\n"
    if kind == "map":
        return b"name: " + b"{a: " * depth + b"1" + b"}" * depth + b"\n"
    return b"".join(b"  " * i + b"- \n" for i in range(depth))


HOSTILE = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(_nested, st.integers(1, 3000), st.sampled_from(["flow", "map", "block"])),
)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def _check(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="gc-fuzz-") as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(data)
        try:
            loaded: Plan | None = load_plan(config=path, use_lock=False)
        except PlanError as exc:
            loaded = None
            assert exc.issues and all(i.file for i in exc.issues), exc
        runner = CliRunner()
        result = runner.invoke(app, ["plan", "--config", str(path), "--format", "json", "--no-lock"])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"traceback {result.exception!r} on input {data[:300]!r}"
        )
        assert result.exit_code in EXIT_CODES, (result.exit_code, result.output)
        doc = json.loads(result.stdout, parse_constant=_refuse_constant)
        if result.exit_code == 0:
            assert loaded is not None and doc["schema"] == "govcloud.plan/v1"
            assert doc == json.loads(json.dumps(loaded.to_json(), ensure_ascii=False))
            table = runner.invoke(app, ["plan", "--config", str(path), "--no-lock"])
            assert table.exit_code == 0 and table.exception is None, table.output
            assert not any(ch in table.stdout for ch in RAW_CONTROLS)
        else:
            assert loaded is None
            assert doc["schema"] == "govcloud.error/v1" and doc["issues"], doc
            assert doc["error"] == ("plan-unreadable" if result.exit_code == 2 else "plan-invalid")


@pytest.fixture(scope="module", autouse=True)
def _evidence_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Accepted fuzz plans write evidence (stack `fuzz`): keep it out of the shared test root."""
    old = os.environ.get("GOVCLOUD_EVIDENCE_ROOT")
    os.environ["GOVCLOUD_EVIDENCE_ROOT"] = str(tmp_path_factory.mktemp("fuzz-evidence"))
    yield
    if old is not None:
        os.environ["GOVCLOUD_EVIDENCE_ROOT"] = old


def test_the_seeds_themselves() -> None:
    for seed in SEEDS:
        _check(seed)


@FUZZ
@given(mutated())
def test_mutated_real_plans(data: bytes) -> None:
    _check(data)


@FUZZ
@given(odd_plans())
def test_odd_values_in_the_lab_plan(data: bytes) -> None:
    _check(data)


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 10))
@given(HOSTILE)
def test_binary_text_and_deep_nesting(data: bytes) -> None:
    _check(data)
