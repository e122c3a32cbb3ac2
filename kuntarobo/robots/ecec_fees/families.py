"""The family import of the ECEC fee robot: one family a line (JSON Lines) from the municipality's
client system, parsed into the records the fee engine and the decision letters use.

Pure Python (no Django) so the robot, the generator, the benchmark and the tests share one
definition. Every problem is reported with its line, its field path, a stable code (the UI
translates it with its params) and an English message. Identity codes never appear unmasked in a
message: the official sees the line and the field, which is enough to find the person.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import IO

from stdnum import exceptions as stdnum_exceptions
from stdnum.fi import hetu

from kuntarobo.core.inputs import (
    MAX_DATE,
    MIN_DATE,
    InputLimits,
    LimitExceeded,
    check_file_size,
    format_size,
)
from kuntarobo.core.strict_json import join as _join

LANGUAGES = ("fi", "sv")
PLACEMENT_KINDS = ("daycare", "family_daycare")
ALTERATION_KINDS = ("discount", "increase")
MAX_LINE_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 500
MAX_GUARDIANS = 2
MAX_CHILDREN = 12
MAX_FAMILY_SIZE = 30
MAX_HOURS_PER_MONTH = 744  # 31 days * 24 hours
MAX_SHOWN_VALUE = 100
MAX_AMOUNT = 10**11  # cents: a billion euros a month is a unit error, not an income
FINGERPRINT_VERSION = 1

# Every problem code, with what it means (English). The UI translates by code and params; the
# tests check that every code the parser can produce is listed here.
PROBLEMS: Mapping[str, str] = MappingProxyType(
    {
        "bad_json": "the line is not valid JSON",
        "duplicate_key": "the same key appears twice in one JSON object",
        "not_utf8": "the file is not UTF-8 text",
        "line_too_long": "the line is longer than the line limit (1 MiB by default)",
        "too_many_errors": "reading stopped after too many errors",
        "not_object": "a JSON object was expected",
        "wrong_type": "the value has the wrong JSON type",
        "missing": "a required field is missing or empty",
        "unknown_key": "the field is not part of the format",
        "not_integer": "a whole number was expected (amounts are in cents)",
        "negative": "the number must not be negative",
        "out_of_range": "the number is outside its allowed range",
        "too_long": "the text is too long",
        "control_character": "the text holds a control character (e.g. a NUL byte)",
        "too_few": "the list has too few items",
        "too_many": "the list has too many items",
        "bad_family_id": "the family id must be 1-64 letters, digits, '-' or '_'",
        "bad_child_id": "the child id must be 1-64 letters, digits, '-' or '_'",
        "bad_language": "the language must be 'fi' or 'sv'",
        "bad_date": "a date YYYY-MM-DD was expected",
        "date_out_of_range": "the date is before 1900-01-01 or after 2200-12-31",
        "bad_decimal": 'a decimal number as a string was expected, e.g. "0.85"',
        "bad_identity_code": "not a valid Finnish personal identity code",
        "identity_code_birth_date": "the identity code's birth date differs from birth_date",
        "duplicate_identity_code": "the same identity code appears twice in the family",
        "bad_postal_code": "a postal code of five digits was expected",
        "bad_email": "not an e-mail address",
        "bad_income": 'an income has either an amount and a source, or "missing": true',
        "no_incomes": "incomes may be empty only when the family accepts the maximum fee",
        "too_small_family": "the family size is smaller than its members",
        "duplicate_child": "two children of the family have the same id",
        "duplicate_family": "the family appears twice in the file for the same period",
        "birth_after_period": "the child is born after the start of the period",
        "bad_placement_kind": "the placement kind must be 'daycare' or 'family_daycare'",
        "end_before_start": "the placement ends before it starts",
        "placement_before_birth": "the placement starts before the child is born",
        "bad_service_need": "the service need has exactly one of hours_per_month and coefficient",
        "bad_alteration": "an alteration has kind and exactly one of percent and amount",
        "bad_alteration_kind": "the alteration kind must be 'discount' or 'increase'",
    }
)

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d{1,9}(\.\d{1,9})?")
_POSTAL_CODE = re.compile(r"\d{5}")
# NUL and the other C0 controls but tab: no name or address holds them, and PostgreSQL cannot
# store a NUL in a work item's payload.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# Anything shaped like an identity code, even glued to other digits or letters: error messages
# mask more eagerly than logs do.
_CODE_LIKE = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)
_CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


def mask_text(text: str) -> str:
    """Hide every identity code in `text`, keeping the birth date part (DDMMYY-****)."""
    return _CODE_LIKE.sub(lambda match: match.group()[:6] + "-****", text)


def mask_identity_code(value: str) -> str:
    """How a (possibly invalid) identity code is shown: its birth date part at most."""
    text = value.strip()
    if len(text) >= 6 and text[:6].isdigit():
        return text[:6] + "-****"
    return "*" * min(len(text), 11)


def _show(value: object) -> str:
    """A bad value as it appears in a message: JSON-like, masked, at most 100 characters; a
    list or an object by its kind ("a list"), as its contents would not fit."""
    if isinstance(value, str):
        text = mask_text(json.dumps(value, ensure_ascii=False))
    elif value is None or isinstance(value, bool | int | float):
        text = json.dumps(value)
    else:
        text = _kind(value)
    if len(text) > MAX_SHOWN_VALUE:
        text = text[: MAX_SHOWN_VALUE - 1] + "…"
    return text


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def decimal_text(value: Decimal) -> str:
    """The canonical text of a decimal: no exponent, no trailing zeros ("0.850" -> "0.85")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def identity_code_birth_date(code: str) -> date | None:
    """The birth date an identity code states (the 2023 century signs included)."""
    text = code.strip().upper()
    if len(text) < 7 or not text[:6].isdigit() or text[6] not in _CENTURIES:
        return None
    try:
        return date(_CENTURIES[text[6]] + int(text[4:6]), int(text[2:4]), int(text[:2]))
    except ValueError:
        return None


@dataclass(frozen=True)
class LineError:
    """One problem of the import; `code` and `params` are for translation, `message` English."""

    line: int
    field: str
    message: str
    code: str = ""
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        if not self.line or self.message.startswith(f"line {self.line} "):
            return self.message
        return f"line {self.line}: {self.message}"


class FamilyError(ValueError):
    """A family that cannot be used; carries all of its problems."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(str(error) for error in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str
    country: str = ""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "street": self.street,
            "postal_code": self.postal_code,
            "city": self.city,
        }
        if self.country:
            data["country"] = self.country
        return data


@dataclass(frozen=True)
class Guardian:
    name: str
    identity_code: str = field(repr=False)  # "" when not given
    address: Address | None
    email: str

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name}
        if self.identity_code:
            data["identity_code"] = self.identity_code
        if self.address is not None:
            data["address"] = self.address.to_json()
        if self.email:
            data["email"] = self.email
        return data


@dataclass(frozen=True)
class IncomeRecord:
    person: str
    amount: int | None  # cents a month; None: the income is missing
    source: str

    @property
    def missing(self) -> bool:
        return self.amount is None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"person": self.person}
        if self.amount is None:
            data["missing"] = True
            if self.source:
                data["source"] = self.source
        else:
            data["amount"] = self.amount
            data["source"] = self.source
        return data


@dataclass(frozen=True)
class DeductionRecord:
    """An amount deducted from a person's monthly income, e.g. child maintenance (elatusapu) the
    person pays to a child living elsewhere; `source` says where the figure comes from."""

    person: str
    amount: int  # cents a month, > 0
    source: str
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "person": self.person,
            "amount": self.amount,
            "source": self.source,
        }
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class AlterationRecord:
    kind: str  # "discount" | "increase"
    percent: Decimal | None
    amount: int | None  # cents
    reason: str

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind}
        if self.percent is not None:
            data["percent"] = decimal_text(self.percent)
        else:
            data["amount"] = self.amount
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class Placement:
    unit: str
    kind: str  # "daycare" | "family_daycare"
    start: date
    end: date | None

    def to_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
        }


@dataclass(frozen=True)
class ChildRecord:
    id: str
    name: str
    identity_code: str = field(repr=False)  # "" when not given
    birth_date: date
    placement: Placement
    hours_per_month: int | None
    coefficient: Decimal | None
    alterations: tuple[AlterationRecord, ...]
    # In pre-primary education (its hours are free): the service need, if any, is the
    # supplementary ECEC; without one the child is in pre-primary education only.
    pre_primary: bool = False

    def in_ecec_on(self, day: date) -> bool:
        """Whether the child's placement covers `day`."""
        end = self.placement.end
        return self.placement.start <= day and (end is None or day <= end)

    def ended_before(self, day: date) -> bool:
        """Whether the placement ended before `day` (such a child is not charged from `day`)."""
        return self.placement.end is not None and self.placement.end < day

    @property
    def service_need_missing(self) -> bool:
        return self.hours_per_month is None and self.coefficient is None and not self.pre_primary

    @property
    def pre_primary_only(self) -> bool:
        """In pre-primary education without supplementary ECEC: no fee, not on the decision."""
        return self.pre_primary and self.hours_per_month is None and self.coefficient is None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"id": self.id, "name": self.name}
        if self.identity_code:
            data["identity_code"] = self.identity_code
        data["birth_date"] = self.birth_date.isoformat()
        data["placement"] = self.placement.to_json()
        if self.hours_per_month is not None:
            data["service_need"] = {"hours_per_month": self.hours_per_month}
        elif self.coefficient is not None:
            data["service_need"] = {"coefficient": decimal_text(self.coefficient)}
        if self.alterations:
            data["alterations"] = [alteration.to_json() for alteration in self.alterations]
        if self.pre_primary:
            data["pre_primary"] = True
        return data


@dataclass(frozen=True)
class FamilyRecord:
    family_id: str
    language: str
    size: int
    period_start: date
    guardians: tuple[Guardian, ...]
    incomes: tuple[IncomeRecord, ...]
    children: tuple[ChildRecord, ...]
    accepts_max_fee: bool
    fee_relief_requested: bool
    raw: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)
    deductions: tuple[DeductionRecord, ...] = ()

    def children_in_ecec(self) -> tuple[ChildRecord, ...]:
        """The children the robot charges: their placement does not end before the period."""
        return tuple(child for child in self.children if not child.ended_before(self.period_start))

    def children_not_in_ecec(self) -> tuple[ChildRecord, ...]:
        """Children kept in the record whose placement ended before the period starts."""
        return tuple(child for child in self.children if child.ended_before(self.period_start))

    def missing_income_persons(self) -> tuple[str, ...]:
        return tuple(income.person for income in self.incomes if income.amount is None)

    def income_total(self) -> int | None:
        """The family's monthly income in cents after its deductions (never below 0); None when
        an income is missing."""
        if any(income.amount is None for income in self.incomes):
            return None
        gross = sum(income.amount or 0 for income in self.incomes)
        return max(gross - sum(deduction.amount for deduction in self.deductions), 0)

    def to_json(self) -> dict[str, object]:
        """The canonical JSON form (a work item's payload); parse_family() reads it back."""
        data: dict[str, object] = {
            "family_id": self.family_id,
            "language": self.language,
            "size": self.size,
            "period_start": self.period_start.isoformat(),
            "guardians": [guardian.to_json() for guardian in self.guardians],
            "incomes": [income.to_json() for income in self.incomes],
            "accepts_max_fee": self.accepts_max_fee,
            "fee_relief_requested": self.fee_relief_requested,
            "children": [child.to_json() for child in self.children],
        }
        if self.deductions:  # absent when none: the fingerprints of earlier lines stay the same
            data["deductions"] = [deduction.to_json() for deduction in self.deductions]
        return data

    def fingerprint(self, canonical: dict[str, object] | None = None) -> str:
        """A sha256 of everything that decides the fee and the letter, the same on every machine.

        Built from the canonical form (`canonical`, if the caller has it already), so key
        order, whitespace, "0.850" vs "0.85" and the order of the children and the incomes in
        the file do not change it.
        """
        data = dict(canonical) if canonical is not None else self.to_json()
        children = data["children"]
        incomes = data["incomes"]
        assert isinstance(children, list)
        assert isinstance(incomes, list)
        data["children"] = sorted(children, key=lambda item: str(item["id"]))
        data["incomes"] = sorted(
            incomes, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False)
        )
        data["fingerprint_version"] = FINGERPRINT_VERSION
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ABSENT = object()


class _Checker:
    """Collects the problems of one line while its values are read."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.errors: list[LineError] = []

    def fail(self, path: str, code: str, text: str, **params: str) -> None:
        message = f"{path}: {text}" if path else text
        self.errors.append(
            LineError(
                self.line,
                mask_text(path),
                mask_text(message),
                code,
                MappingProxyType({key: mask_text(value) for key, value in params.items()}),
            )
        )

    def mapping(
        self, value: object, path: str, required: Iterable[str], optional: Iterable[str]
    ) -> dict[str, object] | None:
        """The object at `path`, with unknown keys and missing required keys reported."""
        if not isinstance(value, dict):
            self.fail(
                path, "not_object", f"expected an object, got {_kind(value)}", got=_kind(value)
            )
            return None
        required = tuple(required)
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                name = str(key)[:MAX_SHOWN_VALUE]
                self.fail(_join(path, name), "unknown_key", f"unknown key {_show(key)}", key=name)
        for key in required:
            if value.get(key) is None:
                self.fail(_join(path, key), "missing", "is required")
        return value

    def wrong_type(self, path: str, expected: str, value: object) -> None:
        # "got a string "x"" but "got a list": a list's or an object's kind is all there is.
        got = _kind(value)
        shown = _show(value)
        self.fail(
            path,
            "wrong_type",
            f"expected {expected}, got {got}" + ("" if shown == got else f" {shown}"),
            expected=expected,
            got=_kind(value),
            value=_show(value),
        )

    def text(
        self,
        data: Mapping[str, object],
        key: str,
        path: str,
        *,
        required: bool,
        max_length: int = MAX_NAME_LENGTH,
    ) -> str | None:
        """A string value, stripped; "" for an absent optional one, None when bad or missing."""
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            return None if required else ""
        if not isinstance(value, str):
            self.wrong_type(where, "a string", value)
            return None
        text = value.strip()
        if _CONTROL.search(text):
            self.fail(
                where,
                "control_character",
                f"holds a control character: {_show(text)}",
                value=_show(text),
            )
            return None
        if not text and required:
            self.fail(where, "missing", "is required (empty text)")
            return None
        if len(text) > max_length:
            self.fail(
                where,
                "too_long",
                f"is {len(text)} characters, at most {max_length} allowed: {_show(text)}",
                length=str(len(text)),
                max=str(max_length),
            )
            return None
        return text

    def integer(
        self, data: Mapping[str, object], key: str, path: str, *, minimum: int, maximum: int | None
    ) -> int | None:
        """A JSON integer (not true/false, not 3.0) within its range; None when bad or absent."""
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float):
                self.fail(
                    where,
                    "not_integer",
                    f"expected a whole number, got {_show(value)}",
                    value=_show(value),
                )
            else:
                self.wrong_type(where, "an integer", value)
            return None
        if value < 0 <= minimum:
            self.fail(where, "negative", f"must not be negative, got {value}", value=str(value))
            return None
        if value < minimum or (maximum is not None and value > maximum):
            allowed = f"{minimum}..{maximum}" if maximum is not None else f"at least {minimum}"
            self.fail(
                where,
                "out_of_range",
                f"must be {allowed}, got {value}",
                value=str(value),
                min=str(minimum),
                max="" if maximum is None else str(maximum),
            )
            return None
        return value

    def boolean(self, data: Mapping[str, object], key: str, path: str) -> bool:
        value = data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.wrong_type(_join(path, key), "true or false", value)
            return False
        return value

    def day(self, data: Mapping[str, object], key: str, path: str) -> date | None:
        """A date written YYYY-MM-DD; None when bad or absent."""
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if MIN_DATE <= day <= MAX_DATE:
                    return day
                self.fail(
                    where,
                    "date_out_of_range",
                    f"must be from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()},"
                    f" got {_show(value)}",
                    value=_show(value),
                    min=MIN_DATE.isoformat(),
                    max=MAX_DATE.isoformat(),
                )
                return None
        self.fail(
            where, "bad_date", f"expected a date YYYY-MM-DD, got {_show(value)}", value=_show(value)
        )
        return None

    def decimal(
        self, data: Mapping[str, object], key: str, path: str, *, maximum: Decimal
    ) -> Decimal | None:
        """A decimal written as a string ("0.85"), 0 < value <= maximum."""
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            return None
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            self.fail(
                where,
                "bad_decimal",
                f'expected a decimal number as a string such as "0.85", got {_show(value)}',
                value=_show(value),
            )
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            self.fail(where, "bad_decimal", f"not a number: {_show(value)}", value=_show(value))
            return None
        if not 0 < number <= maximum:
            self.fail(
                where,
                "out_of_range",
                f"must be more than 0 and at most {maximum}, got {_show(value)}",
                value=value,
                min="0",
                max=str(maximum),
            )
            return None
        return Decimal(decimal_text(number))

    def identity_code(self, data: Mapping[str, object], key: str, path: str) -> str | None:
        """A valid identity code in its compact form; "" when absent; None when bad."""
        value = data.get(key)
        where = _join(path, key)
        if value is None or value == "":
            return ""
        if not isinstance(value, str):
            self.wrong_type(where, "a string", value)
            return None
        try:
            return str(hetu.validate(value))
        except stdnum_exceptions.InvalidChecksum:
            reason = "the check character does not match"
        except stdnum_exceptions.InvalidComponent:
            reason = "the date or the individual number is not possible"
        except stdnum_exceptions.ValidationError:
            reason = "the format is not DDMMYYCNNNX"
        shown = mask_identity_code(value)
        self.fail(
            where,
            "bad_identity_code",
            f"{shown} is not a valid personal identity code ({reason})",
            value=shown,
            reason=reason,
        )
        return None

    def items(
        self, data: Mapping[str, object], key: str, path: str, *, minimum: int, maximum: int
    ) -> list[object]:
        """A list value with its length checked; [] when absent or bad."""
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong_type(where, "a list", value)
            return []
        if len(value) < minimum:
            self.fail(
                where,
                "too_few",
                f"has {len(value)} items, at least {minimum} needed",
                count=str(len(value)),
                min=str(minimum),
            )
        elif len(value) > maximum:
            self.fail(
                where,
                "too_many",
                f"has {len(value)} items, at most {maximum} allowed",
                count=str(len(value)),
                max=str(maximum),
            )
            return value[:maximum]
        return value


def _address(check: _Checker, value: object, path: str) -> Address | None:
    data = check.mapping(value, path, ("street", "postal_code", "city"), ("country",))
    if data is None:
        return None
    street = check.text(data, "street", path, required=True)
    city = check.text(data, "city", path, required=True)
    country = check.text(data, "country", path, required=False)
    postal_code = data.get("postal_code")
    if postal_code is not None and not (
        isinstance(postal_code, str) and _POSTAL_CODE.fullmatch(postal_code)
    ):
        check.fail(
            _join(path, "postal_code"),
            "bad_postal_code",
            f"expected five digits, got {_show(postal_code)}",
            value=_show(postal_code),
        )
        return None
    if street is None or city is None or country is None or postal_code is None:
        return None
    return Address(street, postal_code, city, country)


def _guardian(check: _Checker, value: object, path: str, *, first: bool) -> Guardian | None:
    data = check.mapping(
        value,
        path,
        ("name", "address") if first else ("name",),
        ("identity_code", "email", "address"),
    )
    if data is None:
        return None
    name = check.text(data, "name", path, required=True)
    code = check.identity_code(data, "identity_code", path)
    address = None
    if data.get("address") is not None:
        address = _address(check, data["address"], _join(path, "address"))
        if address is None:
            return None
    email = check.text(data, "email", path, required=False, max_length=MAX_TEXT_LENGTH)
    if email and not _EMAIL.fullmatch(email):
        check.fail(
            _join(path, "email"),
            "bad_email",
            f"not an e-mail address: {_show(email)}",
            value=_show(email),
        )
        return None
    if name is None or code is None or email is None or (first and address is None):
        return None
    return Guardian(name, code, address, email)


def _income(check: _Checker, value: object, path: str) -> IncomeRecord | None:
    data = check.mapping(value, path, ("person",), ("amount", "source", "missing"))
    if data is None:
        return None
    person = check.text(data, "person", path, required=True)
    missing = data.get("missing")
    if missing is not None and missing is not True:
        check.fail(
            _join(path, "missing"),
            "bad_income",
            f"may only be true, got {_show(missing)}",
            value=_show(missing),
        )
        return None
    if missing is True:
        if "amount" in data:
            check.fail(
                _join(path, "amount"),
                "bad_income",
                "an income marked missing has no amount",
            )
            return None
        source = check.text(data, "source", path, required=False)
        if person is None or source is None:
            return None
        return IncomeRecord(person, None, source)
    if data.get("amount") is None:
        check.fail(
            _join(path, "amount"),
            "missing",
            'is required (or "missing": true when the income is not known)',
        )
        return None
    amount = check.integer(data, "amount", path, minimum=0, maximum=MAX_AMOUNT)
    if data.get("source") is None:
        check.fail(_join(path, "source"), "missing", "is required with an amount")
    source = check.text(data, "source", path, required=True)
    if person is None or amount is None or source is None:
        return None
    return IncomeRecord(person, amount, source)


def _deduction(check: _Checker, value: object, path: str) -> DeductionRecord | None:
    data = check.mapping(value, path, ("person", "amount", "source"), ("reason",))
    if data is None:
        return None
    person = check.text(data, "person", path, required=True)
    amount = check.integer(data, "amount", path, minimum=1, maximum=MAX_AMOUNT)
    source = check.text(data, "source", path, required=True)
    reason = check.text(data, "reason", path, required=False, max_length=MAX_TEXT_LENGTH)
    if person is None or amount is None or source is None or reason is None:
        return None
    return DeductionRecord(person, amount, source, reason)


def _alteration(check: _Checker, value: object, path: str) -> AlterationRecord | None:
    data = check.mapping(value, path, ("kind",), ("percent", "amount", "reason"))
    if data is None:
        return None
    kind = data.get("kind")
    if kind is not None and kind not in ALTERATION_KINDS:
        check.fail(
            _join(path, "kind"),
            "bad_alteration_kind",
            f"must be 'discount' or 'increase', got {_show(kind)}",
            value=_show(kind),
        )
        return None
    has_percent = data.get("percent") is not None
    if has_percent == (data.get("amount") is not None):
        check.fail(
            path,
            "bad_alteration",
            "needs exactly one of percent and amount",
        )
        return None
    percent = check.decimal(data, "percent", path, maximum=Decimal(100))
    amount = check.integer(data, "amount", path, minimum=1, maximum=MAX_AMOUNT)
    reason = check.text(data, "reason", path, required=False, max_length=MAX_TEXT_LENGTH)
    if kind is None or reason is None or (percent is None and amount is None):
        return None
    return AlterationRecord(str(kind), percent, amount, reason)


def _placement(check: _Checker, value: object, path: str) -> Placement | None:
    data = check.mapping(value, path, ("unit", "kind", "start"), ("end",))
    if data is None:
        return None
    unit = check.text(data, "unit", path, required=True)
    kind = data.get("kind")
    if kind is not None and kind not in PLACEMENT_KINDS:
        check.fail(
            _join(path, "kind"),
            "bad_placement_kind",
            f"must be 'daycare' or 'family_daycare', got {_show(kind)}",
            value=_show(kind),
        )
        kind = None
    start = check.day(data, "start", path)
    end = check.day(data, "end", path)
    if start is not None and end is not None and end < start:
        check.fail(
            _join(path, "end"),
            "end_before_start",
            f"{end.isoformat()} is before the start {start.isoformat()}",
            start=start.isoformat(),
            end=end.isoformat(),
        )
        return None
    if unit is None or kind is None or start is None or (data.get("end") is not None and not end):
        return None
    return Placement(unit, str(kind), start, end)


def _service_need(
    check: _Checker, value: object, path: str
) -> tuple[int | None, Decimal | None] | None:
    """(hours, coefficient); (None, None) when not given; None when bad."""
    if value is None:
        return None, None
    data = check.mapping(value, path, (), ("hours_per_month", "coefficient"))
    if data is None:
        return None
    given = [key for key in ("hours_per_month", "coefficient") if data.get(key) is not None]
    if len(given) != 1:
        check.fail(
            path,
            "bad_service_need",
            "needs exactly one of hours_per_month and coefficient"
            + (", got both" if given else ", got neither"),
        )
        return None
    hours = check.integer(data, "hours_per_month", path, minimum=1, maximum=MAX_HOURS_PER_MONTH)
    coefficient = check.decimal(data, "coefficient", path, maximum=Decimal(1))
    if hours is None and coefficient is None:
        return None
    return hours, coefficient


def _child(check: _Checker, value: object, path: str, period_start: date) -> ChildRecord | None:
    data = check.mapping(
        value,
        path,
        ("id", "name", "birth_date", "placement"),
        ("identity_code", "service_need", "alterations", "pre_primary"),
    )
    if data is None:
        return None
    child_id = data.get("id")
    if child_id is not None and not (isinstance(child_id, str) and _ID.fullmatch(child_id)):
        check.fail(
            _join(path, "id"),
            "bad_child_id",
            f"must be 1-64 letters, digits, '-' or '_', got {_show(child_id)}",
            value=_show(child_id),
        )
        child_id = None
    name = check.text(data, "name", path, required=True)
    code = check.identity_code(data, "identity_code", path)
    birth_date = check.day(data, "birth_date", path)
    if birth_date is not None and birth_date > period_start:
        check.fail(
            _join(path, "birth_date"),
            "birth_after_period",
            f"{birth_date.isoformat()} is after the period start {period_start.isoformat()}",
            birth_date=birth_date.isoformat(),
            period_start=period_start.isoformat(),
        )
        birth_date = None
    if code and birth_date is not None:
        stated = identity_code_birth_date(code)
        if stated != birth_date:
            check.fail(
                _join(path, "identity_code"),
                "identity_code_birth_date",
                f"the identity code gives the birth date {stated.isoformat() if stated else '?'}"
                f" but birth_date is {birth_date.isoformat()}",
                code_birth_date=stated.isoformat() if stated else "",
                birth_date=birth_date.isoformat(),
            )
            code = None
    placement = None
    if data.get("placement") is not None:
        placement = _placement(check, data["placement"], _join(path, "placement"))
    if placement is not None and birth_date is not None and placement.start < birth_date:
        check.fail(
            _join(path, "placement.start"),
            "placement_before_birth",
            f"{placement.start.isoformat()} is before the birth date {birth_date.isoformat()}",
            start=placement.start.isoformat(),
            birth_date=birth_date.isoformat(),
        )
        placement = None
    need = _service_need(check, data.get("service_need"), _join(path, "service_need"))
    pre_primary = check.boolean(data, "pre_primary", path)
    alterations: list[AlterationRecord] = []
    bad_alteration = False
    items = check.items(data, "alterations", path, minimum=0, maximum=20)
    for index, item in enumerate(items):
        alteration = _alteration(check, item, _join(_join(path, "alterations"), index))
        if alteration is None:
            bad_alteration = True
        else:
            alterations.append(alteration)
    if (
        not isinstance(child_id, str)
        or name is None
        or code is None
        or birth_date is None
        or placement is None
        or need is None
        or bad_alteration
    ):
        return None
    return ChildRecord(
        child_id,
        name,
        code,
        birth_date,
        placement,
        need[0],
        need[1],
        tuple(alterations),
        pre_primary,
    )


_FAMILY_KEYS = (
    "family_id",
    "language",
    "size",
    "period_start",
    "guardians",
    "incomes",
    "accepts_max_fee",
    "fee_relief_requested",
    "children",
    "deductions",
)


def parse_family(data: object, *, line: int = 0, default_period_start: date) -> FamilyRecord:
    """Validate one family (a parsed JSON object); raises FamilyError listing every problem."""
    check = _Checker(line)
    family = check.mapping(data, "", ("family_id", "size", "guardians", "children"), _FAMILY_KEYS)
    if family is None:
        raise FamilyError(check.errors)
    family_id = family.get("family_id")
    if family_id is not None and not (isinstance(family_id, str) and _ID.fullmatch(family_id)):
        check.fail(
            "family_id",
            "bad_family_id",
            f"must be 1-64 letters, digits, '-' or '_', got {_show(family_id)}",
            value=_show(family_id),
        )
    language = family.get("language")
    if language is None:
        language = "fi"
    if language not in LANGUAGES:
        check.fail(
            "language",
            "bad_language",
            f"must be 'fi' or 'sv', got {_show(language)}",
            value=_show(language),
        )
    size = check.integer(family, "size", "", minimum=2, maximum=MAX_FAMILY_SIZE)
    period_start = default_period_start
    if family.get("period_start") is not None:
        period_start = check.day(family, "period_start", "") or default_period_start
    accepts_max_fee = check.boolean(family, "accepts_max_fee", "")
    fee_relief_requested = check.boolean(family, "fee_relief_requested", "")

    guardians: list[Guardian] = []
    for index, item in enumerate(
        check.items(family, "guardians", "", minimum=1, maximum=MAX_GUARDIANS)
    ):
        guardian = _guardian(check, item, _join("guardians", index), first=index == 0)
        if guardian is not None:
            guardians.append(guardian)

    incomes: list[IncomeRecord] = []
    income_items = check.items(family, "incomes", "", minimum=0, maximum=100)
    if family.get("incomes") in (None, []) and not accepts_max_fee:
        check.fail(
            "incomes",
            "no_incomes",
            "is empty but the family has not accepted the maximum fee",
        )
    for index, item in enumerate(income_items):
        income = _income(check, item, _join("incomes", index))
        if income is not None:
            incomes.append(income)

    deductions: list[DeductionRecord] = []
    for index, item in enumerate(check.items(family, "deductions", "", minimum=0, maximum=100)):
        deduction = _deduction(check, item, _join("deductions", index))
        if deduction is not None:
            deductions.append(deduction)

    children: list[ChildRecord] = []
    child_items = check.items(family, "children", "", minimum=1, maximum=MAX_CHILDREN)
    seen_children: set[str] = set()
    for index, item in enumerate(child_items):
        path = _join("children", index)
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            child_id = str(item["id"])
            if child_id in seen_children:
                check.fail(
                    _join(path, "id"),
                    "duplicate_child",
                    f"{_show(child_id)} is already used by another child of the family",
                    value=_show(child_id),
                )
            seen_children.add(child_id)
        child = _child(check, item, path, period_start)
        if child is not None:
            children.append(child)

    if size is not None and isinstance(child_items, list) and size < 1 + len(child_items):
        check.fail(
            "size",
            "too_small_family",
            f"is {size} but the family has at least {1 + len(child_items)} members"
            f" (a guardian and {len(child_items)} children)",
            size=str(size),
            members=str(1 + len(child_items)),
        )
    _check_duplicate_codes(check, guardians, children)

    if check.errors:
        raise FamilyError(check.errors)
    assert isinstance(family_id, str)
    assert isinstance(language, str)
    assert size is not None
    return FamilyRecord(
        family_id=family_id,
        language=language,
        size=size,
        period_start=period_start,
        guardians=tuple(guardians),
        incomes=tuple(incomes),
        children=tuple(children),
        accepts_max_fee=accepts_max_fee,
        fee_relief_requested=fee_relief_requested,
        raw=family,
        deductions=tuple(deductions),
    )


def _check_duplicate_codes(
    check: _Checker, guardians: list[Guardian], children: list[ChildRecord]
) -> None:
    """One person, one code: a code twice in a family is a copy-paste error in the export."""
    seen: set[str] = set()
    people = [(f"guardians[{i}]", g.identity_code) for i, g in enumerate(guardians)]
    people += [(f"children[{i}]", c.identity_code) for i, c in enumerate(children)]
    for path, code in people:
        if not code:
            continue
        if code in seen:
            check.fail(
                _join(path, "identity_code"),
                "duplicate_identity_code",
                f"{mask_identity_code(code)} is already used by another member of the family",
                value=mask_identity_code(code),
            )
        seen.add(code)


class _Reader:
    """Reads lines one at a time, keeping families and problems in line order."""

    def __init__(
        self, default_period_start: date, max_errors: int, line_bytes: int = MAX_LINE_BYTES
    ) -> None:
        self.default_period_start = default_period_start
        self.max_errors = max_errors
        self.line_bytes = line_bytes
        self.families: list[FamilyRecord] = []
        self.errors: list[LineError] = []
        self.first_lines: dict[tuple[str, date], int] = {}
        self.stopped = False

    def error(self, line: int, code: str, message: str, **params: str) -> None:
        self.errors.append(LineError(line, "", message, code, MappingProxyType(params)))

    def too_long(self, line: int) -> None:
        self.error(
            line,
            "line_too_long",
            f"line {line} is longer than {format_size(self.line_bytes)}",
            max=str(self.line_bytes),
        )
        self._stop_if_full(line)

    def feed_bytes(self, line: int, raw: bytes, offset: int) -> None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            at = offset + error.start
            self.error(
                line,
                "not_utf8",
                f"line {line} is not UTF-8: invalid byte at offset {at} of the file"
                f" (byte {error.start + 1} of the line)",
                offset=str(at),
                column=str(error.start + 1),
            )
            self._stop_if_full(line)
            return
        self.feed_text(line, text)

    def feed_text(self, line: int, text: str) -> None:
        if line == 1:
            text = text.removeprefix("\ufeff")
        text = text.strip()
        if not text:
            return
        if len(text) * 4 > self.line_bytes and len(text.encode("utf-8")) > self.line_bytes:
            self.too_long(line)
            return
        try:
            data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            # Some of json's messages end in "at" ("Invalid control character at"): one "at".
            reason = error.msg.removesuffix(" at")
            self.error(
                line,
                "bad_json",
                f"line {line} is not valid JSON: {reason} at column {error.colno}"
                f" (character {error.pos + 1})",
                error=reason,
                column=str(error.colno),
                position=str(error.pos + 1),
            )
        except _DuplicateKey as error:
            self.error(
                line,
                "duplicate_key",
                f"line {line}: the key {_show(error.key)} appears twice in one object",
                key=mask_text(error.key),
            )
        except (ValueError, RecursionError) as error:
            self.error(
                line,
                "bad_json",
                f"line {line} is not valid JSON: {error}",
                error=str(error),
            )
        else:
            self._family(line, data)
        self._stop_if_full(line)

    def _family(self, line: int, data: object) -> None:
        try:
            family = parse_family(data, line=line, default_period_start=self.default_period_start)
        except FamilyError as error:
            self.errors.extend(error.errors)
            return
        key = (family.family_id, family.period_start)
        first = self.first_lines.get(key)
        if first is not None:
            self.errors.append(
                LineError(
                    line,
                    "family_id",
                    f"family_id: {_show(family.family_id)} for the period starting"
                    f" {family.period_start.isoformat()} is already on line {first}",
                    "duplicate_family",
                    MappingProxyType(
                        {
                            "family_id": mask_text(family.family_id),
                            "period_start": family.period_start.isoformat(),
                            "first_line": str(first),
                        }
                    ),
                )
            )
            return
        self.first_lines[key] = line
        self.families.append(family)

    def _stop_if_full(self, line: int) -> None:
        if len(self.errors) > self.max_errors:
            del self.errors[self.max_errors :]
            self.error(
                line,
                "too_many_errors",
                f"more than {self.max_errors} problems: reading stopped at line {line}",
                max=str(self.max_errors),
            )
            self.stopped = True


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    data: dict[str, object] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def read_families(
    lines: Iterable[str | bytes],
    *,
    default_period_start: date,
    max_errors: int = 1000,
    limits: InputLimits | None = None,
) -> tuple[list[FamilyRecord], list[LineError]]:
    """All families of the lines and all their problems, in line order.

    Reading goes on after a bad line so one upload shows everything to fix; after `max_errors`
    problems it stops with a "too_many_errors" problem. A family repeated for the same period
    is a problem on its later line. More lines than the row limit raise LimitExceeded.
    """
    limits = limits or InputLimits.from_env()
    reader = _Reader(default_period_start, max_errors, limits.line_bytes)
    offset = 0
    for number, line in enumerate(lines, start=1):
        if number > limits.rows:
            raise LimitExceeded("rows", limits.rows)
        if isinstance(line, bytes):
            if len(line.rstrip(b"\r\n")) > limits.line_bytes:
                reader.too_long(number)
            else:
                reader.feed_bytes(number, line, offset)
            offset += len(line)
        else:
            reader.feed_text(number, line)
        if reader.stopped:
            break
    return reader.families, reader.errors


def _file_lines(handle: IO[bytes], limits: InputLimits) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes or None when too long, offset) without reading a long line whole;
    LimitExceeded past the row limit."""
    offset = 0
    number = 0
    while True:
        chunk = handle.readline(limits.line_bytes + 3)
        if not chunk:
            return
        number += 1
        if number > limits.rows:
            raise LimitExceeded("rows", limits.rows)
        start = offset
        offset += len(chunk)
        if len(chunk.rstrip(b"\r\n")) > limits.line_bytes:
            while not chunk.endswith(b"\n"):
                chunk = handle.readline(limits.line_bytes)
                if not chunk:
                    break
                offset += len(chunk)
            yield number, None, start
        else:
            yield number, chunk, start


def read_families_file(
    path: Path,
    *,
    default_period_start: date,
    max_errors: int = 1000,
    limits: InputLimits | None = None,
) -> tuple[list[FamilyRecord], list[LineError]]:
    """read_families() over a file, streamed: one line in memory at a time. A file larger than
    the input limit or with more lines than the row limit raises LimitExceeded."""
    limits = limits or InputLimits.from_env()
    reader = _Reader(default_period_start, max_errors, limits.line_bytes)
    with path.open("rb") as handle:
        check_file_size(handle, limits)
        for number, raw, offset in _file_lines(handle, limits):
            if raw is None:
                reader.too_long(number)
            else:
                reader.feed_bytes(number, raw, offset)
            if reader.stopped:
                break
    return reader.families, reader.errors
