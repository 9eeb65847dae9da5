"""A workbook printed to PDF through LibreOffice (`soffice --headless`), when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from shiwan.base.errors import UserError


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def xlsx_to_pdf(xlsx: Path, pdf: Path) -> None:
    """Print `xlsx` to `pdf`, with a LibreOffice profile of its own (so that it runs beside an open
    LibreOffice and beside other conversions)."""
    program = soffice()
    if program is None:
        raise UserError("output.pdf_needs_libreoffice")
    with tempfile.TemporaryDirectory(prefix="shiwan-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        try:
            done = subprocess.run([program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                                   "pdf", "--outdir", tmp, str(xlsx)], capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UserError("output.pdf_failed", detail=str(exc)) from None
        made = Path(tmp) / f"{xlsx.stem}.pdf"
        if not made.exists():
            raise UserError("output.pdf_failed", detail=(done.stderr or done.stdout).strip()[-300:])
        shutil.move(str(made), pdf)
