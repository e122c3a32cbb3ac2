"""A phone survey questionnaire (parsed JSON, checked field by field) and the pure state machine
of one call: the telephony layer feeds it keypad digits, timeouts, recordings and hang-ups, and
it answers with what to do next (play, record, hang up with a disposition). No I/O, no Django.

Format (see docs/phone-survey.md, "Questionnaire format"): the step types follow Surveda's
(single choice, numeric, explanation, flag, language) plus an open answer recorded as audio.
Finnish rules (GDPR): the introduction must say who calls, why, where the number came from and
how to refuse (the stop key); a stop key press is honoured at once as "do_not_call".
Source: /work/shared/docs/domain/phone-survey.md (Uusikaupunki 2021 survey, Surveda).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from kuntarobo.core.strict_json import Reader, StrictJsonError, Wording

STEP_TYPES: Final = ("single_choice", "numeric", "explanation", "open_answer", "flag", "language")
FLAG_DISPOSITIONS: Final = ("completed", "ineligible", "refused")
KEYS: Final = tuple("0123456789")
END: Final = "end"
CONSENT: Final = "consent"  # the step id of the consent gate in actions
CONFIRM: Final = "#"  # ends a numeric entry

Answer = int | str | float | None
Disposition = Literal["completed", "partial", "refused", "ineligible", "do_not_call", "no_input"]


class QuestionnaireError(StrictJsonError):
    """A questionnaire that breaks the format; `path` names the field."""


@dataclass(frozen=True)
class Choice:
    """One keypad choice: the key pressed, the value stored and its label per language."""

    key: str
    value: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class Step:
    """One step; the fields a type does not use keep their defaults."""

    id: str
    type: str
    prompt: Mapping[str, str]
    choices: tuple[Choice, ...] = ()
    skip: Mapping[str, str] = field(default_factory=dict)
    minimum: int = 0
    maximum: int = 0
    max_seconds: int = 0
    disposition: str = ""


@dataclass(frozen=True)
class Questionnaire:
    """A checked questionnaire: every prompt exists in every declared language."""

    id: str
    languages: tuple[str, ...]
    introduction: Mapping[str, str]
    consent_prompt: Mapping[str, str]
    consent_key: str
    stop_key: str
    max_retries: int
    steps: tuple[Step, ...]

    def index(self, step_id: str) -> int:
        return next(i for i, step in enumerate(self.steps) if step.id == step_id)


# --- parsing ----------------------------------------------------------------------------------


def _fail(path: str, message: str, code: str = "invalid") -> QuestionnaireError:
    return QuestionnaireError(path, message, code)


def _texts(reader: Reader, languages: tuple[str, ...]) -> dict[str, str]:
    """Text per language: every declared language present and non-empty, no others."""
    reader.object(languages)
    texts: dict[str, str] = {}
    for language in languages:
        if not reader.has(language):
            raise _fail(f"{reader.path}.{language}", "is required", "missing")
        texts[language] = reader.field(language).text(strip=True, allow_empty=False)
    return texts


def _key(reader: Reader) -> str:
    value = reader.value
    if not isinstance(value, str) or value not in KEYS:
        raise _fail(reader.path, f"must be one key from 0 to 9, got {reader.shown()}", "bad_key")
    return value


_STEP_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "single_choice": ("id", "type", "prompt", "choices", "skip"),
    "numeric": ("id", "type", "prompt", "min", "max"),
    "explanation": ("id", "type", "prompt"),
    "open_answer": ("id", "type", "prompt", "max_seconds"),
    "flag": ("id", "type", "prompt", "disposition"),
    "language": ("id", "type", "prompt", "choices"),
}


def _choices(
    reader: Reader, languages: tuple[str, ...], stop_key: str, *, is_language: bool
) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    seen_keys: set[str] = set()
    seen_values: set[str] = set()
    for item in reader.items(min_items=1, max_items=10):
        item.object(("key", "value", "label"))
        key = _key(item.field("key"))
        if key == stop_key:
            raise _fail(f"{item.path}.key", f"is the stop key {key}", "stop_key")
        if key in seen_keys:
            raise _fail(f"{item.path}.key", f"key {key} is used twice", "duplicate")
        value = item.field("value").text(strip=True, allow_empty=False)
        if value in seen_values:
            raise _fail(f"{item.path}.value", f"value {value} is used twice", "duplicate")
        if is_language and value not in languages:
            raise _fail(f"{item.path}.value", f"{value} is not a declared language", "language")
        seen_keys.add(key)
        seen_values.add(value)
        choices.append(Choice(key, value, _texts(item.field("label"), languages)))
    return tuple(choices)


def _step(reader: Reader, languages: tuple[str, ...], stop_key: str) -> Step:
    reader.object()
    kind = reader.field("type").text()
    if kind not in STEP_TYPES:
        raise _fail(f"{reader.path}.type", f"unknown step type {kind!r}", "unknown_type")
    reader.object(_STEP_FIELDS[kind])
    step_id = reader.field("id").text(strip=True, allow_empty=False)
    prompt_reader = reader.optional("prompt") if kind == "flag" else reader.field("prompt")
    prompt = {} if prompt_reader is None else _texts(prompt_reader, languages)
    if kind in ("single_choice", "language"):
        choices = _choices(
            reader.field("choices"), languages, stop_key, is_language=kind == "language"
        )
        skip: dict[str, str] = {}
        skip_reader = reader.optional("skip")
        if skip_reader is not None:
            skip_reader.object()
            values = {choice.value for choice in choices}
            for value, target in skip_reader.entries():
                if value not in values:
                    raise _fail(target.path, f"{value} is not a choice value", "unknown_value")
                skip[value] = target.text(strip=True, allow_empty=False)
        return Step(step_id, kind, prompt, choices, skip)
    if kind == "numeric":
        minimum = reader.field("min").integer(minimum=0)
        maximum = reader.field("max").integer(minimum=0)
        if minimum > maximum:
            raise _fail(f"{reader.path}.min", f"min {minimum} is above max {maximum}", "min_max")
        return Step(step_id, kind, prompt, minimum=minimum, maximum=maximum)
    if kind == "open_answer":
        seconds = reader.field("max_seconds").integer(minimum=1, maximum=600)
        return Step(step_id, kind, prompt, max_seconds=seconds)
    if kind == "flag":
        disposition = reader.field("disposition").text()
        if disposition not in FLAG_DISPOSITIONS:
            raise _fail(
                f"{reader.path}.disposition",
                f"must be one of {', '.join(FLAG_DISPOSITIONS)}, got {disposition!r}",
                "bad_disposition",
            )
        return Step(step_id, kind, prompt, disposition=disposition)
    return Step(step_id, kind, prompt)


def parse_questionnaire(data: object) -> Questionnaire:
    """Check a parsed questionnaire (JSON or YAML turned into dicts) and build it, or raise a
    QuestionnaireError naming the field ("steps[3].choices[1].key")."""
    root = Reader(data, "", Wording(error=QuestionnaireError))
    root.object(("id", "languages", "introduction", "consent", "stop_key", "max_retries", "steps"))
    questionnaire_id = root.field("id").text(strip=True, allow_empty=False)
    languages: list[str] = []
    for item in root.field("languages").items(min_items=1):
        language = item.text(strip=True, allow_empty=False)
        if language in languages:
            raise _fail(item.path, f"language {language} is declared twice", "duplicate")
        languages.append(language)
    langs = tuple(languages)
    introduction = _texts(root.field("introduction"), langs)
    stop_key = _key(root.field("stop_key"))
    consent = root.field("consent")
    consent.object(("prompt", "key"))
    consent_prompt = _texts(consent.field("prompt"), langs)
    consent_key = _key(consent.field("key"))
    if consent_key == stop_key:
        raise _fail("consent.key", f"is the stop key {stop_key}", "stop_key")
    max_retries = root.field("max_retries", 2).integer(minimum=0, maximum=5)
    step_readers = root.field("steps").items()
    if not step_readers:
        raise _fail("steps", "must have at least one step", "too_few")
    steps: list[Step] = []
    ids: dict[str, int] = {}
    for index, item in enumerate(step_readers):
        step = _step(item, langs, stop_key)
        if step.id in ids or step.id in (END, CONSENT):
            raise _fail(f"{item.path}.id", f"id {step.id!r} is used twice or reserved", "duplicate")
        ids[step.id] = index
        steps.append(step)
    for index, step in enumerate(steps):
        for value, target in step.skip.items():
            where = f"steps[{index}].skip.{value}"
            if target == END:
                continue
            if target not in ids:
                raise _fail(where, f"skips to a missing step {target!r}", "missing_step")
            if ids[target] <= index:
                raise _fail(where, f"may only skip forward, not to {target!r}", "backward_skip")
    return Questionnaire(
        questionnaire_id,
        langs,
        MappingProxyType(introduction),
        MappingProxyType(consent_prompt),
        consent_key,
        stop_key,
        max_retries,
        tuple(steps),
    )


# --- one call ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Play:
    """Play `text` in `language` (TTS or the recorded prompt of `step_id`), then wait for keys."""

    text: str
    language: str
    step_id: str


@dataclass(frozen=True)
class Record:
    """Play `text`, then record the answer for at most `max_seconds` and call on_recording."""

    text: str
    language: str
    step_id: str
    max_seconds: int


@dataclass(frozen=True)
class HangUp:
    """Play `text` (may be empty), then hang up; the call ends with `disposition`."""

    disposition: Disposition
    answers: Mapping[str, Answer]
    text: str = ""
    language: str = ""


Action = Play | Record | HangUp

_FLAG_DISPOSITION: Final[Mapping[str, Disposition]] = {
    "completed": "completed",
    "ineligible": "ineligible",
    "refused": "refused",
}


class Interview:
    """The state of one answered call. Keys: a single choice takes one key; a numeric entry is
    collected digit by digit and ends with '#'. The stop key ends the call as "do_not_call" at
    any step; in a numeric step, where it is also a digit, only when pressed alone and never
    confirmed (the entry times out). Invalid or no input re-asks up to max_retries times; then
    the consent gate ends as "no_input" and a question is left unanswered (None)."""

    def __init__(self, questionnaire: Questionnaire, language: str) -> None:
        if language not in questionnaire.languages:
            raise ValueError(f"language {language!r} is not declared")
        self.questionnaire = questionnaire
        self.language = language
        self._answers: dict[str, Answer] = {}
        self._index = -1  # -1 is the consent gate
        self._retries = 0
        self._buffer = ""
        self._last: Action | None = None
        self._result: HangUp | None = None

    # --- the caller's events -----------------------------------------------------------------

    def start(self) -> Play:
        """The introduction (who calls, why, where the number came from, how to refuse) and the
        consent gate ("press 1 to answer"), which also keeps answering machines out."""
        q = self.questionnaire
        text = f"{q.introduction[self.language]} {q.consent_prompt[self.language]}"
        action = Play(text, self.language, CONSENT)
        self._last = action
        return action

    def on_digits(self, digits: str) -> Action:
        """Keys pressed since the last event (DTMF as a string, e.g. "4", "42#")."""
        if self._result is not None:
            return self._result
        step = self._step()
        if step is not None and step.type == "numeric":
            return self._numeric(step, digits)
        if not digits:
            return self._invalid()
        key = digits[0]
        if key == self.questionnaire.stop_key:
            return self._hang_up("do_not_call")
        if step is None:
            if key == self.questionnaire.consent_key:
                return self._enter(0)
            return self._invalid()
        choice = next((c for c in step.choices if c.key == key), None)
        if choice is None:
            return self._invalid()
        self._answers[step.id] = choice.value
        if step.type == "language":
            self.language = choice.value
        target = step.skip.get(choice.value)
        if target == END:
            return self._hang_up("completed")
        if target is not None:
            return self._enter(self.questionnaire.index(target))
        return self._enter(self._index + 1)

    def on_timeout(self) -> Action:
        """No (complete) input within the caller's wait."""
        if self._result is not None:
            return self._result
        step = self._step()
        stop = self.questionnaire.stop_key
        if step is not None and step.type == "numeric" and self._buffer == stop:
            return self._hang_up("do_not_call")
        return self._invalid()

    def on_recording(self, seconds: float) -> Action:
        """The open answer was recorded (the caller keeps the audio); 0 seconds is no input."""
        if self._result is not None:
            return self._result
        step = self._step()
        if step is None or step.type != "open_answer":
            raise ValueError("no open answer is being recorded")
        if seconds <= 0:
            return self._invalid()
        self._answers[step.id] = float(seconds)
        return self._enter(self._index + 1)

    def on_hangup(self) -> HangUp:
        """The callee hung up: a break-off after some answers is "partial", else "refused"."""
        if self._result is not None:
            return self._result
        by_id = {step.id: step for step in self.questionnaire.steps}
        answered = any(
            value is not None and by_id[step_id].type != "language"
            for step_id, value in self._answers.items()
        )
        return self._hang_up("partial" if self._index >= 0 and answered else "refused")

    @property
    def answers(self) -> Mapping[str, Answer]:
        """The answers so far by step id; None for a question skipped after the retries."""
        return MappingProxyType(self._answers)

    @property
    def result(self) -> HangUp | None:
        return self._result

    # --- inside ------------------------------------------------------------------------------

    def _step(self) -> Step | None:
        return None if self._index < 0 else self.questionnaire.steps[self._index]

    def _numeric(self, step: Step, digits: str) -> Action:
        self._buffer += digits
        if CONFIRM not in self._buffer:
            return self._last if self._last is not None else self._invalid()
        entry = self._buffer.split(CONFIRM, 1)[0]
        self._buffer = ""
        if not entry.isdigit() or not step.minimum <= int(entry) <= step.maximum:
            return self._invalid()
        self._answers[step.id] = int(entry)
        return self._enter(self._index + 1)

    def _invalid(self) -> Action:
        """Re-ask, or give up on this step after max_retries re-asks."""
        self._buffer = ""
        step = self._step()
        if self._retries < self.questionnaire.max_retries and self._last is not None:
            self._retries += 1
            return self._last
        if step is None:
            return self._hang_up("no_input")
        self._answers[step.id] = None
        return self._enter(self._index + 1)

    def _enter(self, index: int, before: str = "") -> Action:
        """Go to the step at `index`: explanations are spoken before the next prompt."""
        self._retries = 0
        self._buffer = ""
        steps = self.questionnaire.steps
        while index < len(steps):
            self._index = index
            step = steps[index]
            text = step.prompt.get(self.language, "")
            spoken = f"{before} {text}".strip()
            if step.type == "flag":
                return self._hang_up(_FLAG_DISPOSITION[step.disposition], spoken)
            if step.type == "explanation":
                before = spoken
                index += 1
                continue
            action: Action
            if step.type == "open_answer":
                action = Record(spoken, self.language, step.id, step.max_seconds)
            else:
                action = Play(spoken, self.language, step.id)
            self._last = action
            return action
        return self._hang_up("completed", before)

    def _hang_up(self, disposition: Disposition, text: str = "") -> HangUp:
        self._result = HangUp(
            disposition, MappingProxyType(dict(self._answers)), text, self.language
        )
        return self._result


# --- the demo ---------------------------------------------------------------------------------


def _t(fi: str, sv: str, en: str) -> dict[str, str]:
    return {"fi": fi, "sv": sv, "en": en}


# AN EXAMPLE in our own wording, modelled on the Uusikaupunki strategy survey of December 2021
# (who calls, why, where the number came from, how to refuse; age group, area, satisfaction
# 0-10, the most important development target, an open answer). Not the city's actual text.
DEMO_QUESTIONNAIRE: Final[Mapping[str, object]] = {
    "id": "demo-strategy-survey",
    "languages": ["fi", "sv", "en"],
    "introduction": _t(
        "Hei, tämä on Esimerkkikaupungin automaattinen kyselypuhelu kaupungin strategiatyötä "
        "varten. Numeronne on saatu numeropalvelusta. Jos ette halua vastata tai haluatte, "
        "ettei teille enää soiteta, painakaa 9.",
        "Hej, detta är ett automatiskt enkätsamtal från Exempelstad för stadens strategiarbete. "
        "Ditt nummer kommer från en nummertjänst. Om du inte vill svara eller inte vill bli "
        "uppringd igen, tryck 9.",
        "Hello, this is an automated survey call from the City of Example for the city's "
        "strategy work. Your number came from a directory service. If you do not want to "
        "answer or do not want to be called again, press 9.",
    ),
    "consent": {
        "prompt": _t(
            "Vastataksenne kyselyyn painakaa 1.",
            "Tryck 1 för att svara på enkäten.",
            "To answer the survey, press 1.",
        ),
        "key": "1",
    },
    "stop_key": "9",
    "max_retries": 2,
    "steps": [
        {
            "id": "language",
            "type": "language",
            "prompt": _t(
                "Suomeksi paina 1. På svenska tryck 2. In English press 3.",
                "Suomeksi paina 1. På svenska tryck 2. In English press 3.",
                "Suomeksi paina 1. På svenska tryck 2. In English press 3.",
            ),
            "choices": [
                {"key": "1", "value": "fi", "label": _t("suomi", "finska", "Finnish")},
                {"key": "2", "value": "sv", "label": _t("ruotsi", "svenska", "Swedish")},
                {"key": "3", "value": "en", "label": _t("englanti", "engelska", "English")},
            ],
        },
        {
            "id": "age_group",
            "type": "single_choice",
            "prompt": _t(
                "Mikä on ikäryhmänne? Alle 18 paina 1, 18–29 paina 2, 30–49 paina 3, "
                "50–64 paina 4, 65 tai yli paina 5.",
                "Vilken är din åldersgrupp? Under 18 tryck 1, 18–29 tryck 2, 30–49 tryck 3, "
                "50–64 tryck 4, 65 eller äldre tryck 5.",
                "What is your age group? Under 18 press 1, 18 to 29 press 2, 30 to 49 press 3, "
                "50 to 64 press 4, 65 or over press 5.",
            ),
            "choices": [
                {"key": "1", "value": "under_18", "label": _t("alle 18", "under 18", "under 18")},
                {"key": "2", "value": "18-29", "label": _t("18–29", "18–29", "18–29")},
                {"key": "3", "value": "30-49", "label": _t("30–49", "30–49", "30–49")},
                {"key": "4", "value": "50-64", "label": _t("50–64", "50–64", "50–64")},
                {"key": "5", "value": "65+", "label": _t("65+", "65+", "65+")},
            ],
            "skip": {"under_18": "too_young"},
        },
        {
            "id": "area",
            "type": "single_choice",
            "prompt": _t(
                "Missä asutte? Keskustassa paina 1, muualla taajamassa paina 2, haja-asutus"
                "alueella paina 3.",
                "Var bor du? I centrum tryck 1, annanstans i tätorten tryck 2, på landsbygden "
                "tryck 3.",
                "Where do you live? In the centre press 1, elsewhere in town press 2, in the "
                "countryside press 3.",
            ),
            "choices": [
                {"key": "1", "value": "centre", "label": _t("keskusta", "centrum", "centre")},
                {"key": "2", "value": "town", "label": _t("taajama", "tätort", "town")},
                {"key": "3", "value": "rural", "label": _t("haja-asutus", "landsbygd", "rural")},
            ],
        },
        {
            "id": "satisfaction",
            "type": "numeric",
            "prompt": _t(
                "Kuinka tyytyväinen olette asumiseen kaupungissa asteikolla 0–10? Näppäilkää "
                "luku ja painakaa risuaita.",
                "Hur nöjd är du med att bo i staden på en skala 0–10? Slå siffran och tryck "
                "fyrkant.",
                "How satisfied are you with living in the town, from 0 to 10? Key the number "
                "and press hash.",
            ),
            "min": 0,
            "max": 10,
        },
        {
            "id": "target",
            "type": "single_choice",
            "prompt": _t(
                "Mikä on tärkein kehityskohde? Palvelut paina 1, työpaikat paina 2, "
                "liikenne paina 3, ympäristö paina 4, vapaa-aika paina 5.",
                "Vilket är det viktigaste att utveckla? Service tryck 1, arbetsplatser tryck 2, "
                "trafik tryck 3, miljö tryck 4, fritid tryck 5.",
                "What is the most important thing to develop? Services press 1, jobs press 2, "
                "transport press 3, environment press 4, leisure press 5.",
            ),
            "choices": [
                {"key": "1", "value": "services", "label": _t("palvelut", "service", "services")},
                {"key": "2", "value": "jobs", "label": _t("työpaikat", "arbetsplatser", "jobs")},
                {"key": "3", "value": "transport", "label": _t("liikenne", "trafik", "transport")},
                {
                    "key": "4",
                    "value": "environment",
                    "label": _t("ympäristö", "miljö", "environment"),
                },
                {"key": "5", "value": "leisure", "label": _t("vapaa-aika", "fritid", "leisure")},
            ],
        },
        {
            "id": "open",
            "type": "open_answer",
            "prompt": _t(
                "Kertokaa vielä omin sanoin, mitä kaupungin pitäisi kehittää. Puhukaa äänimerkin "
                "jälkeen.",
                "Berätta med egna ord vad staden borde utveckla. Tala efter tonen.",
                "Tell us in your own words what the town should develop. Speak after the tone.",
            ),
            "max_seconds": 60,
        },
        {
            "id": "thanks",
            "type": "flag",
            "disposition": "completed",
            "prompt": _t(
                "Kiitos vastauksistanne!", "Tack för dina svar!", "Thank you for your answers!"
            ),
        },
        {
            "id": "too_young",
            "type": "flag",
            "disposition": "ineligible",
            "prompt": _t(
                "Kysely on täysi-ikäisille. Kiitos ajastanne!",
                "Enkäten är för vuxna. Tack för din tid!",
                "The survey is for adults. Thank you for your time!",
            ),
        },
    ],
}
