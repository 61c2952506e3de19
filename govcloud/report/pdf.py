"""Prints the HTML report to PDF with Debian's headless Chromium (``--print-to-pdf``), fully offline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
INSTALL_HINT = "install it with `apt-get install -y chromium fonts-noto-cjk` (Debian's package)"

# Flags for a root, headless, offline run that neither phones home nor reads a user profile.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
)


class PdfError(RuntimeError):
    pass


def find_chromium() -> Path:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise PdfError(f"Chromium not found: {INSTALL_HINT}")


def print_pdf(html: Path, pdf: Path, *, timeout_s: float = 300.0) -> None:
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="gc-report-chromium-") as profile:
        cmd = [
            str(browser),
            *HEADLESS_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=5000",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish printing {html} within {timeout_s:.0f} s") from None
    if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"Chromium failed to print {html} (exit {proc.returncode}): {' | '.join(tail)}")
