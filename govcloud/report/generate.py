"""The whole pipeline behind ``govcloud report``: load, build, compare, write, digest."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from govcloud.contracts.report import Report
from govcloud.report.build import build_report
from govcloud.report.catalogue import CATALOGUE_SCHEMA, Catalogue, load_catalogue
from govcloud.report.diff import apply_diff, finish_trend, load_previous, resolve_previous
from govcloud.report.digests import Digest, digest_bytes
from govcloud.report.evidence import InputFile, load_evidence
from govcloud.report.html import render_html
from govcloud.report.manifest import digest_inputs, write_manifest
from govcloud.report.pdf import print_pdf

FORMATS = ("html", "json", "pdf")


@dataclass
class Result:
    out_dir: Path
    report: Report
    files: dict[str, Path] = field(default_factory=dict)
    manifest: Path | None = None
    manifest_digest: Digest | None = None
    warnings: list[str] = field(default_factory=list)


def report_json(report: Report) -> bytes:
    """Compact UTF-8 JSON from pydantic-core's serializer (the stdlib encoder is ~10x slower with indent)."""
    return report.model_dump_json(by_alias=True).encode("utf-8") + b"\n"


def generate(
    *,
    stack: str,
    evidence_dir: Path,
    out_dir: Path,
    formats: tuple[str, ...],
    catalogue_path: Path,
    catalogue_required: bool,
    since: Path | None,
    now: datetime | None = None,
) -> Result:
    """Run the pipeline with the cyclic garbage collector paused.

    The report allocates some 10^5 small acyclic objects (rows, items, texts) that reference counting
    frees; generational collections over them cost 25-40 % of the run on a large stack and free
    nothing. The collector is restored afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(
            stack=stack,
            evidence_dir=evidence_dir,
            out_dir=out_dir,
            formats=formats,
            catalogue_path=catalogue_path,
            catalogue_required=catalogue_required,
            since=since,
            now=now,
        )
    finally:
        if enabled:
            gc.enable()


def _generate(
    *,
    stack: str,
    evidence_dir: Path,
    out_dir: Path,
    formats: tuple[str, ...],
    catalogue_path: Path,
    catalogue_required: bool,
    since: Path | None,
    now: datetime | None = None,
) -> Result:
    ev = load_evidence(evidence_dir, stack)
    warnings = [f"{i.rel}: {i.state}: {i.note_en}" for i in ev.inputs if i.state != "ok"]
    if catalogue_path.is_file() or catalogue_required:
        cat = load_catalogue(catalogue_path)
        cat_state = "ok"
        ev.inputs.append(
            InputFile("catalogue", catalogue_path.resolve(), str(catalogue_path.resolve()), "ok")
        )
    else:
        cat = Catalogue.model_validate({"schema": CATALOGUE_SCHEMA, "families": [], "items": []})
        cat_state = "missing"
        warnings.append(f"{catalogue_path}: catalogue missing; only clauses seen in evidence are listed")
    previous = None
    prev_path = None
    if since is not None:
        prev_path = resolve_previous(since)
        previous = load_previous(prev_path)
        ev.inputs.append(
            InputFile(
                "previous",
                prev_path.resolve(),
                str(prev_path.resolve()),
                "ok",
                generated_at=previous.generated_at,
            )
        )

    report = build_report(ev, cat, catalogue_path=catalogue_path, catalogue_state=cat_state, now=now)
    if prev_path is not None and previous is not None:
        apply_diff(report, prev_path, previous)
    finish_trend(report)
    digest_inputs(ev.inputs, report.inputs)

    out_dir.mkdir(parents=True, exist_ok=True)
    # Outputs of an earlier run in the same directory that this run does not rewrite would sit
    # beside the new manifest unlisted: remove them.
    writing = {"json"} | ({"html"} if {"html", "pdf"} & set(formats) else set()) | ({"pdf"} & set(formats))
    for fmt in FORMATS:
        stale = out_dir / f"report.{fmt}"
        if fmt not in writing and stale.is_file():
            stale.unlink()
    res = Result(out_dir=out_dir, report=report, warnings=warnings)
    json_bytes = report_json(report)
    # JSON is always written (HTML and PDF quote its digest); digests of what we write are computed
    # from the bytes in memory rather than by reading the files back.
    (out_dir / "report.json").write_bytes(json_bytes)
    res.files["json"] = out_dir / "report.json"
    known: dict[str, Digest] = {"report.json": digest_bytes(json_bytes)}
    json_digest = (known["report.json"].sha256, known["report.json"].sm3)
    if "html" in writing:
        html_bytes = render_html(report, json_digest=json_digest).encode("utf-8")
        (out_dir / "report.html").write_bytes(html_bytes)
        res.files["html"] = out_dir / "report.html"
        known["report.html"] = digest_bytes(html_bytes)
    if "pdf" in formats:
        print_pdf(out_dir / "report.html", out_dir / "report.pdf")
        res.files["pdf"] = out_dir / "report.pdf"
    res.manifest, res.manifest_digest = write_manifest(
        out_dir,
        stack=stack,
        generated_at=report.generated_at,
        evidence_dir=str(evidence_dir.resolve()),
        inputs=report.inputs,
        outputs=[p.name for p in res.files.values()],
        known=known,
    )
    return res
