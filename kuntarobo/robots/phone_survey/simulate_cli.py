"""`kuntarobo survey simulate`: a whole campaign in simulated time, before money is spent on
calls (issue 18's CLI contract). Django-free, so it answers in a fraction of a second and runs
where no database is configured: it imports only kuntarobo.core, the standard library and
PyYAML.

Bad input exits 2 with nothing on stdout and ONE stderr line naming the field
(`campaign.schedule.weekdays[2]: must be at most 7, got 8`); the output file is written
atomically (a temporary file in the same folder, then renamed), so an error never leaves a
half-written file. The messages are English: this runs before (and without) Django's i18n.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final, NoReturn

import yaml

from kuntarobo.core.call_windows import CallSchedule, parse_schedule
from kuntarobo.core.questionnaire import (
    DEMO_QUESTIONNAIRE,
    Questionnaire,
    QuestionnaireError,
    parse_questionnaire,
)
from kuntarobo.core.respondents import DoNotCall, RespondentsError, mask_phone, read_respondents
from kuntarobo.core.strict_json import Reader, StrictJsonError, Wording
from kuntarobo.core.survey_simulation import (
    Population,
    Quota,
    SimRespondent,
    SimulationResult,
    simulate,
)

CAMPAIGN_KEYS: Final = (
    "schedule",
    "max_attempts",
    "lines",
    "price_per_minute_cents",
    "questionnaire",
    "do_not_call",
    "simulation",
    "quotas",
)
DEFAULT_MAX_ATTEMPTS: Final = 3
MAX_ATTEMPTS_LIMIT: Final = 10
MAX_LINES: Final = 1000
MAX_PRICE_CENTS: Final = 100_000
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
# The `simulation` keys: probabilities in [0, 1] and whole seconds (Population's fields).
PROBABILITIES: Final = ("non_working", "busy", "technical", "machine", "consent", "stop_share")
SECONDS: Final[Mapping[str, int]] = {
    # key -> smallest allowed value; ring_seconds is the upper end of a 5 s..N ring time.
    "seconds_per_prompt": 0,
    "seconds_per_answer": 0,
    "ring_seconds": 5,
    "busy_seconds": 0,
    "machine_seconds": 0,
}
MAX_SECONDS: Final = 3600
PARTS: Final = ("morning", "afternoon", "evening")
SIMULATION_KEYS: Final = (
    "answer_by_part",
    "age_factor",
    *PROBABILITIES,
    "break_off",
    *SECONDS,
)
QUOTA_KEYS: Final = ("age_group", "gender", "area", "target")
# The campaign file's own problem codes (the others are strict_json's).
WORDING: Final = Wording(
    templates={
        "not_probability": "must be a number from 0 to 1, got {value}",
        "not_below_one": "must be at least 0 and below 1, got {value}",
        "not_factor": "must be a number from 0 to 100, got {value}",
        "empty_key": "an age group must not be empty",
        "busy_and_technical": "busy + technical must not be above 1, got {value}",
        "no_bucket": "a quota needs at least one of age_group, gender, area",
        "duplicate_bucket": "the same bucket as quotas[{first}]",
        "not_phone_text": "must be a phone number in quotes, got {value}",
    }
)


class InputError(Exception):
    """Bad input: `where` names the field or the option, `message` what is wrong."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError("arguments", message)


# --- files ------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """safe_load, with two YAML 1.1 surprises turned off: an unquoted 10:00 stays the text
    "10:00" (not the base-60 number 600) and 2021-12-01 stays text for the date reader."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
        and not (tag.endswith((":int", ":float")) and ":" in regexp.pattern.replace("::", ""))
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _read_text(path: Path, where: str) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(where, f"{path.name} is larger than {MAX_FILE_BYTES} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise InputError(where, f"cannot read {path}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Finnish spreadsheets often save Windows-1252; text without its holes is taken as it.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(where, f"{path.name} is neither UTF-8 nor Windows-1252 text") from None


def _parse_document(path: Path, where: str) -> object:
    """JSON for *.json, YAML (safe_load) otherwise; a syntax error names the line."""
    text = _read_text(path, where)
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                where, f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}"
            ) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "syntax error"
        raise InputError(where, f"not valid YAML{at}: {problem}") from None


# --- the campaign file ------------------------------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    """A checked campaign file."""

    schedule: CallSchedule
    max_attempts: int
    lines: int
    price_per_minute_cents: int
    questionnaire: Questionnaire
    do_not_call: frozenset[str]
    population: Population
    quotas: tuple[Quota, ...]


def _probability(reader: Reader, *, below_one: bool = False) -> float:
    value = reader.decimal()
    if not Decimal(0) <= value <= Decimal(1) or (below_one and value == 1):
        reader.fail("not_below_one" if below_one else "not_probability", value=reader.shown())
    return float(value)


def _factor(reader: Reader) -> float:
    value = reader.decimal()
    if value < 0 or value > 100:
        reader.fail("not_factor", value=reader.shown())
    return float(value)


def _population(reader: Reader) -> Population:
    """The `simulation` overrides over Population's documented defaults."""
    reader.object(SIMULATION_KEYS)
    defaults = Population()
    fields: dict[str, object] = {}
    if (parts := reader.optional("answer_by_part")) is not None:
        parts.object(PARTS)
        by_part = dict(defaults.answer_by_part)
        by_part.update({name: _probability(value) for name, value in parts.entries()})
        fields["answer_by_part"] = by_part
    if (factors := reader.optional("age_factor")) is not None:
        by_age = dict(defaults.age_factor)
        for name, value in factors.entries():
            if not name.strip():
                value.fail("empty_key")
            by_age[name] = _factor(value)
        fields["age_factor"] = by_age
    chances: dict[str, float] = {}
    for name in PROBABILITIES:
        if (chance := reader.optional(name)) is not None:
            chances[name] = _probability(chance)
    if (chance := reader.optional("break_off")) is not None:
        chances["break_off"] = _probability(chance, below_one=True)
    for name, minimum in SECONDS.items():
        if (seconds := reader.optional(name)) is not None:
            fields[name] = seconds.integer(minimum=minimum, maximum=MAX_SECONDS)
    busy = chances.get("busy", defaults.busy) + chances.get("technical", defaults.technical)
    if busy > 1:
        reader.field("technical", None).fail("busy_and_technical", value=busy)
    fields.update(chances)
    return Population(**fields)  # type: ignore[arg-type]


def _quotas(reader: Reader) -> tuple[Quota, ...]:
    quotas: list[Quota] = []
    seen: dict[tuple[str | None, ...], int] = {}
    for index, item in enumerate(reader.items()):
        item.object(QUOTA_KEYS)
        keys: dict[str, str | None] = {}
        for name in ("age_group", "gender", "area"):
            value = item.optional(name)
            keys[name] = None if value is None else value.text(strip=True, allow_empty=False)
        if all(value is None for value in keys.values()):
            item.fail("no_bucket")
        bucket = tuple(keys.values())
        if bucket in seen:
            item.fail("duplicate_bucket", first=seen[bucket])
        seen[bucket] = index
        target = item.field("target").integer(minimum=1, maximum=1_000_000)
        quotas.append(Quota(target, keys["age_group"], keys["gender"], keys["area"]))
    return tuple(quotas)


def _phone_text(reader: Reader) -> str:
    """A number as text; a YAML number (its leading 0 lost) is refused, shown masked."""
    if not isinstance(reader.value, str):
        reader.fail("not_phone_text", value=mask_phone(str(reader.value)))
    return reader.text(strip=True, allow_empty=False)


def _questionnaire(reader: Reader, folder: Path) -> Questionnaire:
    if reader.value is None:
        return parse_questionnaire(DEMO_QUESTIONNAIRE)
    data: object = reader.value
    if isinstance(data, str):
        path = folder / data
        data = _parse_document(path, reader.path)
    try:
        return parse_questionnaire(data)
    except QuestionnaireError as error:
        raise InputError(
            f"{reader.path}.{error.path}" if error.path else reader.path, error.message
        ) from None


def read_campaign(path: Path) -> Campaign:
    """The campaign file checked; a problem raises InputError naming `campaign.<field>`."""
    data = _parse_document(path, "campaign")
    try:
        root = Reader(data, "campaign", WORDING).object(CAMPAIGN_KEYS)
        schedule = parse_schedule(root.field("schedule").value, "campaign.schedule")
        max_attempts = root.field("max_attempts", DEFAULT_MAX_ATTEMPTS).integer(
            minimum=1, maximum=MAX_ATTEMPTS_LIMIT
        )
        lines = root.field("lines").integer(minimum=1, maximum=MAX_LINES)
        price = root.field("price_per_minute_cents").cents(maximum=MAX_PRICE_CENTS)
        questionnaire = _questionnaire(root.field("questionnaire", None), path.parent)
        do_not_call: frozenset[str] = frozenset()
        if (numbers := root.optional("do_not_call")) is not None:
            texts = [_phone_text(item) for item in numbers.items()]
            try:
                do_not_call = DoNotCall.of(texts).numbers
            except RespondentsError as error:
                raise InputError(f"campaign.{error.field}", error.message) from None
        simulation = root.optional("simulation")
        population = Population() if simulation is None else _population(simulation)
        quota_reader = root.optional("quotas")
        quotas = () if quota_reader is None else _quotas(quota_reader)
    except StrictJsonError as error:
        raise InputError(error.path, error.message) from None
    return Campaign(
        schedule, max_attempts, lines, price, questionnaire, do_not_call, population, quotas
    )


# --- respondents, output ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """Who to call, and the rows left out (masked values)."""

    respondents: tuple[SimRespondent, ...]
    left_out: tuple[dict[str, object], ...]


def read_sample(path: Path) -> Sample:
    try:
        read = read_respondents(_read_text(path, "respondents"))
    except RespondentsError as error:
        raise InputError(f"respondents.{error.field}", error.message) from None
    if not read.respondents:
        raise InputError("respondents.phone", "no row has a valid phone number")
    left_out = [
        {
            "row": problem.row,
            "field": problem.column,
            "value": problem.value_shown_masked,
            "problem": problem.message.english(),
        }
        for problem in read.invalid
    ] + [
        {
            "row": duplicate.row,
            "field": "phone",
            "value": duplicate.value_shown_masked,
            "problem": f"the same number as row {duplicate.first_row}, called once",
        }
        for duplicate in read.duplicates
    ]
    left_out.sort(key=lambda entry: (entry["row"], entry["field"]))
    people = tuple(
        SimRespondent(
            r.phone_e164, r.age_group or None, r.language, r.gender or None, r.area or None
        )
        for r in read.respondents
    )
    return Sample(people, tuple(left_out))


def output(result: SimulationResult, campaign: Campaign, sample: Sample) -> dict[str, object]:
    """The contract's JSON; the plan's figures (when, how many days, the cost of a complete);
    the rows left out and the quotas' completes when there are any."""
    data = result.as_json()
    moments = sorted(a.at for o in result.respondents for a in o.attempts)
    completes = result.counts.I
    data["plan"] = {
        "first_call_at": moments[0].isoformat() if moments else None,
        "last_call_at": moments[-1].isoformat() if moments else None,
        "call_days": len({moment.date() for moment in moments}),
        "cost_per_complete_cents": -(-result.cost_cents // completes) if completes else None,
    }
    if sample.left_out:
        data["left_out_rows"] = list(sample.left_out)
    if campaign.quotas:
        done = {o.phone for o in result.respondents if o.final_code == "1.1"}
        data["quotas"] = [
            {
                "age_group": quota.age_group,
                "gender": quota.gender,
                "area": quota.area,
                "target": quota.target,
                "completes": sum(
                    1 for r in sample.respondents if r.phone in done and quota.matches(r)
                ),
            }
            for quota in campaign.quotas
        ]
    return data


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename it: all or nothing."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- the command ------------------------------------------------------------------------------


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(
        prog="kuntarobo survey simulate",
        description="Simulate a phone survey campaign (no calls are made).",
    )
    parser.add_argument("--campaign", required=True, type=Path)
    parser.add_argument("--respondents", required=True, type=Path)
    parser.add_argument("--seed", required=True)
    parser.add_argument("--out", required=True, type=Path)
    arguments = parser.parse_args(list(argv))
    if not re.fullmatch(r"-?[0-9]{1,18}", arguments.seed):
        raise InputError("--seed", f"must be a whole number, got {arguments.seed!r}")
    arguments.seed = int(arguments.seed)
    out: Path = arguments.out
    if out.is_dir():
        raise InputError("--out", f"{out} is a folder, not a file")
    if not out.parent.is_dir():
        raise InputError("--out", f"the folder {out.parent} does not exist")
    return arguments


def run(argv: Sequence[str]) -> str:
    """Check everything, simulate, write --out; returns the one-line summary."""
    arguments = _arguments(argv)
    campaign = read_campaign(arguments.campaign)
    sample = read_sample(arguments.respondents)
    result = simulate(
        campaign.schedule,
        sample.respondents,
        max_attempts=campaign.max_attempts,
        lines=campaign.lines,
        price_per_minute_cents=campaign.price_per_minute_cents,
        questionnaire=campaign.questionnaire,
        do_not_call=campaign.do_not_call,
        population=campaign.population,
        quotas=campaign.quotas,
        seed=arguments.seed,
    )
    # No indent: the C encoder writes the 7,759 numbers of a town in a tenth of the time.
    text = json.dumps(output(result, campaign, sample), ensure_ascii=False) + "\n"
    try:
        write_atomically(arguments.out, text)
    except OSError as error:
        raise InputError("--out", f"cannot write {arguments.out}: {error.strerror}") from None
    rr1 = result.rates["RR1"]
    left_out = f", {len(sample.left_out)} rows left out" if sample.left_out else ""
    return (
        f"{len(sample.respondents)} numbers{left_out}, {result.calls} calls, "
        f"{result.counts.I} completes, RR1 {'-' if rr1 is None else rr1}, "
        f"{result.minutes} minutes, {result.cost_cents} cents -> {arguments.out}"
    )


def simulate_main(argv: Sequence[str]) -> int:
    """`kuntarobo survey simulate ARGS` (argv without "survey simulate"): 0, or 2 on bad input
    with one stderr line and nothing on stdout."""
    try:
        summary = run(argv)
    except SystemExit as done:  # --help: argparse printed it
        return done.code if isinstance(done.code, int) else 0
    except InputError as error:
        sys.stderr.write(" ".join(str(error).split()) + "\n")
        return 2
    sys.stdout.write(summary + "\n")
    return 0


if __name__ == "__main__":  # python -m kuntarobo.robots.phone_survey.simulate_cli simulate ...
    if sys.argv[1:2] != ["simulate"]:
        sys.stderr.write("arguments: the first argument must be simulate\n")
        raise SystemExit(2)
    raise SystemExit(simulate_main(sys.argv[2:]))
