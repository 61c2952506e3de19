"""The plan document of the real stacks, byte for byte (`govcloud plan --out` writes exactly this text).

The golden files were written by the planner before `Plan.to_json` became the dump of the typed
contract (govcloud.contracts.plan), so this test proves the contract changed no byte of the document.
A deliberate change of the document (a new field, a new planner rule) regenerates them:

    GOVCLOUD_UPDATE_GOLDEN=1 .venv/bin/pytest tests/contracts/test_plan_golden.py

and the diff of the golden files is reviewed with the change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govcloud.plan import load_plan

GOLDEN = Path(__file__).parent / "golden"


def rendered(stack: str) -> str:
    """The text `govcloud plan --stack S --out FILE` writes (cli/commands/plan.py)."""
    return json.dumps(load_plan(stack=stack).to_json(), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


@pytest.mark.parametrize("stack", ["lab", "chuzhou"])
def test_plan_document_is_byte_identical(stack: str) -> None:
    path = GOLDEN / f"plan-{stack}.json"
    text = rendered(stack)
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: GOVCLOUD_UPDATE_GOLDEN=1 writes it"
    golden = path.read_text(encoding="utf-8")
    assert text == golden, (
        f"the {stack} plan document differs from {path.name}; if the change is meant, regenerate it "
        "(GOVCLOUD_UPDATE_GOLDEN=1) and review the diff"
    )
