"""The evidence manifest: every input file with SHA-256 and SM3, and the digests of the report's outputs.

``manifest.json`` (schema ``govcloud.report-manifest/v1``) sits beside the outputs. A file cannot carry
its own digest, so the command prints the manifest's digests for the assessor to record out of band
(测评记录); ``verify`` recomputes everything the manifest lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcloud.report import MANIFEST_SCHEMA
from govcloud.report.digests import Digest, digest_file
from govcloud.report.errors import ReportInputError
from govcloud.report.evidence import InputFile
from govcloud.report.model import InputOut


def digest_inputs(inputs: list[InputFile], outs: list[InputOut]) -> None:
    """Fill in the digests of every input file that exists (missing ones keep None)."""
    for info, out in zip(inputs, outs, strict=True):
        if info.path.is_file():
            d = digest_file(info.path)
            out.bytes, out.sha256, out.sm3 = d.bytes, d.sha256, d.sm3


def _entry(path: str, d: Digest, **extra: Any) -> dict[str, Any]:
    return {"path": path, "bytes": d.bytes, "sha256": d.sha256, "sm3": d.sm3, **extra}


def write_manifest(
    out_dir: Path,
    *,
    stack: str,
    generated_at: str,
    evidence_dir: str,
    inputs: list[InputOut],
    outputs: list[str],
    known: dict[str, Digest] | None = None,
) -> tuple[Path, Digest]:
    """Write manifest.json; ``known`` holds output digests already computed (not hashed twice)."""
    known = known or {}
    doc = {
        "schema": MANIFEST_SCHEMA,
        "stack": stack,
        "generated_at": generated_at,
        "evidence_dir": evidence_dir,
        "algorithms": ["sha256", "sm3"],
        "inputs": [
            {
                "kind": i.kind,
                "path": i.path,
                "state": i.state,
                "bytes": i.bytes,
                "sha256": i.sha256,
                "sm3": i.sm3,
            }
            for i in inputs
        ],
        "outputs": [_entry(name, known.get(name) or digest_file(out_dir / name)) for name in outputs],
    }
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path, digest_file(path)


@dataclass
class VerifyResult:
    ok: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatched and not self.absent


def _check(path: Path, entry: dict[str, Any], label: str, res: VerifyResult) -> None:
    if not path.is_file():
        res.absent.append(label)
        return
    d = digest_file(path)
    if d.sha256 == entry.get("sha256") and d.sm3 == entry.get("sm3"):
        res.ok.append(label)
    else:
        res.mismatched.append(label)


def verify(report_dir: Path, evidence_dir: Path | None = None) -> VerifyResult:
    mpath = report_dir / "manifest.json"
    try:
        doc = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportInputError(mpath, None, "no manifest.json in the report directory") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportInputError(mpath, None, f"not readable JSON: {exc}") from None
    except RecursionError:
        raise ReportInputError(mpath, None, "not readable JSON: nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("schema") != MANIFEST_SCHEMA:
        raise ReportInputError(mpath, "schema", f"expected {MANIFEST_SCHEMA!r}")
    outputs, inputs = doc.get("outputs"), doc.get("inputs")
    if not isinstance(outputs, list) or not isinstance(inputs, list):
        raise ReportInputError(mpath, "outputs/inputs", "missing or not lists")
    res = VerifyResult()
    for i, e in enumerate(outputs):
        if not isinstance(e, dict) or not isinstance(e.get("path"), str) or "/" in e["path"]:
            raise ReportInputError(mpath, f"outputs[{i}].path", "must be a file name in the report directory")
        _check(report_dir / e["path"], e, e["path"], res)
    if evidence_dir is not None:
        for i, e in enumerate(inputs):
            if not isinstance(e, dict) or not isinstance(e.get("path"), str):
                raise ReportInputError(mpath, f"inputs[{i}].path", "missing")
            if e.get("sha256") is None:
                continue  # was missing when the report was written
            p = Path(e["path"])
            target = p if p.is_absolute() else evidence_dir / p
            _check(target, e, f"evidence:{e['path']}", res)
    return res
