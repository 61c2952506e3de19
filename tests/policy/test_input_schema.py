"""The OPA input schema (policies/schemas/check-input.json, generated from the contracts): `opa check`
types every rule against it, so a rule that reads a plan field the plan does not have fails the lint;
and it describes the input the gate really builds."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema  # a dependency of ansible-lint, pinned in the dev extras
import pytest

from govcloud.contracts.generate import OPA_SCHEMA, opa_schema
from govcloud.policy import inputs, paths
from govcloud.policy.manifests import load_manifest_dir
from govcloud.toolchain.versions import REPO_ROOT
from tests.policy.conftest import FIXTURES, MANIFESTS_BAD, MANIFESTS_GOOD, PLAN_BAD, PLAN_GOOD, opa_binary

SCHEMA = REPO_ROOT / OPA_SCHEMA


def _check(rego_dir: Path, *, schema: bool = True) -> subprocess.CompletedProcess[str]:
    typed = ["--schema", str(SCHEMA)] if schema else []
    args = [str(opa_binary()), "check", "--strict", *typed, str(rego_dir)]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def _with_rule(tmp_path: Path, body: str) -> Path:
    rego = tmp_path / "govcloud"
    shutil.copytree(paths.REGO_ROOT, rego)
    (rego / "checks" / "typo.rego").write_text(
        f"package govcloud.checks.typo\n\n{body}\n", encoding="utf-8"
    )
    return rego


def test_the_schema_file_is_the_generated_one() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == opa_schema(), (
        "run `python -m govcloud.contracts.generate`"
    )


@pytest.mark.engine
def test_the_rules_type_check_against_the_schema() -> None:
    proc = _check(paths.REGO_ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.engine
@pytest.mark.parametrize(
    ("body", "ref", "want"),
    [
        ("sources contains f.src if {\n\tsome f in input.plan.flows\n}", "f.src", '"from"'),
        (
            "gateways contains s.ipv4.gatway if {\n\tsome s in input.plan.address_plan.segments\n}",
            "s.ipv4.gatway",
            '"gateway"',
        ),
        ("owners contains h.system if {\n\tsome h in input.plan.hosts\n}", "h.system", '"segment"'),
        ("days := input.plan.log_retention", "input.plan.log_retention", '"log_retention_days"'),
    ],
)
def test_a_rule_reading_a_field_the_plan_lacks_fails_opa_check(
    tmp_path: Path, body: str, ref: str, want: str
) -> None:
    rego = _with_rule(tmp_path, body)
    assert _check(rego, schema=False).returncode == 0, "without the schema OPA cannot know"
    proc = _check(rego)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "rego_type_error: undefined ref" in out and ref in out, out
    assert want in out, out


@pytest.mark.engine
def test_kubernetes_objects_and_host_facts_stay_open(tmp_path: Path) -> None:
    rego = _with_rule(
        tmp_path,
        "names contains i.object.spec.anything if {\n\tsome i in input.kubernetes\n}\n\n"
        "facts contains h.facts.sshd.whatever if {\n\tsome h in input.hosts\n}",
    )
    proc = _check(rego)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _gate_inputs() -> list[dict[str, Any]]:
    good = load_manifest_dir(MANIFESTS_GOOD).items
    bad = load_manifest_dir(MANIFESTS_BAD).items
    kube, resources, _problems = inputs.load_preview_json(FIXTURES / "preview" / "preview.json")
    hosts = [{"host": "prod-app-1", "facts": {"sshd": {"permit_root_login": "no"}}}]
    return [
        inputs.build_input(3, inputs.load_plan_file(PLAN_GOOD), good, hosts),
        inputs.build_input(2, inputs.load_plan_file(PLAN_BAD), bad, [], resources),
        inputs.build_input(4, None, kube, [], resources),
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_schema_describes_the_input_the_gate_builds(index: int) -> None:
    doc = _gate_inputs()[index]
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert doc["schema"] == "govcloud.check-input/v1"
    if doc["plan"] is not None:  # defaults filled in: the rules read them directly
        assert all("authenticated" in f and "ports" in f and "log" in f for f in doc["plan"]["flows"])


def test_the_schema_refuses_a_plan_field_of_the_wrong_type() -> None:
    doc = _gate_inputs()[0]
    doc["plan"]["flows"][0]["encrypted"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
