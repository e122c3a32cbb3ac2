"""The figures of a campaign's dashboard, report page, exports and council PDF, read from the
robot's records. The arithmetic is kuntarobo.core.survey_report, aapor and survey_weights; this
module only gathers the rows and translates the explanation lines, so the page and the PDF
show the same numbers."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.crypto import salted_hmac
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kuntarobo.core import aapor, charts, survey_report, survey_weights
from kuntarobo.core.explanation import Line
from kuntarobo.core.formatting import format_decimal, format_euros, format_percent
from kuntarobo.core.questionnaire import QuestionnaireError, parse_questionnaire
from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    Campaign,
    CampaignStatus,
    Respondent,
)

CODE_LABELS: dict[str, Any] = {
    aapor.COMPLETE: gettext_lazy("complete"),
    aapor.PARTIAL: gettext_lazy("partial"),
    aapor.REFUSAL: gettext_lazy("refusal"),
    aapor.BREAK_OFF: gettext_lazy("break-off"),
    aapor.NO_INPUT: gettext_lazy("answered, no input"),
    aapor.LANGUAGE: gettext_lazy("language barrier"),
    aapor.OTHER_ELIGIBLE: gettext_lazy("other eligible"),
    aapor.NOT_ATTEMPTED: gettext_lazy("not attempted"),
    aapor.ALWAYS_BUSY: gettext_lazy("busy"),
    aapor.NO_ANSWER: gettext_lazy("no answer"),
    aapor.ANSWERING_MACHINE: gettext_lazy("answering machine"),
    aapor.CALL_BLOCKING: gettext_lazy("call declined or blocked"),
    aapor.TECHNICAL: gettext_lazy("technical problem"),
    aapor.OTHER_UNKNOWN: gettext_lazy("other, eligibility unknown"),
    aapor.NON_WORKING: gettext_lazy("number not in use"),
    aapor.BUSINESS: gettext_lazy("business number"),
    aapor.NO_ELIGIBLE_RESPONDENT: gettext_lazy("no eligible respondent"),
    aapor.QUOTA_FILLED: gettext_lazy("quota filled"),
}

DIMENSION_LABELS: dict[str, Any] = {
    "age_group": gettext_lazy("Age group"),
    "gender": gettext_lazy("Gender"),
    "area": gettext_lazy("Area"),
}

GROUPS = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")


_DECIMAL = re.compile(r"[+-]?\d+\.\d+")


def translate(line: Line) -> str:
    """An explanation line in the active language (its msgid is in the catalogue); the pure
    modules write decimals with a point, Finnish and Swedish readers get a comma."""
    params = dict(line.params)
    if (get_language() or "")[:2] in ("fi", "sv"):
        params = {
            name: value.replace(".", ",") if _DECIMAL.fullmatch(value) else value
            for name, value in params.items()
        }
    return str(_(line.text) % params)


def code_label(code: str) -> str:
    label = CODE_LABELS.get(code)
    return f"{code} {label}" if label is not None else code


def pseudonym(campaign: Campaign, respondent_pk: int) -> str:
    """A respondent's id in exports: stable for the campaign (answers and attempts join on it),
    but not the database key nor the phone number, and not reversible without the secret key."""
    return (
        "R" + salted_hmac("phone_survey.report", f"{campaign.pk}:{respondent_pk}").hexdigest()[:10]
    )


def money(cents: int | None, language: str) -> str:
    return "–" if cents is None else format_euros(cents, language)


def percent(rate: Decimal | None, language: str) -> str:
    """A rate (0..1) as percent with one decimal; "not defined" when its denominator is 0."""
    if rate is None:
        return _("not defined")
    return format_percent((rate * 100).quantize(Decimal("0.1")), language)


@dataclass
class RespondentRow:
    pk: int
    age_group: str
    gender: str
    area: str
    language: str
    phone: str
    final_code: str
    provisional: bool
    attempts_made: int
    attempt_codes: list[str]


def respondent_rows(campaign: Campaign) -> list[RespondentRow]:
    """Every respondent with the final code the report counts: its own final code when set,
    else the provisional one aapor.final_code gives over its attempts so far."""
    codes: dict[int, list[str]] = defaultdict(list)
    for respondent_id, code in (
        Attempt.objects.filter(respondent__campaign=campaign)
        .exclude(code="")  # a call in progress has no code yet
        .order_by("respondent", "number")
        .values_list("respondent_id", "code")
    ):
        codes[respondent_id].append(code)
    rows = []
    for r in Respondent.objects.filter(campaign=campaign).order_by("row", "pk"):
        attempt_codes = codes.get(r.pk, [])
        rows.append(
            RespondentRow(
                pk=r.pk,
                age_group=r.age_group,
                gender=r.gender,
                area=r.area,
                language=r.language,
                phone=r.phone,
                final_code=survey_report.provisional_final_code(
                    r.final_code, attempt_codes, r.disposition
                ),
                provisional=not r.final_code,
                attempts_made=r.attempts_made,
                attempt_codes=attempt_codes,
            )
        )
    return rows


def _open(row: RespondentRow) -> bool:
    """May this number still be called? Not once it has a final code or a closing attempt."""
    if not row.provisional:
        return False
    if aapor.group_of(row.final_code) in (aapor.Group.I, aapor.Group.P, aapor.Group.R):
        return False
    return all(aapor.retry_allowed(code) for code in row.attempt_codes)


@dataclass
class Live:
    in_progress: int
    attempts: int
    outcomes: list[tuple[str, str, int]]  # interim code, its label, attempts
    completes: int
    estimate: survey_report.Estimate
    estimate_lines: list[str]
    running: bool


def live_figures(campaign: Campaign, rows: list[RespondentRow] | None = None) -> Live:
    rows = respondent_rows(campaign) if rows is None else rows
    attempts = Attempt.objects.filter(respondent__campaign=campaign)
    completes = sum(1 for row in rows if row.final_code == aapor.COMPLETE)
    running = campaign.status == CampaignStatus.RUNNING
    attempts_left = (
        [max(0, campaign.max_attempts - row.attempts_made) for row in rows if _open(row)]
        if campaign.status != CampaignStatus.ENDED
        else []
    )
    estimate = survey_report.estimate_final_completes(
        completes=completes,
        attempted_numbers=sum(1 for row in rows if row.attempts_made > 0 or row.attempt_codes),
        attempts_left=[min(left, campaign.max_attempts) for left in attempts_left],
        max_attempts=max(campaign.max_attempts, 1),
        target=campaign.target_completes,
    )
    outcomes = Counter(attempts.exclude(code="").values_list("code", flat=True))
    return Live(
        in_progress=attempts.filter(ended_at__isnull=True).count(),
        attempts=attempts.count(),
        outcomes=[
            (code, str(CODE_LABELS.get(code, "")), n)
            for code, n in survey_report.code_counts(outcomes.elements())
        ],
        completes=completes,
        estimate=estimate,
        estimate_lines=[translate(line) for line in estimate.lines],
        running=running,
    )


@dataclass
class ChartView:
    """A bar chart (SVG from kuntarobo.core.charts, which escapes every text) and its table."""

    svg: str
    caption: str
    columns: list[str]
    rows: list[list[object]]


@dataclass
class Comparison:
    dimension: str
    label: str
    shares: list[survey_weights.Share]
    weights: dict[str, Decimal]
    unweighted: list[str]
    lines: list[str]
    rows: list[list[str]]  # category, respondents, shares, difference, weight: as shown


@dataclass
class Question:
    counts: survey_report.QuestionCounts
    chart: ChartView | None
    recordings: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Report:
    campaign: Campaign
    language: str
    live: Live
    counts: aapor.Counts
    rates: list[tuple[str, str, str]]  # name, shown value, explanation
    e_line: str
    provisional: bool
    population_error: str
    population_missing: bool
    comparisons: list[Comparison]
    questions: list[Question]
    questionnaire_error: str
    cost: survey_report.Cost
    cost_lines: list[str]
    respondents: int


def _shown_rows(
    shares: list[survey_weights.Share], weights: dict[str, Decimal], language: str
) -> list[list[str]]:
    def share(value: Decimal) -> str:
        return format_percent((value * 100).quantize(Decimal("0.1")), language)

    return [
        [
            one.category,
            str(one.respondents),
            share(one.respondents_share),
            share(one.population_share),
            format_decimal(one.difference_points.quantize(Decimal("0.1")), language),
            format_decimal(weights[one.category].quantize(Decimal("0.01")), language)
            if one.category in weights
            else "–",
        ]
        for one in shares
    ]


def _population(
    campaign: Campaign, completes: list[RespondentRow], language: str
) -> tuple[list[Comparison], bool, str]:
    raw = campaign.population
    if not raw:
        return [], True, ""
    try:
        population = survey_report.parse_population(raw)
    except survey_report.SurveyReportError as error:
        return [], False, _("The population table is not usable: %(error)s") % {"error": error}
    if not completes:
        return [], False, ""
    comparisons = []
    for dimension in survey_report.DIMENSIONS:
        if dimension not in population:
            continue
        sample = Counter(getattr(row, dimension) or _("unknown") for row in completes)
        counts = population[dimension]
        shares = survey_weights.compare(dict(sample), counts)
        sample_cells: dict[tuple[str, ...], int] = {
            (str(category),): n for category, n in sample.items()
        }
        population_cells: dict[tuple[str, ...], int] = {
            (category,): n for category, n in counts.items()
        }
        weights = {
            cell[0]: weight
            for cell, weight in survey_weights.post_stratification_weights(
                sample_cells, population_cells
            ).items()
        }
        comparisons.append(
            Comparison(
                dimension=dimension,
                label=str(DIMENSION_LABELS[dimension]),
                shares=shares,
                weights=weights,
                unweighted=[
                    cell[0]
                    for cell in survey_weights.cells_without_respondents(
                        sample_cells, population_cells
                    )
                ],
                lines=[
                    translate(line)
                    for line in survey_weights.explain_weights(sample_cells, population_cells)
                ],
                rows=_shown_rows(shares, weights, language),
            )
        )
    return comparisons, False, ""


def _questions(
    campaign: Campaign, language: str, with_recordings: bool
) -> tuple[list[Question], str]:
    try:
        questionnaire = parse_questionnaire(campaign.questionnaire.definition)
    except QuestionnaireError as error:
        return [], _("The questionnaire cannot be read: %(error)s") % {"error": error}
    values: dict[str, list[str]] = defaultdict(list)
    recordings: dict[str, list[tuple[int, str]]] = defaultdict(list)
    answers = Answer.objects.filter(respondent__campaign=campaign).order_by("respondent", "pk")
    for answer in answers:
        values[answer.step_id].append(answer.value or ("recording" if answer.recording else ""))
        if answer.recording:
            recordings[answer.step_id].append(
                (answer.pk, pseudonym(campaign, answer.respondent_id))
            )
    questions = []
    for step in questionnaire.steps:
        if step.type not in survey_report.REPORTED_TYPES:
            continue
        counts = survey_report.count_answers(step, values.get(step.id, []), language)
        chart = None
        if counts.rows:
            chart = ChartView(
                svg=charts.bar_chart(
                    counts.prompt,
                    _("Answers per choice: %(answered)s answered.") % {"answered": counts.answered},
                    [label for _value, label, _count in counts.rows],
                    [charts.Series(_("Answers"), [float(n) for _v, _l, n in counts.rows])],
                    y_label=_("answers"),
                ),
                caption=counts.prompt,
                columns=[_("Answer"), _("Answers")],
                rows=[[label, n] for _value, label, n in counts.rows],
            )
        questions.append(
            Question(counts, chart, recordings.get(step.id, []) if with_recordings else [])
        )
    return questions, ""


def report(campaign: Campaign, language: str, *, with_recordings: bool = False) -> Report:
    rows = respondent_rows(campaign)
    live = live_figures(campaign, rows)
    counts = aapor.Counts.from_final_codes(row.final_code for row in rows)
    values = aapor.rates(counts)
    lines = aapor.explain_rates(counts)
    rate_rows = [
        (name, percent(values[name], language), translate(line))
        for name, line in zip(aapor.RATE_NAMES, lines[1:], strict=True)
    ]
    completes = [row for row in rows if row.final_code == aapor.COMPLETE]
    comparisons, missing, error = _population(campaign, completes, language)
    questions, questionnaire_error = _questions(campaign, language, with_recordings)
    seconds = Attempt.objects.filter(respondent__campaign=campaign).values_list(
        "seconds", flat=True
    )
    cost = survey_report.cost(seconds, campaign.price_per_minute_cents, len(completes))
    return Report(
        campaign=campaign,
        language=language,
        live=live,
        counts=counts,
        rates=rate_rows,
        e_line=translate(lines[0]),
        provisional=any(row.provisional for row in rows),
        population_error=error,
        population_missing=missing,
        comparisons=comparisons,
        questions=questions,
        questionnaire_error=questionnaire_error,
        cost=cost,
        cost_lines=[translate(line) for line in cost.lines],
        respondents=len(rows),
    )


def decimal(value: Decimal | None, language: str) -> str:
    return "–" if value is None else format_decimal(value, language)
