"""The early-support sheet explains each alert in the workbook's language (no English in a
Finnish or Swedish workbook) and says what the level column means."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re

import openpyxl
import pytest

from kuntarobo.robots.hr_reports import texts
from kuntarobo.robots.hr_reports.dataset import Absence
from kuntarobo.robots.hr_reports.early_support import Thresholds, alerts_for_units
from kuntarobo.robots.hr_reports.reports import alert_to_data, build_report
from kuntarobo.robots.hr_reports.workbooks import unit_workbook
from tests.robots.hr_reports.test_reports import OTHER, dataset

# Words of the English reasons and legend; none may be left in a Finnish or Swedish workbook.
ENGLISH = re.compile(
    r"\b(sickness|spells?|days|notify|occupational|threshold|reached|level|employer|"
    r"month|continued|discussion|the|and|or)\b",
    re.IGNORECASE,
)
RUN_DAY = datetime.date(2026, 2, 2)
REASONS = [
    {
        "code": "window",
        "start": "2025-02-01",
        "end": "2026-01-31",
        "months": 12,
        "days": 31,
        "spells": 1,
        "longest": 31,
    },
    {
        "code": "window",
        "start": "2025-02-01",
        "end": "2026-01-31",
        "months": 12,
        "days": 9,
        "spells": 3,
        "longest": 4,
    },
    {"code": "month_reached", "start": "2026-02-01", "on": "2026-02-28", "limit": 30},
    {"code": "month_due", "start": "2026-01-10", "on": "2026-02-09", "limit": 30},
    {"code": "sum_reached", "days": 31, "limit": 30},
    {"code": "sum_due", "days": 22, "limit": 30, "on": "2026-02-09"},
    {"code": "health_reached", "spells": 10, "days": 12, "spells_limit": 10, "days_limit": 30},
    {"code": "discussion_reached", "spells": 3, "days": 5, "spells_limit": 3, "days_limit": 20},
    {"code": "also_discussion"},
]


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("reason", REASONS, ids=[str(r["code"]) for r in REASONS])
def test_every_reason_is_written_in_finnish_and_swedish(language, reason):
    from django.utils import translation

    with translation.override(language):
        text = texts.reason_text(reason, language)
    assert text
    assert not ENGLISH.findall(text), text


def test_the_reasons_carry_the_dates_in_the_languages_format():
    from django.utils import translation

    with translation.override("fi"):
        text = texts.reason_text(REASONS[2], "fi")
    assert "1.2.2026" in text and "28.2.2026" in text  # noqa: PT018
    assert "10 a §" in text


@pytest.mark.parametrize(
    ("language", "sheet", "legend_start"),
    [("fi", "Varhainen tuki", "Taso:"), ("sv", "Tidigt stöd", "Nivå:")],
)
def test_the_alert_sheet_has_no_english_and_explains_the_level(language, sheet, legend_start):
    data = dataset()
    ongoing = Absence("E1", datetime.date(2026, 1, 20), None, "sickness", True)
    data = dataclasses.replace(data, absences=(*data.absences, ongoing))
    alerts = alerts_for_units(data, year=2026, month=1, thresholds=Thresholds(), today=RUN_DAY)
    unit = dataclasses.replace(OTHER, language=language)
    report = build_report(
        unit,
        data,
        year=2026,
        month=1,
        alerts=[alert_to_data(a) for a in alerts["U2"]],
        previous_month_in_export=True,
        today=RUN_DAY,
    )
    assert len(report.alerts) >= 2
    book = openpyxl.load_workbook(
        io.BytesIO(
            unit_workbook(
                report,
                reasons=lambda alert: texts.alert_reasons(alert, language),
                legend=texts.level_legend(language),
            )
        )
    )
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    reasons = [row[header.index(header[-1])] for row in rows[1 : 1 + len(report.alerts)]]
    assert all(reasons)
    for text in reasons:
        assert not ENGLISH.findall(text), text
    legend = [row[0] for row in rows[1 + len(report.alerts) :] if row[0]]
    assert legend[0].startswith(legend_start)
    assert len(legend) == 4  # the heading and levels 3, 2 and 1
    for line in legend:
        assert not ENGLISH.findall(line), line
    assert book[sheet].cell(1, 4).comment is not None  # a note on the level's header too
