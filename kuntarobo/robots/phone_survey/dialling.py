"""How the robot places one call: a `Dialler` takes a `CallRequest` and returns what happened as
a `CallResult`. The robot's rules do not know whether the call was real: a campaign names its
dialler (`Campaign.dialler`), looked up in a small registry here, so the SIP caller is plugged
in by registering it ("sip") and the simulated one is always there ("simulated").

`SimulatedDialler` decides an attempt by the documented population model of
`kuntarobo.core.survey_simulation` (`simulate_attempt`, the one model `simulate` uses too),
deterministically per (campaign seed, respondent, attempt number): the same campaign run again
gives the same outcomes, whatever the order in which workers take the respondents."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from kuntarobo.core.call_windows import CallSchedule, part_of_day
from kuntarobo.core.questionnaire import Questionnaire
from kuntarobo.core.survey_simulation import (
    Population,
    SimRespondent,
    number_works,
    simulate_attempt,
)


@dataclass(frozen=True)
class CallRequest:
    """One attempt to place: the number (E.164), the call's language and questionnaire, the
    caller number shown, and which campaign, respondent and attempt it is (for the logs and a
    dialler's own records)."""

    phone: str
    language: str
    questionnaire: Questionnaire
    caller_id: str
    campaign_id: int
    respondent_id: int
    attempt: int
    # What a simulated dialler needs to know of the person (the register's age group) and of
    # the moment; a real dialler ignores them.
    age_group: str = ""
    at: datetime.datetime | None = None


@dataclass(frozen=True)
class CallResult:
    """What one attempt gave. `sip_status` is the final SIP status (None: no SIP answer at
    all); `outcome` its text ("486 Busy Here"); `rang_out` is our own CANCEL after the ring
    timeout. `disposition` is the Interview's (completed, partial, refused, do_not_call,
    ineligible, no_input) or "" when no person answered. `answers` are by step id;
    `recordings` the open answers' audio files by step id (the robot stores them)."""

    sip_status: int | None
    outcome: str
    started_at: datetime.datetime
    ended_at: datetime.datetime
    answered_at: datetime.datetime | None = None
    answered: bool = False
    machine: bool = False
    got_input: bool = False
    rang_out: bool = False
    disposition: str = ""
    answers: Mapping[str, Any] = field(default_factory=dict)
    recordings: Mapping[str, str] = field(default_factory=dict)
    billed_seconds: int = 0


class Dialler(Protocol):
    """Places one call and waits for its end."""

    def call(self, request: CallRequest) -> CallResult: ...


class DiallerMissingError(LookupError):
    """The campaign names a dialler nobody registered (e.g. "sip" on a machine without the SIP
    caller): a technical error of the installation, not of the respondent."""


# A dialler is made per call from the campaign's facts (schedule, seed, simulation settings).
DiallerFactory = Callable[["CampaignFacts"], Dialler]


@dataclass(frozen=True)
class CampaignFacts:
    """What a dialler may know of its campaign."""

    campaign_id: int
    dialler: str
    schedule: CallSchedule
    seed: int
    simulation: Mapping[str, Any] = field(default_factory=dict)


_DIALLERS: dict[str, DiallerFactory] = {}


def register_dialler(name: str, factory: DiallerFactory) -> None:
    """Make `name` (a `Campaign.dialler` value) place its calls through `factory`'s dialler."""
    _DIALLERS[name] = factory


def unregister_dialler(name: str) -> None:
    _DIALLERS.pop(name, None)


def registered_diallers() -> frozenset[str]:
    return frozenset(_DIALLERS)


def dialler_for(facts: CampaignFacts) -> Dialler:
    """The campaign's dialler; DiallerMissingError naming it when none is registered."""
    try:
        factory = _DIALLERS[facts.dialler]
    except KeyError:
        known = ", ".join(sorted(_DIALLERS)) or "none"
        raise DiallerMissingError(
            f"no dialler {facts.dialler!r} is installed for campaign {facts.campaign_id} "
            f"(installed: {known})"
        ) from None
    return factory(facts)


_POPULATION_SCALARS = frozenset(
    f.name for f in fields(Population) if f.name not in ("answer_by_part", "age_factor")
)


def population_of(simulation: Mapping[str, Any]) -> Population:
    """The campaign's simulation settings' `population` overrides (scalar fields and the two
    tables), on top of the documented defaults; an unknown field is refused by name."""
    overrides = simulation.get("population") or {}
    if not isinstance(overrides, Mapping):
        raise ValueError("simulation.population: must be an object")
    values: dict[str, Any] = {}
    for name, value in overrides.items():
        if name in ("answer_by_part", "age_factor"):
            default = getattr(Population(), name)
            if not isinstance(value, Mapping):
                raise ValueError(f"simulation.population.{name}: must be an object")
            values[name] = {**default, **{str(k): float(v) for k, v in value.items()}}
        elif name in _POPULATION_SCALARS:
            values[name] = value
        else:
            raise ValueError(f"simulation.population.{name}: unknown field")
    return Population(**values)


class SimulatedDialler:
    """Calls nobody: the population model decides each attempt (see the module doc)."""

    def __init__(self, facts: CampaignFacts) -> None:
        self.facts = facts
        self.population = population_of(facts.simulation)

    def _rng(self, respondent_id: int, what: str) -> random.Random:
        # A string seed is hashed (SHA-512) by random.Random: stable across runs and machines.
        key = f"{self.facts.seed}:{self.facts.campaign_id}:{respondent_id}:{what}"
        return random.Random(key)  # noqa: S311 - a reproducible simulation, not a secret

    def call(self, request: CallRequest) -> CallResult:
        started = request.at or datetime.datetime.now(datetime.UTC)
        working = number_works(self.population, self._rng(request.respondent_id, "working"))
        simulated = simulate_attempt(
            self.population,
            request.questionnaire,
            SimRespondent(request.phone, request.age_group or None, request.language),
            part_of_day(self.facts.schedule, started),
            working=working,
            rng=self._rng(request.respondent_id, f"attempt:{request.attempt}"),
        )
        answered_at = (
            started + datetime.timedelta(seconds=simulated.ring_seconds)
            if simulated.answered
            else None
        )
        return CallResult(
            sip_status=simulated.sip_status,
            outcome=simulated.outcome,
            started_at=started,
            answered_at=answered_at,
            ended_at=started + datetime.timedelta(seconds=simulated.line_seconds),
            answered=simulated.answered,
            machine=simulated.machine,
            got_input=simulated.got_input,
            rang_out=False,
            disposition=simulated.disposition,
            answers=dict(simulated.answers),
            billed_seconds=simulated.billed_seconds,
        )


register_dialler("simulated", SimulatedDialler)
