"""The PDF printed by headless Chromium has A4 pages that render (pdftoppm) and Chinese text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from govcloud.report.generate import generate
from tests.report.conftest import CATALOGUE, NOW

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "report-screenshots"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `apt-get install -y {package}`")
    return path


def test_pdf_has_rendered_a4_pages(evidence_dir: Path, tmp_path: Path) -> None:
    _tool("chromium", "chromium fonts-noto-cjk")
    pdftoppm = _tool("pdftoppm", "poppler-utils")
    out = tmp_path / "out"
    res = generate(
        stack="lab",
        evidence_dir=evidence_dir,
        out_dir=out,
        formats=("html", "json", "pdf"),
        catalogue_path=CATALOGUE,
        catalogue_required=True,
        since=None,
        now=NOW,
    )
    pdf = res.files["pdf"]
    info = subprocess.run(
        [_tool("pdfinfo", "poppler-utils"), str(pdf)], capture_output=True, text=True, check=True
    )
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    assert pages >= 6  # summary, evidence, waivers, DR, platform, one page per system at least
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info.stdout), info.stdout
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages and all(p.stat().st_size > 1000 for p in rendered)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf), str(SCREENSHOTS / "pdf-page")],
        check=True,
    )
    text = subprocess.run(
        [_tool("pdftotext", "poppler-utils"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "网络安全等级保护 2.0 符合性报告" in text
    assert "等级保护2.0符合性报告 · lab" in text  # the running page header
    assert "人口信息管理系统" in text and "不符合" in text
    # The manifest lists the PDF's digests too.
    assert "report.pdf" in (out / "manifest.json").read_text(encoding="utf-8")
