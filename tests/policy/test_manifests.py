"""Reading real repositories (issue 17), no engine: what each file is, where each object is,
what is skipped and why. The engine-level behaviour is in test_realworld.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcloud.policy import documents, inputs
from govcloud.policy.documents import DocumentError
from govcloud.policy.ignore import IgnoreRules, compile_pattern
from govcloud.policy.manifests import load_manifest_dir
from tests.policy.conftest import FIXTURES

REALWORLD = FIXTURES / "realworld"

# Every file of the fixture that is not a judged object, and what the gate must call it.
EXPECTED_PROBLEMS = {
    "docker-compose.yml": "not-kubernetes",
    "broken/ingress.yaml": "yaml-syntax",
    "broken/logo.json": "unreadable",
    "charts/shop/values.yaml": "helm-values",
    "charts/shop/ci/prod-values.yaml": "helm-values",
    "charts/shop/templates/deployment.yaml": "helm-template",
    "charts/shop/templates/service.yaml": "helm-template",
    "kustomize/overlays/prod/replicas.yaml": "kustomize-patch",
    "kustomize/overlays/prod/delete-debug.yaml": "kustomize-patch",
    "kustomize/overlays/prod/settings.json": "kustomize-patch",
    "kustomize/overlays/staging/image-patch.yaml": "kustomize-patch",
    "kustomize/overlays/staging/resources-patch.yaml": "kustomize-patch",
}


def _rel(file: str) -> str:
    return Path(file).relative_to(REALWORLD).as_posix()


def test_realworld_every_file_is_an_object_or_a_named_problem() -> None:
    loaded = load_manifest_dir(REALWORLD)
    problems = {_rel(p.file): p.kind for p in loaded.problems}
    assert problems == EXPECTED_PROBLEMS
    for p in loaded.problems:
        assert p.reason and " / " in p.reason, p  # bilingual
        assert p.hint, p
        assert p.line is None or p.line >= 1
    kinds = sorted((i["source"], i["object"]["kind"]) for i in loaded.items)
    assert ("realworld/apps/backend/DEBUG-POD.YAML", "Pod") in kinds  # upper-case suffix
    assert ("realworld/crds/rollout.yaml", "Rollout") in kinds
    assert ("realworld/jobs/migrate.yaml", "Job") in kinds
    assert (
        "realworld/monitoring/prometheus-rules.yaml",
        "PrometheusRule",
    ) in kinds  # {{ $labels }} is not Helm
    assert len(loaded.items) == 18
    assert loaded.excluded == [{"path": ".github/", "pattern": ".github/", "source": ".govcloudignore:2"}]
    assert "charts/shop/Chart.yaml" in loaded.skipped
    assert "kustomize/overlays/prod/kustomization.yaml" in loaded.skipped


def test_problem_lines_point_at_the_cause() -> None:
    by_file = {_rel(p.file): p for p in load_manifest_dir(REALWORLD).problems}
    assert by_file["broken/ingress.yaml"].line == 13
    assert by_file["charts/shop/templates/deployment.yaml"].line == 4  # first {{ include }}
    partial = by_file["kustomize/overlays/staging/resources-patch.yaml"]
    assert partial.line == 2 and partial.field == "(document).spec.template.spec.containers"
    assert "kustomize build" in partial.hint


def test_objects_carry_file_and_lines() -> None:
    items = {i["source"]: i for i in load_manifest_dir(REALWORLD).items}
    service = items["realworld/apps/frontend/deployment.yaml#1"]["location"]
    assert service["file"] == str(REALWORLD / "apps/frontend/deployment.yaml")
    assert (service["start_line"], service["end_line"]) == (35, 46)
    text = (REALWORLD / "apps/frontend/deployment.yaml").read_text(encoding="utf-8").splitlines()
    assert text[service["start_line"] - 1] == "apiVersion: v1"
    backend = items["realworld/apps/backend/deployment.yaml"]["location"]
    assert backend["start_line"] == 2  # after the leading comment


def test_unquoted_dates_stay_text_and_empty_namespace_is_accepted() -> None:
    items = {i["source"]: i["object"] for i in load_manifest_dir(REALWORLD).items}
    annotations = items["realworld/apps/backend/release.yml"]["metadata"]["annotations"]
    assert annotations == {"release-date": "2024-05-01", "approved-at": "2024-05-01T09:30:00Z"}
    assert items["realworld/apps/backend/deployment.yaml"]["metadata"]["namespace"] is None
    json.dumps(list(items.values()), allow_nan=False)  # everything is plain JSON


def test_generate_name_objects_are_objects() -> None:
    job = next(i for i in load_manifest_dir(REALWORLD).items if i["object"]["kind"] == "Job")
    assert job["object"]["metadata"] == {"generateName": "db-migrate-", "namespace": "shop"}


def test_sibling_apps_reusing_names_are_reported_not_refused() -> None:
    items = load_manifest_dir(REALWORLD).items
    assert {
        "kind": "Deployment",
        "namespace": None,
        "name": "web",
        "sources": [
            "realworld/apps/backend/deployment.yaml",
            "realworld/apps/frontend/deployment.yaml#0",
        ],
    } in inputs.find_duplicates(items)
    inputs.build_input(3, None, items)  # no exception


def test_exclude_globs_and_govcloudignore(tmp_path: Path) -> None:
    loaded = load_manifest_dir(
        REALWORLD, ["charts/", "kustomize/overlays/", "broken/*", "docker-compose.yml"]
    )
    assert loaded.problems == []
    assert {e["path"] for e in loaded.excluded} >= {
        "charts/",
        "kustomize/overlays/",
        "broken/ingress.yaml",
        "broken/logo.json",
        "docker-compose.yml",
        ".github/",
    }
    assert all(e["source"] in {"--exclude", ".govcloudignore:2"} for e in loaded.excluded)


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "excluded"),
    [
        ("values*.yaml", "charts/x/values-prod.yaml", False, True),
        ("values*.yaml", "charts/x/templates/deploy.yaml", False, False),
        ("charts/**/templates/", "charts/a/b/templates/x.yaml", False, True),
        ("charts/**/templates/", "templates/x.yaml", False, False),
        ("/top.yaml", "top.yaml", False, True),
        ("/top.yaml", "sub/top.yaml", False, False),
        ("build/", "build", False, False),  # a file named build is not the directory build/
        ("build/", "build", True, True),
        ("*.json", "a/b/c.JSON", False, False),  # globs are case-sensitive, as in git
        ("overlays/*/patch-[0-9].yaml", "overlays/prod/patch-1.yaml", False, True),
    ],
)
def test_ignore_pattern_semantics(pattern: str, path: str, is_dir: bool, excluded: bool) -> None:
    compiled = compile_pattern(pattern, "--exclude")
    assert compiled is not None
    assert (IgnoreRules([compiled]).match(path, is_dir=is_dir) is not None) is excluded


def test_negated_pattern_reincludes(tmp_path: Path) -> None:
    (tmp_path / "gen").mkdir()
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n"
    (tmp_path / "gen" / "a.yaml").write_text(doc % "a", encoding="utf-8")
    (tmp_path / "gen" / "keep.yaml").write_text(doc % "keep", encoding="utf-8")
    (tmp_path / ".govcloudignore").write_text("# generated\ngen/\n!gen/keep.yaml\n", encoding="utf-8")
    loaded = load_manifest_dir(tmp_path)
    assert [i["object"]["metadata"]["name"] for i in loaded.items] == ["keep"]
    assert loaded.excluded == [{"path": "gen/a.yaml", "pattern": "gen/", "source": ".govcloudignore:2"}]


def test_upper_case_suffixes_are_read(tmp_path: Path) -> None:
    for name in ("a.YAML", "b.Yml", "c.JSON"):
        (tmp_path / name).write_text(
            json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name.lower()}}),
            encoding="utf-8",
        )
    loaded = load_manifest_dir(tmp_path)
    assert sorted(i["object"]["metadata"]["name"] for i in loaded.items) == ["a.yaml", "b.yml", "c.json"]


def test_zero_objects_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    (tmp_path / "empty.yaml").write_text("---\n# only a comment\n", encoding="utf-8")
    loaded = load_manifest_dir(tmp_path)
    assert loaded.items == []
    assert [p.kind for p in loaded.problems] == ["no-objects"]
    assert "no Kubernetes object found (1 file(s) read" in loaded.problems[0].reason


def test_everything_excluded_is_zero_objects(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", encoding="utf-8"
    )
    loaded = load_manifest_dir(tmp_path, ["*.yaml"])
    assert [p.kind for p in loaded.problems] == ["no-objects"]


def test_missing_directory_is_a_problem(tmp_path: Path) -> None:
    loaded = load_manifest_dir(tmp_path / "nowhere")
    assert [p.kind for p in loaded.problems] == ["unreadable"]


def test_one_bad_document_does_not_hide_the_others(tmp_path: Path) -> None:
    (tmp_path / "mixed.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n"
        "just: a mapping\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
        encoding="utf-8",
    )
    loaded = load_manifest_dir(tmp_path)
    assert [i["object"]["metadata"]["name"] for i in loaded.items] == ["ok", "s"]
    assert [(p.kind, p.line) for p in loaded.problems] == [("not-kubernetes", 5)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: .nan\n", "not a valid number"),
        ("a: &a [*a]\n", "nested deeper"),
        ("[" * 60000, "nested too deeply"),
        ("- " * 60000 + "x\n", "nested too deeply"),
        ("a: !!python/object:os.system x\n", "invalid YAML"),
        ("? [a]\n: 1\n", "invalid YAML"),
    ],
)
def test_hostile_yaml_is_a_document_error(text: str, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason):
        documents.parse_yaml(text)


def test_alias_bomb_stops_at_the_node_limit() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(DocumentError, match="alias expansion"):
        documents.parse_yaml("\n".join(lines) + "\n")


def test_keys_and_special_values_become_json() -> None:
    doc = documents.parse_yaml("on: yes\n2: two\nnull: x\nb: !!binary aGk=\nt: 2024-05-01 10:00:00\n")[0]
    assert doc.value == {"true": True, "2": "two", "null": "x", "b": "aGk=", "t": "2024-05-01 10:00:00"}


def test_excluded_kustomizations_are_not_read_and_symlinks_are_listed(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "kustomization.yaml").write_text("resources: [\n", encoding="utf-8")  # broken
    (tmp_path / "app.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", encoding="utf-8"
    )
    (tmp_path / "elsewhere").symlink_to(tmp_path / "old", target_is_directory=True)
    loaded = load_manifest_dir(tmp_path, ["old/"])
    assert loaded.problems == []
    assert "elsewhere/ (symbolic link, not followed)" in loaded.skipped
    broken = load_manifest_dir(tmp_path)
    assert [(Path(p.file).name, p.kind) for p in broken.problems] == [("kustomization.yaml", "yaml-syntax")]
