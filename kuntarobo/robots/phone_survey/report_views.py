"""A campaign's dashboard and report for the staff: live figures (refreshed by htmx), AAPOR
rates, respondents against the population, answers per question, cost, exports and the
council's PDF.

Figures need Permission.VIEW and show no personal data; recordings and phone numbers need
VIEW_PERSONAL_DATA. The campaign is fetched through `for_user`, so another municipality's
campaign is a 404. Every download is in the audit trail."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kuntarobo.core.questionnaire import QuestionnaireError, parse_questionnaire
from kuntarobo.core.spreadsheet_safety import escape_row, starts_like_formula
from kuntarobo.robots.phone_survey import report_figures, report_pdf
from kuntarobo.robots.phone_survey.campaign_views import campaign_or_404
from kuntarobo.robots.phone_survey.models import Answer, Attempt, Campaign, Respondent
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.permissions import Permission, has_permission
from kuntarobo.sdk.web import download, file_missing, get_scoped_or_404, open_stored

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
POLL_SECONDS = 5


def _language() -> str:
    language = (get_language() or "fi")[:2]
    return language if language in ("fi", "sv", "en") else "fi"


def _personal(request: HttpRequest, campaign: Campaign) -> bool:
    return has_permission(request.user, campaign.municipality, Permission.VIEW_PERSONAL_DATA)


@login_required
@require_GET
@never_cache
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    personal = _personal(request, campaign)
    figures = report_figures.report(campaign, _language(), with_recordings=personal)
    context = {
        "campaign": campaign,
        "figures": figures,
        "live": figures.live,
        "poll_seconds": POLL_SECONDS,
        "personal": personal,
        "cost": report_figures.money(figures.cost.cents, figures.language),
        "cost_per_complete": report_figures.money(
            figures.cost.per_complete_cents, figures.language
        ),
        "minutes": report_figures.decimal(figures.cost.minutes, figures.language),
        "pdf_default": "sv" if figures.language == "sv" else "fi",
        "groups": [(name, getattr(figures.counts, name)) for name in report_figures.GROUPS],
    }
    return render(request, "phone_survey/report_dashboard.html", context)


@login_required
@require_GET
@never_cache
def live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live panel alone: what htmx swaps in every few seconds while the campaign runs."""
    campaign = campaign_or_404(request, pk)
    context = {
        "campaign": campaign,
        "live": report_figures.live_figures(campaign),
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "phone_survey/report_live.html", context)


def _steps(campaign: Campaign) -> list[str]:
    try:
        questionnaire = parse_questionnaire(campaign.questionnaire.definition)
    except QuestionnaireError:
        return sorted(
            set(
                Answer.objects.filter(respondent__campaign=campaign).values_list(
                    "step_id", flat=True
                )
            )
        )
    return [step.id for step in questionnaire.steps if step.type not in ("explanation", "flag")]


def _answer_table(campaign: Campaign, phones: bool) -> tuple[list[str], list[list[object]]]:
    steps = _steps(campaign)
    values: dict[tuple[int, str], str] = {}
    for respondent_id, step_id, value, recording in Answer.objects.filter(
        respondent__campaign=campaign
    ).values_list("respondent_id", "step_id", "value", "recording"):
        values[(respondent_id, step_id)] = value or (_("recording") if recording else "")
    header = [_("Respondent"), _("Age group"), _("Gender"), _("Area"), _("Language")]
    header += [_("Final code"), *steps]
    if phones:
        header.insert(1, _("Phone number"))
    rows: list[list[object]] = []
    for row in report_figures.respondent_rows(campaign):
        line: list[object] = [
            report_figures.pseudonym(campaign, row.pk),
            row.age_group,
            row.gender,
            row.area,
            row.language,
            row.final_code,
            *[values.get((row.pk, step), "") for step in steps],
        ]
        if phones:
            line.insert(1, row.phone)
        rows.append(line)
    return header, rows


def _stamp(moment: datetime.datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


def _attempt_table(campaign: Campaign) -> tuple[list[str], list[list[object]]]:
    header = [
        _("Respondent"),
        _("Attempt"),
        _("Started"),
        _("Answered"),
        _("Ended"),
        _("SIP status"),
        _("Outcome"),
        _("Interim AAPOR code"),
        _("Seconds"),
    ]
    rows: list[list[object]] = [
        [
            report_figures.pseudonym(campaign, attempt.respondent_id),
            attempt.number,
            _stamp(attempt.started_at),
            _stamp(attempt.answered_at),
            _stamp(attempt.ended_at),
            "" if attempt.sip_status is None else attempt.sip_status,
            attempt.outcome,
            attempt.code,
            float(attempt.seconds),
        ]
        for attempt in Attempt.objects.filter(respondent__campaign=campaign).order_by(
            "respondent__row", "respondent", "number"
        )
    ]
    return header, rows


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte order mark (Excel reads the ä), every text cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(escape_row(header))
    for row in rows:
        writer.writerow(escape_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Text always as text cells; one that looks like a formula gets Excel's quote prefix, as
    the HR robot's workbooks do (kuntarobo.core.spreadsheet_safety)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    quoted = workbook.add_format({"quote_prefix": True})
    for column, text in enumerate(header):
        sheet.write_string(0, column, text, bold)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(number, column, value)
            elif value not in (None, ""):
                text = str(value)
                sheet.write_string(
                    number, column, text, quoted if starts_like_formula(text) else None
                )
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _export(
    request: HttpRequest,
    campaign: Campaign,
    kind: str,
    fmt: str,
    table: tuple[list[str], list[list[object]]],
    phones: bool,
) -> HttpResponse:
    header, rows = table
    record(
        f"phone_survey.report.{kind}_export",
        actor=request.user,
        municipality=campaign.municipality,
        obj=campaign,
        details={"format": fmt, "rows": len(rows), "phone_numbers": phones},
        via="web",
    )
    name = f"campaign-{campaign.pk}-{kind}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(csv_bytes(header, rows), content_type=CSV)
    else:
        response = HttpResponse(xlsx_bytes(kind, header, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def answers_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    phones = request.GET.get("phones") == "1"
    if phones and not _personal(request, campaign):
        raise PermissionDenied
    return _export(request, campaign, "answers", fmt, _answer_table(campaign, phones), phones)


@login_required
@require_GET
def attempts_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    return _export(request, campaign, "attempts", fmt, _attempt_table(campaign), False)


@login_required
@require_GET
def council_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The council's report in Finnish or Swedish, as the reader chooses (default: Finnish,
    or Swedish when the reader's page is in Swedish)."""
    campaign = campaign_or_404(request, pk)
    language = request.GET.get("language") or ("sv" if _language() == "sv" else "fi")
    if language not in ("fi", "sv"):
        return HttpResponse(_("Choose Finnish or Swedish."), status=400)
    with translation.override(language):
        pdf = report_pdf.council_pdf(report_figures.report(campaign, language))
    record(
        "phone_survey.report.pdf",
        actor=request.user,
        municipality=campaign.municipality,
        obj=campaign,
        details={"language": language},
        via="web",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="campaign-{campaign.pk}-{language}.pdf"'
    )
    return response


@login_required
@require_GET
def recording(request: HttpRequest, pk: int, answer: int) -> HttpResponseBase:
    """An open answer's recording: personal data, so only with VIEW_PERSONAL_DATA, audited."""
    campaign = get_scoped_or_404(
        Campaign.objects.select_related("municipality"),
        request.user,
        pk,
        Permission.VIEW_PERSONAL_DATA,
    )
    found = (
        Answer.objects.filter(respondent__campaign=campaign, pk=answer)
        .exclude(recording="")
        .first()
    )
    if found is None:
        return file_missing(request)
    handle = open_stored(found.recording)
    if handle is None:
        return file_missing(request)
    respondent = Respondent.objects.get(pk=found.respondent_id)
    record(
        "phone_survey.report.recording",
        actor=request.user,
        municipality=campaign.municipality,
        obj=campaign,
        details={
            "respondent": report_figures.pseudonym(campaign, respondent.pk),
            "step": found.step_id,
        },
        via="web",
    )
    name = found.recording.name.rsplit("/", 1)[-1]
    return download(request, handle, filename=name, content_type="audio/wav")
