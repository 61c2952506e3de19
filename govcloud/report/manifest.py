"""The evidence manifest: every input file with SHA-256 and SM3, and the digests of the report's outputs.

``manifest.json`` (schema ``govcloud.report-manifest/v1``) sits beside the outputs. A file cannot carry
its own digest, so the command prints the manifest's digests for the assessor to record out of band
(测评记录); ``verify`` recomputes everything the manifest lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from govcloud.contracts.base import ContractError, read
from govcloud.contracts.report import InputOut, ManifestInput, ManifestOutput, ReportManifest
from govcloud.report.digests import Digest, digest_file
from govcloud.report.errors import ReportInputError
from govcloud.report.evidence import InputFile


def digest_inputs(inputs: list[InputFile], outs: list[InputOut]) -> None:
    """Fill in the digests of every input file that exists (missing ones keep None)."""
    for info, out in zip(inputs, outs, strict=True):
        if info.path.is_file():
            d = digest_file(info.path)
            out.bytes, out.sha256, out.sm3 = d.bytes, d.sha256, d.sm3


def _output(path: str, d: Digest) -> ManifestOutput:
    return ManifestOutput(path=path, bytes=d.bytes, sha256=d.sha256, sm3=d.sm3)


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
    doc = ReportManifest(
        stack=stack,
        generated_at=generated_at,
        evidence_dir=evidence_dir,
        inputs=[
            ManifestInput.model_validate(i.model_dump(include=set(ManifestInput.model_fields)))
            for i in inputs
        ],
        outputs=[_output(name, known.get(name) or digest_file(out_dir / name)) for name in outputs],
    )
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(doc.dump(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path, digest_file(path)


@dataclass
class VerifyResult:
    ok: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatched and not self.absent


def _check(path: Path, entry: ManifestInput | ManifestOutput, label: str, res: VerifyResult) -> None:
    if not path.is_file():
        res.absent.append(label)
        return
    d = digest_file(path)
    if d.sha256 == entry.sha256 and d.sm3 == entry.sm3:
        res.ok.append(label)
    else:
        res.mismatched.append(label)


def verify(report_dir: Path, evidence_dir: Path | None = None) -> VerifyResult:
    mpath = report_dir / "manifest.json"
    if not mpath.is_file():
        raise ReportInputError(mpath, None, "no manifest.json in the report directory")
    try:
        doc = read(ReportManifest, mpath)
    except ContractError as exc:
        raise ReportInputError(mpath, exc.path or None, exc.reason) from None
    res = VerifyResult()
    for e in doc.outputs:
        _check(report_dir / e.path, e, e.path, res)
    if evidence_dir is not None:
        for i in doc.inputs:
            if i.sha256 is None:
                continue  # was missing when the report was written
            p = Path(i.path)
            target = p if p.is_absolute() else evidence_dir / p
            _check(target, i, f"evidence:{i.path}", res)
    return res
