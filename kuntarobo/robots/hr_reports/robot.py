"""The HR reports robot (class A): once a month, each unit's supervisor gets one e-mail with the
unit's absences, salaries paid, employments started or ended and early-support alerts."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kuntarobo.core.inputs import LimitExceeded
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.robots.hr_reports import mail, reports, workbooks
from kuntarobo.robots.hr_reports.dataset import Dataset, ExportError, RowError
from kuntarobo.robots.hr_reports.early_support import Thresholds, alerts_for_units
from kuntarobo.robots.hr_reports.exchange import ColumnMapping
from kuntarobo.robots.hr_reports.municipal_settings import SCHEMA, mapping_and_thresholds
from kuntarobo.sdk import (
    BusinessException,
    Document,
    InputError,
    ItemSpec,
    ItemStatus,
    ItemView,
    Outcome,
    OutputField,
    Parameter,
    PathDescription,
    PathStep,
    Robot,
    RobotClass,
    RunContext,
    Schedule,
    Text,
    message,
    register,
)
from kuntarobo.sdk.inputs import input_limits, limit_input_error
from kuntarobo.sdk.settings import current_settings

MAX_ERRORS_SHOWN = 50
# A single CSV file cannot hold the five sheets: CSV exports come as a .zip (or a folder).
SUFFIXES = (".xlsx", ".zip")

ROW_ERROR = _("sheet %(sheet)s, row %(row)d, column '%(column)s': %(problem)s%(value)s")
SHEET_ERROR = _("sheet %(sheet)s: %(problem)s%(value)s")
FILE_ERROR = _("the file: %(problem)s%(value)s")
# The import's problem codes (exchange.PROBLEMS) in words.
PROBLEM_TEXTS = {
    "missing_sheet": _("the sheet is missing"),
    "missing_column": _("the column is missing"),
    "empty": _("the cell is empty"),
    "bad_date": _("not a date"),
    "bad_amount": _("not an amount in euros"),
    "bad_percent": _("not a percentage"),
    "bad_language": _("not a language (fi, sv or en)"),
    "bad_type": _("not a known type"),
    "bad_boolean": _("not yes or no"),
    "unknown_unit": _("no such unit in the units sheet"),
    "unknown_employee": _("no such employee in the employees sheet"),
    "end_before_start": _("the end is before the start"),
    "duplicate_id": _("the identifier appears twice"),
    "period_end_before_start": _("the earning period ends before it starts"),
    "too_long": _("the text is too long (identifiers at most 64 characters, other texts 300)"),
    "bad_encoding": _("the file is not UTF-8 text"),
    "unreadable_file": _("the file cannot be read as an export (.xlsx, or .zip of CSV files)"),
}


class _LazyRowError:
    """One problem of the export, rendered when the message is read, in the language active
    then; the value quoted from the file is masked (identity codes never reach a log)."""

    def __init__(self, error: RowError) -> None:
        self.error = error

    def __str__(self) -> str:
        error = self.error
        problem = PROBLEM_TEXTS.get(error.problem)
        values = {
            "sheet": error.sheet,
            "row": error.row,
            "column": error.column,
            "problem": str(problem) if problem else error.problem.replace("_", " "),
            "value": f" ({mask_identity_codes(error.value[:100])!r})" if error.value else "",
        }
        if error.row and error.column:
            template = ROW_ERROR
        elif error.sheet:
            template = SHEET_ERROR
        else:
            template = FILE_ERROR
        return str(template) % values


def row_error_text(error: RowError) -> Any:
    return format_lazy("{}", _LazyRowError(error))


# `message` is a local name (the e-mail) where the alert count is said.
alert_count_text = message


def export_input_error(name: str, errors: list[RowError]) -> InputError:
    shown = [row_error_text(e) for e in errors[:MAX_ERRORS_SHOWN]]
    more = len(errors) - len(shown)
    listing = format_lazy("; ".join(["{}"] * len(shown)), *shown)
    if more:
        listing = format_lazy("{}; {}", listing, message(_("and %(more)d more"), more=more))
    return InputError(
        ngettext_lazy(
            "the export %(file)s cannot be used (%(count)d problem, nothing was sent): "
            "%(problems)s",
            "the export %(file)s cannot be used (%(count)d problems, nothing was sent): "
            "%(problems)s",
            "count",
        ),
        field="file",
        file=repr(name),
        count=len(errors),
        problems=listing,
    )


def default_month(today: datetime.date) -> str:
    """The previous calendar month: on the first working day the month just ended is reported."""
    year, month = reports.previous_month(today.year, today.month)
    return f"{year:04d}-{month:02d}"


def municipality_settings(slug: str) -> tuple[ColumnMapping | None, Thresholds]:
    """The municipality's column mapping (None: standard) and early-support thresholds."""
    return mapping_and_thresholds(current_settings(slug, HrReportsRobot))


SUMMARY_PREFIX = "summary:"


def read(path: Path, shown_name: str, mapping: Any) -> Dataset:
    from kuntarobo.robots.hr_reports.exchange import read_export

    try:
        return read_export(path, mapping, input_limits())
    except ExportError as error:
        raise export_input_error(shown_name, error.errors) from None
    except LimitExceeded as error:
        raise limit_input_error(error, repr(shown_name)) from None


@register
class HrReportsRobot(Robot):
    slug = "hr_reports"
    name = Text(
        fi="Henkilöstöraportit esihenkilöille",
        sv="Personalrapporter till chefer",
        en="HR reports to supervisors",
    )
    description = Text(
        fi="Kerran kuussa jokaisen yksikön esihenkilö saa sähköpostilla yksikkönsä poissaolot, "
        "maksetut palkat, alkaneet ja päättyneet palvelussuhteet sekä varhaisen tuen hälytykset "
        "Excel-työkirjana.",
        sv="En gång i månaden får varje enhets chef per e-post enhetens frånvaro, utbetalda "
        "löner, påbörjade och avslutade anställningar samt larm om tidigt stöd som en "
        "Excel-arbetsbok.",
        en="Once a month each unit's supervisor gets the unit's absences, salaries paid, "
        "employments started and ended, and early-support alerts by e-mail as an Excel workbook.",
    )
    robot_class = RobotClass.ASSISTS
    systems = (
        Text(
            fi="palkka- ja henkilöstöaineisto (tulorekisterin käsitteet)",
            sv="löne- och personalexport (inkomstregistrets begrepp)",
            en="payroll and HR export (Incomes Register concepts)",
        ),
        Text(fi="sähköposti (SMTP)", sv="e-post (SMTP)", en="e-mail (SMTP)"),
    )
    manual_minutes_per_item = Decimal("20")
    output_fields = (
        OutputField("unit_name", Text(fi="Yksikkö", sv="Enhet", en="Unit")),
        OutputField("month", Text(fi="Kuukausi", sv="Månad", en="Month")),
        OutputField("recipient", Text(fi="Vastaanottaja", sv="Mottagare", en="Recipient")),
        OutputField("headcount", Text(fi="Henkilöstö", sv="Personal", en="Headcount"), "integer"),
        OutputField(
            "absence_days",
            Text(fi="Poissaolopäivät", sv="Frånvarodagar", en="Absence days"),
            "integer",
        ),
        OutputField(
            "salaries_total_cents",
            Text(fi="Palkat yhteensä", sv="Löner totalt", en="Salaries total"),
            "cents",
        ),
        OutputField(
            "alerts",
            Text(fi="Varhaisen tuen hälytykset", sv="Larm om tidigt stöd", en="Alerts"),
            "integer",
        ),
    )
    accepts_upload = True
    upload_suffixes = SUFFIXES
    municipal_settings = SCHEMA
    schedule = Schedule(
        cron="0 6 * * *",
        calendar="first_working_day_of_month",
        description=Text(
            fi="Kuukauden ensimmäisenä arkipäivänä klo 6",
            sv="Månadens första vardag kl. 6",
            en="First working day of the month at 06:00",
        ),
    )
    parameters = (
        Parameter(
            "month",
            Text(fi="Kuukausi", sv="Månad", en="Month"),
            kind="month",
            help=Text(
                fi="Oletuksena edellinen kalenterikuukausi",
                sv="Som standard föregående kalendermånad",
                en="By default the previous calendar month",
            ),
        ),
        Parameter(
            "input_folder",
            Text(fi="Aineistokansio", sv="Mapp för exportfiler", en="Input folder"),
            kind="folder",
            default="",
            help=Text(
                fi="Uusin aineisto otetaan tästä kansiosta, jos tiedostoa ei ladata",
                sv="Den nyaste exportfilen i mappen används om ingen fil laddas upp",
                en="The newest export there is used when no file is uploaded",
            ),
        ),
        Parameter(
            "hr_email",
            Text(
                fi="Henkilöstöhallinnon sähköposti",
                sv="Personalförvaltningens e-post",
                en="HR e-mail address",
            ),
            kind="email",
            default="",
            help=Text(
                fi="Kaikkien yksiköiden yhteenveto lähetetään tähän osoitteeseen",
                sv="Sammanfattningen av alla enheter skickas till denna adress",
                en="The summary of all units is sent to this address",
            ),
        ),
        Parameter(
            "resend",
            Text(fi="Lähetä uudelleen", sv="Skicka igen", en="Send again"),
            kind="boolean",
            default=False,
            help=Text(
                fi="Lähettää jo lähetetyt raportit uudelleen",
                sv="Skickar redan skickade rapporter på nytt",
                en="Sends reports already sent once more",
            ),
        ),
    )
    path = PathDescription(
        summary=Text(
            fi="Palkka- ja henkilöstöjärjestelmän aineisto luetaan, jokaiselle yksikölle tehdään "
            "raportti ja se lähetetään yksikön esihenkilölle.",
            sv="Exporten från löne- och personalsystemet läses, för varje enhet görs en rapport "
            "som skickas till enhetens chef.",
            en="The payroll and HR export is read, a report is made for each unit and sent to "
            "the unit's supervisor.",
        ),
        steps=(
            PathStep(
                Text(fi="Lue aineisto", sv="Läs exporten", en="Read the export"),
                "robot",
                Text(fi="palkka-aineisto", sv="löneexport", en="payroll export"),
            ),
            PathStep(
                Text(
                    fi="Laske yksikön poissaolot, palkat ja palvelussuhteet",
                    sv="Räkna enhetens frånvaro, löner och anställningar",
                    en="Compute the unit's absences, salaries and employments",
                ),
                "robot",
            ),
            PathStep(
                Text(
                    fi="Tarkista varhaisen tuen rajat",
                    sv="Granska gränserna för tidigt stöd",
                    en="Check the early-support thresholds",
                ),
                "robot",
            ),
            PathStep(
                Text(
                    fi="Lähetä raportti esihenkilölle",
                    sv="Skicka rapporten till chefen",
                    en="E-mail the report to the supervisor",
                ),
                "robot",
                Text(fi="sähköposti", sv="e-post", en="e-mail"),
            ),
            PathStep(
                Text(
                    fi="Esihenkilö käy raportin läpi ja aloittaa tarvittaessa varhaisen tuen",
                    sv="Chefen går igenom rapporten och inleder vid behov tidigt stöd",
                    en="The supervisor reads the report and starts early support where needed",
                ),
                "person",
            ),
        ),
        inputs=(
            Text(
                fi="Palkka-aineisto (xlsx, csv tai zip)",
                sv="Löneexport (xlsx, csv eller zip)",
                en="Payroll export (xlsx, csv or zip)",
            ),
        ),
        outputs=(
            Text(
                fi="Sähköposti ja Excel-työkirja yksikköä kohden",
                sv="E-post och Excel-arbetsbok per enhet",
                en="One e-mail with an Excel workbook per unit",
            ),
        ),
        rules=(
            Text(
                fi="30 päivän sääntö: työterveyshuoltoon ilmoitetaan viimeistään 30 "
                "sairauspoissaolopäivän kohdalla",
                sv="30-dagarsregeln: företagshälsovården meddelas senast efter 30 sjukdagar",
                en="30-day rule: occupational health is notified at 30 days of sickness absence",
            ),
            Text(
                fi="Varhaisen tuen rajat (oletus 5 kertaa tai 20 päivää / 12 kk)",
                sv="Gränser för tidigt stöd (standard 5 gånger eller 20 dagar / 12 mån)",
                en="Early-support thresholds (default 5 spells or 20 days in 12 months)",
            ),
        ),
        business_exceptions=(
            Text(
                fi="Yksiköltä puuttuu kelvollinen esihenkilön sähköpostiosoite",
                sv="Enheten saknar en giltig e-postadress till chefen",
                en="The unit has no valid supervisor e-mail address",
            ),
        ),
        technical_exceptions=(
            Text(
                fi="Sähköpostipalvelin ei vastaa",
                sv="E-postservern svarar inte",
                en="The mail server does not answer",
            ),
        ),
        human_role=Text(
            fi="Henkilöstöhallinto korjaa puuttuvat osoitteet; esihenkilö päättää toimista.",
            sv="Personalförvaltningen rättar saknade adresser; chefen beslutar om åtgärder.",
            en="HR fixes missing addresses; the supervisor decides what to do.",
        ),
        volume=Text(
            fi="Kerran kuussa, yksi raportti yksikköä kohden",
            sv="En gång i månaden, en rapport per enhet",
            en="Monthly, one report per unit",
        ),
    )

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        month_text = str(context.parameters.get("month") or default_month(timezone.localdate()))
        year, month = reports.parse_month(month_text)
        path, shown = context.input_or_newest(
            SUFFIXES,
            folder_parameter="input_folder",
            no_input=_("give an export file, or set the input folder parameter"),
            missing=_("input folder %(folder)s does not exist"),
            empty=_("input folder %(folder)s holds no export (%(suffixes)s)"),
        )
        mapping, thresholds = municipality_settings(context.municipality_slug)
        data = read(path, shown, mapping)
        today = timezone.localdate()
        alerts = alerts_for_units(data, year=year, month=month, thresholds=thresholds, today=today)
        slices = reports.slice_by_unit(data, year=year, month=month)
        suffix = f":resend-{context.run_id}" if context.parameters.get("resend") else ""
        context.log(
            f"read {len(data.units)} units, {len(data.employees)} employees from {shown}; "
            f"reporting {month_text}"
        )
        summary: list[dict[str, Any]] = []
        for unit in data.units:
            payload = reports.unit_payload(
                unit, slices, year=year, month=month, alerts=alerts.get(unit.unit_id, ())
            )
            payload["recipient"] = unit.supervisor_email.strip()
            report = reports.report_from_payload(payload, today=today)
            summary.append(dataclasses.asdict(reports.summary_row(report)))
            yield ItemSpec(
                reference=f"{unit.unit_id}:{month_text}{suffix}",
                payload=payload,
                title=f"{unit.unit_name} {month_text}",
            )
        # HR's overview of all units is one more item, so it is kept, counted and audited too.
        yield ItemSpec(
            reference=f"{SUMMARY_PREFIX}{month_text}{suffix}",
            payload={
                "kind": "summary",
                "month": month_text,
                "recipient": str(context.parameters.get("hr_email") or ""),
                "rows": summary,
            },
            title=f"HR summary {month_text}",
            priority=-1,
        )

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        if item.payload.get("kind") == "summary":
            return self.handle_summary(item, context)
        from kuntarobo.robots.hr_reports.exchange import is_valid_email

        report = reports.report_from_payload(item.payload, today=timezone.localdate())
        recipient = str(item.payload.get("recipient") or "")
        if not is_valid_email(recipient):
            # Not the address itself: it names the supervisor, and this message is also in the
            # run log and shown to developers. The item's input shows it to the reviewer.
            problem = "not an e-mail address" if recipient else "none given"
            raise BusinessException(
                f"unit {report.unit.unit_id} ({report.unit.unit_name}) has no valid supervisor "
                f"e-mail ({problem}); correct it in the HR system and run the month again"
            )
        workbook = workbooks.unit_workbook(report)
        assert workbook is not None
        message = mail.build_message(
            report,
            workbook,
            recipient=recipient,
            municipality_name=context.municipality_name,
            municipality_slug=context.municipality_slug,
            reference=item.reference,
        )
        mail.send(message)
        sent_at = timezone.now()
        context.log(f"{item.reference}: report sent to the supervisor")
        lines = reports.explanation_lines(report)
        lines.append(f"Sent to {recipient} in language {report.unit.language}.")
        return Outcome(
            output={
                "unit_id": report.unit.unit_id,
                "month": report.month_text,
                "recipient": recipient,
                "language": report.unit.language,
                "message_id": message.extra_headers["Message-ID"],
                "sent_at": sent_at.isoformat(),
                "alerts": len(report.alerts),
                "absence_days": report.absence_days_total,
                "salaries_total_cents": report.salaries_total_cents,
                "headcount": report.headcount,
                "started": report.started_count,
                "ended": report.ended_count,
                "absence_days_by_type": report.absence_days_by_type,
                "unit_name": report.unit.unit_name,
            },
            explanation=lines,
            attention=[
                alert_count_text(
                    ngettext_lazy(
                        "%(count)d early-support alert", "%(count)d early-support alerts", "count"
                    ),
                    count=len(report.alerts),
                )
            ]
            if report.alerts
            else [],
            documents=[Document(mail.workbook_name(report), workbook, workbooks.XLSX_CONTENT_TYPE)],
        )

    def handle_summary(self, item: ItemView, context: RunContext) -> Outcome:
        """The summary workbook of all units, in Finnish, kept with the item and sent to HR
        when an address is configured."""
        month_text = str(item.payload["month"])
        rows = [reports.SummaryRow(**row) for row in item.payload.get("rows", [])]
        workbook = workbooks.summary_workbook(rows, month_text, "fi")
        assert workbook is not None
        name = f"henkilostoraportit-yhteenveto-{month_text}.xlsx"
        recipient = str(item.payload.get("recipient") or "")
        lines = [
            f"Summary of {len(rows)} units for {month_text}: "
            f"{sum(r.headcount for r in rows)} people, "
            f"{sum(sum(r.absence_days_by_type.values()) for r in rows)} absence days, "
            f"salaries {reports.format_cents(sum(r.salaries_total_cents for r in rows))}, "
            f"{sum(r.alerts for r in rows)} early-support alerts."
        ]
        if recipient:
            message = mail.build_summary_message(
                workbook,
                name,
                recipient=recipient,
                month=month_text,
                municipality_name=context.municipality_name,
                municipality_slug=context.municipality_slug,
                reference=item.reference,
            )
            mail.send(message)
            lines.append(f"Sent to HR at {recipient}.")
        else:
            lines.append("No HR e-mail address is set: the summary is kept here only.")
        return Outcome(
            output={
                "month": month_text,
                "units": len(rows),
                "recipient": recipient,
                "alerts": sum(r.alerts for r in rows),
            },
            explanation=lines,
            documents=[Document(name, workbook, workbooks.XLSX_CONTENT_TYPE)],
        )

    @classmethod
    def on_status(cls, item: ItemView, status: str) -> None:
        """Record the sent report in the transaction that marks the item done."""
        if status != ItemStatus.DONE or not item.output.get("message_id"):
            return
        from kuntarobo.robots.hr_reports.models import SentReport

        assert transaction.get_connection().in_atomic_block
        SentReport.objects.update_or_create(
            municipality_id=item.municipality_id,
            unit_id=item.output["unit_id"],
            month=item.output["month"],
            defaults={
                "recipient": item.output["recipient"],
                "language": item.output["language"],
                "sent_at": datetime.datetime.fromisoformat(item.output["sent_at"]),
                "message_id": item.output["message_id"],
                "work_item_id": item.id,
            },
        )
