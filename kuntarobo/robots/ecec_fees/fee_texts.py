"""Why a fee cannot be computed or a decision sent, in the reader's language.

The engine (`fees`, `decision_content`, pure Python) refuses a family with a `FeeInputError`
carrying a code and its values, and the municipal settings with a `SettingsError` or a
`MissingTextError`; here each has a translatable text, so the item page shows the reason in
the reader's language. The calculator's CLI and API keep the English sentence (str(error)).
An error without a text here (a new check) is shown with its English sentence after a
translated lead."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kuntarobo.core.strict_json import StrictJsonError
from kuntarobo.robots.ecec_fees.fees import FeeInputError
from kuntarobo.robots.ecec_fees.municipal import MissingTextError
from kuntarobo.sdk import message

FEE_TEXTS: dict[str, Any] = {
    "family_size_too_small": _(
        "The family size must be at least 2 (a guardian and a child), got %(value)s."
    ),
    "bad_income": _("An income must be whole cents, at least 0, got %(value)s."),
    "bad_deduction": _("A deduction must be whole cents, more than 0, got %(value)s."),
    "bad_alteration_kind": _("A fee alteration must be a discount or an increase, got %(value)s."),
    "bad_alteration": _("A fee alteration needs exactly one of a percentage and an amount."),
    "bad_alteration_percent": _("The percentage of a fee alteration must be 0–100, got %(value)s."),
    "bad_alteration_amount": _(
        "The amount of a fee alteration must be whole cents, at least 0, got %(value)s."
    ),
    "bad_child_id": _("A child's id must not be empty, got %(value)s."),
    "bad_birth_date": _("Child %(child)s: the birth date is not a date."),
    "bad_coefficient": _(
        "Child %(child)s: the service need coefficient must be 0–1, got %(value)s."
    ),
    "bad_hours": _("The hours of care a month must not be negative, got %(value)s."),
    "no_child_in_ecec": _("No child of the family is in early childhood education."),
    "family_too_small_for_children": _(
        "The family size %(size)s is too small for %(children)s children in early childhood "
        "education (at least %(minimum)s)."
    ),
    "duplicate_child": _("The child id %(child)s is given twice."),
    "bad_hour_bands": _(
        "The municipality's service need bands are not in increasing order: a coordinator "
        "corrects them on the robot's settings page."
    ),
    "no_hour_band": _(
        "No service need band of the municipality holds %(hours)s hours a month: a coordinator "
        "adds one on the robot's settings page."
    ),
    "service_need_missing": _(
        "%(child)s: the service need (hours a month) is missing: the fee cannot be set before it "
        "is agreed."
    ),
}
MISSING_TEXTS: dict[str, Any] = {
    "fi": _(
        "A letter in Finnish needs these municipal settings in Finnish, which are missing: "
        "%(paths)s. A coordinator enters them on the robot's settings page."
    ),
    "sv": _(
        "A letter in Swedish needs these municipal settings in Swedish, which are missing: "
        "%(paths)s. A coordinator enters them on the robot's settings page."
    ),
}
UNKNOWN = _("The fee cannot be computed: %(reason)s")


def reason(error: ValueError) -> Any:
    """The refusal as a lazy message (rendered in each language by the worker)."""
    if isinstance(error, MissingTextError) and error.language in MISSING_TEXTS:
        return message(MISSING_TEXTS[error.language], paths=", ".join(error.paths))
    if isinstance(error, FeeInputError | StrictJsonError) and error.code in FEE_TEXTS:
        return message(FEE_TEXTS[error.code], **dict(error.params))
    return message(UNKNOWN, reason=str(error))
