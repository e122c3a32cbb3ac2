"""Bounded reading of robots' input files: every reader stops at a limit, whatever the file
claims about itself.

A zip member's declared size is the attacker's word: a 204 KB zip may hold a "small" member
that inflates to 100 MiB or more. Members are therefore streamed through a counting reader that
raises `LimitExceeded` as soon as the real bytes pass the limit, so memory and time stay bounded
for any input. An .xlsx workbook is itself a zip and is checked the same way before a parser
sees it. Text is read line by line with a maximum line length; CSV through the csv module over
those bounded lines; rows are counted.

Pure Python (no Django): the limits come from the environment (`InputLimits.from_env`), the
robots' Django code turns `LimitExceeded` into a translated message.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, BinaryIO

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
CHUNK = 1 * MIB
# Dates any input may name: 9999-12-31 ("open-ended") or 0001-01-01 are refused by name rather
# than overflowing date arithmetic later (a day after 9999-12-31, a time zone before year 1).
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2200, 12, 31)

# What each limit is called in the environment.
ENVIRONMENT = {
    "total_bytes": "KUNTAROBO_INPUT_MAX_BYTES",
    "member_bytes": "KUNTAROBO_INPUT_MAX_MEMBER_BYTES",
    "members": "KUNTAROBO_INPUT_MAX_MEMBERS",
    "rows": "KUNTAROBO_INPUT_MAX_ROWS",
    "line_bytes": "KUNTAROBO_INPUT_MAX_LINE_BYTES",
}


@dataclass(frozen=True)
class InputLimits:
    """The most an input may hold. The defaults let through the largest HR workbook (a 36 MB
    .xlsx, whose XML unpacks to about ten times that), a Helsinki-sized payroll as a .zip of
    CSV (1.9 million rows) and the 14,000-family ECEC file."""

    total_bytes: int = 1 * GIB  # the whole input, unpacked (all members of an archive)
    member_bytes: int = 768 * MIB  # one file of an archive, unpacked
    members: int = 100  # files in an archive
    rows: int = 2_000_000  # rows (lines) of one table or file
    line_bytes: int = 1 * MIB  # one line of text

    def __post_init__(self) -> None:
        for name in ENVIRONMENT:
            if getattr(self, name) < 1:
                raise ValueError(f"input limit {name} must be at least 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InputLimits:
        """The limits from KUNTAROBO_INPUT_MAX_* variables; a bad value is an error that names
        the variable (a typo must not silently remove a limit)."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name, variable in ENVIRONMENT.items():
            raw = environ.get(variable, "").strip()
            if not raw:
                continue
            try:
                values[name] = int(raw)
            except ValueError:
                raise ValueError(f"{variable} must be a whole number, not {raw!r}") from None
            if values[name] < 1:
                raise ValueError(f"{variable} must be at least 1, not {raw!r}")
        return cls(**values)


class LimitExceeded(Exception):
    """An input passed one of its limits. `limit` is the InputLimits field, `maximum` its
    value, `member` the file inside an archive (or ""), `line` the line at fault (or 0)."""

    def __init__(self, limit: str, maximum: int, member: str = "", line: int = 0) -> None:
        self.limit = limit
        self.maximum = maximum
        self.member = member
        self.line = line
        super().__init__(self.english())

    def english(self) -> str:
        where = f"{self.member}: " if self.member else ""
        shown = format_size(self.maximum)
        texts = {
            "total_bytes": f"the input unpacks to more than {shown} in all",
            "member_bytes": f"{where}unpacks to more than {shown}",
            "members": f"the archive holds more than {self.maximum} files",
            "rows": f"{where}more than {self.maximum} rows",
            "line_bytes": f"{where}line {self.line} is longer than {shown}",
        }
        return texts.get(self.limit, f"{where}{self.limit} over {self.maximum}")


def format_size(size: int) -> str:
    """A byte count the way a person reads it: 768 MiB, 1 GiB, 200 KiB, 512 B."""
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if size >= unit:
            value = size / unit
            return f"{value:.0f} {name}" if value.is_integer() else f"{value:.1f} {name}"
    return f"{size} B"


class Budget:
    """Bytes left for the whole input: shared by the members of one archive."""

    def __init__(self, limits: InputLimits) -> None:
        self.limits = limits
        self.used = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limits.total_bytes:
            raise LimitExceeded("total_bytes", self.limits.total_bytes)


class CountingReader(io.RawIOBase):
    """A binary stream that counts what passes and raises LimitExceeded past `maximum` bytes
    (and past the shared budget): the real size, not the one an archive declares."""

    def __init__(
        self, raw: IO[bytes], maximum: int, *, member: str = "", budget: Budget | None = None
    ) -> None:
        super().__init__()
        self.raw = raw
        self.maximum = maximum
        self.member = member
        self.budget = budget
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        # Never ask for more than one byte past the limit: a bomb is stopped right there.
        wanted = min(len(buffer), self.maximum - self.count + 1)
        data = self.raw.read(max(wanted, 1))
        size = len(data)
        buffer[:size] = data
        self.count += size
        if self.count > self.maximum:
            raise LimitExceeded("member_bytes", self.maximum, self.member)
        if self.budget is not None:
            self.budget.spend(size)
        return size

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


def archive_members(archive: zipfile.ZipFile, limits: InputLimits) -> list[zipfile.ZipInfo]:
    """The archive's files (no folders, no macOS resource forks), refused past the count."""
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir() and not info.filename.startswith("__MACOSX/")
    ]
    if len(members) > limits.members:
        raise LimitExceeded("members", limits.members)
    return members


def check_archive(
    archive: zipfile.ZipFile, limits: InputLimits, budget: Budget | None = None
) -> list[zipfile.ZipInfo]:
    """Inflate every member once, discarding the bytes, to learn their real sizes within the
    limits (and their CRCs) before a parser sees them. Memory: one chunk at a time."""
    budget = budget if budget is not None else Budget(limits)
    members = archive_members(archive, limits)
    for info in members:
        with open_member(archive, info, limits, budget) as stream:
            while stream.read(CHUNK):
                pass
    return members


def open_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: InputLimits, budget: Budget
) -> io.BufferedReader:
    """One member, streamed and counted (declared sizes are not trusted)."""
    raw = CountingReader(
        archive.open(info), limits.member_bytes, member=info.filename, budget=budget
    )
    return io.BufferedReader(raw, CHUNK)


def check_file_size(handle: BinaryIO, limits: InputLimits, name: str = "") -> None:
    """A plain file (not an archive) may be as large as a whole unpacked input."""
    size = os.fstat(handle.fileno()).st_size
    if size > limits.total_bytes:
        raise LimitExceeded("total_bytes", limits.total_bytes, name)


def bounded_lines(
    binary: IO[bytes], limits: InputLimits, member: str = ""
) -> Iterator[tuple[int, bytes]]:
    """(line number, line with its end) one at a time; a line longer than the limit is
    refused after reading at most the limit of it."""
    number = 0
    while True:
        line = binary.readline(limits.line_bytes + 3)
        if not line:
            return
        number += 1
        if len(line.rstrip(b"\r\n")) > limits.line_bytes:
            raise LimitExceeded("line_bytes", limits.line_bytes, member, number)
        yield number, line


class CsvDecodeError(ValueError):
    """The CSV is not UTF-8 text: `line` is where the first bad byte (or a NUL, which no text
    file holds and PostgreSQL cannot store) is."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is not UTF-8")
        self.line = line


def csv_rows(
    binary: IO[bytes], limits: InputLimits, member: str = ""
) -> Iterator[tuple[int, list[str]]]:
    """A UTF-8 CSV file (BOM allowed, `;` or `,` chosen from the first line) as (record
    number, as a spreadsheet shows it, cells), streamed: one line in memory at a time; lines,
    fields and rows bounded. Raises CsvDecodeError, LimitExceeded or csv.Error (a broken quote)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines = bounded_lines(binary, limits, member)

    def text_lines() -> Iterator[str]:
        for number, raw in lines:
            if b"\x00" in raw:
                raise CsvDecodeError(number)
            try:
                yield decoder.decode(raw)
            except UnicodeDecodeError:
                raise CsvDecodeError(number) from None

    texts = text_lines()
    first = next(texts, None)
    if first is None:
        return
    delimiter = ";" if first.count(";") >= max(first.count(","), 1) else ","

    def again() -> Iterator[str]:
        yield first
        yield from texts

    for number, cells in enumerate(csv.reader(again(), delimiter=delimiter), start=1):
        if number > limits.rows + 1:  # + the header row
            raise LimitExceeded("rows", limits.rows, member)
        yield number, cells
