"""Digests (SHA-256 and SM3 against published vectors) and the evidence manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gmssl import func, sm3
from typer.testing import CliRunner

from govcloud.cli.app import app
from govcloud.report.digests import digest_bytes, digest_file, sm3_hex
from govcloud.report.generate import generate
from govcloud.report.manifest import verify
from tests.report.conftest import CATALOGUE, NOW

# GB/T 32905-2016 Appendix A examples.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sm3_published_vectors() -> None:
    assert sm3_hex(b"abc") == SM3_ABC
    assert sm3_hex(b"abcd" * 16) == SM3_ABCD16
    assert digest_bytes(b"abc").sha256 == SHA256_ABC


def test_sm3_agrees_with_gmssl_reference() -> None:
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert sm3_hex(data) == sm3.sm3_hash(func.bytes_to_list(data))


def test_file_digest_streams_across_chunks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # > 2 MiB: several read chunks
    p = tmp_path / "big.bin"
    p.write_bytes(data)
    assert digest_file(p) == digest_bytes(data)


def _generate(evidence_dir: Path, out: Path) -> None:
    generate(
        stack="lab",
        evidence_dir=evidence_dir,
        out_dir=out,
        formats=("html", "json"),
        catalogue_path=CATALOGUE,
        catalogue_required=True,
        since=None,
        now=NOW,
    )


def test_manifest_lists_every_input_with_both_digests(evidence_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generate(evidence_dir, out)
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"]: e for e in man["inputs"]}
    for p in evidence_dir.rglob("*.json"):
        rel = p.relative_to(evidence_dir).as_posix()
        e = listed[rel]
        assert e["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
        assert e["sm3"] == sm3_hex(p.read_bytes())
    assert str(CATALOGUE.resolve()) in listed
    outs = {e["path"]: e for e in man["outputs"]}
    assert set(outs) == {"report.json", "report.html"}
    assert outs["report.json"]["sm3"] == sm3_hex((out / "report.json").read_bytes())
    # The HTML quotes the digest of the JSON it was rendered with.
    assert outs["report.json"]["sha256"] in (out / "report.html").read_text(encoding="utf-8")
    # The report JSON carries the same input digests.
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {i["path"]: i["sm3"] for i in rep["inputs"]} == {k: v["sm3"] for k, v in listed.items()}


def test_verify_detects_a_tampered_output_and_input(evidence_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generate(evidence_dir, out)
    assert verify(out, evidence_dir).passed
    runner = CliRunner()
    ok = runner.invoke(app, ["report", "verify", str(out), "--evidence", str(evidence_dir)])
    assert ok.exit_code == 0, ok.output
    html = out / "report.html"
    html.write_text(html.read_text(encoding="utf-8").replace("符合", "合规", 1), encoding="utf-8")
    bad = runner.invoke(app, ["report", "verify", str(out)])
    assert bad.exit_code == 1 and "MISMATCH  report.html" in bad.output
    _generate(evidence_dir, out)
    (evidence_dir / "hosts.json").write_text("{}", encoding="utf-8")
    res = verify(out, evidence_dir)
    assert res.mismatched == ["evidence:hosts.json"]


def test_verify_rejects_a_malformed_manifest(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"schema": "other"}', encoding="utf-8")
    r = CliRunner().invoke(app, ["report", "verify", str(tmp_path)])
    assert r.exit_code == 2
    assert "manifest.json: schema" in r.output and "Traceback" not in r.output
