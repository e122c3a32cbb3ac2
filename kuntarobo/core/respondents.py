"""The respondents list of a phone survey: a CSV read into E.164 numbers and background facts.

Pure Python (no Django). Invalid numbers and unknown values are reported row by row, not fatal,
so one typo does not stop an upload of thousands of rows; only a file that cannot be read at all
(no `phone` column, empty, too many rows) raises `RespondentsError`. Phone numbers are personal
data, so every problem shows the value masked (only the last 3 digits).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import phonenumbers

from kuntarobo.core.explanation import Line

COLUMNS: Final = ("phone", "age_group", "gender", "area", "language")

# Header names in English, Finnish and Swedish (casefolded, spaces and hyphens as "_").
HEADER_ALIASES: Final[Mapping[str, str]] = {
    alias: column
    for column, aliases in {
        "phone": (
            "phone",
            "phone_number",
            "number",
            "puhelin",
            "puhelinnumero",
            "numero",
            "telefon",
            "telefonnummer",
        ),
        "age_group": ("age_group", "age", "ikäryhmä", "ikaryhma", "ikä", "åldersgrupp", "ålder"),
        "gender": ("gender", "sex", "sukupuoli", "kön"),
        "area": ("area", "region", "alue", "område", "postinumeroalue"),
        "language": ("language", "lang", "kieli", "asiointikieli", "språk"),
    }.items()
    for alias in aliases
}

LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "fi"
LANGUAGE_ALIASES: Final[Mapping[str, str]] = {
    alias: language
    for language, aliases in {
        "fi": ("fi", "fin", "finnish", "suomi", "suomeksi", "finska"),
        "sv": ("sv", "swe", "swedish", "ruotsi", "ruotsiksi", "svenska", "på svenska"),
        "en": ("en", "eng", "english", "englanti", "englanniksi", "engelska"),
    }.items()
    for alias in aliases
}

KEPT_DIGITS: Final = 3


class RespondentsError(ValueError):
    """A respondents file that cannot be read at all; `field` names where ("header", "rows")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Respondent:
    """One person to call; `row` is the file's line number (the header is row 1)."""

    row: int
    phone_e164: str
    age_group: str
    gender: str
    area: str
    language: str


@dataclass(frozen=True)
class Problem:
    """A rejected row: where, the value masked (personal data) and why, as a translatable line."""

    row: int
    column: str
    value_shown_masked: str
    message: Line


@dataclass(frozen=True)
class Duplicate:
    """A later row with a number already seen; the first row is kept and called once."""

    row: int
    first_row: int
    value_shown_masked: str


@dataclass(frozen=True)
class RespondentsRead:
    """The outcome of reading a file: who to call, which rows were rejected and why."""

    respondents: tuple[Respondent, ...]
    invalid: tuple[Problem, ...]
    duplicates: tuple[Duplicate, ...]


def mask_phone(value: str) -> str:
    """Every digit but the last 3 becomes "*"; separators stay so the user recognises the row."""
    digits = sum(char.isdigit() for char in value)
    shown: list[str] = []
    seen = 0
    for char in value:
        if char.isdigit():
            seen += 1
            shown.append(char if seen > digits - KEPT_DIGITS else "*")
        else:
            shown.append(char)
    return "".join(shown)


def normalise_phone(value: str, default_region: str = "FI") -> str | None:
    """The number in E.164 ("+358401234567"), or None when it is not a valid number.

    `phonenumbers` knows the Finnish trunk prefix 0 ("040 123 4567", "(09) 123 4567") and the
    international prefix 00 ("00358401234567") when `default_region` is "FI"."""
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _header_key(name: str) -> str:
    return name.strip().lstrip("\ufeff").casefold().replace(" ", "_").replace("-", "_")


def _delimiter(first_line: str) -> str:
    # Finnish spreadsheets save CSV with ";" since the decimal separator is ",".
    return max((";", ",", "\t"), key=first_line.count) if first_line else ","


def _columns(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        column = HEADER_ALIASES.get(_header_key(name))
        if column is None:
            continue  # other columns are ignored
        if column in positions:
            raise RespondentsError("header", f"two columns mean {column!r}: {name.strip()!r}")
        positions[column] = index
    if "phone" not in positions:
        raise RespondentsError("header", "a 'phone' column is required (puhelin, telefon)")
    return positions


def read_respondents(
    text: str, *, default_region: str = "FI", max_rows: int = 100_000
) -> RespondentsRead:
    """Read an already decoded CSV. A row with an invalid number or an unknown language is
    reported and left out (calling in a wrong language would be worse than not calling);
    age group, gender and area are kept as written, stripped."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise RespondentsError("file", "the file is empty")
    first_line = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(first_line))
    header = next(reader)
    positions = _columns(header)

    respondents: list[Respondent] = []
    invalid: list[Problem] = []
    duplicates: list[Duplicate] = []
    first_rows: dict[str, int] = {}
    data_rows = 0
    for cells in reader:
        row = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        data_rows += 1
        if data_rows > max_rows:
            raise RespondentsError("rows", f"at most {max_rows} rows are allowed")
        values = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in positions.items()
        }
        raw_phone = values["phone"]
        phone = normalise_phone(raw_phone, default_region) if raw_phone else None
        problems: list[Problem] = []
        if not raw_phone:
            problems.append(
                Problem(
                    row,
                    "phone",
                    "",
                    Line("Row %(row)s: the phone number is missing.", {"row": str(row)}),
                )
            )
        elif phone is None:
            problems.append(
                Problem(
                    row,
                    "phone",
                    mask_phone(raw_phone),
                    Line(
                        "Row %(row)s: %(value)s is not a valid phone number.",
                        {"row": str(row), "value": mask_phone(raw_phone)},
                    ),
                )
            )
        raw_language = values.get("language", "")
        language = (
            LANGUAGE_ALIASES.get(raw_language.casefold()) if raw_language else DEFAULT_LANGUAGE
        )
        if language is None:
            problems.append(
                Problem(
                    row,
                    "language",
                    raw_language,
                    Line(
                        "Row %(row)s, column %(column)s: unknown language %(value)s "
                        "(use fi, sv or en).",
                        {"row": str(row), "column": "language", "value": raw_language},
                    ),
                )
            )
        if problems or phone is None or language is None:
            invalid.extend(problems)
            continue
        if phone in first_rows:
            duplicates.append(Duplicate(row, first_rows[phone], mask_phone(raw_phone)))
            continue
        first_rows[phone] = row
        respondents.append(
            Respondent(
                row=row,
                phone_e164=phone,
                age_group=values.get("age_group", ""),
                gender=values.get("gender", ""),
                area=values.get("area", ""),
                language=language,
            )
        )
    if data_rows == 0:
        raise RespondentsError("file", "the file has a header but no rows")
    return RespondentsRead(tuple(respondents), tuple(invalid), tuple(duplicates))


@dataclass(frozen=True)
class DoNotCall:
    """Numbers never to call (refused, pressed the stop key); the domain notes say a
    do-not-call request is honoured at once, so it is checked right before each list is used."""

    numbers: frozenset[str]

    @classmethod
    def of(cls, numbers: Iterable[str], default_region: str = "FI") -> DoNotCall:
        """Normalise each number to E.164; an invalid one raises, naming its position."""
        normalised: set[str] = set()
        for index, number in enumerate(numbers):
            phone = normalise_phone(number, default_region)
            if phone is None:
                raise RespondentsError(
                    f"do_not_call[{index}]", f"{mask_phone(number)} is not a valid number"
                )
            normalised.add(phone)
        return cls(frozenset(normalised))

    def __contains__(self, phone_e164: object) -> bool:
        return phone_e164 in self.numbers

    def filter(
        self, respondents: Iterable[Respondent]
    ) -> tuple[tuple[Respondent, ...], tuple[Respondent, ...]]:
        """(kept, excluded), both in the original order."""
        kept: list[Respondent] = []
        excluded: list[Respondent] = []
        for respondent in respondents:
            (excluded if respondent.phone_e164 in self.numbers else kept).append(respondent)
        return tuple(kept), tuple(excluded)
