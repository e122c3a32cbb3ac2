"""Result cards (tuloskortti): saving a coordinator's texts (one action for every entry point,
in the audit trail), a card's defaults from the robot's declaration, and the card's data for the
page and the PDF with the figures read from the runs."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.core import formatting
from kuntarobo.portfolio.models import CardLanguage, ResultCard
from kuntarobo.portfolio.result_figures import RobotFigures, robot_figures
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError, Robot, Text, get_robot

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor

# The longest text of each field: with these the card always fits on one page.
TEXT_LIMITS: Final = {
    "goals": 600,
    "benefit_1": 250,
    "benefit_2": 250,
    "benefit_3": 250,
    "lessons": 900,
    "what_it_does": 600,
    "systems": 300,
    "costs": 500,
}


def _in(value: Text | str, language: str) -> str:
    return value.get(language) if isinstance(value, Text) else value


def default_card(municipality: Municipality, robot: type[Robot], language: str) -> ResultCard:
    """An unsaved card whose texts come from the declaration: what a card shows before its
    coordinator writes one."""
    return ResultCard(
        municipality=municipality,
        robot_slug=robot.slug,
        language=language if language in CardLanguage.values else CardLanguage.FI,
        what_it_does=robot.description.get(language),
        systems="\n".join(_in(system, language) for system in robot.systems),
    )


def card_for(municipality: Municipality, robot: type[Robot], language: str) -> ResultCard:
    """The municipality's saved card of the robot, or its default."""
    saved = ResultCard.objects.filter(municipality=municipality, robot_slug=robot.slug).first()
    return saved or default_card(municipality, robot, language)


def save_result_card(
    actor: Actor,
    municipality: Municipality,
    robot_slug: str,
    fields: dict[str, Any],
    *,
    via: str,
) -> ResultCard:
    """Write the card's texts, language, period and person-year hours; the municipality's
    portfolio managers only."""
    robot = get_robot(robot_slug)
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    language = fields.get("language") or CardLanguage.FI
    if language not in CardLanguage.values:
        raise InputError(
            gettext_lazy("unknown language '%(language)s': use fi, sv or en"),
            field="language",
            language=language,
        )
    for name, limit in TEXT_LIMITS.items():
        text = fields.get(name) or ""
        if len(text) > limit:
            raise InputError(
                gettext_lazy("the text is too long: at most %(limit)d characters"),
                field=name,
                limit=limit,
            )
    start, end = fields.get("period_start"), fields.get("period_end")
    if start and end and end < start:
        raise InputError(
            gettext_lazy("the period must not end before it starts"), field="period_end"
        )
    hours = fields.get("hours_per_person_year") or 1600
    if not 1 <= int(hours) <= 8760:
        raise InputError(
            gettext_lazy("working hours per person-year must be between 1 and 8760"),
            field="hours_per_person_year",
        )
    with transaction.atomic():
        card = (
            ResultCard.objects.select_for_update()
            .filter(municipality=municipality, robot_slug=robot.slug)
            .first()
        )
        created = card is None
        if card is None:
            card = ResultCard(municipality=municipality, robot_slug=robot.slug)
        for name in TEXT_LIMITS:
            setattr(card, name, (fields.get(name) or "").strip())
        card.language = language
        card.period_start = start
        card.period_end = end
        card.hours_per_person_year = int(hours)
        if actor is not None and not isinstance(actor, str) and actor.is_authenticated:
            card.updated_by = actor
        card.save()
        record(
            "portfolio.result_card_saved",
            actor=actor,
            municipality=municipality,
            obj=card,
            details={"robot": robot.slug, "created": created, "language": language},
            via=via,
        )
    return card


def card_figures(card: ResultCard) -> RobotFigures:
    return robot_figures(
        card.municipality,
        card.robot_slug,
        start=card.period_start,
        end=card.period_end,
        hours_per_person_year=card.hours_per_person_year,
    )


def period_text(start: datetime.date, end: datetime.date, language: str) -> str:
    """The figures' period as "1.3.2026–31.3.2026" (from the first day of its first month)."""
    return f"{formatting.format_date(start, language)}–{formatting.format_date(end, language)}"


def fixed(value: Decimal, places: int, language: str) -> str:
    """A figure with a fixed number of decimals (0,00 stays 0,00), in the language's format."""
    text = f"{value:.{places}f}"
    return text if language == "en" else text.replace(".", ",")


def _rate(value: Any, language: str) -> str:
    return "–" if value is None else formatting.format_percent(value, language)


def figure_rows(figures: RobotFigures, language: str) -> list[tuple[str, str]]:
    """The card's key figures as label and value, in `language` (inside its translation)."""
    return [
        (_("Items handled"), str(figures.items)),
        (_("Items completed"), str(figures.completed)),
        (_("Hours of manual work saved"), fixed(figures.hours_saved, 1, language)),
        (
            _("Person-years (%(hours)s h each)") % {"hours": figures.hours_per_person_year},
            fixed(figures.person_years, 2, language),
        ),
        (_("Exceptions (handled by a person)"), _rate(figures.exception_rate, language)),
        (_("Application errors"), _rate(figures.error_rate, language)),
        (
            _("Rework (corrected input or reviewer's correction)"),
            _rate(figures.rework_rate, language),
        ),
    ]


def card_pdf_data(card: ResultCard, figures: RobotFigures) -> dict[str, Any]:
    """The card's data for its Typst template, in the card's language."""
    language = card.language
    robot = get_robot(card.robot_slug)
    with translation.override(language):
        return {
            "lang": language,
            "title": _("Result card"),
            "municipality": card.municipality.name_in(language),
            "robot": robot.name.get(language),
            "labels": {
                "goals": _("Goals"),
                "benefits": _("The three most important benefits"),
                "lessons": _("Lessons learnt"),
                "what": _("What the robot does"),
                "systems": _("Systems"),
                "figures": _("Key figures"),
                "costs": _("Costs"),
                "person_years": _("estimated person-years moved to more productive work"),
            },
            "goals": card.goals,
            "benefits": card.benefits,
            "lessons": _lines(card.lessons),
            "what": card.what_it_does,
            "systems": _lines(card.systems),
            "costs": card.costs,
            "period": _("Period: %(period)s")
            % {"period": period_text(figures.start, figures.end, language)},
            "figures": [list(row) for row in figure_rows(figures, language)],
            "person_years": fixed(figures.person_years, 2, language),
            "footer": _("Figures from the robot's runs on the Kuntarobo platform, %(date)s")
            % {"date": formatting.format_date(timezone.localdate(), language)},
        }


def _lines(text: str) -> list[str]:
    """A text's lines as entries of a list, without bullets a writer typed."""
    return [line.strip().lstrip("•-*").strip() for line in text.splitlines() if line.strip()]
