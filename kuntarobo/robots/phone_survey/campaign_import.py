"""A campaign's respondents from a CSV or XLSX file: all or nothing.

Both formats go through `kuntarobo.core.respondents.read_respondents` (an .xlsx's first sheet is
turned into CSV text first, its zip sizes checked within limits before calamine reads it), so the
rules are one: a file with any bad row is refused whole, each problem naming its row and column
with the number masked; duplicates are reported and called once; numbers on the municipality's
do-not-call list are imported but never called (the robot checks the list before every call).
The audit trail gets counts only, never a number."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineWorkbook

from kuntarobo.core.explanation import Line
from kuntarobo.core.respondents import (
    Problem,
    RespondentsError,
    RespondentsRead,
    mask_phone,
    read_respondents,
)
from kuntarobo.robots.phone_survey.models import (
    Campaign,
    CampaignStatus,
    DoNotCallEntry,
    Respondent,
)
from kuntarobo.sdk import InputError, InputProblems, message
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.inputs import (
    InputLimits,
    LimitExceeded,
    check_archive,
    format_size,
    input_limits,
    limit_input_error,
)

MAX_FILE_BYTES = 20 * 1024 * 1024  # 100,000 rows of a phone and four short facts fit in far less
MAX_ROWS = 100_000
MAX_SHOWN = 50  # problems listed; the rest are counted
XLSX_SUFFIXES = (".xlsx", ".xlsm")

# The core's row problems (kuntarobo.core.respondents, English msgids) in the catalogue.
ROW_TEXTS = (
    _("Row %(row)s: the phone number is missing."),
    _("Row %(row)s: %(value)s is not a valid phone number."),
    _("Row %(row)s, column %(column)s: unknown language %(value)s (use fi, sv or en)."),
)
# The core's row problems by their English text, worded without the row (the message around
# them names the row and the column); another problem is shown as the core words it.
SHORT_TEXTS: dict[str, Any] = {
    "Row %(row)s: the phone number is missing.": _("the phone number is missing."),
    "Row %(row)s: %(value)s is not a valid phone number.": _(
        "%(value)s is not a valid phone number."
    ),
    "Row %(row)s, column %(column)s: unknown language %(value)s (use fi, sv or en).": _(
        "unknown language %(value)s (use fi, sv or en)."
    ),
}
COLUMN_NAMES: dict[str, Any] = {
    "phone": _("phone"),
    "language": _("language"),
    "age_group": _("age group"),
    "gender": _("gender"),
    "area": _("area"),
}


class RespondentsImportError(InputProblems):
    """The file's problems, each naming its row and column; nothing was written."""


@dataclass
class ImportReport:
    """What an import did: counts, and the duplicates and do-not-call rows (masked) to show."""

    imported: int
    replaced: int
    duplicates: list[Any] = field(default_factory=list)
    on_do_not_call: list[Any] = field(default_factory=list)


def _file_error(text: Any, **params: Any) -> InputError:
    return InputError(text, field="file", **params)


def _limits() -> InputLimits:
    limits = input_limits()
    return InputLimits(
        total_bytes=min(limits.total_bytes, 100 * 1024 * 1024),
        member_bytes=min(limits.member_bytes, 100 * 1024 * 1024),
        members=min(limits.members, 50),
        rows=min(limits.rows, MAX_ROWS),
        line_bytes=limits.line_bytes,
    )


def _csv_text(content: bytes) -> str:
    """UTF-8 (a byte order mark allowed); a bad byte or a NUL is refused naming its line."""
    nul = content.find(b"\x00")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _file_error(
            _('Line %(line)s is not UTF-8 text: save the file as "CSV UTF-8".'), line=line
        ) from None
    if nul >= 0:
        raise _file_error(
            _('Line %(line)s is not UTF-8 text: save the file as "CSV UTF-8".'),
            line=content[:nul].count(b"\n") + 1,
        )
    return text


def _cell(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (a number typed without its leading 0 stays a
    number the reader can still recognise), line breaks flattened so rows stay rows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _xlsx_text(content: bytes, name: str, limits: InputLimits) -> tuple[str, int]:
    """The first sheet as CSV text (";") from its first row with something in it, and how many
    empty rows came before it (to give the messages the sheet's own row numbers)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zipped:
            check_archive(zipped, limits)
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except LimitExceeded as error:
        raise limit_input_error(error, name) from None
    except Exception:  # zipfile, XML and calamine raise many kinds for a broken file
        raise _file_error(
            _("The file is not an Excel workbook (.xlsx) that can be read.")
        ) from None
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\n")
    try:
        if not book.sheet_names:
            raise _file_error(_("The workbook has no sheets."))
        sheet = book.get_sheet_by_index(0)
        if sheet.total_height > limits.rows + 1:
            raise _file_error(
                _("The file has more than %(limit)s rows (the limit)."), limit=limits.rows
            )
        start = sheet.start
        # calamine's rows start at the sheet's first row but at the first used column.
        padding = [""] * (start[1] if start else 0)
        skipped = 0
        header_seen = False
        for row in sheet.iter_rows():
            cells = [*padding, *(_cell(value) for value in row)]
            if not header_seen:
                if not any(cells):
                    skipped += 1
                    continue
                header_seen = True  # the header decides the delimiter: keep it free of others
                cells = [c.replace(";", " ").replace(",", " ").replace("\t", " ") for c in cells]
            writer.writerow(cells)
    except InputError:
        raise
    except Exception:  # a damaged sheet shows only when it is read
        raise _file_error(
            _("The file is not an Excel workbook (.xlsx) that can be read.")
        ) from None
    finally:
        book.close()
    return output.getvalue(), skipped


def _shifted(read: RespondentsRead, offset: int) -> RespondentsRead:
    """Row numbers moved down by `offset` (the empty rows above a sheet's header)."""
    if not offset:
        return read

    def line(problem: Problem) -> Problem:
        params = dict(problem.message.params)
        params["row"] = str(problem.row + offset)
        return replace(
            problem, row=problem.row + offset, message=Line(problem.message.text, params)
        )

    return RespondentsRead(
        tuple(replace(r, row=r.row + offset) for r in read.respondents),
        tuple(line(p) for p in read.invalid),
        tuple(
            replace(d, row=d.row + offset, first_row=d.first_row + offset) for d in read.duplicates
        ),
    )


def _fatal(error: RespondentsError, limit: int) -> InputError:
    """The core's fatal problems in the user's language (their English text is the CLI's)."""
    if error.field == "header" and "two columns" in error.message:
        return _file_error(
            _("Two columns of the header mean the same: %(detail)s."),
            detail=error.message.split(": ", 1)[-1],
        )
    if error.field == "header":
        return _file_error(_("The first row must name a phone column (phone, puhelin or telefon)."))
    if error.field == "rows":
        return _file_error(_("The file has more than %(limit)s rows (the limit)."), limit=limit)
    if "no rows" in error.message:
        return _file_error(_("The file has a header row but no respondents."))
    return _file_error(_("The file is empty."))


def read_file(name: str, content: bytes) -> RespondentsRead:
    """The file read and checked; InputError for a file that cannot be used at all."""
    if len(content) > MAX_FILE_BYTES:
        raise _file_error(
            _("The file is larger than %(limit)s (the limit)."), limit=format_size(MAX_FILE_BYTES)
        )
    limits = _limits()
    offset = 0
    if name.casefold().endswith(XLSX_SUFFIXES):
        text, offset = _xlsx_text(content, name, limits)
    elif name.casefold().endswith((".csv", ".txt")):
        text = _csv_text(content)
    else:
        raise _file_error(_("Upload a CSV (.csv) or Excel (.xlsx) file."))
    try:
        return _shifted(read_respondents(text, max_rows=limits.rows), offset)
    except RespondentsError as error:
        raise _fatal(error, limits.rows) from None


def _problems(read: RespondentsRead) -> list[Any]:
    return [
        message(
            _("Row %(row)s, column %(column)s: %(problem)s"),
            row=problem.row,
            column=COLUMN_NAMES.get(problem.column, problem.column),
            problem=message(
                SHORT_TEXTS.get(problem.message.text) or _(problem.message.text),
                **dict(problem.message.params),
            ),
        )
        for problem in read.invalid
    ]


def import_respondents(
    campaign: Campaign, name: str, content: bytes, *, actor: Any, replace: bool = False
) -> ImportReport:
    """Read the file and write its respondents in one transaction: a file with any bad row
    raises RespondentsImportError and writes nothing; only a draft campaign takes respondents."""
    if campaign.status != CampaignStatus.DRAFT:
        raise InputError(_("Respondents can be imported only while the campaign is a draft."))
    read = read_file(name, content)
    problems = _problems(read)
    if problems:
        raise RespondentsImportError(problems[:MAX_SHOWN], max(0, len(problems) - MAX_SHOWN))
    duplicates = [
        message(
            _("Row %(row)s: %(value)s is the same number as on row %(first)s (called once)."),
            row=duplicate.row,
            value=duplicate.value_shown_masked,
            first=duplicate.first_row,
        )
        for duplicate in read.duplicates
    ]
    blocked = set(
        DoNotCallEntry.objects.filter(
            municipality_id=campaign.municipality_id,
            phone__in=[r.phone_e164 for r in read.respondents],
        ).values_list("phone", flat=True)
    )
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise InputError(_("Respondents can be imported only while the campaign is a draft."))
        replaced = 0
        if replace:
            current = Respondent.objects.filter(campaign=locked)
            replaced = current.count()
            current.delete()
        existing = set(Respondent.objects.filter(campaign=locked).values_list("phone", flat=True))
        new = []
        for person in read.respondents:
            if person.phone_e164 in existing:
                duplicates.append(
                    message(
                        _("Row %(row)s: %(value)s is already among the campaign's respondents."),
                        row=person.row,
                        value=mask_phone(person.phone_e164),
                    )
                )
                continue
            new.append(
                Respondent(
                    campaign=locked,
                    phone=person.phone_e164,
                    age_group=person.age_group[:20],
                    gender=person.gender[:20],
                    area=person.area[:100],
                    language=person.language,
                    row=person.row,
                )
            )
        Respondent.objects.bulk_create(new, batch_size=1000)
        on_list = [
            message(_("Row %(row)s: %(value)s"), row=r.row, value=mask_phone(r.phone))
            for r in new
            if r.phone in blocked
        ]
        record(
            "phone_survey.respondents_imported",
            actor=actor,
            municipality=locked.municipality,
            obj=locked,
            via="web",
            details={
                "imported": len(new),
                "duplicates": len(duplicates),
                "on_do_not_call": len(on_list),
                "replaced": replaced,
            },
        )
    return ImportReport(len(new), replaced, duplicates, on_list)
