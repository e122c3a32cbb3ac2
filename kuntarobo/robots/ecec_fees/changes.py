"""What changed since a family's previous fee decision, and what an official must look at.

The letter tells the family why the fee changed (act 1503/2016 requires the grounds), and the
reviewer's list of flags says what to check before signing. Changes and flags are codes with
machine-readable values, so the UI and the letters can word them in Finnish, Swedish or English.
Pure Python (no Django).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kuntarobo.core import formatting
from kuntarobo.robots.ecec_fees.families import FamilyRecord

LANGUAGES = ("fi", "sv", "en")
INCOME_CHANGE_PERCENT = Decimal(10)


@dataclass(frozen=True)
class ChildSnapshot:
    """One child as the decision saw it."""

    name: str
    unit: str
    hours_per_month: int | None
    coefficient: str
    sibling_rank: int
    final_fee: int

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit": self.unit,
            "hours_per_month": self.hours_per_month,
            "coefficient": self.coefficient,
            "sibling_rank": self.sibling_rank,
            "final_fee": self.final_fee,
        }

    @classmethod
    def from_json(cls, data: object) -> ChildSnapshot:
        values = _mapping(data, "child")
        hours = values.get("hours_per_month")
        return cls(
            name=_string(values, "name"),
            unit=_string(values, "unit"),
            hours_per_month=None if hours is None else _integer(values, "hours_per_month"),
            coefficient=_string(values, "coefficient"),
            sibling_rank=_integer(values, "sibling_rank"),
            final_fee=_integer(values, "final_fee"),
        )


@dataclass(frozen=True)
class DecisionSnapshot:
    """What a decision was based on; stored as JSON with the decision to compare the next one."""

    decision_number: str
    valid_from: date
    family_size: int
    income_total: int | None  # cents a month; None when income was missing or not asked
    maximum_fee_used: bool
    children: Mapping[str, ChildSnapshot]  # by child id
    total_fee: int
    parameters_valid_from: date

    def to_json(self) -> dict[str, object]:
        return {
            "decision_number": self.decision_number,
            "valid_from": self.valid_from.isoformat(),
            "family_size": self.family_size,
            "income_total": self.income_total,
            "maximum_fee_used": self.maximum_fee_used,
            "children": {key: child.to_json() for key, child in sorted(self.children.items())},
            "total_fee": self.total_fee,
            "parameters_valid_from": self.parameters_valid_from.isoformat(),
        }

    @classmethod
    def from_json(cls, data: object) -> DecisionSnapshot:
        """Read a stored snapshot; ValueError names what is wrong with it."""
        values = _mapping(data, "snapshot")
        income = values.get("income_total")
        maximum = values.get("maximum_fee_used")
        if not isinstance(maximum, bool):
            raise ValueError("snapshot: maximum_fee_used must be true or false")
        children = _mapping(values.get("children"), "children")
        return cls(
            decision_number=_string(values, "decision_number"),
            valid_from=_date(values, "valid_from"),
            family_size=_integer(values, "family_size"),
            income_total=None if income is None else _integer(values, "income_total"),
            maximum_fee_used=maximum,
            children={str(key): ChildSnapshot.from_json(child) for key, child in children.items()},
            total_fee=_integer(values, "total_fee"),
            parameters_valid_from=_date(values, "parameters_valid_from"),
        )


def _mapping(data: object, what: str) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what}: expected an object")
    return data


def _string(values: Mapping[str, object], key: str) -> str:
    value = values.get(key)
    if not isinstance(value, str):
        raise ValueError(f"snapshot: {key} must be a string")
    return value


def _integer(values: Mapping[str, object], key: str) -> int:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"snapshot: {key} must be an integer")
    return value


def _date(values: Mapping[str, object], key: str) -> date:
    value = values.get(key)
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"snapshot: {key} must be a date YYYY-MM-DD") from None


@dataclass(frozen=True)
class Change:
    """One reason the decision differs from the previous one (values are plain text:
    cents as integers, dates as YYYY-MM-DD, percents like "+12.5")."""

    code: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AttentionRules:
    """The municipality's settings for what a reviewer should be shown."""

    large_change_percent: Decimal = Decimal(20)
    large_change_cents: int = 5000
    maximum_age_years: int = 7
    income_change_percent: Decimal = INCOME_CHANGE_PERCENT  # the ±10 % rule
    # A start further back than this is flagged as far in the past (a fee is corrected
    # backwards for at most one year: municipal.RETROACTIVE_LIMIT_MONTHS).
    retroactive_limit_months: int = 12


@dataclass(frozen=True)
class Flag:
    """One thing an official must check before the decision is signed."""

    code: str
    values: Mapping[str, str] = field(default_factory=dict)


def _coefficient(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _percent_change(old: int, new: int) -> str:
    """The change from old to new in percent, signed, one decimal ("+12.5"); "" from zero."""
    if old == 0:
        return ""
    value = (Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value:+}"


def is_income_change_significant(
    old: int | None, new: int | None, percent: Decimal = INCOME_CHANGE_PERCENT
) -> bool:
    """Whether income changed by at least `percent` (the ±10 % rule municipalities use to
    decide whether a new fee decision is needed); a change to or from unknown income counts."""
    if old is None or new is None:
        return old is not new
    if old == new:
        return False
    if old == 0:
        return True
    return abs(new - old) * 100 >= percent * old


def describe_changes(previous: DecisionSnapshot | None, current: DecisionSnapshot) -> list[Change]:
    """Why the current decision differs from the previous one, in the order a letter lists them.

    A family's first decision gives [Change("first_decision")]; nothing changed gives [].
    """
    if previous is None:
        return [Change("first_decision", {})]
    found: list[Change] = []
    if previous.family_size != current.family_size:
        found.append(
            Change(
                "family_size", {"old": str(previous.family_size), "new": str(current.family_size)}
            )
        )
    old_income, new_income = previous.income_total, current.income_total
    if old_income is not None and new_income is not None and old_income != new_income:
        found.append(
            Change(
                "income",
                {
                    "old": str(old_income),
                    "new": str(new_income),
                    "percent": _percent_change(old_income, new_income),
                },
            )
        )
    elif old_income is not None and new_income is None:
        found.append(Change("missing_income", {"old": str(old_income)}))
    elif old_income is None and new_income is not None:
        found.append(Change("income_received", {"new": str(new_income)}))
    if previous.maximum_fee_used != current.maximum_fee_used:
        found.append(
            Change(
                "maximum_fee",
                {
                    "old": _yes_no(previous.maximum_fee_used),
                    "new": _yes_no(current.maximum_fee_used),
                },
            )
        )
    for child_id in sorted(set(previous.children) | set(current.children)):
        found.extend(
            _child_changes(
                child_id, previous.children.get(child_id), current.children.get(child_id)
            )
        )
    if previous.parameters_valid_from != current.parameters_valid_from:
        found.append(
            Change(
                "parameters",
                {
                    "old": previous.parameters_valid_from.isoformat(),
                    "new": current.parameters_valid_from.isoformat(),
                },
            )
        )
    if previous.total_fee != current.total_fee:
        found.append(
            Change(
                "fee",
                {
                    "old": str(previous.total_fee),
                    "new": str(current.total_fee),
                    "difference": str(current.total_fee - previous.total_fee),
                },
            )
        )
    return found


def _yes_no(value: bool) -> str:
    return "true" if value else "false"


def _child_changes(
    child_id: str, old: ChildSnapshot | None, new: ChildSnapshot | None
) -> list[Change]:
    if old is None and new is not None:
        return [Change("child_added", {"child": child_id, "name": new.name, "unit": new.unit})]
    if new is None and old is not None:
        return [Change("child_left", {"child": child_id, "name": old.name, "unit": old.unit})]
    assert old is not None
    assert new is not None
    found: list[Change] = []
    who = {"child": child_id, "name": new.name}
    if old.unit != new.unit:
        found.append(Change("placement", {**who, "old": old.unit, "new": new.unit}))
    if old.hours_per_month != new.hours_per_month or _coefficient(old.coefficient) != _coefficient(
        new.coefficient
    ):
        found.append(
            Change(
                "service_need",
                {
                    **who,
                    "old": "" if old.hours_per_month is None else str(old.hours_per_month),
                    "new": "" if new.hours_per_month is None else str(new.hours_per_month),
                    "old_coefficient": old.coefficient,
                    "new_coefficient": new.coefficient,
                },
            )
        )
    if old.sibling_rank != new.sibling_rank:
        found.append(
            Change(
                "sibling_rank", {**who, "old": str(old.sibling_rank), "new": str(new.sibling_rank)}
            )
        )
    if old.final_fee != new.final_fee:
        found.append(
            Change("child_fee", {**who, "old": str(old.final_fee), "new": str(new.final_fee)})
        )
    return found


def _age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


PRE_PRIMARY_AGE = 6  # pre-primary education begins in August of the year the child turns 6


def school_year_start(birth_date: date, age: int) -> date:
    """1 August of the year the child turns `age`: when pre-primary (6) or school (7) begins."""
    return date(birth_date.year + age, 8, 1)


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def attention_flags(
    record: FamilyRecord,
    current: DecisionSnapshot,
    previous: DecisionSnapshot | None,
    rules: AttentionRules,
    today: date | None = None,
) -> list[Flag]:
    """What the official must check before signing, most important first.

    "fee_relief" families are never decided by the robot: the flag lets it send them to a person.
    A decision starting before `today` (when given) reaches back in time: flagged, and flagged
    again when it starts more than the retroactive limit before today.
    """
    flags: list[Flag] = []
    if record.fee_relief_requested:
        flags.append(Flag("fee_relief", {}))
    if today is not None and record.period_start < today:
        limit = months_before(today, rules.retroactive_limit_months)
        values = {
            "start": record.period_start.isoformat(),
            "today": today.isoformat(),
            "months": str(rules.retroactive_limit_months),
        }
        if record.period_start < limit:
            flags.append(Flag("far_retroactive_start", values))
        flags.append(Flag("retroactive_start", values))
    missing = record.missing_income_persons()
    if missing or (current.income_total is None and not record.accepts_max_fee):
        flags.append(Flag("missing_income", {"persons": ", ".join(missing)}))
    if record.accepts_max_fee:
        flags.append(Flag("accepts_max_fee", {}))
    if previous is not None:
        flags.extend(_fee_and_income_flags(current, previous, rules))
    for child in record.children:
        who = {"child": child.id, "name": child.name}
        if child.ended_before(record.period_start):
            assert child.placement.end is not None
            flags.append(Flag("placement_ended", {**who, "end": child.placement.end.isoformat()}))
            continue
        age = _age_on(child.birth_date, record.period_start)
        start = record.period_start
        # School begins in August of the year the child turns 7, often before the birthday.
        if age >= rules.maximum_age_years or start >= school_year_start(
            child.birth_date, rules.maximum_age_years
        ):
            flags.append(
                Flag(
                    "child_over_age",
                    {**who, "age": str(age), "birth_date": child.birth_date.isoformat()},
                )
            )
        elif not child.pre_primary and start >= school_year_start(
            child.birth_date, PRE_PRIMARY_AGE
        ):
            flags.append(
                Flag(
                    "pre_primary_age",
                    {
                        **who,
                        "age": str(age),
                        "birth_date": child.birth_date.isoformat(),
                        "start": school_year_start(child.birth_date, PRE_PRIMARY_AGE).isoformat(),
                    },
                )
            )
        if child.service_need_missing:
            flags.append(Flag("service_need_missing", who))
        if child.placement.start > record.period_start:
            flags.append(
                Flag("placement_starts_later", {**who, "start": child.placement.start.isoformat()})
            )
        if child.placement.end is not None and child.placement.end >= record.period_start:
            flags.append(Flag("placement_ends", {**who, "end": child.placement.end.isoformat()}))
        if child.alterations:
            flags.append(Flag("manual_alteration", {**who, "count": str(len(child.alterations))}))
    return flags


def _fee_and_income_flags(
    current: DecisionSnapshot, previous: DecisionSnapshot, rules: AttentionRules
) -> list[Flag]:
    flags: list[Flag] = []
    difference = current.total_fee - previous.total_fee
    if difference:
        percent = _percent_change(previous.total_fee, current.total_fee)
        before = previous.total_fee
        large = abs(difference) >= rules.large_change_cents
        if before == 0 or abs(difference) * 100 >= rules.large_change_percent * before:
            large = True  # exact, not the rounded percent shown
        if large:
            flags.append(
                Flag(
                    "large_change",
                    {
                        "old": str(previous.total_fee),
                        "new": str(current.total_fee),
                        "difference": str(difference),
                        "percent": percent,
                    },
                )
            )
    old, new = previous.income_total, current.income_total
    limit = rules.income_change_percent
    if old is None or new is None or old == new or is_income_change_significant(old, new, limit):
        return flags
    flags.append(
        Flag(
            "small_income_change",
            {
                "old": str(old),
                "new": str(new),
                "percent": _percent_change(old, new),
                "limit": str(limit),
            },
        )
    )
    return flags


# --- Wording -------------------------------------------------------------------------------------


def format_euros(cents: int, language: str, *, signed: bool = False) -> str:
    """Cents as euros the way the language writes them: fi/sv "1 234,50 €", en "€1,234.50"."""
    return formatting.format_euros(
        cents, "en" if language == "en" else "fi", signed=signed, thousands=" "
    )


def format_date(text: str, language: str) -> str:
    """An ISO date as written in a letter: fi/sv "1.8.2026", en "1 August 2026"."""
    return formatting.format_iso_date(text, language)


def _format_percent(text: str, language: str) -> str:
    if not text:
        return ""
    return f"{text}%" if language == "en" else text.replace(".", ",") + " %"


def _format_service_need(hours: str, coefficient: str, language: str) -> str:
    if hours:
        unit = {"fi": "h/kk", "sv": "h/mån", "en": "h/month"}[language]
        return f"{hours} {unit}"
    value = _coefficient(coefficient)
    if value is None:
        return "–"
    percent = _format_percent(decimal_percent(value), language)
    return {
        "fi": f"{percent} kokoaikaisesta maksusta",
        "sv": f"{percent} av heltidsavgiften",
        "en": f"{percent} of the full-time fee",
    }[language]


def decimal_percent(value: Decimal) -> str:
    """0.85 -> "85"; 0.875 -> "87.5"."""
    text = format(value * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_EURO_KEYS = ("old", "new")

CHANGE_TEXTS: Mapping[str, Mapping[str, str]] = {
    "first_decision": {
        "fi": "Tämä on perheen ensimmäinen varhaiskasvatuksen asiakasmaksupäätös.",
        "sv": "Detta är familjens första beslut om klientavgift inom småbarnspedagogiken.",
        "en": "This is the family's first early childhood education fee decision.",
    },
    "family_size": {
        "fi": "Perheen koko on muuttunut: aiemmin {old}, nyt {new} henkilöä.",
        "sv": "Familjens storlek har ändrats från {old} till {new} personer.",
        "en": "The family size changed from {old} to {new} persons.",
    },
    "income": {
        "fi": "Perheen bruttotulot kuukaudessa ovat muuttuneet: aiemmin {old}, nyt {new}"
        "{percent_paren}.",
        "sv": "Familjens bruttoinkomster per månad har ändrats från {old} till {new}"
        "{percent_paren}.",
        "en": "The family's gross monthly income changed from {old} to {new}{percent_paren}.",
    },
    "missing_income": {
        "fi": "Perheen tulotiedot puuttuvat, joten maksu on määrätty korkeimman maksun mukaan"
        " (aiemmat tulot {old} kuukaudessa).",
        "sv": "Familjens inkomstuppgifter saknas, därför har den högsta avgiften fastställts"
        " (tidigare inkomster {old} per månad).",
        "en": "The family's income information is missing, so the highest fee is charged"
        " (previous income {old} a month).",
    },
    "income_received": {
        "fi": "Perheen tulotiedot on saatu: {new} kuukaudessa. Aiemmin tulotietoja ei ollut"
        " käytettävissä.",
        "sv": "Familjens inkomstuppgifter har kommit in: {new} per månad. Tidigare fanns inga"
        " inkomstuppgifter.",
        "en": "The family's income is now known: {new} a month. Previously there was no income"
        " information.",
    },
    "maximum_fee": {
        "fi": "{maximum_fee_fi}",
        "sv": "{maximum_fee_sv}",
        "en": "{maximum_fee_en}",
    },
    "child_added": {
        "fi": "{name} on aloittanut varhaiskasvatuksessa ({unit}).",
        "sv": "{name} har börjat inom småbarnspedagogiken ({unit}).",
        "en": "{name} has started in early childhood education ({unit}).",
    },
    "child_left": {
        "fi": "{name} ei ole enää varhaiskasvatuksessa ({unit}).",
        "sv": "{name} deltar inte längre i småbarnspedagogiken ({unit}).",
        "en": "{name} is no longer in early childhood education ({unit}).",
    },
    "placement": {
        "fi": "{name}: varhaiskasvatuspaikka on muuttunut: aiemmin {old}, nyt {new}.",
        "sv": "{name}: platsen inom småbarnspedagogiken har ändrats från {old} till {new}.",
        "en": "{name}: the early childhood education unit changed from {old} to {new}.",
    },
    "service_need": {
        "fi": "{name}: palveluntarve on muuttunut: aiemmin {old}, nyt {new}.",
        "sv": "{name}: servicebehovet har ändrats från {old} till {new}.",
        "en": "{name}: the service need changed from {old} to {new}.",
    },
    "sibling_rank": {
        "fi": "{name}: sisarusjärjestys on muuttunut: aiemmin {old}., nyt {new}. nuorin lapsi.",
        "sv": "{name}: syskonordningen har ändrats från {old} till {new} (1 = det yngsta barnet).",
        "en": "{name}: the sibling order changed from {old} to {new} (1 = the youngest child).",
    },
    "child_fee": {
        "fi": "{name}: maksu on muuttunut: aiemmin {old}, nyt {new} kuukaudessa.",
        "sv": "{name}: avgiften har ändrats från {old} till {new} per månad.",
        "en": "{name}: the fee changed from {old} to {new} a month.",
    },
    "parameters": {
        "fi": "Asiakasmaksulain tulorajat ja maksut on tarkistettu {new} alkaen (aiemmat"
        " voimassa {old} alkaen).",
        "sv": "Inkomstgränserna och avgifterna enligt lagen om klientavgifter har justerats från"
        " och med {new} (tidigare från och med {old}).",
        "en": "The income limits and fees under the client fee act were revised from {new}"
        " (previously from {old}).",
    },
    "fee": {
        "fi": "Perheen maksut yhteensä muuttuvat: aiemmin {old}, nyt {new} kuukaudessa.",
        "sv": "Familjens avgifter sammanlagt ändras från {old} till {new} per månad.",
        "en": "The family's total fee changes from {old} to {new} a month.",
    },
}

FLAG_TEXTS: Mapping[str, Mapping[str, str]] = {
    "fee_relief": {
        "fi": "Perhe on hakenut maksun alentamista tai perimättä jättämistä. Robotti ei päätä"
        " tätä: käsittele hakemus ja tee päätös itse.",
        "sv": "Familjen har ansökt om nedsättning eller efterskänkning av avgiften. Roboten"
        " beslutar inte om detta: behandla ansökan och fatta beslutet själv.",
        "en": "The family has applied for a reduction or waiver of the fee. The robot does not"
        " decide this: handle the application and make the decision yourself.",
    },
    "missing_income": {
        "fi": "Tulotiedot puuttuvat{persons_part}, joten perittiin korkein maksu. Tarkista, onko"
        " tulotiedot saatu, tai pyydä ne perheeltä.",
        "sv": "Inkomstuppgifter saknas{persons_part}, därför debiterades den högsta avgiften."
        " Kontrollera om uppgifterna har kommit in eller begär dem av familjen.",
        "en": "Income information is missing{persons_part}, so the highest fee was charged."
        " Check whether it has arrived, or ask the family for it.",
    },
    "accepts_max_fee": {
        "fi": "Perhe on suostunut korkeimpaan maksuun, joten tuloja ei tarkistettu. Tarkista,"
        " että suostumus on voimassa tälle kaudelle.",
        "sv": "Familjen har godkänt den högsta avgiften, därför kontrollerades inte"
        " inkomsterna. Kontrollera att godkännandet gäller för denna period.",
        "en": "The family has agreed to pay the highest fee, so income was not checked. Check"
        " that the consent is valid for this period.",
    },
    "large_change": {
        "fi": "Perheen maksut muuttuvat paljon: aiemmin {old}, nyt {new} ({difference}"
        "{percent_part}). Tarkista tulot, perheen koko ja palveluntarve ennen päätöstä.",
        "sv": "Familjens avgifter ändras mycket: från {old} till {new} ({difference}"
        "{percent_part}). Kontrollera inkomsterna, familjens storlek och servicebehovet före"
        " beslutet.",
        "en": "The family's fees change a lot: from {old} to {new} ({difference}{percent_part})."
        " Check the income, the family size and the service need before deciding.",
    },
    "small_income_change": {
        "fi": "Tulot muuttuivat alle {limit} %: aiemmin {old}, nyt {new} ({percent}). Jos muu"
        " ei muuttunut, uutta päätöstä ei ehkä tarvita.",
        "sv": "Inkomsterna ändrades med mindre än {limit} %: från {old} till {new} ({percent})."
        " Om inget annat har ändrats behövs kanske inget nytt beslut.",
        "en": "Income changed by less than {limit}%: from {old} to {new} ({percent}). If"
        " nothing else changed, a new decision may not be needed.",
    },
    "child_over_age": {
        "fi": "{name} on {age}-vuotias kauden alkaessa (syntynyt {birth_date}). Tarkista"
        " varhaiskasvatuspaikka: onko lapsi jo esi- tai perusopetuksessa?",
        "sv": "{name} är {age} år när perioden börjar (född {birth_date}). Kontrollera platsen:"
        " går barnet redan i förskoleundervisning eller grundläggande utbildning?",
        "en": "{name} is {age} years old when the period starts (born {birth_date}). Check the"
        " placement: is the child already in pre-primary or basic education?",
    },
    "pre_primary_age": {
        "fi": "{name} on esiopetusikäinen (syntynyt {birth_date}): esiopetus alkaa {start}, ja"
        " sen tunnit ovat maksuttomia. Tarkista, onko lapsi esiopetuksessa; silloin maksu"
        " peritään vain täydentävästä varhaiskasvatuksesta.",
        "sv": "{name} är i förskoleåldern (född {birth_date}): förskoleundervisningen börjar"
        " {start} och dess timmar är avgiftsfria. Kontrollera om barnet deltar i"
        " förskoleundervisning; då tas avgift ut endast för den kompletterande"
        " småbarnspedagogiken.",
        "en": "{name} is of pre-primary age (born {birth_date}): pre-primary education begins on"
        " {start} and its hours are free. Check whether the child is in pre-primary education;"
        " then only the supplementary ECEC is charged.",
    },
    "retroactive_start": {
        "fi": "Päätös alkaa menneisyydessä ({start}). Laki varhaiskasvatuksen asiakasmaksuista"
        " (1503/2016) sallii maksun korjaamisen takautuvasti vain lain rajoissa. Tarkista"
        " peruste ennen kuin hyväksyt.",
        "sv": "Beslutet börjar i det förflutna ({start}). Lagen om klientavgifter inom"
        " småbarnspedagogiken (1503/2016) tillåter att en avgift rättas retroaktivt endast inom"
        " lagens gränser. Kontrollera grunden innan du godkänner.",
        "en": "The decision starts in the past ({start}). The Act on Early Childhood Education"
        " and Care Client Fees (1503/2016) allows a fee to be corrected backwards only within its"
        " rules. Check the ground before approving.",
    },
    "far_retroactive_start": {
        "fi": "Päätös alkaa yli {months} kuukautta sitten ({start}). Maksu voidaan korjata"
        " takautuvasti enintään vuoden ajalta. Tarkista alkamispäivä.",
        "sv": "Beslutet börjar för mer än {months} månader sedan ({start}). En avgift kan rättas"
        " retroaktivt för högst ett år. Kontrollera startdagen.",
        "en": "The decision starts more than {months} months ago ({start}). A fee can be"
        " corrected backwards for at most one year. Check the start date.",
    },
    "service_need_missing": {
        "fi": "{name}: palveluntarve puuttuu, vaikka lapsella on varhaiskasvatuspaikka."
        " Tarkista palveluntarve ennen päätöstä.",
        "sv": "{name}: servicebehovet saknas fast barnet har en plats inom"
        " småbarnspedagogiken. Kontrollera servicebehovet före beslutet.",
        "en": "{name}: the service need is missing although the child has a place in early"
        " childhood education. Check the service need before deciding.",
    },
    "placement_ended": {
        "fi": "{name}: varhaiskasvatus on päättynyt {end}, joten lapselta ei peritä maksua."
        " Tarkista, että paikka on todella päättynyt.",
        "sv": "{name}: småbarnspedagogiken upphörde {end}, därför debiteras ingen avgift för"
        " barnet. Kontrollera att platsen verkligen har upphört.",
        "en": "{name}: early childhood education ended on {end}, so no fee is charged for the"
        " child. Check that the placement has really ended.",
    },
    "placement_starts_later": {
        "fi": "{name}: varhaiskasvatus alkaa vasta {start}, eikä lapsen maksu sisälly tähän"
        " päätökseen. Robotti valmistelee alkamispäivästä erillisen päätöksen, kun"
        " maksuperusteet sille päivälle tunnetaan. Tarkista alkamispäivä.",
        "sv": "{name}: småbarnspedagogiken börjar först {start}, och barnets avgift ingår inte i"
        " detta beslut. Roboten bereder ett separat beslut från startdagen när avgiftsgrunderna"
        " för den dagen är kända. Kontrollera startdagen.",
        "en": "{name}: early childhood education starts only on {start}, and the child's fee is"
        " not in this decision. The robot prepares a separate decision from the start date once"
        " the fee parameters for that day are known. Check the start date.",
    },
    "placement_ends": {
        "fi": "{name}: varhaiskasvatus päättyy {end}, ja päätös on voimassa siihen asti."
        " Tarkista päättymispäivä; jatkaville lapsille robotti valmistelee uuden päätöksen"
        " seuraavasta päivästä.",
        "sv": "{name}: småbarnspedagogiken upphör {end}, och beslutet gäller till dess."
        " Kontrollera slutdagen; för barn som fortsätter bereder roboten ett nytt beslut från"
        " följande dag.",
        "en": "{name}: early childhood education ends on {end}, and the decision is valid until"
        " then. Check the end date; for children who continue, the robot prepares a new"
        " decision from the next day.",
    },
    "manual_alteration": {
        "fi": "{name}: maksuun on tehty kunnan päätökseen perustuva alennus tai korotus"
        " ({count} kpl). Tarkista, että päätös on yhä voimassa.",
        "sv": "{name}: avgiften har en nedsättning eller höjning enligt kommunens beslut"
        " ({count} st.). Kontrollera att beslutet fortfarande gäller.",
        "en": "{name}: the fee has a discount or increase by the municipality's decision"
        " ({count}). Check that the decision is still valid.",
    },
}

_MAXIMUM_FEE = {
    ("fi", "true"): "Maksu määrätään nyt korkeimman maksun mukaan.",
    ("fi", "false"): "Maksua ei enää määrätä korkeimman maksun mukaan.",
    ("sv", "true"): "Avgiften fastställs nu enligt den högsta avgiften.",
    ("sv", "false"): "Avgiften fastställs inte längre enligt den högsta avgiften.",
    ("en", "true"): "The fee is now the highest fee.",
    ("en", "false"): "The fee is no longer the highest fee.",
}


def _wording(values: Mapping[str, str], code: str, language: str) -> dict[str, str]:
    """The values formatted for the language: euros, dates, percents, service needs."""
    shown = dict(values)
    money = ("old", "new", "difference") if code not in _NOT_MONEY else ("difference",)
    for key in money:
        if shown.get(key, "").lstrip("+-").isdigit():
            shown[key] = format_euros(int(shown[key]), language, signed=key == "difference")
    for key in ("birth_date", "end", "start", "today"):
        if key in shown:
            shown[key] = format_date(shown[key], language)
    if code == "parameters":
        shown["old"] = format_date(shown.get("old", ""), language)
        shown["new"] = format_date(shown.get("new", ""), language)
    if code == "service_need":
        shown["old"] = _format_service_need(
            values.get("old", ""), values.get("old_coefficient", ""), language
        )
        shown["new"] = _format_service_need(
            values.get("new", ""), values.get("new_coefficient", ""), language
        )
    shown["percent"] = _format_percent(values.get("percent", ""), language)
    shown["percent_part"] = f", {shown['percent']}" if shown["percent"] else ""
    shown["percent_paren"] = f" ({shown['percent']})" if shown["percent"] else ""
    persons = values.get("persons", "")
    shown["persons_part"] = f" ({persons})" if persons else ""
    for lang in LANGUAGES:
        shown[f"maximum_fee_{lang}"] = _MAXIMUM_FEE.get((lang, values.get("new", "")), "")
    return shown


_NOT_MONEY = frozenset({"family_size", "placement", "service_need", "sibling_rank", "parameters"})


def _text(
    texts: Mapping[str, Mapping[str, str]], code: str, values: Mapping[str, str], language: str
) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: expected one of {', '.join(LANGUAGES)}")
    try:
        template = texts[code][language]
    except KeyError:
        raise ValueError(f"unknown code {code!r}") from None
    shown = _wording(values, code, language)
    try:
        return template.format_map(shown)
    except KeyError as missing:
        raise ValueError(f"{code}: the value {missing} is missing") from None


def change_text(change: Change, language: str) -> str:
    """The change as a sentence of a letter in "fi", "sv" or "en"."""
    return _text(CHANGE_TEXTS, change.code, change.values, language)


def flag_text(flag: Flag, language: str) -> str:
    """The flag as a sentence for the official, saying what to check."""
    return _text(FLAG_TEXTS, flag.code, flag.values, language)
