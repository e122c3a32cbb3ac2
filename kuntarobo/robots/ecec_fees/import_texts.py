"""The family import's problems in the reader's language.

`families` (pure Python) reports each problem as a code with its values (`LineError.code`,
`params`) and an English sentence; here each code has a translatable text, so a Finnish or
Swedish official reads the whole refusal in their own language, not English parts inside a
Finnish sentence. A code without a text here (a new check) falls back to the English sentence.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kuntarobo.robots.ecec_fees import families
from kuntarobo.sdk import join_messages, message

TEXTS: dict[str, Any] = {
    "not_object": _("expected an object, got %(got)s"),
    "unknown_key": _("unknown key %(key)s"),
    "missing": _("is required"),
    "wrong_type": _("expected %(expected)s, got %(got)s"),
    "control_character": _("holds a control character: %(value)s"),
    "too_long": _("is %(length)s characters, at most %(max)s allowed"),
    "not_integer": _("expected a whole number, got %(value)s"),
    "negative": _("must not be negative, got %(value)s"),
    "date_out_of_range": _("must be from %(min)s to %(max)s, got %(value)s"),
    "bad_date": _("expected a date YYYY-MM-DD, got %(value)s"),
    "bad_decimal": _('expected a decimal number such as "0.85", got %(value)s'),
    "bad_identity_code": _("%(value)s is not a valid personal identity code"),
    "too_few": _("has %(count)s items, at least %(min)s needed"),
    "too_many": _("has %(count)s items, at most %(max)s allowed"),
    "bad_postal_code": _("expected five digits, got %(value)s"),
    "bad_email": _("not an e-mail address: %(value)s"),
    "bad_alteration_kind": _("must be 'discount' or 'increase', got %(value)s"),
    "bad_alteration": _("needs exactly one of percent and amount"),
    "bad_placement_kind": _("must be 'daycare' or 'family_daycare', got %(value)s"),
    "end_before_start": _("%(end)s is before the start %(start)s"),
    "bad_service_need": _("needs exactly one of hours_per_month and coefficient"),
    "bad_child_id": _("must be 1–64 letters, digits, '-' or '_', got %(value)s"),
    "bad_family_id": _("must be 1–64 letters, digits, '-' or '_', got %(value)s"),
    "birth_after_period": _("%(birth_date)s is after the period start %(period_start)s"),
    "identity_code_birth_date": _(
        "the identity code gives the birth date %(code_birth_date)s but birth_date is "
        "%(birth_date)s"
    ),
    "placement_before_birth": _("%(start)s is before the birth date %(birth_date)s"),
    "bad_language": _("must be 'fi' or 'sv', got %(value)s"),
    "no_incomes": _("is empty but the family has not accepted the maximum fee"),
    "too_small_family": _("is %(size)s but the family has at least %(members)s members"),
    "duplicate_child": _("%(value)s is already used by another child of the family"),
    "duplicate_identity_code": _("%(value)s is already used by another member of the family"),
    "duplicate_family": _(
        "%(family_id)s for the period starting %(period_start)s is already on line %(first_line)s"
    ),
    "line_too_long": _("the line is longer than %(max)s"),
    "too_many_errors": _("more than %(max)s problems: reading stopped here"),
    "not_utf8": _("the line is not UTF-8 text (byte %(column)s of the line)"),
    "bad_json": _("the line is not valid JSON"),
    "duplicate_key": _("the key %(key)s appears twice in one object"),
}
# Codes whose text depends on which values the check gave.
AT_LEAST = _("must be at least %(min)s, got %(value)s")
BETWEEN = _("must be from %(min)s to %(max)s, got %(value)s")
INCOME_MISSING_ONLY_TRUE = _("may only be true, got %(value)s")
INCOME_MISSING_HAS_NO_AMOUNT = _("an income marked missing has no amount")
BAD_JSON_AT = _("the line is not valid JSON at column %(column)s")


def _template(error: families.LineError) -> Any:
    params = error.params
    if error.code == "out_of_range":
        return AT_LEAST if not params.get("max") else BETWEEN
    if error.code == "bad_income":
        return INCOME_MISSING_ONLY_TRUE if "value" in params else INCOME_MISSING_HAS_NO_AMOUNT
    if error.code == "bad_json" and "column" in params:
        return BAD_JSON_AT
    return TEXTS.get(error.code)


def problem_text(error: families.LineError) -> Any:
    """One problem, without its line: "children[0].birth_date: …" (the path names the field
    of the file, as the export spells it)."""
    template = _template(error)
    if template is None:
        return error.message
    text = message(template, **dict(error.params))
    if error.field:
        return join_messages(": ", [error.field, text])
    return text


def line_text(error: families.LineError) -> Any:
    """One problem with its line number."""
    if not error.line:
        return problem_text(error)
    return message(_("line %(line)d: %(problem)s"), line=error.line, problem=problem_text(error))


def import_refusal(name: str, errors: list[families.LineError], shown: int) -> Any:
    """The refusal of a whole file: how many problems and the first `shown` of them."""
    listing = join_messages("; ", [line_text(error) for error in errors[:shown]])
    more = len(errors) - shown
    if more > 0:
        listing = join_messages(" ", [listing, message(_("(and %(count)d more)"), count=more)])
    return message(
        ngettext_lazy(
            "%(file)s: %(count)d problem in the family data: %(problems)s",
            "%(file)s: %(count)d problems in the family data: %(problems)s",
            "count",
        ),
        file=name,
        count=len(errors),
        problems=listing,
    )


def family_refusal(errors: list[families.LineError], shown: int) -> Any:
    """The problems of one family (an item), for the reviewer."""
    return join_messages("; ", [problem_text(error) for error in errors[:shown]])
