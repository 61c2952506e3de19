"""`govcloud logs` on the command line: exit codes 0 / 1 / 2 and clear messages without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from govcloud.cli.app import app
from tests.logaudit.conftest import TODAY


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, ["logs", *args])
    return r.exit_code, r.stdout, r.stderr


def test_seal_then_verify_exit_0(store: Path) -> None:
    code, out, err = run("seal", "--root", str(store), "--all-closed", "--today", str(TODAY), "--json")
    assert code == 0, err
    assert [s["day"] for s in json.loads(out)["sealed"]] == ["2026-11-26", "2026-11-27", "2026-11-28"]
    code, out, err = run("verify", "--root", str(store), "--today", str(TODAY))
    assert code == 0, err
    assert "完整性校验" in out and "OK" in out


def test_tampering_exit_1_names_the_file(store: Path) -> None:
    run("seal", "--root", str(store), "--all-closed", "--today", str(TODAY))
    (store / "bastion-1" / "2026-11-27" / "auth.log").write_text("x")
    code, out, _ = run("verify", "--root", str(store), "--today", str(TODAY))
    assert code == 1
    assert "bastion-1/2026-11-27/auth.log" in out and "modified" in out
    code, out, _ = run("verify", "--root", str(store), "--json", "--today", str(TODAY))
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False
    assert doc["days"][1]["problems"][0]["path"] == "bastion-1/2026-11-27/auth.log"


def test_malformed_manifest_exit_2_clear_message(store: Path) -> None:
    run("seal", "--root", str(store), "--all-closed", "--today", str(TODAY))
    chain = store / "_seals" / "chain.jsonl"
    chain.write_text(chain.read_text().replace('"seq":1', '"seq":"one"', 1))
    code, _, err = run("verify", "--root", str(store))
    assert code == 2
    assert f"{chain}:2: seq: must be a non-negative integer" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(store: Path, tmp_path: Path) -> None:
    code, _, err = run("seal", "--root", str(store))
    assert code == 2 and "--all-closed" in err
    code, _, err = run("seal", "--root", str(store), "--day", "2026-13-01")
    assert code == 2 and "2026-13-01" in err
    code, _, err = run("verify", "--root", str(tmp_path / "absent"))
    assert code == 2 and "not a directory" in err
    code, _, err = run("seal", "--root", str(store), "--day", str(TODAY), "--today", str(TODAY))
    assert code == 2 and "not closed" in err


def test_prune_below_policy_exit_2_and_tombstone_path(store: Path) -> None:
    run("seal", "--root", str(store), "--all-closed", "--today", str(TODAY))
    code, _, err = run("prune", "--root", str(store), "--keep-days", "30")
    assert code == 2 and "185" in err
    code, out, err = run(
        "prune", "--root", str(store), "--keep-days", "2", "--allow-short", "--today", str(TODAY), "--json"
    )
    assert code == 0, err
    assert json.loads(out)["pruned"] == ["2026-11-26"]
    code, out, _ = run("verify", "--root", str(store), "--today", str(TODAY))
    assert code == 0 and "pruned" in out


def test_seal_of_a_day_without_files_exit_2(store: Path) -> None:
    code, _, err = run("seal", "--root", str(store), "--day", "2026-01-01", "--today", str(TODAY))
    assert code == 2 and "no log files" in err and "Traceback" not in err
