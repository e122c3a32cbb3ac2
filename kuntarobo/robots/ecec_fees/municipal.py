"""A municipality's own ECEC fee settings: its service-need hour bands, who decides and who
answers questions, where a review is requested, and when a case needs a person's attention.

The act (1503/2016) sets maximums only; these are the municipality's choices, stored as JSON in
dated rows so that a decision can always say which settings produced it. Pure Python.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kuntarobo.core.strict_json import Reader, StrictJsonError, Wording

# The example bands of the fee pages (hours per month → share of the full-time fee).
DEFAULT_BANDS: tuple[tuple[int | None, Decimal], ...] = (
    (84, Decimal("0.60")),
    (105, Decimal("0.70")),
    (146, Decimal("0.85")),
    (None, Decimal("1.00")),
)
LANGUAGES = ("fi", "sv")
# Care of at most 20 h/week (84 h/month) costs at most 60 % of the full-time fee (1503/2016).
PART_TIME_MAX_HOURS = 84
PART_TIME_MAX_SHARE = Decimal("0.60")
# A decision may reach back in time only within the act's rules: a fee is corrected backwards
# for at most one year where the family gave wrong information (the domain notes, "Corrections").
# A start further back than this many months is flagged as far in the past; a municipality may
# set a shorter limit, never a longer one.
RETROACTIVE_LIMIT_MONTHS = 12
POSTAL_CODE = re.compile(r"\d{5}")
SERVICE_ID = re.compile(r"[A-Za-z0-9_.\-]{1,100}")


class SettingsError(StrictJsonError):
    """A setting is wrong: the message names the setting (a dotted path) and the value."""


def _show(value: object) -> str:
    return f"{value!r:.100}"


# How the settings have always worded the shared checks (a coordinator reads these).
WORDING = Wording(
    templates={
        "not_object": "must be a JSON object",
        "unknown_key": "unknown setting",
        "not_text": "must be text, not {value}",
        "not_integer": "must be a whole number, not {value}",
        "not_decimal": 'must be a number as text, e.g. "0.85", not {value}',
        "bad_decimal": "{value} is not a number",
        "not_finite": "{value} is not a number",
        "not_list": "must be a list of bands",
    },
    show=_show,
    error=SettingsError,
)
_EMPTY = (None, "")


@dataclass(frozen=True)
class Localized:
    """A text the decision letter prints in the family's language."""

    fi: str
    sv: str = ""

    def get(self, language: str) -> str:
        """The text in `language`, else the Finnish one (for staff pages; letters use `text`)."""
        return (self.sv if language == "sv" else self.fi) or self.fi

    def text(self, language: str) -> str:
        """The text in `language` only: "" when it was not given in that language."""
        return {"fi": self.fi, "sv": self.sv}.get(language, "")


class MissingTextError(ValueError):
    """A letter in a language the settings lack texts in: never printed with the Finnish ones."""

    def __init__(self, language: str, paths: Sequence[str]) -> None:
        self.language = language
        self.paths = tuple(paths)
        name = LANGUAGE_NAMES.get(language, language)
        super().__init__(
            f"a letter in {name} needs these municipal settings in {name}, which are missing: "
            f"{', '.join(self.paths)}; a coordinator enters them on the robot's settings page"
        )


LANGUAGE_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}


@dataclass(frozen=True)
class Person:
    name: str
    title: Localized = Localized("")
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ReviewAuthority:
    """Where a request for review (oikaisuvaatimus) is sent."""

    name: Localized
    street: Localized  # "PL 1" / "PB 1"
    postal_code: str
    city: Localized  # "Esimerkkilä" / the Swedish name
    email: str = ""


@dataclass(frozen=True)
class MunicipalFeeSettings:
    authority: Localized
    contact: Person
    review_authority: ReviewAuthority
    # The municipal decision that set the service-need shares (body, date, §), cited in letters.
    service_need_decision: Localized = Localized("")
    service_need_bands: tuple[tuple[int | None, Decimal], ...] = DEFAULT_BANDS
    decision_number_prefix: str = "VAKA"
    large_change_percent: Decimal = Decimal(20)
    large_change_cents: int = 5000
    maximum_age_years: int = 7
    # Whether a child in pre-primary education only counts in the sibling order (eVaka, used by
    # Espoo and Tampere, counts it).
    pre_primary_in_sibling_order: bool = True
    retroactive_limit_months: int = RETROACTIVE_LIMIT_MONTHS
    # The language of the reviewers' explanation lines and flags (the letter follows the family).
    officials_language: str = "fi"
    sender_address: tuple[str, str, str] = field(default=("", "", ""))  # street, code, city
    # The municipality's own Suomi.fi Messages service (palvelutunnus) when a shared-service
    # centre's system account sends for several; "" uses the installation's service id.
    suomifi_service_id: str = ""

    def __post_init__(self) -> None:
        validate_bands(self.service_need_bands, "service_need_bands")
        if not re.fullmatch(r"[A-Z0-9]{1,12}", self.decision_number_prefix):
            raise SettingsError(
                "decision_number_prefix", "1 to 12 capital letters or digits, e.g. VAKA"
            )
        if not Decimal(0) < self.large_change_percent <= Decimal(1000):
            raise SettingsError("large_change_percent", "must be above 0 and at most 1000")
        if self.large_change_cents < 1:
            raise SettingsError("large_change_cents", "must be a positive number of cents")
        if not 1 <= self.maximum_age_years <= 18:
            raise SettingsError("maximum_age_years", "must be between 1 and 18")
        if not 1 <= self.retroactive_limit_months <= RETROACTIVE_LIMIT_MONTHS:
            raise SettingsError(
                "retroactive_limit_months",
                f"must be between 1 and {RETROACTIVE_LIMIT_MONTHS} (a fee is corrected backwards"
                " for at most one year)",
            )
        if self.officials_language not in LANGUAGES:
            raise SettingsError("officials_language", "must be fi or sv")
        if not POSTAL_CODE.fullmatch(self.review_authority.postal_code):
            raise SettingsError("review_authority.postal_code", "must be five digits")
        if self.suomifi_service_id and not SERVICE_ID.fullmatch(self.suomifi_service_id):
            raise SettingsError(
                "suomifi_service_id",
                "1 to 100 letters, digits, '_', '-' or '.' (the service's id in Suomi.fi)",
            )

    def missing_texts(self, language: str) -> list[str]:
        """The settings a letter in `language` prints that have no text in that language."""
        texts = {
            "authority": self.authority,
            "review_authority.name": self.review_authority.name,
            "review_authority.street": self.review_authority.street,
            "review_authority.city": self.review_authority.city,
            "service_need_decision": self.service_need_decision,
        }
        if self.contact.title.fi:
            texts["contact.title"] = self.contact.title
        return [path for path, text in texts.items() if not text.text(language)]

    def check_texts(self, language: str) -> None:
        """MissingTextError naming every text a letter in `language` would lack."""
        missing = self.missing_texts(language)
        if missing:
            raise MissingTextError(language, missing)

    def coefficient_for_hours(self, hours_per_month: int) -> Decimal:
        for limit, coefficient in self.service_need_bands:
            if limit is None or hours_per_month <= limit:
                return coefficient
        raise SettingsError(
            "service_need_bands",
            f"no band covers {hours_per_month} h/month",
            "no_hour_band",
            {"hours": str(hours_per_month)},
        )

    def to_json(self) -> dict[str, Any]:
        data = {
            "authority": _localized_json(self.authority),
            "contact": {
                "name": self.contact.name,
                "title": _localized_json(self.contact.title),
                "phone": self.contact.phone,
                "email": self.contact.email,
            },
            "review_authority": {
                "name": _localized_json(self.review_authority.name),
                "street": _localized_json(self.review_authority.street),
                "postal_code": self.review_authority.postal_code,
                "city": _localized_json(self.review_authority.city),
                "email": self.review_authority.email,
            },
            "service_need_decision": _localized_json(self.service_need_decision),
            "service_need_bands": [
                {"max_hours": limit, "coefficient": str(coefficient)}
                for limit, coefficient in self.service_need_bands
            ],
            "decision_number_prefix": self.decision_number_prefix,
            "large_change_percent": str(self.large_change_percent),
            "large_change_cents": self.large_change_cents,
            "maximum_age_years": self.maximum_age_years,
            "pre_primary_in_sibling_order": self.pre_primary_in_sibling_order,
            "retroactive_limit_months": self.retroactive_limit_months,
            "officials_language": self.officials_language,
            "sender_address": {
                "street": self.sender_address[0],
                "postal_code": self.sender_address[1],
                "city": self.sender_address[2],
            },
        }
        if self.suomifi_service_id:
            data["suomifi_service_id"] = self.suomifi_service_id
        return data

    @classmethod
    def from_json(cls, data: object) -> MunicipalFeeSettings:
        """Read settings JSON; unknown keys are refused so a typing error never goes unseen."""
        root = _object(Reader(data, "settings", WORDING), _SETTINGS_KEYS)
        contact = _object(
            root.required("contact", empty=_EMPTY).renamed("contact"),
            {"name", "title", "phone", "email"},
        )
        review = _object(
            root.required("review_authority", empty=_EMPTY).renamed("review_authority"),
            {"name", "street", "postal_code", "city", "email"},
        )
        raw = root.mapping()
        sender = _object(
            Reader(raw.get("sender_address") or {}, "sender_address", WORDING),
            {"street", "postal_code", "city"},
        )
        title = contact.optional("title")
        values: dict[str, Any] = {
            "authority": _localized(_required(root, "authority")),
            "contact": Person(
                name=_text(_required(contact, "name")),
                title=_localized(title if title and title.value else _NO_TITLE, True),
                phone=_text(contact.field("phone", ""), empty=True),
                email=_text(contact.field("email", ""), empty=True),
            ),
            "review_authority": ReviewAuthority(
                name=_localized(_required(review, "name")),
                street=_localized(_required(review, "street")),
                postal_code=_text(_required(review, "postal_code")),
                city=_localized(_required(review, "city")),
                email=_text(review.field("email", ""), empty=True),
            ),
            "sender_address": (
                _text(sender.field("street", ""), empty=True),
                _text(sender.field("postal_code", ""), empty=True),
                _text(sender.field("city", ""), empty=True),
            ),
        }
        # "decision_maker_title" of rows stored before delegations is read past: the title a
        # letter prints comes from the deciding official's own delegation.
        if raw.get("service_need_decision"):
            values["service_need_decision"] = _localized(_top(root, "service_need_decision"), True)
        if "service_need_bands" in raw:
            values["service_need_bands"] = _bands(root.field("service_need_bands"))
        if "decision_number_prefix" in raw:
            values["decision_number_prefix"] = _text(_top(root, "decision_number_prefix"))
        if "large_change_percent" in raw:
            values["large_change_percent"] = _decimal(_top(root, "large_change_percent"))
        if "officials_language" in raw:
            values["officials_language"] = _text(_top(root, "officials_language"))
        if "suomifi_service_id" in raw:  # "" (the settings page's empty field): the installation's
            values["suomifi_service_id"] = _text(_top(root, "suomifi_service_id"), empty=True)
        for name in ("large_change_cents", "maximum_age_years", "retroactive_limit_months"):
            if name in raw:
                values[name] = _top(root, name).integer()
        if "pre_primary_in_sibling_order" in raw:
            values["pre_primary_in_sibling_order"] = _top(
                root, "pre_primary_in_sibling_order"
            ).boolean()
        return cls(**values)


_SETTINGS_KEYS = frozenset(
    {
        "authority",
        "contact",
        "review_authority",
        "decision_maker_title",  # ignored: see from_json
        "service_need_decision",
        "service_need_bands",
        "decision_number_prefix",
        "large_change_percent",
        "large_change_cents",
        "maximum_age_years",
        "pre_primary_in_sibling_order",
        "retroactive_limit_months",
        "officials_language",
        "sender_address",
        "suomifi_service_id",
    }
)
_NO_TITLE = Reader({"fi": ""}, "contact.title", WORDING)


def validate_bands(bands: Sequence[tuple[int | None, Decimal]], path: str) -> None:
    """Bands rise in hours and in share, the last is open-ended and the full fee (35 h/week)."""
    if not bands:
        raise SettingsError(path, "give at least one band")
    previous_limit = 0
    previous_share = Decimal(0)
    for index, (limit, coefficient) in enumerate(bands):
        where = f"{path}[{index}]"
        last = index == len(bands) - 1
        if (limit is None) != last:
            raise SettingsError(where, "only the last band is open-ended (max_hours null)")
        if limit is not None and limit <= previous_limit:
            raise SettingsError(where, f"max_hours {limit} must be above {previous_limit}")
        if not Decimal(0) < coefficient <= Decimal(1):
            raise SettingsError(where, f"coefficient {coefficient} must be above 0 and at most 1")
        if limit is not None and limit <= PART_TIME_MAX_HOURS and coefficient > PART_TIME_MAX_SHARE:
            raise SettingsError(
                where,
                f"the band up to {limit} h/month has the coefficient {coefficient}: care of at most"
                f" {PART_TIME_MAX_HOURS} h/month (20 h/week) costs at most"
                f" {PART_TIME_MAX_SHARE} of the full-time fee (act 1503/2016)",
            )
        if coefficient < previous_share:
            raise SettingsError(where, "a band with more hours cannot cost less")
        previous_limit = limit or previous_limit
        previous_share = coefficient


def _bands(raw: Reader) -> tuple[tuple[int | None, Decimal], ...]:
    bands: list[tuple[int | None, Decimal]] = []
    for item in raw.renamed("service_need_bands").items():
        entry = _object(item, {"max_hours", "coefficient"})
        limit = entry.optional("max_hours")
        bands.append(
            (
                None if limit is None else limit.integer(),
                _decimal(_required(entry, "coefficient")),
            )
        )
    validate_bands(bands, "service_need_bands")
    return tuple(bands)


# The settings name their top-level values without the "settings." of a missing or unknown key.
def _top(root: Reader, name: str) -> Reader:
    return root.field(name).renamed(name)


def _object(reader: Reader, names: Iterable[str]) -> Reader:
    return reader.object(names, first_unknown="sorted")


def _required(reader: Reader, name: str) -> Reader:
    found = reader.required(name, empty=_EMPTY)
    return found if reader.path != "settings" else found.renamed(name)


def _text(reader: Reader, empty: bool = False) -> str:
    return reader.text(strip=True, allow_empty=empty, max_length=300)


def _localized(reader: Reader, empty: bool = False) -> Localized:
    if isinstance(reader.value, str):
        return Localized(_text(reader, empty))
    entry = _object(reader, LANGUAGES)
    finnish = _text(entry.field("fi", ""), empty)
    return Localized(finnish, _text(entry.field("sv", ""), empty=True))


def _localized_json(value: Localized) -> dict[str, str]:
    return {"fi": value.fi, "sv": value.sv}


def _decimal(reader: Reader) -> Decimal:
    return reader.decimal(numbers=(int,), decimal_comma=True)


def example_settings(municipality_name: str, name_sv: str = "") -> dict[str, Any]:
    """A filled-in example of the settings (the demo, the benchmark and the tests store it),
    in Finnish and Swedish: `name_sv` is the municipality's Swedish name, if it has one."""
    swedish = name_sv or municipality_name
    return {
        "authority": {
            "fi": f"{municipality_name}, varhaiskasvatuspalvelut",
            "sv": f"{swedish}, småbarnspedagogiska tjänster",
        },
        "service_need_decision": {
            "fi": "Kasvatus- ja opetuslautakunta 12.5.2026 § 34 (esimerkki)",
            "sv": "Fostrans- och utbildningsnämnden 12.5.2026 § 34 (exempel)",
        },
        "contact": {
            "name": "Asiakasmaksusihteeri",
            "title": {"fi": "asiakasmaksusihteeri", "sv": "klientavgiftssekreterare"},
            "phone": "+358 9 123 4567",
            "email": "varhaiskasvatusmaksut@example.fi",
        },
        "review_authority": {
            "name": {
                "fi": "Kasvatus- ja opetuslautakunta",
                "sv": "Fostrans- och utbildningsnämnden",
            },
            "street": {"fi": "PL 1", "sv": "PB 1"},
            "postal_code": "00100",
            "city": {"fi": municipality_name, "sv": swedish},
            "email": "kirjaamo@example.fi",
        },
        "service_need_bands": [
            {"max_hours": limit, "coefficient": str(coefficient)}
            for limit, coefficient in DEFAULT_BANDS
        ],
        "decision_number_prefix": "VAKA",
        "large_change_percent": "20",
        "large_change_cents": 5000,
        "maximum_age_years": 7,
        "officials_language": "fi",
    }


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
