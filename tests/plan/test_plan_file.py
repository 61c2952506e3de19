"""`govcloud:planFile`: a stack whose plan lives in its own YAML file (large plans, issue 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govcloud.plan import PlanError
from govcloud.plan.loader import load_plan
from govcloud.plan.synthetic import synthetic_config


def _stack(root: Path, config: dict[str, object]) -> None:
    (root / "Pulumi.big.yaml").write_text(yaml.safe_dump({"config": config}), encoding="utf-8")


def test_plan_file_is_loaded_relative_to_the_stack_config(tmp_path: Path) -> None:
    raw = synthetic_config(3, 2)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "big.yaml").write_text(yaml.safe_dump({"govcloud": raw}), encoding="utf-8")
    _stack(tmp_path, {"govcloud:planFile": "plans/big.yaml"})
    plan = load_plan(stack="big", root=tmp_path, use_lock=False)
    assert len(plan.config.systems) == 6
    assert plan.to_json()["systems"][0]["id"] == raw["systems"][0]["id"]  # type: ignore[index]


def test_plan_file_excludes_inline_settings(tmp_path: Path) -> None:
    _stack(tmp_path, {"govcloud:planFile": "big.yaml", "govcloud:log_retention_days": 185})
    with pytest.raises(PlanError) as info:
        load_plan(stack="big", root=tmp_path, use_lock=False)
    text = str(info.value)
    assert "planFile" in text and "log_retention_days" in text and "Pulumi.big.yaml" in text


def test_missing_plan_file_names_the_file(tmp_path: Path) -> None:
    _stack(tmp_path, {"govcloud:planFile": "nowhere.yaml"})
    with pytest.raises(PlanError) as info:
        load_plan(stack="big", root=tmp_path, use_lock=False)
    assert "nowhere.yaml" in str(info.value)
