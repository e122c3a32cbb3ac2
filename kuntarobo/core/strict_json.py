"""A strict reader of parsed JSON: every value is checked for its type and bounds, and a problem
is reported at its path ("family.children[2].birth_date") with a code and parameters.

Robots read requests, settings and stored snapshots with it. The code and the parameters let a
caller translate the problem; the English message comes from a `Wording`, so each contract keeps
the texts its users already see while the checks themselves live in one place. No Django.
"""

from __future__ import annotations

import builtins
import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final, NoReturn

from kuntarobo.core.inputs import MAX_DATE, MIN_DATE

Params = Mapping[str, str]
Template = str | Callable[[Params], str]

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
SHOWN_LENGTH: Final = 100


class StrictJsonError(ValueError):
    """A value that breaks its contract: where (`path`), what (`code`, `params`) and an English
    `message` worded by the contract."""

    def __init__(
        self, path: str, message: str, code: str = "invalid", params: Params | None = None
    ) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message
        self.code = code
        self.params: Params = MappingProxyType(dict(params or {}))


def show_repr(value: object) -> str:
    """A value as Python writes it, at most 100 characters (the last one "…" when cut)."""
    text = repr(value)
    if len(text) > SHOWN_LENGTH:
        return text[: SHOWN_LENGTH - 1] + "…"
    return text


def join(path: str, key: str | int) -> str:
    """The path of a key ("a.b") or of a list item ("a[2]") below `path`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# The English texts of the codes; a contract overrides those it words differently. Every
# template may use the parameters its code is given (see Reader).
DEFAULT_TEMPLATES: Final[Mapping[str, Template]] = MappingProxyType(
    {
        "not_object": "must be an object, got {value}",
        "unknown_key": "unknown key {key}",
        "missing": "is required",
        "not_integer": "must be a whole number, got {value}",
        "not_cents": "must be a whole number of cents, got {value}",
        "below_minimum": "must be at least {min}, got {value}",
        "above_maximum": "must be at most {max}, got {value}",
        "not_text": "must be a string, got {value}",
        "empty_text": "is required",
        "too_long": "is longer than {max} characters",
        "not_boolean": "must be true or false, got {value}",
        "not_list": "must be a list, got {value}",
        "too_few": "must have at least {min} items",
        "too_many": "must have at most {max} items",
        "not_date": "must be a date YYYY-MM-DD, got {value}",
        "not_real_date": "is not a real date: {value}",
        "date_out_of_range": "must be from {min} to {max}, got {value}",
        "not_decimal": "must be a decimal number as a string, got {value}",
        "bad_decimal": "is not a decimal number: {value}",
        "not_finite": "must be a finite number, got {value}",
    }
)


@dataclass(frozen=True)
class Wording:
    """How one contract words its problems: templates by code, how a bad value is shown, and
    the exception it raises (a StrictJsonError taking path, message, code, params)."""

    templates: Mapping[str, Template] = field(default_factory=dict)
    show: Callable[[object], str] = show_repr
    error: type[StrictJsonError] = StrictJsonError

    def message(self, code: str, params: Params) -> str:
        template = self.templates.get(code) or DEFAULT_TEMPLATES.get(code, code)
        return template(params) if callable(template) else template.format_map(params)


ENGLISH: Final = Wording()
_MISSING: Final = object()


class Reader:
    """A parsed JSON value at a path. Each typed method checks the value and returns it as a
    Python value, or raises the contract's error; `field` and `items` lead to the values inside."""

    __slots__ = ("path", "value", "wording")

    def __init__(self, value: object, path: str = "", wording: Wording = ENGLISH) -> None:
        self.value = value
        self.path = path
        self.wording = wording

    def fail(self, code: str, /, *, at: str | None = None, **params: object) -> NoReturn:
        """Raise the problem `code` at this value (or at the path `at`)."""
        texts = {key: str(value) for key, value in params.items()}
        raise self.wording.error(
            self.path if at is None else at, self.wording.message(code, texts), code, texts
        )

    def shown(self) -> str:
        return self.wording.show(self.value)

    def renamed(self, path: str) -> Reader:
        """The same value reported under another path."""
        return Reader(self.value, path, self.wording)

    # --- containers ---------------------------------------------------------------------

    def object(
        self, allowed: Iterable[str] | None = None, *, first_unknown: str = "input"
    ) -> Reader:
        """This value as an object; with `allowed`, a key outside it is reported at its own path
        (the first in the input's order, or in sorted order with first_unknown="sorted")."""
        if not isinstance(self.value, Mapping):
            self.fail("not_object", value=self.shown())
        if allowed is not None:
            known = frozenset(allowed)
            unknown = [key for key in self.value if key not in known]
            if first_unknown == "sorted":
                unknown = sorted(unknown, key=str)
            if unknown:
                key = unknown[0]
                self.fail(
                    "unknown_key",
                    at=join(self.path, str(key)),
                    key=self.wording.show(key),
                    name=key,
                    within=self.path,
                )
        return self

    def mapping(self) -> Mapping[str, builtins.object]:
        """This value as an object (its keys unchecked)."""
        if not isinstance(self.value, Mapping):
            self.fail("not_object", value=self.shown())
        return self.value

    def has(self, name: str) -> bool:
        """Whether the object gives `name` a value other than null."""
        return self.mapping().get(name) is not None

    def field(self, name: str, default: builtins.object = _MISSING) -> Reader:
        """The value of `name`; without a default, an absent key is reported as missing (null
        counts as given: the typed method refuses it)."""
        data = self.mapping()
        where = join(self.path, name)
        if name in data:
            return Reader(data[name], where, self.wording)
        if default is _MISSING:
            self.fail("missing", at=where, name=name)
        return Reader(default, where, self.wording)

    def required(self, name: str, *, empty: Iterable[builtins.object] = (None,)) -> Reader:
        """The value of `name`, reported as missing when absent or one of `empty`."""
        data = self.mapping()
        where = join(self.path, name)
        if name not in data or any(data[name] == nothing for nothing in empty):
            self.fail("missing", at=where, name=name)
        return Reader(data[name], where, self.wording)

    def optional(self, name: str) -> Reader | None:
        """The value of `name`, or None when it is absent or null."""
        value = self.mapping().get(name)
        return None if value is None else Reader(value, join(self.path, name), self.wording)

    def items(self, *, min_items: int = 0, max_items: int | None = None) -> list[Reader]:
        """This value as a list (a tuple too), one reader per item."""
        if not isinstance(self.value, list | tuple):
            self.fail("not_list", value=self.shown())
        count = len(self.value)
        if count < min_items:
            self.fail("too_few", count=count, min=min_items)
        if max_items is not None and count > max_items:
            self.fail("too_many", count=count, max=max_items)
        return [
            Reader(item, join(self.path, index), self.wording)
            for index, item in enumerate(self.value)
        ]

    def entries(self) -> list[tuple[str, Reader]]:
        """An object's keys with a reader for each value."""
        return [
            (str(key), Reader(value, join(self.path, str(key)), self.wording))
            for key, value in self.mapping().items()
        ]

    # --- scalars ------------------------------------------------------------------------

    def integer(
        self, *, minimum: int | None = None, maximum: int | None = None, code: str = "not_integer"
    ) -> int:
        """A JSON integer: true/false and floats (even 3.0) are refused."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(code, value=self.shown())
        if minimum is not None and value < minimum:
            self.fail("below_minimum", value=value, min=minimum)
        if maximum is not None and value > maximum:
            self.fail("above_maximum", value=value, max=maximum)
        return value

    def cents(self, *, minimum: int = 0, maximum: int | None = None) -> int:
        """An amount in integer cents, `minimum` or more (0 unless said)."""
        return self.integer(minimum=minimum, maximum=maximum, code="not_cents")

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail("not_boolean", value=self.shown())
        return self.value

    def text(
        self, *, max_length: int | None = None, strip: bool = False, allow_empty: bool = True
    ) -> str:
        """A string; `strip` trims it first, and emptiness and length are judged after that."""
        if not isinstance(self.value, str):
            self.fail("not_text", value=self.shown())
        text = self.value.strip() if strip else self.value
        if not text and not allow_empty:
            self.fail("empty_text")
        if max_length is not None and len(text) > max_length:
            self.fail("too_long", length=len(text), max=max_length)
        return text

    def date(
        self, *, minimum: datetime.date = MIN_DATE, maximum: datetime.date = MAX_DATE
    ) -> datetime.date:
        """A date written YYYY-MM-DD, a real one, within minimum..maximum."""
        value = self.value
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            self.fail("not_date", value=self.shown())
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            self.fail("not_real_date", value=self.shown())
        if not minimum <= day <= maximum:
            self.fail(
                "date_out_of_range",
                value=self.shown(),
                min=minimum.isoformat(),
                max=maximum.isoformat(),
            )
        return day

    def decimal(
        self, *, numbers: tuple[type, ...] = (int, float), decimal_comma: bool = False
    ) -> Decimal:
        """A finite decimal written as a string ("0.85"), or as one of the JSON `numbers`
        (read through its text so 0.6 stays 0.6); `decimal_comma` accepts "0,85" too."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (str, *numbers)):
            self.fail("not_decimal", value=self.shown())
        text = str(value).strip()
        if decimal_comma:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.fail("bad_decimal", value=self.shown())
        if not number.is_finite():
            self.fail("not_finite", value=self.shown())
        return number
