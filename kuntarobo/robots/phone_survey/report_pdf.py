"""The council's report of a campaign as a PDF, typeset by Typst.

As in the fee robot's letters and the portfolio's documents, the Typst template only lays out
what Python hands it: every text and figure travels as JSON (already in the reader's
language) and is inserted as a string, never evaluated as markup, so an answer or a name that
looks like Typst prints literally. Compiled in a private temporary directory with Typst's
bundled fonts only. Called inside `translation.override(language)`."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Final

import typst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntarobo.core.formatting import format_date
from kuntarobo.robots.phone_survey.report_figures import (
    GROUPS,
    Report,
    code_label,
    decimal,
    money,
)

TEMPLATE: Final = Path(__file__).parent / "templates" / "phone_survey" / "typst" / "council.typ"
_lock: Final = threading.Lock()


def council_data(report: Report) -> dict[str, Any]:
    """Everything the template prints, in the report's language."""
    campaign = report.campaign
    language = report.language
    live = report.live
    estimate = live.estimate
    facts = [
        [_("Municipality"), campaign.municipality.name_in(language)],
        [_("Questionnaire"), campaign.questionnaire.name],
        [_("Status"), str(campaign.get_status_display())],
        [_("Numbers in the sample"), str(report.respondents)],
        [_("Call attempts"), str(live.attempts)],
        [_("Complete interviews"), str(live.completes)],
        [
            _("Target of complete interviews"),
            "–" if campaign.target_completes is None else str(campaign.target_completes),
        ],
        [_("Attempts per number at most"), str(campaign.max_attempts)],
    ]
    if campaign.started_at:
        facts.append([_("Started"), format_date(campaign.started_at.date(), language)])
    if campaign.ended_at:
        facts.append([_("Ended"), format_date(campaign.ended_at.date(), language)])
    comparisons = [
        {
            "title": comparison.label,
            "rows": comparison.rows,
            "notes": comparison.lines,
        }
        for comparison in report.comparisons
    ]
    if report.population_missing:
        population_note = _(
            "The campaign has no population table, so the respondents are not compared with "
            "the population and no weights are given."
        )
    elif report.population_error:
        population_note = report.population_error
    elif not report.comparisons:
        population_note = _("No complete interviews yet to compare with the population.")
    else:
        population_note = ""
    questions = []
    for question in report.questions:
        counts = question.counts
        rows = [[label, str(n)] for _value, label, n in counts.rows]
        extra = []
        if counts.mean is not None:
            extra.append(
                _("Mean %(mean)s, median %(median)s.")
                % {
                    "mean": decimal(counts.mean, language),
                    "median": decimal(counts.median, language),
                }
            )
        if counts.type == "open_answer":
            extra.append(_("%(count)s open answers were recorded.") % {"count": counts.answered})
        questions.append(
            {
                "prompt": counts.prompt,
                "answered": ngettext("%(count)s answered.", "%(count)s answered.", counts.answered)
                % {"count": counts.answered},
                "rows": rows,
                "notes": extra,
                "svg": question.chart.svg if question.chart else "",
            }
        )
    return {
        "lang": language,
        "title": _("Phone survey report"),
        "campaign": campaign.name,
        "municipality": campaign.municipality.name_in(language),
        "labels": {
            "facts": _("The campaign"),
            "rates": _("Response rates (AAPOR)"),
            "rate": _("Rate"),
            "value": _("Value"),
            "calculation": _("Calculation"),
            "groups": _("Final outcomes of the numbers"),
            "group": _("Group"),
            "count": _("Numbers"),
            "population": _("Respondents and the population"),
            "category": _("Category"),
            "respondents": _("Respondents"),
            "respondents_share": _("Share of respondents"),
            "population_share": _("Share of the population"),
            "difference": _("Difference (points)"),
            "weight": _("Weight"),
            "answers": _("Answers per question"),
            "answer": _("Answer"),
            "answers_count": _("Answers"),
            "cost": _("Cost"),
            "estimate": _("Estimate of final completes"),
            "method": _("Method"),
        },
        "facts": facts,
        "provisional": _(
            "The campaign is still running: numbers without a final code are counted with the "
            "code their attempts so far give."
        )
        if report.provisional
        else "",
        "groups": [[name, str(getattr(report.counts, name))] for name in GROUPS],
        "e": report.e_line,
        "rates": [[name, shown, line] for name, shown, line in report.rates],
        "population_note": population_note,
        "comparisons": comparisons,
        "questions": questions,
        "questionnaire_error": report.questionnaire_error,
        "cost": [
            [_("Billed minutes"), decimal(report.cost.minutes, language)],
            [_("Price per minute"), money(campaign.price_per_minute_cents, language)],
            [_("Cost"), money(report.cost.cents, language)],
            [_("Cost per complete interview"), money(report.cost.per_complete_cents, language)],
        ],
        "cost_notes": report.cost_lines,
        "estimate": [
            _("Estimated final completes: %(value)s")
            % {"value": decimal(estimate.final, language)},
            *live.estimate_lines,
        ],
        "outcomes": [[code_label(code), str(n)] for code, _label, n in live.outcomes],
        "method": [
            _(
                "Every sampled number has one final code by the AAPOR Standard Definitions: I "
                "complete, P partial, R refusal and break-off, NC non-contact, O other eligible, "
                "UH and UO eligibility unknown, NE not eligible."
            ),
            _(
                "RR1–RR6 are response rates, COOP1–4 cooperation rates, REF1–3 refusal rates and "
                "CON1–3 contact rates. RR3, RR4, REF2 and CON2 count the unknowns by e, the share "
                "of eligible numbers among those whose eligibility is known. A rate whose "
                "denominator is 0 is not defined."
            ),
            _(
                "Weights are post-stratification weights of each group separately: the group's "
                "share of the population divided by its share of the respondents."
            ),
        ],
    }


def council_pdf(report: Report) -> bytes:
    data = council_data(report)
    with _lock, tempfile.TemporaryDirectory(prefix="kuntarobo-survey-") as directory:
        root = Path(directory)
        shutil.copyfile(TEMPLATE, root / TEMPLATE.name)
        for index, question in enumerate(data["questions"]):
            if question["svg"]:
                name = f"chart-{index}.svg"
                (root / name).write_text(question["svg"], encoding="utf-8")
                question["chart"] = name
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        pdf = typst.compile(
            str(root / TEMPLATE.name), root=str(root), format="pdf", ignore_system_fonts=True
        )
    if not isinstance(pdf, bytes):
        raise TypeError("Typst returned no single PDF document")
    return pdf
