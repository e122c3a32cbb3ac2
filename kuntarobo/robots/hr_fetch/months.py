"""Which month the robot fetches and what it calls the item and the file: pure, no Django."""

from __future__ import annotations

import datetime
import re

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Every .xlsx is a zip archive: its first bytes are a zip member's local header.
ZIP_SIGNATURE = b"PK\x03\x04"


def default_month(today: datetime.date) -> str:
    """The previous calendar month: on the first working day the month just ended is fetched."""
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    return f"{last_month:%Y-%m}"


def check_month(text: str) -> str:
    """The month as YYYY-MM, or ValueError."""
    if not MONTH.fullmatch(text):
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return text


def reference(month: str) -> str:
    """One item per municipality and month: a month fetched once is not fetched again."""
    return f"hr-fetch-{check_month(month)}"


def file_name(month: str) -> str:
    """The name the export is kept under with the item, and which the HR reports run shows."""
    return f"palkka-aineisto-{check_month(month)}.xlsx"


def looks_like_xlsx(content: bytes) -> bool:
    """Whether the download is a workbook at all (a zip), not an error page saved as a file."""
    return content.startswith(ZIP_SIGNATURE)
