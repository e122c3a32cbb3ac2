"""Looking inside rendered letters without PIL or numpy: text, text positions and pixels."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

MM = 72 / 25.4  # PDF points per millimetre


def normalise(text: str) -> str:
    """Extracted text with no-break spaces and line ends made plain spaces."""
    for char in ("\u00a0", "\u202f", "\r\n", "\n", "\r"):
        text = text.replace(char, " ")
    return " ".join(text.split())


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [normalise(page.get_textpage().get_text_range()) for page in document]
    finally:
        document.close()


def all_text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres from the top-left corner of the page."""

    left: float
    top: float
    right: float
    bottom: float

    def inside(self, outer: Box) -> bool:
        return (
            outer.left <= self.left
            and outer.top <= self.top
            and self.right <= outer.right
            and self.bottom <= outer.bottom
        )


def find_text_box(pdf: bytes, text: str, page_index: int = 0) -> Box | None:
    """Where the first occurrence of `text` lies on a page (union of its character boxes)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[page_index]
        height = page.get_height()
        textpage = page.get_textpage()
        searcher = textpage.search(text, match_case=True)
        found = searcher.get_next()
        if found is None:
            return None
        start, count = found
        boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
        left = min(b[0] for b in boxes)
        bottom = min(b[1] for b in boxes)
        right = max(b[2] for b in boxes)
        top = max(b[3] for b in boxes)
        return Box(left / MM, (height - top) / MM, right / MM, (height - bottom) / MM)
    finally:
        document.close()


@dataclass(frozen=True)
class Raster:
    """An RGB page image: width × height pixels, 3 bytes each, rows of `stride` bytes."""

    width: int
    height: int
    stride: int
    pixels: bytes
    scale: float

    def dark_rows(self, threshold: int = 160) -> list[int]:
        """Rows (pixel y) that hold at least one dark pixel."""
        rows = []
        for y in range(self.height):
            row = self.pixels[y * self.stride : y * self.stride + self.width * 3]
            if min(row) < threshold:
                rows.append(y)
        return rows

    def ink_ratio(self, threshold: int = 160) -> float:
        dark = 0
        for y in range(self.height):
            row = self.pixels[y * self.stride : y * self.stride + self.width * 3]
            dark += sum(1 for value in row[::3] if value < threshold)
        return dark / (self.width * self.height)

    def save_png(self, path: Path) -> None:
        raw = b"".join(
            b"\x00" + self.pixels[y * self.stride : y * self.stride + self.width * 3]
            for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        path.write_bytes(
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b"")
        )


def render_page(pdf: bytes, page_index: int = 0, scale: float = 1.0) -> Raster:
    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[page_index].render(scale=scale, rev_byteorder=True)
        return Raster(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer), scale)
    finally:
        document.close()
