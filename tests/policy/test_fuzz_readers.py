"""Hostile input for every reader of user files the policy gate owns (issues 14 and 17).

Manifest files, the waiver file and `--preview-json` get random bytes, random YAML/JSON documents
and mutations of real fixtures. The readers must never raise anything but their documented
errors, and `govcloud check` must end with an exit code of the documented set (0, 1, 2) and no
traceback, whatever it is fed. Bounded example counts keep the whole module within seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcloud.policy import inputs, waivers
from govcloud.policy.errors import InputProblem, WaiverFileError
from govcloud.policy.manifests import load_manifest_dir
from tests.policy.conftest import FIXTURES, gate_args

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
ENGINE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

SEEDS = [
    *(FIXTURES / "manifests_bad").glob("*.yaml"),
    *(FIXTURES / "realworld").rglob("*.y*ml"),
    FIXTURES / "waivers" / "valid.yaml",
]
SEED_TEXTS = [p.read_bytes() for p in sorted(SEEDS)]
PREVIEW = (FIXTURES / "preview" / "preview.json").read_bytes()
# Fragments that have broken YAML readers before: anchors and aliases, tags, templates, patches,
# document markers, dates, special floats, deep flow nesting, odd keys.
TOKENS = [
    b"&a ",
    b"*a",
    b"!!python/object:os.system ",
    b"!!binary ",
    b"!!set ",
    b"{{ .Values.x }}",
    b"$patch: delete",
    b"\n---\n",
    b"\n...\n",
    b"2024-05-01",
    b".nan",
    b"-.inf",
    b"[" * 50,
    b"{" * 50,
    b"? [a, b]\n: c\n",
    b"\x00",
    b"\xff\xfe",
    b"\t",
    b"<<: *a\n",
    b"kind: List\nitems: 3\n",
    b"metadata: {name: 5}\n",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(timezones=st.just(dt.UTC)),
)
keys = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none())
documents_st = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)),
    max_leaves=30,
)
kube_like = st.fixed_dictionaries(
    {
        "apiVersion": st.sampled_from(["v1", "apps/v1", 3, None]),
        "kind": st.sampled_from(
            [
                "Pod",
                "Deployment",
                "Secret",
                "Service",
                "NetworkPolicy",
                "ClusterRoleBinding",
                "List",
                "Rollout",
                "",
            ]
        ),
    },
    optional={
        "metadata": documents_st,
        "spec": documents_st,
        "data": documents_st,
        "items": documents_st,
        "rules": documents_st,
        "subjects": documents_st,
        "roleRef": documents_st,
    },
)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        pos = draw(st.integers(0, max(0, len(data))))
        if op == "flip" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        else:
            data[pos:pos] = data[max(0, pos - 30) : pos]
    return bytes(data)


def _dump(value: Any) -> bytes:
    try:
        return yaml.safe_dump(value, allow_unicode=True).encode("utf-8")
    except (yaml.YAMLError, TypeError, ValueError):
        return repr(value).encode("utf-8")


file_bytes = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    documents_st.map(_dump),
    st.lists(kube_like, min_size=1, max_size=3).map(lambda docs: b"---\n".join(_dump(d) for d in docs)),
    kube_like.map(lambda d: json.dumps(d, default=str).encode()),
    mutated(SEED_TEXTS),
)


def _assert_plain_json(value: Any) -> None:
    json.dumps(value, allow_nan=False)


@FAST
@given(
    contents=st.lists(file_bytes, min_size=1, max_size=4),
    suffixes=st.lists(st.sampled_from([".yaml", ".YML", ".json", ".Yaml"]), min_size=4, max_size=4),
)
def test_manifest_reader_never_raises(contents: list[bytes], suffixes: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, data in enumerate(contents):
            (root / f"f{i}{suffixes[i]}").write_bytes(data)
        loaded = load_manifest_dir(root)
        assert all(isinstance(p, InputProblem) for p in loaded.problems)
        assert loaded.items or loaded.problems  # never silent on what was read
        _assert_plain_json([i["object"] for i in loaded.items])
        inputs.build_input(3, None, loaded.items)
        inputs.find_duplicates(loaded.items)


@FAST
@given(data=st.one_of(file_bytes, mutated([(FIXTURES / "waivers" / "valid.yaml").read_bytes()])))
def test_waiver_reader_raises_only_waiver_file_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "waivers.yaml"
        path.write_bytes(data)
        try:
            loaded = waivers.load_waivers(path)
        except WaiverFileError as exc:
            assert exc.problem().reason
            return
        assert all(isinstance(w, waivers.Waiver) for w in loaded)


preview_bytes = st.one_of(
    mutated([PREVIEW]),
    st.binary(max_size=200),
    st.fixed_dictionaries(
        {
            "steps": st.lists(
                st.one_of(
                    documents_st,
                    st.fixed_dictionaries(
                        {
                            "op": st.sampled_from(["create", "update", "delete", "same"]),
                            "newState": st.one_of(
                                documents_st,
                                st.fixed_dictionaries(
                                    {
                                        "type": st.sampled_from(
                                            [
                                                "kubernetes:apps/v1:Deployment",
                                                "kubernetes:core/v1:Service",
                                                "x:y:z",
                                                "",
                                            ]
                                        ),
                                        "urn": st.text(max_size=10),
                                        "inputs": st.one_of(documents_st, kube_like),
                                    }
                                ),
                            ),
                        }
                    ),
                ),
                max_size=4,
            )
        }
    ).map(lambda d: json.dumps(d, default=str).encode()),
)


@FAST
@given(data=preview_bytes)
def test_preview_reader_never_raises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "preview.json"
        path.write_bytes(data)
        kube, others, problems = inputs.load_preview_json(path)
        assert kube or others or problems
        _assert_plain_json([k["object"] for k in kube])
        _assert_plain_json(others)


@pytest.mark.engine
@ENGINE
@given(
    manifest=file_bytes, waiver=st.one_of(st.none(), file_bytes), preview=st.one_of(st.none(), preview_bytes)
)
def test_gate_exits_with_a_documented_code_and_no_traceback(
    cli: Any, opa_url: str, manifest: bytes, waiver: bytes | None, preview: bytes | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "m").mkdir()
        (root / "m" / "x.yaml").write_bytes(manifest)
        args = gate_args(opa_url, "--manifests", str(root / "m"))
        if waiver is not None:
            (root / "w.yaml").write_bytes(waiver)
            args[args.index("--waivers") + 1] = str(root / "w.yaml")
        if preview is not None:
            (root / "p.json").write_bytes(preview)
            args += ["--preview-json", str(root / "p.json")]
        res = cli(*args)
        assert res.exit_code in {0, 1, 2}, res.stderr
        assert "Traceback" not in res.stdout + res.stderr
        report = res.json()
        assert (res.exit_code == 2) == bool(report["errors"])
