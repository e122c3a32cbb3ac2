"""PDFs of path documents and result cards, typeset by Typst.

As in the fee decision letters (kuntarobo/robots/ecec_fees/letters.py), the Typst templates only
lay out what Python hands them: the data travels as a JSON file the template parses and is never
spliced into Typst source, so any text a coordinator writes prints literally. Each PDF is
compiled in a private temporary directory with Typst's bundled fonts only."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Final

import pypdf
import typst

TEMPLATES: Final = Path(__file__).parent / "templates" / "portfolio" / "typst"
# A result card is one page: long texts are set smaller until it fits (the form limits the
# lengths so that the smallest size always does).
CARD_SIZES: Final = (10.0, 9.0, 8.0, 7.0, 6.0)

_lock: Final = threading.Lock()


def _compile(template: str, data: dict[str, Any], files: dict[str, str] | None = None) -> bytes:
    with _lock, tempfile.TemporaryDirectory(prefix="kuntarobo-portfolio-") as directory:
        root = Path(directory)
        shutil.copyfile(TEMPLATES / template, root / template)
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        for name, content in (files or {}).items():
            (root / name).write_text(content, encoding="utf-8")
        pdf = typst.compile(
            str(root / template), root=str(root), format="pdf", ignore_system_fonts=True
        )
    if not isinstance(pdf, bytes):
        raise TypeError("Typst returned no single PDF document")
    return pdf


def page_count(pdf: bytes) -> int:
    import io

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def result_card_pdf(data: dict[str, Any]) -> bytes:
    """The card on one page: the first size at which it fits, else the smallest."""
    pdf = b""
    for size in CARD_SIZES:
        pdf = _compile("result_card.typ", {**data, "size": size})
        if page_count(pdf) == 1:
            break
    return pdf


def path_document_pdf(data: dict[str, Any], diagram_svg: str | None) -> bytes:
    files = {"diagram.svg": diagram_svg} if diagram_svg else {}
    return _compile("path_document.typ", {**data, "diagram": bool(diagram_svg)}, files)
