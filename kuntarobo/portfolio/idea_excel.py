"""The idea bank to and from Excel: municipalities keep their idea lists in workbooks.

The export holds every field of every idea the user sees in a municipality, under Finnish
headings; the import recognises the headings in Finnish, Swedish and English, creates ideas
without an id and updates the municipality's ideas by id through the same action functions
as the web pages (stage moves only as allowed, sharing audited). An import is all or nothing:
every problem is reported by row and column, and none of it is written.

Text cells are always written as text (a title `=HYPERLINK(...)` stays text, with Excel's quote
prefix as in kuntarobo.core.spreadsheet_safety), so reading an export back gives exactly the
text that was written.
"""

from __future__ import annotations

import datetime
import functools
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import xlsxwriter
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineWorkbook

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.core.inputs import Budget, InputLimits, LimitExceeded, check_archive, format_size
from kuntarobo.core.spreadsheet_safety import starts_like_formula
from kuntarobo.portfolio import ideas as actions
from kuntarobo.portfolio.models import Idea, SharingScope, Stage, Workshop
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError, InputProblems, message

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_BYTES = 5 * 1024 * 1024  # a bank of thousands of ideas is far below this
MAX_ROWS = 10_000
MAX_ERRORS = 50  # reported; the rest are counted
# An .xlsx is a zip: what it may unpack to before a parser reads it.
LIMITS = InputLimits(total_bytes=100 * 1024 * 1024, member_bytes=100 * 1024 * 1024, members=50)
DATETIME_FORMAT = "d.m.yyyy hh:mm:ss"

# Column key → heading in each language; the export writes the Finnish ones.
COLUMNS: dict[str, dict[str, str]] = {
    "id": {"fi": "Tunniste", "sv": "Id", "en": "ID"},
    "municipality": {"fi": "Kunta", "sv": "Kommun", "en": "Municipality"},
    "department": {"fi": "Toimiala", "sv": "Sektor", "en": "Department"},
    "title": {"fi": "Otsikko", "sv": "Rubrik", "en": "Title"},
    "description": {"fi": "Kuvaus", "sv": "Beskrivning", "en": "Description"},
    "process": {"fi": "Prosessi", "sv": "Process", "en": "Process"},
    "systems": {"fi": "Järjestelmät", "sv": "System", "en": "Systems"},
    "volume_per_year": {"fi": "Määrä vuodessa", "sv": "Antal per år", "en": "Volume per year"},
    "manual_minutes_per_case": {
        "fi": "Käsittelyaika minuutteina",
        "sv": "Manuell tid i minuter",
        "en": "Manual minutes per case",
    },
    "rework_share_percent": {
        "fi": "Uudelleenkäsittelyn osuus (%)",
        "sv": "Andel omarbete (%)",
        "en": "Rework share (%)",
    },
    "beneficiaries": {"fi": "Kuka hyötyy", "sv": "Vem har nytta", "en": "Who benefits"},
    "proposer": {"fi": "Ehdottaja", "sv": "Förslagsställare", "en": "Proposer"},
    "workshop": {"fi": "Työpaja", "sv": "Workshop", "en": "Workshop"},
    "stage": {"fi": "Vaihe", "sv": "Skede", "en": "Stage"},
    "robot": {"fi": "Robotti", "sv": "Robot", "en": "Robot"},
    "shared_with": {"fi": "Jaettu", "sv": "Delad med", "en": "Shared with"},
    "created_at": {"fi": "Luotu", "sv": "Skapad", "en": "Created"},
    "updated_at": {"fi": "Päivitetty", "sv": "Uppdaterad", "en": "Updated"},
}
TEXT_COLUMNS = (
    "department",
    "title",
    "description",
    "process",
    "systems",
    "beneficiaries",
    "proposer",
)
# Written by the platform; an import ignores them.
READ_ONLY = ("municipality", "created_at", "updated_at")
# An action's field name → the column it came from.
FIELD_COLUMNS = {"robot_slug": "robot"}


def _heading_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for key, headings in COLUMNS.items():
        for heading in headings.values():
            keys[heading.casefold()] = key
    return keys


HEADINGS = _heading_keys()


def _labels_in(language: str, choices: Any) -> dict[str, str]:
    with translation.override(language):
        return {str(choice.label).casefold(): str(choice.value) for choice in choices}


@functools.cache
def _choice_names(choices: Any) -> dict[str, str]:
    """A stage or sharing scope by its code or its label in any of the three languages."""
    names = {str(choice.value).casefold(): str(choice.value) for choice in choices}
    for language in ("en", "sv", "fi"):
        names.update(_labels_in(language, choices))
    return names


def _finnish(choice: Any) -> str:
    with translation.override("fi"):
        return str(choice.label)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _exported(user: Actor, municipality: Municipality) -> Any:
    return (
        Idea.objects.for_user(user, Permission.VIEW)  # type: ignore[arg-type]
        .filter(municipality=municipality)
        .select_related("workshop", "municipality")
        .order_by("pk")
    )


def export_ideas(actor: Actor, municipality: Municipality, *, via: str) -> bytes:
    """An .xlsx of every idea of the municipality, every field, Finnish headings."""
    require(actor, municipality, Permission.VIEW)
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("Ideat")
    bold = book.add_format({"bold": True})
    quoted = book.add_format({"quote_prefix": True})
    when = book.add_format({"num_format": DATETIME_FORMAT})
    for column, headings in enumerate(COLUMNS.values()):
        sheet.write_string(0, column, headings["fi"], bold)
    count = 0
    for row, idea in enumerate(_exported(actor, municipality), start=1):
        count += 1
        for column, value in enumerate(_row_values(idea).values()):
            if value is None or value == "":
                sheet.write_blank(row, column, None)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(row, column, value, when)
            elif isinstance(value, int | Decimal):
                sheet.write_number(row, column, value)
            else:
                text = str(value)
                sheet.write_string(row, column, text, quoted if starts_like_formula(text) else None)
    sheet.set_column(0, len(COLUMNS) - 1, 20)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(COLUMNS) - 1)
    book.close()
    record(
        "portfolio.ideas_exported",
        actor=actor,
        municipality=municipality,
        details={"ideas": count},
        via=via,
    )
    return output.getvalue()


def _row_values(idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "municipality": idea.municipality.name_fi,
        "department": idea.department,
        "title": idea.title,
        "description": idea.description,
        "process": idea.process,
        "systems": idea.systems,
        "volume_per_year": idea.volume_per_year,
        "manual_minutes_per_case": idea.manual_minutes_per_case,
        "rework_share_percent": idea.rework_share_percent,
        "beneficiaries": idea.beneficiaries,
        "proposer": idea.proposer,
        "workshop": idea.workshop.title if idea.workshop else "",
        "stage": _finnish(Stage(idea.stage)),
        "robot": idea.robot_slug,
        "shared_with": _finnish(SharingScope(idea.shared_with)),
        "created_at": _local(idea.created_at),
        "updated_at": _local(idea.updated_at),
    }


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


class IdeaImportError(InputProblems):
    """The workbook's problems, each naming its row and column; nothing was written."""


class _Problems:
    def __init__(self) -> None:
        self.found: list[Any] = []
        self.more = 0

    def add(self, row: int, column: str, heading: str, problem: Any) -> None:
        if len(self.found) >= MAX_ERRORS:
            self.more += 1
            return
        self.found.append(
            message(
                _("row %(row)s, column %(column)s (%(heading)s): %(problem)s"),
                row=row,
                column=column,
                heading=heading,
                problem=problem,
            )
        )

    def raise_any(self) -> None:
        if self.found:
            raise IdeaImportError(self.found, self.more)


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _file_error(problem: Any, **params: Any) -> InputError:
    return InputError(problem, field="file", **params)


def _rows(content: bytes) -> Iterator[list[Any]]:
    """The first sheet's rows from cell A1 on, after the zip's real sizes have been checked."""
    if len(content) > MAX_FILE_BYTES:
        raise _file_error(
            _("The file is larger than %(limit)s (the limit)."), limit=format_size(MAX_FILE_BYTES)
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zipped:
            check_archive(zipped, LIMITS, Budget(LIMITS))
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except LimitExceeded:
        raise _file_error(_("The workbook unpacks to more than its limit.")) from None
    except Exception:  # zipfile, XML and calamine raise many kinds for a broken file
        raise _file_error(
            _("The file is not an Excel workbook (.xlsx) that can be read.")
        ) from None
    try:
        if not book.sheet_names:
            raise _file_error(_("The workbook has no sheets."))
        sheet = book.get_sheet_by_index(0)
        start = sheet.start
        padding: list[Any] = [""] * start[1] if start else []
        for row in sheet.iter_rows():
            yield [*padding, *row]
    except InputError:
        raise
    except Exception:  # a damaged sheet shows only when it is read
        raise _file_error(
            _("The file is not an Excel workbook (.xlsx) that can be read.")
        ) from None
    finally:
        book.close()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _number(value: Any, places: int | None) -> Decimal | int | None:
    """A number cell or text with a decimal comma; ValueError when it is neither."""
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        try:
            number = Decimal(
                str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
            )
        except InvalidOperation:
            raise ValueError from None
    if not number.is_finite():
        raise ValueError
    if places is None:
        if number != number.to_integral_value():
            raise ValueError
        return int(number)
    return number.quantize(Decimal(1).scaleb(-places))


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]


def _columns(header: list[Any], problems: _Problems) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        if _empty(cell):
            continue
        heading = _text(cell)
        key = HEADINGS.get(heading.casefold())
        if key is None:
            problems.add(1, _letters(index), heading, _("unknown heading"))
        elif key in found.values():
            problems.add(1, _letters(index), heading, _("the column appears twice"))
        else:
            found[index] = key
    if "title" not in found.values():
        problems.add(1, "-", COLUMNS["title"]["fi"], _("the workbook has no column for the title"))
    return found


def import_ideas(
    actor: Actor, municipality: Municipality, content: bytes, *, via: str
) -> ImportResult:
    """Create and update the municipality's ideas from a workbook, all or nothing. An updated
    idea moves only as its stage allows; a new row may start at any stage (a list kept
    elsewhere arrives as it stands), which its history records as the import's."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    rows = _rows(content)
    problems = _Problems()
    header: list[Any] | None = None
    header_number = 0
    for cells in rows:
        header_number += 1
        if any(not _empty(cell) for cell in cells):
            header = cells
            break
    if header is None:
        raise _file_error(_("The workbook is empty."))
    columns = _columns(header, problems)
    headings = {index: _text(header[index]) for index in columns}
    problems.raise_any()
    data: list[_Row] = []
    for number, cells in enumerate(rows, start=header_number + 1):
        if all(_empty(cell) for cell in cells):
            continue
        if len(data) >= MAX_ROWS:
            raise _file_error(
                _("The workbook has more than %(limit)s rows (the limit)."), limit=MAX_ROWS
            )
        values = {
            key: (cells[index] if index < len(cells) else None) for index, key in columns.items()
        }
        data.append(_Row(number, values))
    where = {key: (_letters(index), headings[index]) for index, key in columns.items()}
    result = ImportResult(0, 0, 0)
    with transaction.atomic():
        workshops = list(Workshop.objects.filter(municipality=municipality))
        for row in data:
            _import_row(actor, municipality, row, where, workshops, problems, result, via)
        problems.raise_any()
        record(
            "portfolio.ideas_imported",
            actor=actor,
            municipality=municipality,
            details={"created": result.created, "updated": result.updated},
            via=via,
        )
    return result


def _import_row(
    actor: Actor,
    municipality: Municipality,
    row: _Row,
    where: dict[str, tuple[str, str]],
    workshops: list[Workshop],
    problems: _Problems,
    result: ImportResult,
    via: str,
) -> None:
    cells = row.cells
    before = len(problems.found) + problems.more

    def problem(key: str, text: Any) -> None:
        column, heading = where.get(key, ("-", COLUMNS.get(key, {}).get("fi", key)))
        problems.add(row.number, column, heading, text)

    values: dict[str, Any] = {}
    for key in TEXT_COLUMNS:
        if key in cells:
            values[key] = _text(cells[key])
    for key, places in (
        ("volume_per_year", None),
        ("manual_minutes_per_case", 2),
        ("rework_share_percent", 2),
    ):
        if key in cells:
            try:
                values[key] = _number(cells[key], places)
            except ValueError:
                problem(key, _("not a number"))
    idea: Idea | None = None
    if "id" in cells and not _empty(cells["id"]):
        try:
            pk = int(_number(cells["id"], None) or 0)
        except ValueError:
            pk = 0
        idea = Idea.objects.filter(municipality=municipality, pk=pk).first() if pk else None
        if idea is None:
            problem("id", _("no idea with this id in this municipality"))
    if "municipality" in cells and not _empty(cells["municipality"]):
        named = _text(cells["municipality"]).casefold()
        if named not in {
            municipality.slug,
            municipality.name_fi.casefold(),
            municipality.name_sv.casefold(),
        }:
            problem("municipality", _("the row belongs to another municipality"))
    if "workshop" in cells:
        title = _text(cells["workshop"])
        matching = [w for w in workshops if w.title.casefold() == title.casefold()]
        if not title:
            values["workshop"] = None
        elif idea is not None and idea.workshop in matching:
            values["workshop"] = idea.workshop
        elif len(matching) == 1:
            values["workshop"] = matching[0]
        elif matching:
            problem("workshop", _("several workshops have this title"))
        else:
            problem("workshop", _("no workshop of this title in this municipality"))
    stage = robot = scope = None
    if "stage" in cells and not _empty(cells["stage"]):
        stage = _choice_names(Stage).get(_text(cells["stage"]).casefold())
        if stage is None:
            problem("stage", _("unknown stage"))
    if "robot" in cells:
        robot = _text(cells["robot"])
    if "shared_with" in cells and not _empty(cells["shared_with"]):
        scope = _choice_names(SharingScope).get(_text(cells["shared_with"]).casefold())
        if scope is None:
            problem("shared_with", _("unknown sharing"))
    if len(problems.found) + problems.more > before:
        return
    try:
        with transaction.atomic():
            if idea is None:
                values.setdefault("department", "")
                values.setdefault("title", "")
                created = actions.create_idea(
                    actor,
                    municipality,
                    values,
                    stage=stage or Stage.IDEA,
                    robot_slug=robot or "",
                    via=via,
                )
                if scope:
                    actions.share_idea(actor, created, scope, via=via)
                result.created += 1
                return
            changed = bool(actions.edit_idea(actor, idea, values, via=via))
            if stage and stage != idea.stage:
                actions.move_idea(actor, idea, stage, robot_slug=robot, via=via)
                changed = True
            elif robot is not None and robot != idea.robot_slug:
                actions.set_robot(actor, idea, robot, via=via)
                changed = True
            if scope:
                changed = actions.share_idea(actor, idea, scope, via=via) or changed
    except InputError as error:
        field = error.field or "title"
        problem(FIELD_COLUMNS.get(field, field), error)
        return
    if changed:
        result.updated += 1
    else:
        result.unchanged += 1
