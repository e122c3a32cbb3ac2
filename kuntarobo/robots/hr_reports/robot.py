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
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from kuntarobo.core.inputs import LimitExceeded
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.robots.hr_reports import delivery, reports, texts, workbooks
from kuntarobo.robots.hr_reports.dataset import Dataset, ExportError, RowError
from kuntarobo.robots.hr_reports.early_support import (
    Alert,
    Thresholds,
    alerts_for_units,
    split_reported,
)
from kuntarobo.robots.hr_reports.exchange import ColumnMapping
from kuntarobo.robots.hr_reports.municipal_settings import (
    ATTACHMENT,
    SCHEMA,
    allowed_domains,
    mapping_and_thresholds,
)
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
    join_messages,
    message,
    register,
)
from kuntarobo.sdk.channels import Document as ChannelDocument
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


LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
ABSENCE_TYPE_TEXTS = {
    "sickness": pgettext_lazy("absence type", "sickness"),
    "family_leave": pgettext_lazy("absence type", "family leave"),
    "annual_leave": pgettext_lazy("absence type", "annual leave"),
    "unpaid": pgettext_lazy("absence type", "unpaid leave"),
    "other": pgettext_lazy("absence type", "other"),
}


def _signed_number(value: Decimal) -> str:
    return ("+" if value > 0 else "") + formats.number_format(value)


# A change as the reader writes numbers ("+31,9" in Finnish, "+31.9" in English), said when read.
signed_number = lazy(_signed_number, str)


def explanation_lines(report: reports.UnitReport) -> list[Any]:
    """The figures of the report as sentences for the work item's explanation, each a lazy
    text said in the reader's language."""
    lines: list[Any] = [
        message(
            ngettext_lazy(
                "Unit %(unit_id)s (%(unit_name)s), %(month)s: %(count)d person employed in "
                "the month.",
                "Unit %(unit_id)s (%(unit_name)s), %(month)s: %(count)d persons employed in "
                "the month.",
                "count",
            ),
            unit_id=report.unit.unit_id,
            unit_name=report.unit.unit_name,
            month=report.month_text,
            count=report.headcount,
        )
    ]
    by_type = [
        format_lazy("{} {}", ABSENCE_TYPE_TEXTS.get(kind, kind), days)
        for kind, days in report.absence_days_by_type.items()
        if days
    ]
    lines.append(
        message(
            ngettext_lazy(
                "Absences: %(count)d spell in the month, %(days)d days (%(by_type)s).",
                "Absences: %(count)d spells in the month, %(days)d days (%(by_type)s).",
                "count",
            ),
            count=len(report.absences),
            days=report.absence_days_total,
            by_type=join_messages(", ", by_type) if by_type else pgettext_lazy("absences", "none"),
        )
    )
    lines.append(
        message(
            ngettext_lazy(
                "Salaries paid: %(total)s to %(count)d person.",
                "Salaries paid: %(total)s to %(count)d persons.",
                "count",
            ),
            total=reports.format_cents(report.salaries_total_cents),
            count=sum(1 for s in report.salaries if s.total_cents),
        )
    )
    if report.previous_total_cents is not None:
        percent = report.difference_percent
        values = {
            "previous": reports.format_cents(report.previous_total_cents),
            "difference": reports.format_cents(report.difference_cents or 0),
        }
        if percent is None:
            lines.append(
                message(_("Previous month %(previous)s; difference %(difference)s."), **values)
            )
        else:
            lines.append(
                message(
                    _("Previous month %(previous)s; difference %(difference)s (%(percent)s %%)."),
                    percent=signed_number(percent),
                    **values,
                )
            )
    lines.append(
        message(
            _("Employments: %(started)d started, %(ended)d ended in the month."),
            started=report.started_count,
            ended=report.ended_count,
        )
    )
    lines.append(message(_("Early-support alerts: %(count)d."), count=len(report.alerts)))
    return lines


def default_month(today: datetime.date) -> str:
    """The previous calendar month: on the first working day the month just ended is reported."""
    year, month = reports.previous_month(today.year, today.month)
    return f"{year:04d}-{month:02d}"


def municipality_settings(slug: str) -> tuple[ColumnMapping | None, Thresholds]:
    """The municipality's column mapping (None: standard) and early-support thresholds."""
    return mapping_and_thresholds(current_settings(slug, HrReportsRobot))


def delivery_settings(slug: str) -> tuple[tuple[str, ...], bool]:
    """The allowed e-mail domains and whether the workbook may go as an attachment."""
    values = current_settings(slug, HrReportsRobot)
    return allowed_domains(values), bool(values.get(ATTACHMENT))


SUMMARY_PREFIX = "summary:"


def reported_alerts(
    slug: str, alerts: dict[str, list[Alert]]
) -> dict[tuple[str, str, str], tuple[str, str]]:
    """The alerts of these employees already delivered in the municipality (see
    `early_support.split_reported`)."""
    from kuntarobo.robots.hr_reports.models import ReportedAlert

    employees = {alert.employee_id for unit in alerts.values() for alert in unit}
    if not employees:
        return {}
    rows = ReportedAlert.objects.filter(
        municipality__slug=slug, employee_id__in=employees
    ).values_list("employee_id", "rule", "key", "first_month", "last_month")
    return {(e, r, k): (first, last) for e, r, k, first, last in rows}


def record_reported_alerts(item: ItemView) -> None:
    """The alerts of a delivered report, new and earlier, as reported this month."""
    from kuntarobo.robots.hr_reports.models import ReportedAlert

    month = str(item.payload.get("month") or "")
    alerts = [(alert, True) for alert in item.payload.get("alerts") or ()]
    alerts += [(alert, False) for alert in item.payload.get("earlier_alerts") or ()]
    for alert, is_new in alerts:
        row, created = ReportedAlert.objects.get_or_create(
            municipality_id=item.municipality_id,
            employee_id=str(alert["employee_id"]),
            rule=str(alert["rule"]),
            key=str(alert.get("key") or "window"),
            defaults={
                "first_month": month if is_new else str(alert.get("first_month") or month),
                "last_month": month,
                "work_item_id": item.id,
            },
        )
        if created:
            continue
        if is_new and row.first_month != month:  # raised again as a new alert
            row.first_month, row.work_item_id = month, item.id
        row.last_month = max(row.last_month, month)
        row.save(update_fields=["first_month", "last_month", "work_item"])


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
        fi="Kerran kuussa jokaisen yksikön esihenkilö saa yksikkönsä poissaolot, maksetut "
        "palkat, alkaneet ja päättyneet palvelussuhteet sekä varhaisen tuen hälytykset "
        "Excel-työkirjana: sähköpostissa on vain linkki, ja työkirja avataan kirjautumalla.",
        sv="En gång i månaden får varje enhets chef enhetens frånvaro, utbetalda löner, "
        "påbörjade och avslutade anställningar samt larm om tidigt stöd som en Excel-arbetsbok: "
        "e-posten innehåller bara en länk, och arbetsboken öppnas efter inloggning.",
        en="Once a month each unit's supervisor gets the unit's absences, salaries paid, "
        "employments started and ended, and early-support alerts as an Excel workbook: the "
        "e-mail holds only a link, and the workbook opens after signing in.",
    )
    robot_class = RobotClass.ASSISTS
    systems = (
        Text(
            fi="palkka- ja henkilöstöaineisto (tulorekisterin käsitteet)",
            sv="löne- och personalexport (inkomstregistrets begrepp)",
            en="payroll and HR export (Incomes Register concepts)",
        ),
        Text(
            fi="toimituskanavat (suojattu linkki, sähköposti TLS-salattuna)",
            sv="leveranskanaler (säker länk, e-post över TLS)",
            en="delivery channels (secure link, e-mail over TLS)",
        ),
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
    # The input shown on an item's page: the month and the address; the unit's rows are in the
    # workbook (and in the administrators' raw data), not repeated as data on the page.
    input_fields = (
        OutputField("month", Text(fi="Kuukausi", sv="Månad", en="Month")),
        OutputField(
            "recipient",
            Text(fi="Vastaanottajan osoite", sv="Mottagarens adress", en="Recipient's address"),
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
                    fi="Lähetä esihenkilölle linkki raporttiin",
                    sv="Skicka chefen en länk till rapporten",
                    en="Send the supervisor a link to the report",
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
                fi="Excel-työkirja ja linkki siihen sähköpostilla yksikköä kohden",
                sv="En Excel-arbetsbok och en länk till den per e-post per enhet",
                en="One Excel workbook per unit and an e-mail with a link to it",
            ),
        ),
        rules=(
            Text(
                fi="30 päivän sääntö (työterveyshuoltolaki 10 a §): työterveyshuoltoon "
                "ilmoitetaan viimeistään, kun poissaolo on jatkunut kuukauden (kalenterikuukausi "
                "tai 30 päivää); jatkuva poissaolo hälyttää jo ennen seuraavaa ajoa",
                sv="30-dagarsregeln (10 a § i lagen om företagshälsovård): företagshälsovården "
                "meddelas senast när frånvaron har pågått en månad (en kalendermånad eller 30 "
                "dagar); en pågående frånvaro larmar redan före nästa körning",
                en="30-day rule (Occupational Health Care Act, section 10 a): occupational health "
                "is notified at the latest when the absence has continued a month (a calendar "
                "month or 30 days); an ongoing absence alerts before the next run",
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
            Text(
                fi="Osoite ei ole sallitussa verkkotunnuksessa, tai esihenkilöllä ei ole "
                "käyttäjätunnusta, jolla linkin voi avata",
                sv="Adressen är inte i en tillåten domän, eller chefen saknar ett "
                "användarkonto för att öppna länken",
                en="The address is outside the allowed domains, or the supervisor has no "
                "account to open the link with",
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
        reported = reported_alerts(context.municipality_slug, alerts)
        slices = reports.slice_by_unit(data, year=year, month=month)
        resend = bool(context.parameters.get("resend"))
        suffix = f":resend-{context.run_id}" if resend else ""
        context.log(
            message(
                _(
                    "read %(units)d units and %(employees)d employees from %(file)s; "
                    "reporting %(month)s"
                ),
                units=len(data.units),
                employees=len(data.employees),
                file=shown,
                month=month_text,
            )
        )
        summary: list[dict[str, Any]] = []
        for unit in data.units:
            new, earlier = split_reported(alerts.get(unit.unit_id, ()), reported, month_text)
            payload = reports.unit_payload(unit, slices, year=year, month=month, alerts=new)
            payload["earlier_alerts"] = [
                {**reports.alert_to_data(alert), "first_month": first} for alert, first in earlier
            ]
            payload["recipient"] = unit.supervisor_email.strip()
            payload["resend"] = resend
            report = reports.report_from_payload(payload, today=today)
            summary.append(dataclasses.asdict(reports.summary_row(report)))
            yield ItemSpec(
                reference=f"{unit.unit_id}:{month_text}{suffix}",
                payload=payload,
                title=f"{unit.unit_name} {month_text}",
                # A resend repeats work already counted: its time is not saved again.
                saves_time=not suffix,
            )
        # HR's overview of all units is one more item, so it is kept, counted and audited too.
        yield ItemSpec(
            reference=f"{SUMMARY_PREFIX}{month_text}{suffix}",
            payload={
                "kind": "summary",
                "month": month_text,
                "recipient": str(context.parameters.get("hr_email") or ""),
                "rows": summary,
                "resend": resend,
            },
            title=message(_("HR summary %(month)s"), month=month_text),
            priority=-1,
            saves_time=not suffix,
        )

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        if item.payload.get("kind") == "summary":
            return self.handle_summary(item, context)
        from kuntarobo.robots.hr_reports.exchange import is_valid_email
        from kuntarobo.sdk.feedback import feedback_url

        report = reports.report_from_payload(item.payload, today=timezone.localdate())
        recipient = str(item.payload.get("recipient") or "")
        if not is_valid_email(recipient):
            # Not the address itself: it names the supervisor, and this message is also in the
            # run log and shown to developers. The item's input shows it to the reviewer.
            raise BusinessException(
                message(
                    _(
                        "unit %(unit_id)s (%(unit_name)s) has no valid supervisor e-mail "
                        "(%(problem)s); correct it in the HR system and run the month again"
                    ),
                    unit_id=report.unit.unit_id,
                    unit_name=report.unit.unit_name,
                    problem=_("not an e-mail address") if recipient else _("none given"),
                )
            )
        language = report.unit.language or "fi"
        workbook = workbooks.unit_workbook(
            report,
            reasons=lambda alert: texts.alert_reasons(alert, language),
            legend=texts.level_legend(language),
        )
        assert workbook is not None
        resend = bool(item.payload.get("resend"))
        domains, attachment = delivery_settings(context.municipality_slug)
        name = delivery.workbook_name(report)
        sent = delivery.send_report(
            municipality_slug=context.municipality_slug,
            reference=item.reference,
            item_id=item.id,
            address=recipient,
            language=language,
            subject=delivery.unit_subject(report, resend=resend),
            body=delivery.unit_body(
                report, context.municipality_name, feedback_url(item.municipality_id, self.slug)
            ),
            document=ChannelDocument(name, workbook, workbooks.XLSX_CONTENT_TYPE),
            domains=domains,
            attachment_allowed=attachment,
            resend=resend,
        )
        record = sent.delivery
        context.log(
            message(
                _("%(reference)s: report delivered to the supervisor (%(channel)s)"),
                reference=item.reference,
                channel=delivery.channel_text(record.channel),
            )
        )
        lines = explanation_lines(report)
        earlier = item.payload.get("earlier_alerts") or []
        if earlier:
            months = ", ".join(sorted({str(a.get("first_month")) for a in earlier}))
            lines.append(
                message(
                    ngettext_lazy(
                        "%(count)d early-support alert reported earlier (%(months)s) still "
                        "applies and is not raised again: one alert per employee and rule.",
                        "%(count)d early-support alerts reported earlier (%(months)s) still "
                        "apply and are not raised again: one alert per employee and rule.",
                        "count",
                    ),
                    count=len(earlier),
                    months=months,
                )
            )
        lines.append(
            message(
                _("Report language: %(language)s."),
                language=LANGUAGE_NAMES.get(language, language),
            )
        )
        lines.extend(sent.notes)
        return Outcome(
            output={
                "unit_id": report.unit.unit_id,
                "month": report.month_text,
                "recipient": recipient,
                "language": report.unit.language,
                "channel": record.channel,
                "delivery_id": record.pk,
                "message_id": record.external_id,
                "sent_at": (record.sent_at or timezone.now()).isoformat(),
                "resend": resend,
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
            documents=[Document(name, workbook, workbooks.XLSX_CONTENT_TYPE)],
        )

    def handle_summary(self, item: ItemView, context: RunContext) -> Outcome:
        """The summary workbook of all units, in Finnish, kept with the item and sent to HR
        when an address is configured."""
        from kuntarobo.sdk.feedback import feedback_url

        month_text = str(item.payload["month"])
        rows = [reports.SummaryRow(**row) for row in item.payload.get("rows", [])]
        workbook = workbooks.summary_workbook(rows, month_text, "fi")
        assert workbook is not None
        name = f"henkilostoraportit-yhteenveto-{month_text}.xlsx"
        recipient = str(item.payload.get("recipient") or "")
        lines: list[Any] = [
            message(
                _(
                    "Summary for %(month)s: units %(units)d, people %(people)d, absence days "
                    "%(days)d, salaries %(salaries)s, early-support alerts %(alerts)d."
                ),
                month=month_text,
                units=len(rows),
                people=sum(r.headcount for r in rows),
                days=sum(sum(r.absence_days_by_type.values()) for r in rows),
                salaries=reports.format_cents(sum(r.salaries_total_cents for r in rows)),
                alerts=sum(r.alerts for r in rows),
            )
        ]
        if recipient:
            resend = bool(item.payload.get("resend"))
            domains, attachment = delivery_settings(context.municipality_slug)
            sent = delivery.send_report(
                municipality_slug=context.municipality_slug,
                reference=item.reference,
                item_id=item.id,
                address=recipient,
                language="fi",
                subject=delivery.summary_subject(month_text, resend=resend),
                body=delivery.summary_body(
                    month_text,
                    context.municipality_name,
                    feedback_url(item.municipality_id, self.slug),
                ),
                document=ChannelDocument(name, workbook, workbooks.XLSX_CONTENT_TYPE),
                domains=domains,
                attachment_allowed=attachment,
                resend=resend,
            )
            lines.extend(sent.notes)
        else:
            lines.append(_("No HR e-mail address is set: the summary is kept here only."))
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
        record_reported_alerts(item)
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
