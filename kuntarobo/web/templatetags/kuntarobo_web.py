"""Template helpers of the web UI: `{% load kuntarobo_web %}`."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any, cast

from django import template
from django.template.context import Context
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from kuntarobo.accounts.models import Municipality
from kuntarobo.core import localized
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.runtime.declarations import InputError, Text, get_robot
from kuntarobo.runtime.models import ItemStatus, RunStatus, WorkItem
from kuntarobo.runtime.statuses import FINISHED_WITH_FAILURES, run_outcome_label
from kuntarobo.runtime.visibility import ItemView
from kuntarobo.web import labels
from kuntarobo.web.runs import RunFigures
from kuntarobo.web.scoping import review_queue
from kuntarobo.web.views import caught_mail

register = template.Library()

# Status is never told by colour alone: every badge has a symbol and a word.
STATUS_SYMBOLS: dict[str, str] = {
    RunStatus.STARTING: "…",
    RunStatus.RUNNING: "⟳",
    RunStatus.REFUSED: "✗",
    RunStatus.FINISHED: "✓",
    RunStatus.FAILED: "✗",
    FINISHED_WITH_FAILURES: "⚠",
    ItemStatus.NEW: "○",
    ItemStatus.IN_PROGRESS: "⟳",
    ItemStatus.WAITING: "⏸",
    ItemStatus.NEEDS_REVIEW: "◆",
    ItemStatus.APPROVED: "✓",
    ItemStatus.DONE: "✓",
    ItemStatus.REJECTED: "✗",
    ItemStatus.FAILED_BUSINESS: "!",
    ItemStatus.FAILED_APPLICATION: "!",
    ItemStatus.ABANDONED: "–",
}
STATUS_LABELS = {**dict(RunStatus.choices), **dict(ItemStatus.choices)}


@register.filter
def text(value: Text | str | None) -> str:
    """A robot's Text in the active language (Finnish when missing)."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.get(get_language())
    return str(value)


@register.filter
def robot_name(slug: str) -> str:
    try:
        return get_robot(slug).name.get(get_language())
    except InputError:
        return slug


@register.filter
def municipality_name(municipality: Municipality | None) -> str:
    if municipality is None:
        return ""
    return municipality.name_in((get_language() or "fi")[:2])


@register.filter
def masked(value: Any) -> str:
    """Lists never show personal identity codes, even to those who may open the item."""
    return mask_identity_codes(str(value or ""))


@register.filter
def duration(milliseconds: int | None) -> str:
    if milliseconds is None:
        return "–"
    if milliseconds < 1000:
        return _("%(ms)d ms") % {"ms": milliseconds}
    return _("%(s)s s") % {"s": number_format(milliseconds / 1000, 1)}


@register.filter
def minutes(value: Decimal | int | float | None) -> str:
    """Minutes as hours and minutes, e.g. '2 h 15 min'."""
    total = round(Decimal(value or 0))
    hours, rest = divmod(total, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    return _("%(minutes)d min") % {"minutes": rest}


@register.filter
def pretty(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)


@register.filter
def action_label(code: str) -> str:
    return labels.audit_action_label(code)


@register.filter
def object_label(object_type: str) -> str:
    return labels.audit_object_label(object_type)


@register.filter
def channel_label(via: str) -> str:
    return labels.audit_channel_label(via)


@register.filter
def detail_label(key: str) -> str:
    return labels.audit_detail_label(key)


@register.filter
def detail_value(value: Any) -> str:
    """An audit detail's value: a text kept in every language in the reader's one."""
    if localized.is_localized(value):
        return localized.pick(value, get_language())
    return pretty(value)


@register.filter
def in_reader_language(value: Any) -> str:
    """A text kept in every language (an item's title) in the reader's language."""
    return localized.pick(value, get_language())


@register.filter
def calendar_rule(code: str) -> str:
    label = labels.CALENDAR_RULES.get(code or "any_day")
    return str(label) if label else code


@register.filter
def actor_label(code: str) -> str:
    label = labels.STEP_ACTORS.get(code)
    return str(label) if label else code


@register.simple_tag
def status_badge(value: str) -> SafeString:
    label = STATUS_LABELS.get(value, value)
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        value,
        STATUS_SYMBOLS.get(value, "•"),
        label,
    )


@register.simple_tag
def run_status_badge(figures: RunFigures) -> SafeString:
    """A run's status with its failed items named: "Finished, 2 failed" in a class of its own
    (`status-finished_with_failures`), never the plain "Finished" of a run without failures."""
    outcome = figures.outcome
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        outcome,
        STATUS_SYMBOLS.get(outcome, "•"),
        run_outcome_label(figures.run.status, figures.failed),
    )


@register.simple_tag(takes_context=True)
def inbox_count(context: Context) -> int:
    """Items waiting for this user's review, for the navigation."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return review_queue(request.user).count()


@register.simple_tag(takes_context=True)
def caught_mail_shown(context: Context) -> bool:
    """Whether the navigation links the demo's caught e-mail (configured, and an administrator)."""
    request = context.get("request")
    return request is not None and caught_mail.shown_to(request.user)


NAV_SECTIONS = {
    "dashboard": "dashboard",
    "robot_list": "robots",
    "robot_detail": "robots",
    "robot_settings": "robots",
    "inbox": "inbox",
    "item_reject": "inbox",
    "item_correct": "inbox",
    "item_abandon": "inbox",
    "item_resume": "inbox",
    "audit": "audit",
    "caught_mail": "mail",
    "caught_mail_message": "mail",
    "delegations": "delegations",
}


@register.filter
def nav_section(url_name: str | None) -> str:
    """Which main navigation entry is the current page (aria-current)."""
    return NAV_SECTIONS.get(url_name or "", "")


@register.filter
def parameter_kind(kind: str) -> str:
    label = labels.PARAMETER_KINDS.get(kind)
    return str(label) if label else kind


@register.filter
def output_rows(view: ItemView) -> list[tuple[str, str]]:
    """The item's output as (label, formatted value): the fields the robot declares first, in
    its order and with its labels, then anything else it returned under its own key. (A robot's
    own data for its records is `Outcome.record`, never output.) From the item's view
    (`kuntarobo.runtime.visibility`): nothing it hides is shown."""
    output = view.output if isinstance(view.output, dict) else {}
    try:
        declared = get_robot(cast(WorkItem, view.item).robot_slug).output_fields
    except InputError:
        declared = ()
    rows = [
        (field.label.get(), format_field(field.kind, output[field.name]))
        for field in declared
        if field.name in output
    ]
    known = {field.name for field in declared}
    if declared:  # the rest is internal: raw data for administrators (`raw_data`)
        return rows
    rows += [(key, pretty(value)) for key, value in output.items() if key not in known]
    return rows


@register.filter
def input_rows(view: ItemView) -> list[tuple[str, str]]:
    """The item's input as (label, formatted value): the fields the robot declares
    (`Robot.input_fields`) with their labels; a robot that declares none shows every key."""
    payload = view.payload if isinstance(view.payload, dict) else {}
    try:
        declared = get_robot(cast(WorkItem, view.item).robot_slug).input_fields
    except InputError:
        declared = ()
    if not declared:
        return [(key, pretty(value)) for key, value in payload.items()]
    return [
        (field.label.get(), format_field(field.kind, payload[field.name]))
        for field in declared
        if field.name in payload
    ]


@register.filter
def raw_data(view: ItemView) -> str:
    """The item's input and output as JSON, for an administrator's disclosure."""
    data = {"payload": view.payload, "output": view.output}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def format_field(kind: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    try:
        if kind == "cents":
            euros = Decimal(int(value)) / 100
            return f"{number_format(euros, 2, force_grouping=True)} €"
        if kind == "date":
            return date_format(datetime.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
        if kind == "integer":
            return number_format(int(value), force_grouping=True)
        if kind == "iban":
            return stdnum_iban.format(str(value))
    except (ValueError, TypeError, ArithmeticError):
        pass  # a value the robot did not write as declared is shown as it is
    return pretty(value)


@register.filter
def parameter_rows(run: Any) -> list[tuple[str, str]]:
    """A run's parameters as (the robot's label, value); a name the robot no longer declares
    is shown as it is."""
    try:
        declared = {p.name: p for p in get_robot(run.robot_slug).parameters}
    except InputError:
        declared = {}
    rows = []
    for name, value in (run.parameters or {}).items():
        parameter = declared.get(name)
        rows.append(
            (parameter.label.get() if parameter else name, pretty(value) if value != "" else "–")
        )
    return rows


@register.filter
def pairs(mapping: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """A dict's items; `{{ d.items }}` would find a key called "items" first."""
    return list((mapping or {}).items()) if isinstance(mapping, dict) else []


@register.filter
def cents(value: int | None) -> str:
    """An amount in cents as euros in the reader's number format."""
    return format_field("cents", value)
