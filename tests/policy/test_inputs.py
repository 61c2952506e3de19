"""Input normalisation (unit tests, no engine): manifests, preview JSON, plans, host facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcloud.policy import inputs
from govcloud.policy.errors import PolicyInputError
from govcloud.policy.manifests import load_manifest_dir
from tests.policy.conftest import FIXTURES, MANIFESTS_BAD, PLAN_GOOD


def test_multi_document_yaml_and_kind_list(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: a}}\n"
        "- {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: a}}\n",
        encoding="utf-8",
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}}), encoding="utf-8"
    )
    (tmp_path / "kustomization.yaml").write_text("resources: [a.yaml]\n", encoding="utf-8")
    loaded = load_manifest_dir(tmp_path)
    assert loaded.problems == []
    items = loaded.items
    assert [i["object"]["kind"] for i in items] == ["Namespace", "ConfigMap", "Secret", "Service"]
    assert items[0]["source"].endswith("a.yaml#0")
    assert items[3]["source"].endswith("sub/b.json")


def test_malformed_yaml_names_file_and_line() -> None:
    problem = load_manifest_dir(FIXTURES / "bad_yaml").problems[0]
    assert problem.file.endswith("broken.yaml")
    assert problem.field.startswith("line 12")
    assert problem.line == 12
    assert "invalid YAML" in problem.reason


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("kind: Pod\nmetadata: {name: x}\n", "(document).apiVersion"),
        ("apiVersion: v1\nmetadata: {name: x}\n", "(document).kind"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "(document).metadata.name"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: 3}\n", "(document).metadata.namespace"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: 5\n", "(document).spec"),
        ("- just\n- a list\n", "(document)"),
    ],
)
def test_malformed_objects_name_the_field(tmp_path: Path, text: str, field: str) -> None:
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    problems = load_manifest_dir(tmp_path).problems
    assert problems[0].field == field
    assert problems[0].line == 1


def test_unknown_kinds_are_loaded_not_rejected() -> None:
    kinds = {i["object"]["kind"] for i in load_manifest_dir(MANIFESTS_BAD).items}
    assert "FooBar" in kinds


def test_duplicate_objects_are_reported_not_refused(tmp_path: Path) -> None:
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n"
    (tmp_path / "one.yaml").write_text(doc, encoding="utf-8")
    (tmp_path / "two.yaml").write_text(doc, encoding="utf-8")
    loaded = load_manifest_dir(tmp_path)
    assert loaded.problems == []
    assert inputs.find_duplicates(loaded.items) == [
        {
            "kind": "ConfigMap",
            "namespace": "a",
            "name": "c",
            "sources": [f"{tmp_path.name}/one.yaml", f"{tmp_path.name}/two.yaml"],
        }
    ]


def test_preview_json_yields_kubernetes_objects() -> None:
    kube, others, problems = inputs.load_preview_json(FIXTURES / "preview" / "preview.json")
    assert problems == []
    assert [(i["object"]["apiVersion"], i["object"]["kind"]) for i in kube] == [
        ("v1", "Namespace"),
        ("apps/v1", "Deployment"),
    ]
    assert kube[1]["source"] == "urn:pulumi:t::p::kubernetes:apps/v1:Deployment::web"
    assert {o["type"] for o in others} == {"pulumi:pulumi:Stack", "pulumi:providers:kubernetes"}


def test_preview_json_that_is_not_a_preview(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"steps": 3}', encoding="utf-8")
    kube, _others, problems = inputs.load_preview_json(bad)
    assert kube == []
    assert "not `pulumi preview --json`" in problems[0].reason


def test_plan_validation_errors(tmp_path: Path) -> None:
    plan = json.loads(PLAN_GOOD.read_text(encoding="utf-8"))
    cases = [
        ({**plan, "schema": "govcloud.plan/v9"}, "schema"),
        ({**plan, "zones": plan["zones"] + [plan["zones"][0]]}, "zones[4].id"),
        ({**plan, "flows": "none"}, "flows"),
        ({**plan, "systems": [{**plan["systems"][0], "level": "三"}]}, "systems[0].level"),
    ]
    for doc, field in cases:
        path = tmp_path / "plan.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(PolicyInputError) as err:
            inputs.load_plan_file(path)
        assert err.value.field == field
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(PolicyInputError, match="invalid JSON"):
        inputs.load_plan_file(path)


def test_host_facts_both_shapes(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps({"h1": {"log_retention_days": 200}}), encoding="utf-8")
    assert inputs.load_host_facts(a) == [{"host": "h1", "facts": {"log_retention_days": 200}}]
    b = tmp_path / "b.json"
    b.write_text(json.dumps([{"host": "h1", "facts": 3}]), encoding="utf-8")
    with pytest.raises(PolicyInputError, match="facts"):
        inputs.load_host_facts(b)
