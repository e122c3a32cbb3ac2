"""Stored business cases: creating, changing and deleting one (with its years), and evaluating
it by the Ministry of Finance's method (kuntarobo.core.business_case). One action per change,
used by the web, the API and the command line alike; each checks the manage-portfolio
permission, writes the audit trail with the case before and after, and changes nothing when
the input is bad.

The input of `save_business_case` is the CLI contract's JSON (euros) with the stored case's own
keys beside it (title, idea, hourly_cost): the core's `parse` checks the figures, so a field is
named the same way on every entry point. The realised side (another module) calls
`kuntarobo.core.business_case.evaluate` with figures from run data; `plan_figures` and
`evaluate_case` are the planned side.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.core.business_case import (
    MAX_EUROS,
    WORDING,
    BusinessCaseError,
    BusinessCaseResult,
    Rules,
    YearFigures,
    evaluate,
    number,
    parse,
)
from kuntarobo.core.strict_json import Reader
from kuntarobo.portfolio.models import BusinessCase, BusinessCaseYear, Idea
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from kuntarobo.audit.trail import Actor

CENTS: Final = Decimal(100)
CASE_KEYS: Final = ("title", "idea", "hourly_cost", "start_year", "horizon_year", "years", "rules")
# The stored rules' columns: payback at most 99.99 years, a ratio at most 999.99.
MAX_PAYBACK_YEARS: Final = Decimal("99.99")
MAX_RATIO: Final = Decimal("999.99")
MAX_HOURLY_COST: Final = Decimal(1_000_000)
MAX_MINUTES: Final = Decimal("99999.99")
TITLE_LENGTH: Final = 200

# The core's problems in the reader's language (the API and CLI show the core's English).
MESSAGES: Final[Mapping[str, StrOrPromise]] = {
    "not_object": _("must be an object, got %(value)s"),
    "unknown_key": _("unknown key %(key)s"),
    "missing": _("is required"),
    "not_integer": _("must be a whole number, got %(value)s"),
    "below_minimum": _("must be at least %(min)s, got %(value)s"),
    "above_maximum": _("must be at most %(max)s, got %(value)s"),
    "not_list": _("must be a list, got %(value)s"),
    "too_few": _("must have at least %(min)s items"),
    "too_many": _("must have at most %(max)s items"),
    "not_decimal": _("must be a number of euros, got %(value)s"),
    "bad_decimal": _("is not a number: %(value)s"),
    "not_finite": _("must be a finite number, got %(value)s"),
    "negative": _("must not be negative, got %(value)s"),
    "too_big": _("must be less than %(max)s, got %(value)s"),
    "before_start": _("year %(year)s is before start_year %(start)s"),
    "duplicate_year": _("year %(year)s is given twice"),
    "horizon_before_start": _("horizon_year %(horizon)s is before start_year %(start)s"),
    "span_too_long": _("the case spans %(years)s years; at most %(max)s are allowed"),
    "no_investment": _(
        "the investment (the sum of development costs to the horizon year) must be more than 0"
    ),
    "benefit_twice": _("give either gross_benefit or volume, minutes_saved and hourly_cost"),
    "derived_incomplete": _("%(missing)s is required to derive the gross benefit"),
    "ratio_years_beyond_horizon": _(
        "ratio_years %(years)s reaches beyond horizon_year %(horizon)s"
    ),
    "not_text": _("must be a string, got %(value)s"),
    "empty_text": _("is required"),
    "too_long": _("is longer than %(max)s characters"),
    "too_many_decimals": _("must have at most 2 decimals, got %(value)s"),
    "no_such_idea": _("no idea %(value)s in this municipality"),
}


def input_error(error: BusinessCaseError) -> InputError:
    """The core's problem as the platform's InputError: translatable, its field the path."""
    message = MESSAGES.get(error.code)
    if message is None:
        return InputError(error.message, field=error.path or None)
    return InputError(message, field=error.path or None, **dict(error.params))


def cents(value: Decimal) -> int:
    return int((value * CENTS).to_integral_value(rounding=ROUND_HALF_UP))


def euros(value_cents: int) -> Decimal:
    return Decimal(value_cents) / CENTS


# --- the planned side: figures and result --------------------------------------------------


def _plain(value: Decimal | float | int) -> Decimal:
    """A stored threshold without the column's trailing zeros (3.00 → 3), as it was entered."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def case_rules(case: BusinessCase) -> Rules:
    return Rules(
        payback_max_years=_plain(case.payback_max_years),
        benefit_ratio_min=_plain(case.benefit_ratio_min),
        ratio_years=case.ratio_years,
    )


def plan_figures(case: BusinessCase) -> list[YearFigures]:
    """The case's planned years in euros, ordered by year (a derived gross benefit as computed
    when the case was saved)."""
    return [
        YearFigures(
            year=row.year,
            development_cost=euros(row.development_cost_cents),
            running_cost=euros(row.running_cost_cents),
            gross_benefit=euros(row.gross_benefit_cents),
        )
        for row in case.years.order_by("year")
    ]


def evaluate_case(case: BusinessCase) -> BusinessCaseResult:
    """The planned business case by the Ministry of Finance's method, with the case's rules."""
    return evaluate(case.start_year, case.horizon_year, plan_figures(case), case_rules(case))


# --- reading and representing a stored case ------------------------------------------------


def case_json(case: BusinessCase) -> dict[str, Any]:
    """A stored case in the input's shape (euros), as the API shows it and `save` takes it."""
    years: list[dict[str, Any]] = []
    for row in case.years.order_by("year"):
        entry: dict[str, Any] = {
            "year": row.year,
            "development_cost": number(euros(row.development_cost_cents)),
            "running_cost": number(euros(row.running_cost_cents)),
        }
        if row.volume is not None and row.minutes_saved is not None:
            entry["volume"] = row.volume
            entry["minutes_saved"] = number(Decimal(row.minutes_saved))
        else:
            entry["gross_benefit"] = number(euros(row.gross_benefit_cents))
        years.append(entry)
    return {
        "title": case.title,
        "idea": case.idea_id,
        "hourly_cost": None
        if case.hourly_cost_cents is None
        else number(euros(case.hourly_cost_cents)),
        "start_year": case.start_year,
        "horizon_year": case.horizon_year,
        "rules": {
            "payback_max_years": number(Decimal(case.payback_max_years)),
            "benefit_ratio_min": number(Decimal(case.benefit_ratio_min)),
            "ratio_years": case.ratio_years,
        },
        "years": years,
    }


class _Checked:
    """A stored case's input, checked: the core's figures plus the case's own fields."""

    def __init__(self, municipality: Municipality, data: object) -> None:
        root = Reader(data, "", WORDING).object(CASE_KEYS)
        self.title = root.field("title").text(
            max_length=TITLE_LENGTH, strip=True, allow_empty=False
        )
        self.idea = _idea(municipality, root.optional("idea"))
        hourly = root.optional("hourly_cost")
        self.hourly_cost = None if hourly is None else _limited(hourly, MAX_HOURLY_COST)
        years = root.mapping().get("years")
        core_years: object = years
        if isinstance(years, list):
            # The case's hourly cost is each derived year's; the core checks the rest.
            core_years = [
                self._year_for_core(root, index, item) for index, item in enumerate(years)
            ]
        rules = root.optional("rules")
        if rules is not None:
            rules.object()
            for key, limit in (
                ("payback_max_years", MAX_PAYBACK_YEARS),
                ("benefit_ratio_min", MAX_RATIO),
            ):
                value = rules.optional(key)
                if value is not None:
                    _limited(value, limit)
        core = {
            key: value
            for key, value in root.mapping().items()
            if key in ("start_year", "horizon_year", "rules", "years")
        }
        if isinstance(years, list):
            core["years"] = core_years
        self.parsed = parse(core)
        for index, item in enumerate(years if isinstance(years, list) else []):
            if isinstance(item, Mapping):
                for key in ("development_cost", "running_cost", "gross_benefit"):
                    if item.get(key) is not None:
                        _limited(Reader(item[key], f"years[{index}].{key}", WORDING), MAX_EUROS)

    def _year_for_core(self, root: Reader, index: int, item: object) -> object:
        if not isinstance(item, Mapping) or item.get("gross_benefit") is not None:
            return item
        if item.get("volume") is None and item.get("minutes_saved") is None:
            return item
        if "hourly_cost" in item:
            root.fail("unknown_key", at=f"years[{index}].hourly_cost", key="'hourly_cost'")
        if self.hourly_cost is None:
            root.fail("derived_incomplete", at="hourly_cost", missing="hourly_cost")
        minutes = item.get("minutes_saved")
        if minutes is not None:
            _limited(Reader(minutes, f"years[{index}].minutes_saved", WORDING), MAX_MINUTES)
        return {**item, "hourly_cost": self.hourly_cost}


def _limited(reader: Reader, limit: Decimal) -> Decimal:
    """A non-negative amount with at most 2 decimals, at most `limit` (what a column holds)."""
    if isinstance(reader.value, str):
        reader.fail("not_decimal", value=reader.shown())
    value = reader.decimal(numbers=(int, float, Decimal))
    if value < 0:
        reader.fail("negative", value=reader.shown())
    if value > limit:
        reader.fail("above_maximum", value=reader.shown(), max=limit)
    if value != value.quantize(Decimal("0.01")):
        reader.fail("too_many_decimals", value=reader.shown())
    return value


def _idea(municipality: Municipality, reader: Reader | None) -> Idea | None:
    if reader is None:
        return None
    idea_id = reader.integer(minimum=1)
    idea = Idea.objects.filter(pk=idea_id, municipality=municipality).first()
    if idea is None:
        # Another municipality's idea is refused exactly like one that does not exist.
        reader.fail("no_such_idea", value=idea_id)
    return idea


def check_case(municipality: Municipality, data: object) -> _Checked:
    try:
        return _Checked(municipality, data)
    except BusinessCaseError as error:
        raise input_error(error) from None


# --- actions --------------------------------------------------------------------------------


def save_business_case(
    actor: Actor,
    municipality: Municipality,
    data: object,
    *,
    case: BusinessCase | None = None,
    via: str,
) -> BusinessCase:
    """Create a case of `municipality` (case None) or replace a case's plan and years with
    `data`; the manage-portfolio permission of the case's municipality."""
    if case is not None:
        municipality = case.municipality
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    checked = check_case(municipality, data)
    parsed = checked.parsed
    with transaction.atomic():
        before = case_json(case) if case is not None else None
        target = case or BusinessCase(municipality=municipality)
        if case is None and actor is not None and not isinstance(actor, str):
            target.created_by = actor if actor.is_authenticated else None
        target.title = checked.title
        target.idea = checked.idea
        target.start_year = parsed.start_year
        target.horizon_year = parsed.horizon_year
        target.payback_max_years = parsed.rules.payback_max_years
        target.benefit_ratio_min = parsed.rules.benefit_ratio_min
        target.ratio_years = parsed.rules.ratio_years
        target.hourly_cost_cents = (
            None if checked.hourly_cost is None else cents(checked.hourly_cost)
        )
        target.save()
        target.years.all().delete()
        raw_years = data["years"] if isinstance(data, Mapping) else []
        BusinessCaseYear.objects.bulk_create(
            [
                BusinessCaseYear(
                    case=target,
                    year=figures.year,
                    development_cost_cents=cents(figures.development_cost),
                    running_cost_cents=cents(figures.running_cost),
                    gross_benefit_cents=cents(figures.gross_benefit),
                    volume=_given(raw, "volume"),
                    minutes_saved=_given(raw, "minutes_saved"),
                )
                for figures, raw in zip(parsed.years, raw_years, strict=True)
            ]
        )
        record(
            "portfolio.business_case_created"
            if case is None
            else "portfolio.business_case_changed",
            actor=actor,
            municipality=municipality,
            obj=target,
            details={"before": before, "after": case_json(target)},
            via=via,
        )
    target.refresh_from_db()
    return target


def _given(raw: object, key: str) -> Any:
    if not isinstance(raw, Mapping) or raw.get("gross_benefit") is not None:
        return None
    value = raw.get(key)
    if value is None:
        return None
    return Decimal(str(value)) if key == "minutes_saved" else value


def delete_business_case(actor: Actor, case: BusinessCase, *, via: str) -> None:
    require(actor, case.municipality, Permission.MANAGE_PORTFOLIO)
    with transaction.atomic():
        before = case_json(case)
        record(
            "portfolio.business_case_deleted",
            actor=actor,
            municipality=case.municipality,
            obj=case,
            details={"before": before, "after": None},
            via=via,
        )
        case.delete()
