"""What a robot declares and implements. Robots import it through `kuntarobo.sdk`.

A robot is a class in its own Django app (module `robot.py`), registered with `@register`.
It declares its names, class (A/B/C), systems, path description, schedule and parameters;
`produce` turns an input into work items and `handle` does one item. Class B robots also
implement `deliver`, called only after an official approved the item.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.folders import (
    FolderRefused,
    clean_relative,
    display,
    regular_files,
    resolve_below,
)
from kuntarobo.core.masking import mask_identity_codes

if TYPE_CHECKING:
    from kuntarobo.runtime.settings_schema import SettingsSchema


class RobotClass(StrEnum):
    """Chapter 8 b of the Administrative Procedure Act: what a robot may do alone."""

    ASSISTS = "A"
    PREPARES = "B"
    DECIDES = "C"


def _render(template: Any, values: dict[str, Any]) -> str:
    # `template % values`, not `str(template) % …`: a lazy ngettext picks its plural form from
    # the values (`ngettext_lazy(…, "count")`).
    return str(
        template
        % {
            key: value if isinstance(value, int | float) else str(value)
            for key, value in values.items()
        }
    )


_lazy_render = lazy(_render, str)


def message(template: Any, **values: Any) -> Any:
    """A translatable text with its values, put together only when it is read.

    `_("row %(row)d …") % {...}` is rendered at once, in the language active then: a worker
    reading an input (in its own language) would store a refusal whose inner parts stay in that
    language when the run page shows it in another. Values may be messages themselves."""
    return _lazy_render(template, values)


def join_messages(separator: str, parts: Sequence[Any]) -> Any:
    """Messages joined when read, each in the reader's language."""
    return format_lazy(separator.join(["{}"] * len(parts)), *parts)


class InputError(Exception):
    """Bad input to an entry point: the message names the problem; nothing has been changed.

    The message is a (lazy) translatable text with %(name)s placeholders, rendered when read,
    so the web UI shows it in the user's language and the API and CLI in English.
    `field` names the input at fault, for forms and the API.
    """

    def __init__(self, message: Any, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        self.field = field

    def __str__(self) -> str:
        if self.params:  # a lazy ngettext chooses its form from the params
            return str(self.message % self.params)
        return str(self.message)


class InputProblems(InputError):
    """A file's problems, each naming its row and column, one per line (and how many more
    were not listed); nothing was written."""

    def __init__(self, problems: Sequence[Any], more: int = 0, *, field: str = "file") -> None:
        parts = list(problems)
        if more:
            parts.append(message(_("… and %(count)s more problems"), count=more))
        super().__init__(join_messages("\n", parts), field=field)
        self.problems = parts


class _WithDocuments(Exception):
    """An item's failure may keep what the robot saw (a screenshot, the page's HTML, a Robot
    Framework log): `documents` are stored with the item like an outcome's, masked of secrets."""

    def __init__(self, *args: Any, documents: Sequence[Document] = ()) -> None:
        super().__init__(*args)
        self.documents = list(documents)


class BusinessException(_WithDocuments):
    """The data does not allow the robot to proceed: a person must look at it. Not retried."""


class ApplicationException(_WithDocuments):
    """A system failed (down, timed out, a screen not as expected): the item is retried with
    back-off."""


class Wait(Exception):
    """What `handle` raises (or returns) when the item must wait for an outside event (a phone
    call answered later, a reply awaited) or a time: the item becomes "waiting", spending no
    attempt, until `until` (if given) or until an outside event resumes it
    (`kuntarobo.runtime.actions.resume_item`), whichever comes first. Then `handle` is called
    again, the event's data in `item.resume_payload`. `output`, if given, is kept as the item's
    output meanwhile (what the robot must remember, e.g. the call's id, as `item.output`)."""

    def __init__(
        self,
        reason: str = "",
        *,
        until: datetime.datetime | None = None,
        output: dict[str, Any] | None = None,
    ) -> None:
        if until is not None and not isinstance(until, datetime.datetime):
            raise TypeError(f"Wait(until=…) must be a datetime, not {type(until).__name__}")
        super().__init__(reason)
        self.reason = reason
        self.until = until
        self.output = output


@dataclass(frozen=True)
class Text:
    """A text in Finnish, Swedish and English; Finnish is the fallback."""

    fi: str
    sv: str = ""
    en: str = ""

    def get(self, language: str | None = None) -> str:
        language = (language or get_language() or "fi")[:2]
        return getattr(self, language, "") or self.fi

    def __str__(self) -> str:
        return self.get()


PARAMETER_KINDS = (
    "text",
    "integer",
    "decimal",
    "boolean",
    "date",
    "email",
    "choice",
    "month",
    "folder",
)
# Years a date or month parameter may name, and the largest number: 9999-12 or 1e999 are typos
# that would overflow date arithmetic or a database column later.
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_NUMBER = 10**15


@dataclass(frozen=True)
class Parameter:
    name: str
    label: Text
    kind: str = "text"
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    help: Text | None = None

    def __post_init__(self) -> None:
        if self.kind not in PARAMETER_KINDS:
            raise ValueError(f"parameter {self.name}: unknown kind {self.kind!r}")

    def parse(self, raw: Any) -> Any:
        """Turn a raw value (form, JSON, CLI) into the typed value, or raise InputError."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if self.required and self.default is None:
                raise InputError(
                    _("parameter '%(name)s' is required"), field=self.name, name=self.name
                )
            return self.default
        text = str(raw).strip()
        try:
            return self._parse(raw, text)
        except (ValueError, InvalidOperation, ValidationError):
            pass
        if self.kind == "choice":
            raise InputError(
                _("parameter '%(name)s': %(value)s is not one of %(choices)s"),
                field=self.name,
                name=self.name,
                value=repr(text[:100]),
                choices=", ".join(self.choices),
            )
        raise InputError(
            _("parameter '%(name)s': %(value)s is not %(expected)s"),
            field=self.name,
            name=self.name,
            value=repr(text[:100]),
            expected=INVALID_VALUE.get(self.kind, INVALID_VALUE["text"]),
        )

    def _parse(self, raw: Any, text: str) -> Any:
        if self.kind == "integer":
            if isinstance(raw, bool) or not re.fullmatch(r"-?\d{1,16}", text):
                raise ValueError(text)
            if abs(int(text)) >= MAX_NUMBER:
                raise ValueError(text)
            return int(text)
        if self.kind == "decimal":
            value = Decimal(text.replace(",", "."))
            if not value.is_finite() or abs(value) >= MAX_NUMBER:
                raise ValueError(text)
            return str(value)
        if self.kind == "boolean":
            if isinstance(raw, bool):
                return raw
            if text.lower() in {"1", "true", "yes", "on", "kyllä", "ja"}:
                return True
            if text.lower() in {"0", "false", "no", "off", "ei", "nej"}:
                return False
            raise ValueError(text)
        if self.kind == "date":
            day = datetime.date.fromisoformat(text)
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                raise ValueError(text)
            return day.isoformat()
        if self.kind == "month":
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
                raise ValueError(text)
            if not MIN_YEAR <= int(text[:4]) <= MAX_YEAR:
                raise ValueError(text)
            return text
        if self.kind == "email":
            validate_email(text)
            return text
        if self.kind == "choice":
            if text not in self.choices:
                raise ValueError(text)
            return text
        if self.kind == "folder":
            # Only the form here; where it leads is checked against the municipality's root
            # (kuntarobo.runtime.storage_roots) by every entry point and again when used.
            if not isinstance(raw, str):
                raise ValueError(raw)
            return clean_relative(raw)
        if len(text) > 2000:
            raise ValueError(text)
        return text


# What a value of each kind must be, completing "… is not %(expected)s".
INVALID_VALUE = {
    "text": _("a text of at most 2000 characters"),
    "integer": _("a whole number below one quadrillion"),
    "decimal": _("a number below one quadrillion"),
    "boolean": _("yes or no"),
    "date": _("a date of the form YYYY-MM-DD in the years 1900–2200"),
    "month": _("a month of the form YYYY-MM in the years 1900–2200"),
    "email": _("an e-mail address"),
    "folder": _(
        "a folder inside the robot's own storage folder, given as a relative path such as inbox"
    ),
}


def folder_refusal(name: str, value: Any) -> InputError:
    """One message for every refused folder, whatever the reason: it names the parameter and
    echoes what the person gave, never what the server has."""
    return InputError(
        _("parameter '%(name)s': %(value)s is not %(expected)s"),
        field=name,
        name=name,
        value=repr(str(value)[:100]),
        expected=INVALID_VALUE["folder"],
    )


def resolve_folder(root: Path, name: str, value: Any) -> Path:
    """The absolute folder a parameter names below `root`, or InputError naming the parameter."""
    if not isinstance(value, str):
        raise folder_refusal(name, value)
    try:
        return resolve_below(root, value)
    except FolderRefused:
        raise folder_refusal(name, value) from None


FIELD_KINDS = ("text", "cents", "date", "integer", "iban")


@dataclass(frozen=True)
class OutputField:
    """How a reviewer sees one field of a robot's output: a label and a kind that says how to
    format it (money in cents as euros, ISO dates in the reader's date format)."""

    name: str
    label: Text
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"output field {self.name}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Schedule:
    """When the scheduler starts a run: a cron expression in Helsinki time and a calendar rule."""

    cron: str
    calendar: str = "any_day"
    description: Text | None = None


@dataclass(frozen=True)
class PathStep:
    name: Text
    actor: str  # "robot" or "person"
    system: Text | str = ""  # the system's name, a Text in every language
    description: Text | None = None


@dataclass(frozen=True)
class PathDescription:
    """The path document (polkudokumentaatio) as structured data, rendered on the robot page."""

    summary: Text
    steps: tuple[PathStep, ...]
    inputs: tuple[Text, ...] = ()
    outputs: tuple[Text, ...] = ()
    rules: tuple[Text, ...] = ()
    business_exceptions: tuple[Text, ...] = ()
    technical_exceptions: tuple[Text, ...] = ()
    human_role: Text | None = None
    volume: Text | None = None


@dataclass(frozen=True)
class Retention:
    """A kind of the robot's own data that the platform's retention purge deletes once it has
    been kept `days_setting` days (a Django setting; None there keeps it).

    `purge(cutoff, dry_run)` finds what is older than `cutoff`, removes it unless `dry_run`
    (inside the purge's transaction) and returns how many, and the names of the stored files to
    delete once that commits. `kind` names it in the purge's counts and audit event."""

    kind: str
    days_setting: str
    purge: Callable[[datetime.datetime, bool], tuple[int, list[str]]]


@dataclass(frozen=True)
class Chain:
    """When an item of this robot is done, the platform starts `robot` in the same municipality
    with the item's document whose name ends with `document` as the next run's input, copied
    through the platform's storage (never a path), and parameters from the item's output:
    `parameters` pairs an output key with the next robot's parameter. Both runs' pages show
    the chain."""

    robot: str
    document: str
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RobotPage:
    """A page of the robot's own app (e.g. its decisions), linked from the robot's page."""

    label: Text
    url_name: str
    # What the page's view requires somewhere (a `Permission` value): the link is shown only
    # to those it would not answer 403.
    permission: str = "view"


@dataclass
class ItemSpec:
    """One unit of work a producer yields; `reference` is unique per robot and municipality."""

    reference: str
    payload: dict[str, Any]
    title: str = ""
    priority: int = 0
    deadline: datetime.date | None = None
    # False for a repeat of work whose manual time was already counted (e.g. a report sent
    # again): the item's saved time is not counted a second time (`runtime.impact`).
    saves_time: bool = True


@dataclass
class Document:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Outcome:
    """What `handle` returns: the output (proposal), why, and what a reviewer must notice.

    `record` is the robot's own data for its records (e.g. a decision's full computation, which
    `on_status` writes into the decision): kept beside the output on the item and handed back
    as `ItemView.record`, but never shown as output in the web or the API; purged with the
    output when the item's personal data is."""

    output: dict[str, Any]
    explanation: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CorrectionError:
    """Why a reviewer's correction breaks the robot's own rules (`Robot.validate_correction`):
    the corrected field's name and the reason, a (lazy) translatable message such as
    `message(_("%(date)s is a public holiday"), date=...)`."""

    field: str
    reason: Any


@dataclass
class ItemView:
    """The robot's read-only view of one work item."""

    id: int
    reference: str
    payload: dict[str, Any]
    attempt: int
    output: dict[str, Any]
    title: str = ""
    municipality_id: int = 0
    # Who approved (or rejected) the item and when: a class B decision prints the official.
    reviewed_by_name: str = ""
    reviewed_at: datetime.datetime | None = None
    reviewed_by_id: int | None = None
    # What the outside event that ended the item's last wait brought (`Wait`); empty otherwise.
    resume_payload: dict[str, Any] = field(default_factory=dict)
    # The robot's own record data from its last `Outcome.record` (never shown as output).
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunContext:
    """What a robot sees of the run: municipality, parameters, input file, and a masked log."""

    run_id: int
    municipality_slug: str
    municipality_name: str
    parameters: dict[str, Any]
    trigger: str
    input_path: Path | None = None
    input_name: str = ""
    log_lines: list[tuple[str, Any]] = field(default_factory=list)
    # Inputs the producer left out on purpose (e.g. "unchanged"), kept in the run's summary.
    skipped: dict[str, int] = field(default_factory=dict)
    # What the person who started the run should know of how the input was read (lazy
    # translatable messages): kept in the run's summary in fi/sv/en, shown on the run's page.
    notices: list[Any] = field(default_factory=list)
    # Which robot runs: with the municipality it locates the storage root of folder parameters.
    robot_slug: str = ""
    # Finds that root as configured at the moment of asking; the platform sets it.
    root_finder: Callable[[], Path] | None = None

    def log(self, message: Any, level: str = "info") -> None:
        """A line for the run's log: a plain text, or a translatable one (`message(_("…"))`)
        that the log shows in its reader's language. Masked when stored."""
        if isinstance(message, Promise):
            self.log_lines.append((level, message))
        else:
            self.log_lines.append((level, mask_identity_codes(message)))

    def notice(self, text: Any) -> None:
        """Tell the person who started the run something about its input, e.g. that a
        parameter was applied in a way they might not expect (`message(...)`)."""
        self.notices.append(text)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + count

    def storage_root(self) -> Path:
        """The robot's storage root in this municipality, as configured now."""
        if self.root_finder is None:
            raise RuntimeError(f"run {self.run_id}: the platform gave no storage root")
        return self.root_finder()

    def folder(self, name: str) -> Path | None:
        """The absolute folder a folder parameter names, checked again now (the root may have
        changed, the value may predate the check): InputError if it leads outside the root."""
        value = self.parameters.get(name)
        if value in (None, ""):
            return None
        return resolve_folder(self.storage_root(), name, value)

    def input_or_newest(
        self,
        suffixes: tuple[str, ...],
        *,
        folder_parameter: str,
        no_input: Any,
        missing: Any,
        empty: Any,
    ) -> tuple[Path, str]:
        """The run's input file and the name the person knows it by, or else the newest file
        in the folder the parameter names (below the robot's storage root; messages show it
        relative to the root). The (lazy) messages are the robot's own wording:
        `missing` and `empty` may use %(folder)s, `empty` also %(suffixes)s."""
        if self.input_path is not None:
            return self.input_path, self.input_name or self.input_path.name
        directory = self.folder(folder_parameter)
        if directory is None:
            raise InputError(no_input, field="file")
        folder = display(self.storage_root(), directory)
        if not directory.is_dir():
            raise InputError(missing, field=folder_parameter, folder=folder)
        # Regular files only: a symlink planted in the folder is never followed out of it.
        candidates = regular_files(directory, suffixes)
        if not candidates:
            raise InputError(
                empty, field=folder_parameter, folder=folder, suffixes=", ".join(suffixes)
            )
        newest = max(candidates, key=lambda path: (path.lstat().st_mtime, path.name))
        return newest, newest.name


class Robot:
    slug: ClassVar[str]
    name: ClassVar[Text]
    description: ClassVar[Text]
    robot_class: ClassVar[RobotClass]
    systems: ClassVar[tuple[Text | str, ...]] = ()  # the systems' names, each a Text
    path: ClassVar[PathDescription]
    schedule: ClassVar[Schedule | None] = None
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    correctable_fields: ClassVar[tuple[Parameter, ...]] = ()
    output_fields: ClassVar[tuple[OutputField, ...]] = ()
    # The fields of an item's input (payload) a person reads, with their labels. When a robot
    # declares them, its other input keys are internal (fingerprints, row ids): the item page
    # shows them, with the output's undeclared keys, only to administrators as raw data.
    input_fields: ClassVar[tuple[OutputField, ...]] = ()
    # The words for the audit event codes the robot records itself (`<slug>.…`), shown on the
    # audit page in the reader's language (the exports keep the codes).
    audit_actions: ClassVar[dict[str, Text]] = {}
    manual_minutes_per_item: ClassVar[Decimal] = Decimal("0")
    max_attempts: ClassVar[int] = 3
    accepts_upload: ClassVar[bool] = False
    upload_suffixes: ClassVar[tuple[str, ...]] = ()
    requires_upload: ClassVar[bool] = False
    rule_version: ClassVar[str] = "1"
    pages: ClassVar[tuple[RobotPage, ...]] = ()
    # Robots whose runs an item of this one starts when it is done (`Chain`).
    chains: ClassVar[tuple[Chain, ...]] = ()
    # What the robot's app mounts (dotted module paths of URL confs; the platform includes
    # them from the registry, so a robot installed through KUNTAROBO_EXTRA_APPS needs no edit
    # of platform code): staff pages under /robots/<slug>/, API endpoints under
    # /api/v1/<api_prefix>/ (default: the slug with hyphens), and public pages (no sign-in)
    # under a prefix of their own, e.g. ("varhaiskasvatusmaksu/", "….urls").
    urls: ClassVar[str] = ""
    api_urls: ClassVar[str] = ""
    api_prefix: ClassVar[str] = ""
    public_urls: ClassVar[tuple[tuple[str, str], ...]] = ()
    # The municipality's own settings of this robot (kuntarobo.runtime.settings_schema): the
    # platform gives them a page, a CLI command and an API endpoint.
    municipal_settings: ClassVar[SettingsSchema | None] = None
    # Dotted path of the robot's retention module: its `RETENTION`, a tuple of `Retention`, is
    # purged by the platform with the rest of the personal data (`kuntarobo retention`).
    retention: ClassVar[str] = ""

    def produce(self, context: RunContext) -> Iterable[ItemSpec]:
        raise NotImplementedError

    def handle(self, item: ItemView, context: RunContext) -> Outcome | Wait:
        """Do one item: its Outcome, or a `Wait` (returned or raised) to wait for an outside
        event or a time."""
        raise NotImplementedError

    def deliver(self, item: ItemView, context: RunContext) -> None:
        """Send what the item's (approved) output says. Class A and C robots deliver in handle."""

    @classmethod
    def on_status(cls, item: ItemView, status: str) -> None:
        """Called inside the transaction that gives an item a new status: robots keep their own
        records (a decision, a sent report) here, so they commit or vanish with the status."""

    @classmethod
    def on_statuses(cls, changes: Sequence[tuple[ItemView, str]]) -> None:
        """`on_status` for each of a worker's batch of items, in the batch's transaction: a
        robot that writes a row per item may override this to insert the rows together."""
        for item, status in changes:
            cls.on_status(item, status)

    @classmethod
    def validate_correction(
        cls, item: ItemView, corrected: dict[str, Any]
    ) -> list[CorrectionError]:
        """Check a reviewer's correction by the robot's own rules before it is accepted: the
        corrected fields (`correctable_fields`, already parsed) against the item as the robot
        made it. Every problem found, each naming its field; none accepts the correction. The
        platform's correction action (web, API, command line) asks this for every robot, and
        a refused correction changes nothing and delivers nothing."""
        return []

    @classmethod
    def on_letters_posted(
        cls, municipality_id: int, references: Sequence[str], posted_on: datetime.date
    ) -> None:
        """Called in the transaction that marks a municipality's print batch posted, with the
        `reference` of each of this robot's letters in it: a decision's notification date
        follows from it."""

    @classmethod
    def approval_refusal(cls, item: ItemView, reviewer_id: int | None) -> str | None:
        """Why this person may not approve (or correct and so approve) the item, in the user's
        language, or None: e.g. a decision needs the reviewer's delegation to decide it. The
        item is then refused like any other (the rest of a bulk approval goes on)."""
        return None

    @classmethod
    def needs_review(cls) -> bool:
        return cls.robot_class == RobotClass.PREPARES

    @classmethod
    def parse_parameters(cls, raw: dict[str, Any]) -> dict[str, Any]:
        known = {p.name for p in cls.parameters}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InputError(
                _("unknown parameter '%(name)s' for robot %(robot)s"),
                field=unknown[0],
                name=unknown[0],
                robot=cls.slug,
            )
        return {p.name: p.parse(raw.get(p.name)) for p in cls.parameters}


_REGISTRY: dict[str, type[Robot]] = {}


def register(robot: type[Robot]) -> type[Robot]:
    """Class decorator that makes a robot known to the platform by its slug."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{1,48}", robot.slug):
        raise ValueError(f"robot slug {robot.slug!r} must be lower-case letters, digits, - or _")
    existing = _REGISTRY.get(robot.slug)
    if existing is not None and existing.__qualname__ != robot.__qualname__:
        raise ValueError(f"two robots share the slug {robot.slug!r}")
    if robot.robot_class not in RobotClass:
        raise ValueError(f"robot {robot.slug}: class must be A, B or C")
    _REGISTRY[robot.slug] = robot
    return robot


def get_robot(slug: str) -> type[Robot]:
    try:
        return _REGISTRY[slug]
    except KeyError:
        raise InputError(_("unknown robot '%(robot)s'"), field="robot", robot=slug) from None


def all_robots() -> list[type[Robot]]:
    return sorted(_REGISTRY.values(), key=lambda r: r.slug)


def robot_retention() -> list[Retention]:
    """What every registered robot declares for the retention purge, robot by robot."""
    from django.utils.module_loading import import_string

    declared: list[Retention] = []
    for robot in all_robots():
        if robot.retention:
            declared.extend(import_string(f"{robot.retention}.RETENTION"))
    return declared
