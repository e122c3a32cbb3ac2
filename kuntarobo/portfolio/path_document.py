"""A robot's path document (polkudokumentaatio, Helmi work package 2), generated from its
declaration and its runs in a municipality: the steps, systems, rules, exceptions, the human's
role, the schedule, its class, and the figures (volumes per month, handling times, exception
shares). Versioned by the declaration: a changed declaration is a new version, recorded with the
declaration as it was."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuntarobo.accounts.models import Municipality
from kuntarobo.core import formatting
from kuntarobo.core.process_diagram import DiagramStep, dot_source, render_svg
from kuntarobo.portfolio.models import PathDocumentVersion
from kuntarobo.portfolio.result_figures import RobotFigures, robot_figures
from kuntarobo.runtime.declarations import Robot, Text
from kuntarobo.web import labels

# Shown instead of the diagram when Graphviz is not installed or could not draw it.
DIAGRAM_MISSING = gettext_lazy(
    "The process diagram could not be drawn: Graphviz (the dot program) is not installed on "
    "the server. The steps are listed above."
)


def _plain(value: Any) -> Any:
    """A declaration's value as JSON: a Text as its three languages, dataclasses as objects."""
    if isinstance(value, Text):
        return {"fi": value.fi, "sv": value.sv, "en": value.en}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(entry) for entry in value]
    return value


def declaration_content(robot: type[Robot]) -> dict[str, Any]:
    """What the path document is made of, in every language: a change in any of it is a new
    version of the document."""
    return {
        "slug": robot.slug,
        "name": _plain(robot.name),
        "description": _plain(robot.description),
        "robot_class": str(robot.robot_class),
        "systems": _plain(robot.systems),
        "path": _plain(robot.path),
        "schedule": _plain(robot.schedule),
        "manual_minutes_per_item": str(robot.manual_minutes_per_item),
        "rule_version": robot.rule_version,
    }


def fingerprint(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def current_version(robot: type[Robot]) -> PathDocumentVersion:
    """The version of the robot's path document its declaration is now, recorded first if the
    declaration changed since the latest (or none was recorded yet)."""
    content = declaration_content(robot)
    digest = fingerprint(content)
    for _attempt in range(3):
        latest = PathDocumentVersion.objects.filter(robot_slug=robot.slug).first()
        if latest is not None and latest.fingerprint == digest:
            return latest
        try:
            with transaction.atomic():
                return PathDocumentVersion.objects.create(
                    robot_slug=robot.slug,
                    number=latest.number + 1 if latest else 1,
                    fingerprint=digest,
                    rule_version=robot.rule_version,
                    content=content,
                )
        except IntegrityError:  # another request recorded the same change at the same time
            continue
    raise RuntimeError(f"could not record a path document version of {robot.slug}")


def diagram_steps(robot: type[Robot], language: str) -> list[DiagramStep]:
    return [
        DiagramStep(
            name=step.name.get(language),
            actor=step.actor,
            actor_label=str(labels.STEP_ACTORS.get(step.actor, step.actor)),
            system=step.system.get(language) if isinstance(step.system, Text) else step.system,
        )
        for step in robot.path.steps
    ]


def process_diagram(robot: type[Robot], language: str) -> str | None:
    """The process diagram as SVG in `language` (labels come from the active translation, so
    call this inside `translation.override(language)`), or None without Graphviz."""
    source = dot_source(diagram_steps(robot, language), title=robot.name.get(language))
    return render_svg(source)


@dataclass(frozen=True)
class PathDocument:
    """Everything a path document shows: the declaration, its version, the municipality's
    figures and the diagram (None when it could not be drawn)."""

    robot: type[Robot]
    municipality: Municipality
    version: PathDocumentVersion
    earlier_versions: list[PathDocumentVersion]
    figures: RobotFigures
    diagram_svg: str | None


def path_document(robot: type[Robot], municipality: Municipality, language: str) -> PathDocument:
    version = current_version(robot)
    earlier = list(
        PathDocumentVersion.objects.filter(robot_slug=robot.slug, number__lt=version.number)
    )
    return PathDocument(
        robot=robot,
        municipality=municipality,
        version=version,
        earlier_versions=earlier,
        figures=robot_figures(municipality, robot.slug),
        diagram_svg=process_diagram(robot, language),
    )


def _in(value: Text | str | None, language: str) -> str:
    if value is None:
        return ""
    return value.get(language) if isinstance(value, Text) else value


def _milliseconds(value: int | None, language: str) -> str:
    if value is None:
        return "–"
    seconds = (Decimal(value) / 1000).quantize(Decimal("0.1"))
    return _("%(s)s s") % {"s": formatting.format_decimal(seconds, language)}


def path_pdf_data(document: PathDocument, language: str) -> dict[str, Any]:
    """The document's data for its Typst template, in `language` (the reader's)."""
    robot = document.robot
    figures = document.figures
    with translation.override(language):
        schedule = robot.schedule
        schedule_text = (
            _in(schedule.description, language) or schedule.cron if schedule else _("On demand")
        )
        rate = formatting.format_percent
        return {
            "lang": language,
            "title": _("Path document"),
            "robot": robot.name.get(language),
            "municipality": document.municipality.name_in(language),
            "version_line": _("Version %(number)s, %(date)s")
            % {
                "number": document.version.number,
                "date": formatting.format_date(
                    timezone.localdate(document.version.created_at), language
                ),
            },
            "description": robot.path.summary.get(language),
            "facts": [
                [
                    _("Class"),
                    f"{robot.robot_class} – {labels.ROBOT_CLASS_NAMES[robot.robot_class]}",
                ],
                [_("Systems"), ", ".join(_in(s, language) for s in robot.systems) or "–"],
                [_("Schedule"), schedule_text],
                [
                    _("Manual work per item"),
                    _("%(minutes)s min")
                    % {
                        "minutes": formatting.format_decimal(
                            robot.manual_minutes_per_item, language
                        )
                    },
                ],
                [_("Rule version"), robot.rule_version],
                [_("Volume"), _in(robot.path.volume, language) or "–"],
            ],
            "labels": {
                "steps": _("Steps"),
                "diagram": _("Process diagram"),
                "diagram_alt": _("The steps of the process in order, as listed above"),
                "inputs": _("Inputs"),
                "outputs": _("Outputs"),
                "rules": _("Rules"),
                "business": _("Business exceptions (a person decides)"),
                "technical": _("Technical exceptions (retried, then a person)"),
                "human_role": _("The human's role"),
                "figures": _("Figures from the runs"),
                "month": _("Month"),
                "items": _("Items"),
                "status": _("Status"),
                "share": _("Share"),
                "earlier": _("Earlier versions"),
            },
            "steps": [
                {
                    "name": step.name.get(language),
                    "actor": str(labels.STEP_ACTORS.get(step.actor, step.actor)),
                    "system": _in(step.system, language),
                    "description": _in(step.description, language),
                }
                for step in robot.path.steps
            ],
            "diagram_missing": str(DIAGRAM_MISSING),
            "inputs": [t.get(language) for t in robot.path.inputs],
            "outputs": [t.get(language) for t in robot.path.outputs],
            "rules": [t.get(language) for t in robot.path.rules],
            "business": [t.get(language) for t in robot.path.business_exceptions],
            "technical": [t.get(language) for t in robot.path.technical_exceptions],
            "human_role": _in(robot.path.human_role, language),
            "period": _("Items from %(first)s to %(last)s")
            % {
                "first": formatting.format_date(figures.start, language),
                "last": formatting.format_date(figures.end, language),
            }
            if figures.items
            else _("No runs yet."),
            "figures": [
                [_("Items"), str(figures.items)],
                [
                    _("Average handling time of an item"),
                    _milliseconds(figures.average_item_ms, language),
                ],
                [
                    _("Longest handling time of an item"),
                    _milliseconds(figures.longest_item_ms, language),
                ],
                [
                    _("Hours of manual work saved"),
                    formatting.format_decimal(figures.hours_saved, language),
                ],
            ],
            "months": [
                [f"{month.month}/{month.year}", str(count)] for month, count in figures.per_month
            ],
            "statuses": [
                [str(status.label), str(count), "–" if part is None else rate(part, language)]
                for status, count, part in figures.status_shares()
            ],
            "earlier": [
                _("Version %(number)s, %(date)s")
                % {
                    "number": v.number,
                    "date": formatting.format_date(timezone.localdate(v.created_at), language),
                }
                for v in document.earlier_versions
            ],
            "footer": _("Generated from the robot's declaration and runs, %(date)s")
            % {"date": formatting.format_date(timezone.localdate(), language)},
        }
