"""The early-support reasons and the level legend in the report's language (Django i18n): the
workbook of a Finnish or Swedish unit explains each alert in Finnish or Swedish, whatever the
platform's language is. The reasons come as data from `early_support` ({"code": …})."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntarobo.core.formatting import format_iso_date
from kuntarobo.robots.hr_reports.reports import AlertRow


def _day(text: Any, language: str) -> str:
    return format_iso_date(str(text), language)


def reason_text(reason: Mapping[str, Any], language: str) -> str:
    """One reason as a sentence in the active language; an unknown code is left out ("")."""
    code = reason.get("code")
    if code == "window":
        return ngettext(
            "Sickness absence %(start)s–%(end)s (%(months)d months): %(days)d days in "
            "%(spells)d spell, the longest %(longest)d days.",
            "Sickness absence %(start)s–%(end)s (%(months)d months): %(days)d days in "
            "%(spells)d spells, the longest %(longest)d days.",
            int(reason["spells"]),
        ) % {
            "start": _day(reason["start"], language),
            "end": _day(reason["end"], language),
            "months": int(reason["months"]),
            "days": int(reason["days"]),
            "spells": int(reason["spells"]),
            "longest": int(reason["longest"]),
        }
    if code == "month_reached":
        return _(
            "The spell that began on %(start)s has continued a month (a calendar month or "
            "%(limit)d days) on %(on)s: the employer must notify occupational health care "
            "(Occupational Health Care Act 1383/2001, section 10 a)."
        ) % {
            "start": _day(reason["start"], language),
            "on": _day(reason["on"], language),
            "limit": int(reason["limit"]),
        }
    if code == "month_due":
        return _(
            "The spell that began on %(start)s is still going on and will have continued a "
            "month on %(on)s: notify occupational health care by then at the latest "
            "(Occupational Health Care Act 1383/2001, section 10 a)."
        ) % {"start": _day(reason["start"], language), "on": _day(reason["on"], language)}
    if code == "sum_reached":
        return _(
            "Sickness absence summed over the period has reached %(days)d days (limit "
            "%(limit)d): the employer must notify occupational health care."
        ) % {"days": int(reason["days"]), "limit": int(reason["limit"])}
    if code == "sum_due":
        return _(
            "Sickness absence summed over the period is %(days)d days and a spell is still "
            "going on: %(limit)d days are reached on %(on)s; notify occupational health care by "
            "then at the latest."
        ) % {
            "days": int(reason["days"]),
            "limit": int(reason["limit"]),
            "on": _day(reason["on"], language),
        }
    if code in ("health_reached", "discussion_reached"):
        values = {
            "spells": int(reason["spells"]),
            "days": int(reason["days"]),
            "spells_limit": int(reason["spells_limit"]),
            "days_limit": int(reason["days_limit"]),
        }
        if code == "health_reached":
            return (
                _(
                    "The municipality's threshold for contacting occupational health care "
                    "(%(spells_limit)d spells or %(days_limit)d days) is reached with %(spells)d "
                    "spells and %(days)d days: contact occupational health care."
                )
                % values
            )
        return (
            _(
                "The municipality's threshold for an early-support discussion (%(spells_limit)d "
                "spells or %(days_limit)d days) is reached with %(spells)d spells and %(days)d "
                "days: hold an early-support discussion."
            )
            % values
        )
    if code == "also_discussion":
        return _(
            "The threshold for an early-support discussion is also reached; the stronger "
            "measure is proposed."
        )
    return ""


def alert_reasons(row: AlertRow, language: str) -> str:
    """The alert's reasons in `language`, one sentence after another (an item made before the
    reasons were kept as data has only the English explanation: that is written then)."""
    if not row.reasons:
        return " ".join(row.explanation)
    with translation.override(language):
        return " ".join(text for text in (reason_text(r, language) for r in row.reasons) if text)


def level_legend(language: str) -> list[str]:
    """What the level column means, for the sheet's note."""
    with translation.override(language):
        return [
            _("Level: how urgent the alert is."),
            _(
                "3 = the 30-day rule of the law: notify occupational health care "
                "(Occupational Health Care Act 1383/2001, section 10 a)."
            ),
            _("2 = the municipality's threshold: contact occupational health care."),
            _("1 = the municipality's threshold: hold an early-support discussion."),
        ]
