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

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.runtime.declarations import InputError, Text, get_robot
from kuntarobo.runtime.models import ItemStatus, RunStatus, WorkItem
from kuntarobo.runtime.visibility import ItemView
from kuntarobo.web import labels

register = template.Library()

# Status is never told by colour alone: every badge has a symbol and a word.
STATUS_SYMBOLS: dict[str, str] = {
    RunStatus.STARTING: "…",
    RunStatus.RUNNING: "⟳",
    RunStatus.REFUSED: "✗",
    RunStatus.FINISHED: "✓",
    RunStatus.FAILED: "✗",
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
    label = labels.AUDIT_ACTIONS.get(code)
    return str(label) if label else code


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


@register.simple_tag(takes_context=True)
def inbox_count(context: Context) -> int:
    """Items waiting for this user's review, for the navigation."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return (
        WorkItem.objects.for_user(request.user, Permission.REVIEW)
        .filter(status=ItemStatus.NEEDS_REVIEW)
        .count()
    )


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
    rows += [(key, pretty(value)) for key, value in output.items() if key not in known]
    return rows


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
def pairs(mapping: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """A dict's items; `{{ d.items }}` would find a key called "items" first."""
    return list((mapping or {}).items()) if isinstance(mapping, dict) else []


@register.filter
def cents(value: int | None) -> str:
    """An amount in cents as euros in the reader's number format."""
    return format_field("cents", value)
