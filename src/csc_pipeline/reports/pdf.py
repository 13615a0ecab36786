"""The report as a PDF: the HTML page printed to A4 by headless Chromium (its print stylesheet
sets the page size, margins and page breaks, so the PDF is what a reader printing the page gets).

Chromium is Debian's (`scripts/ensure-system-deps.sh` installs it); the page is a local file with
nothing to fetch, and the browser runs in a throwaway profile with networking features off.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
PRINT_TIMEOUT_S = 180


class PdfError(RuntimeError):
    """The PDF could not be printed (no browser, or the browser failed)."""


def chromium() -> str:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("no Chromium found to print the PDF: install Debian's chromium "
                   "(scripts/ensure-system-deps.sh does, as root)")


def print_to_pdf(html: Path, pdf: Path) -> Path:
    """Print the local page `html` to `pdf` (A4, no browser header or footer); returns `pdf`."""
    profile = Path(tempfile.mkdtemp(prefix="csc-pdf-"))
    pdf.unlink(missing_ok=True)
    try:
        result = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--disable-extensions",
             f"--user-data-dir={profile}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
             f"--print-to-pdf={pdf}", html.resolve().as_uri()],
            capture_output=True, text=True, timeout=PRINT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PdfError(f"Chromium did not print {html.name} within {PRINT_TIMEOUT_S} s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if result.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfError(f"Chromium could not print {html.name} (exit {result.returncode}): {last}")
    return pdf


def page_count(pdf: Path) -> int:
    """Pages in a PDF Chromium wrote (its page objects are uncompressed `/Type /Page` entries)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
