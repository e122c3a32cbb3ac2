"""The Helmi programme reproduced as demo data (kuntarobo.portfolio.helmi_data says which parts
are the final report's facts and which are the demo's assumptions): 16 municipalities, one
workshop each, 277 ideas of which 49 carry criterion scores and 32 became robots, and the
programme's follow-up (costs, outputs, risks, milestones).

The ideas are generated deterministically (fixed seeds) from a catalogue of typical municipal
processes, and say so in their description. Loading again creates nothing new; everything is
bulk-created so the whole load takes well under two seconds.

The scores are raw criterion scores 1–5 (5 = most favourable to automation: e.g. for
`exception_rate`, few exceptions); the suitability method (kuntarobo.core.suitability) turns them
into an assessment. `helmi_scores()` gives them by idea key, `helmi_ideas()` the ideas by key.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Final, NamedTuple

from django.db import transaction

from kuntarobo.accounts.models import Municipality
from kuntarobo.core.suitability import CRITERIA
from kuntarobo.portfolio import helmi_data as data
from kuntarobo.portfolio.models import (
    Idea,
    Programme,
    ProgrammeCost,
    ProgrammeMilestone,
    ProgrammeOutput,
    ProgrammeRisk,
    Stage,
    Workshop,
)

BUNDLED_ROBOTS: Final = ("hr_reports", "ecec_fees", "invoice_check", "file_archiver")
DEMO_NOTE: Final = (
    "Esittelyaineisto: tyypillinen kunnan prosessi, tuotettu Helmi-hankkeen jäljitelmää "
    "varten; ei kunnan todellinen idea."
)
WORKSHOP_NOTE: Final = (
    "Virtuaalinen työpaja (aamupäivä tai iltapäivä) kunnan asiantuntijoiden kanssa; tulokset "
    "esiteltiin toiselle kunnalle, jossa käytiin läpi vastaava toimiala (loppuraportti). "
    "Toimiala ja päivämäärä ovat esittelyaineistoa."
)
# Every eighth robot is still being developed (a demo assumption; the report says almost all
# robots continue after the programme).
IN_DEVELOPMENT_EVERY: Final = 8
# The workshops of work package 1, a week apart from late January 2021 (demo dates).
WORKSHOP_SPACING: Final = datetime.timedelta(days=7)


class PlannedIdea(NamedTuple):
    key: str
    municipality: str
    department: str
    title: str
    description: str
    process: str
    systems: str
    volume_per_year: int | None
    manual_minutes_per_case: Decimal | None
    rework_share_percent: Decimal | None
    beneficiaries: str
    stage: Stage
    robot_slug: str
    in_workshop: bool
    scores: dict[str, int] | None


@cache
def planned_ideas() -> tuple[PlannedIdea, ...]:
    """All 277 ideas, in a fixed order, the same on every call and every machine."""
    ideas: list[PlannedIdea] = []
    by_department: dict[str, int] = {}
    robot_number = 0
    for municipality in data.MUNICIPALITIES:
        turn = by_department.get(municipality.department, 0)
        by_department[municipality.department] = turn + 1
        seed_robots = [r for r in data.SEED_ROBOTS if r.municipality == municipality.slug]
        taken = {r.robot_slug for r in seed_robots if r.robot_slug}
        catalogue = [
            p
            for p in data.CATALOGUE[municipality.department]
            if not p.robot_slug or p.robot_slug not in taken
        ]
        head = catalogue[:4]
        head = head[turn % len(head) :] + head[: turn % len(head)]
        rest = catalogue[4:]
        random.Random(f"helmi-order-{municipality.slug}").shuffle(rest)  # noqa: S311
        rng = random.Random(f"helmi-figures-{municipality.slug}")  # noqa: S311
        rows = [
            PlannedIdea(
                key="",
                municipality=municipality.slug,
                department=robot.department,
                title=robot.title,
                description=robot.description,
                process=robot.title.split(":")[0],
                systems=robot.systems,
                volume_per_year=robot.volume_per_year,
                manual_minutes_per_case=None,
                rework_share_percent=None,
                beneficiaries=robot.beneficiaries,
                stage=Stage.IDEA,
                robot_slug=robot.robot_slug,
                in_workshop=robot.department == municipality.department,
                scores=None,
            )
            for robot in seed_robots
        ]
        rows += [
            PlannedIdea(
                key="",
                municipality=municipality.slug,
                department=municipality.department,
                title=process.title,
                description=DEMO_NOTE,
                process=process.title,
                systems=process.systems,
                volume_per_year=_round_volume(rng.randint(*process.volume)),
                manual_minutes_per_case=Decimal(rng.randint(*process.minutes)),
                rework_share_percent=Decimal(rng.choice((0, 2, 5, 5, 8, 10, 15))),
                beneficiaries=process.beneficiaries,
                stage=Stage.IDEA,
                robot_slug=process.robot_slug,
                in_workshop=True,
                scores=None,
            )
            for process in [*head, *rest]
        ]
        for index, row in enumerate(rows[: municipality.ideas]):
            key = f"{municipality.slug}-{index + 1:02d}"
            is_robot = index < municipality.robots
            is_scored = index < municipality.scored
            if is_robot:
                robot_number += 1
                stage = (
                    Stage.IN_DEVELOPMENT
                    if robot_number % IN_DEVELOPMENT_EVERY == 0
                    else Stage.IN_PRODUCTION
                )
            elif is_scored:
                stage = Stage.ASSESSED
            else:
                stage = Stage.IDEA
            ideas.append(
                row._replace(
                    key=key,
                    stage=stage,
                    robot_slug=row.robot_slug if is_robot else "",
                    scores=_scores(key, robot=is_robot) if is_scored else None,
                )
            )
    return tuple(ideas)


def _round_volume(volume: int) -> int:
    """Volumes as a workshop estimates them: to two significant figures."""
    if volume < 100:
        return volume
    magnitude: int = 10 ** (len(str(volume)) - 2)
    return round(volume / magnitude) * magnitude


def _scores(key: str, *, robot: bool) -> dict[str, int]:
    """Demo criterion scores: a robot's process scored well, the others mixed."""
    rng = random.Random(f"helmi-scores-{key}")  # noqa: S311
    low = 3 if robot else 1
    return {criterion: rng.randint(low, 5) for criterion in CRITERIA}


def helmi_scores() -> dict[str, dict[str, int]]:
    """The raw criterion scores (1–5) of the 49 analysed ideas, by idea key."""
    return {idea.key: dict(idea.scores) for idea in planned_ideas() if idea.scores is not None}


def helmi_ideas(keys: Iterable[str] | None = None) -> dict[str, Idea]:
    """The loaded ideas by key (all, or those of `keys`), e.g. to assess the scored ones."""
    wanted = {i.key: i for i in planned_ideas() if keys is None or i.key in set(keys)}
    found = Idea.objects.filter(
        municipality__slug__in={i.municipality for i in wanted.values()},
        title__in={i.title for i in wanted.values()},
    ).select_related("municipality")
    by_name = {(idea.municipality.slug, idea.title): idea for idea in found}
    return {
        key: by_name[(i.municipality, i.title)]
        for key, i in wanted.items()
        if (i.municipality, i.title) in by_name
    }


@dataclass(frozen=True)
class HelmiSummary:
    programme: Programme
    municipalities: int
    workshops: int
    ideas: int
    scored: int
    robots: int
    demo_ideas: int  # copies of bundled robots' ideas in the demo's municipality
    planned_cents: int
    realised_cents: int
    created: int  # rows created by this load (0 when it was loaded already)


def load_helmi(
    municipality_for_bundled: Municipality | None = None,
    *,
    members: Iterable[Municipality] = (),
) -> HelmiSummary:
    """Load the Helmi programme. `municipality_for_bundled` (the demo's own municipality) joins
    the programme, keeps its follow-up (the report names no lead), and gets a copy of each
    Helmi idea that a bundled robot does, in production, so its real runs measure it;
    `members` join the programme too. Safe to run again."""
    with transaction.atomic():
        created = 0
        municipalities, count = _municipalities()
        created += count
        first = municipalities[data.MUNICIPALITIES[0].slug]
        lead = municipality_for_bundled or first
        programme = Programme.objects.filter(name=data.PROGRAMME_NAME).first()
        if programme is None:
            programme = Programme.objects.create(
                name=data.PROGRAMME_NAME,
                description=data.PROGRAMME_DESCRIPTION,
                lead=lead,
                starts_on=data.STARTS_ON,
                ends_on=data.ENDS_ON,
            )
            created += 1
        elif municipality_for_bundled is not None and programme.lead_id != lead.pk:
            programme.lead = lead
            programme.save(update_fields=["lead"])
        extra = [*members, *([municipality_for_bundled] if municipality_for_bundled else [])]
        programme.municipalities.add(*municipalities.values(), *extra)
        workshops, count = _workshops(programme, municipalities)
        created += count
        created += _ideas(municipalities, workshops)
        created += _follow_up(programme)
        if municipality_for_bundled is not None:
            created += _bundled_copies(municipality_for_bundled)
        return _summary(programme, municipality_for_bundled, created)


def _municipalities() -> tuple[dict[str, Municipality], int]:
    slugs = [m.slug for m in data.MUNICIPALITIES]
    existing = {m.slug: m for m in Municipality.objects.filter(slug__in=slugs)}
    missing = [
        Municipality(slug=m.slug, name_fi=m.name_fi, name_sv=m.name_sv)
        for m in data.MUNICIPALITIES
        if m.slug not in existing
    ]
    Municipality.objects.bulk_create(missing)
    if missing:
        existing = {m.slug: m for m in Municipality.objects.filter(slug__in=slugs)}
    return existing, len(missing)


def workshop_title(department: str) -> str:
    return f"Prosessityöpaja: {department}"


def _workshops(
    programme: Programme, municipalities: dict[str, Municipality]
) -> tuple[dict[str, Workshop], int]:
    existing = {
        w.municipality_id: w
        for w in Workshop.objects.filter(
            programme=programme, municipality__in=municipalities.values()
        )
    }
    missing = []
    for index, planned in enumerate(data.MUNICIPALITIES):
        municipality = municipalities[planned.slug]
        if municipality.pk in existing:
            continue
        missing.append(
            Workshop(
                municipality=municipality,
                programme=programme,
                department=planned.department,
                title=workshop_title(planned.department),
                held_on=data.STARTS_ON + WORKSHOP_SPACING * (index + 8),
                is_open=False,
                notes=WORKSHOP_NOTE,
            )
        )
    Workshop.objects.bulk_create(missing)
    if missing:
        existing = {
            w.municipality_id: w
            for w in Workshop.objects.filter(
                programme=programme, municipality__in=municipalities.values()
            )
        }
    return {slug: existing[m.pk] for slug, m in municipalities.items()}, len(missing)


def _ideas(municipalities: dict[str, Municipality], workshops: dict[str, Workshop]) -> int:
    present = set(
        Idea.objects.filter(municipality__in=municipalities.values()).values_list(
            "municipality__slug", "title"
        )
    )
    missing = [
        Idea(
            municipality=municipalities[i.municipality],
            department=i.department,
            title=i.title,
            description=i.description,
            process=i.process,
            systems=i.systems,
            volume_per_year=i.volume_per_year,
            manual_minutes_per_case=i.manual_minutes_per_case,
            rework_share_percent=i.rework_share_percent,
            beneficiaries=i.beneficiaries,
            workshop=workshops[i.municipality] if i.in_workshop else None,
            stage=i.stage,
            robot_slug=i.robot_slug,
        )
        for i in planned_ideas()
        if (i.municipality, i.title) not in present
    ]
    Idea.objects.bulk_create(missing)
    return len(missing)


def _follow_up(programme: Programme) -> int:
    created = 0
    costs = set(programme.costs.values_list("kind", "description"))
    new_costs = [
        ProgrammeCost(
            programme=programme,
            kind=kind,
            description=description,
            planned_cents=planned * 100,
            realised_cents=realised * 100,
            note=note,
        )
        for kind, description, planned, realised, note in data.COSTS
        if (kind, description) not in costs
    ]
    outputs = set(programme.outputs.values_list("title", flat=True))
    new_outputs = [
        ProgrammeOutput(
            programme=programme,
            title=title,
            planned=planned,
            delivered=delivered,
            planned_quantity=planned_quantity,
            delivered_quantity=delivered_quantity,
            status=status,
        )
        for title, planned, delivered, planned_quantity, delivered_quantity, status in data.OUTPUTS
        if title not in outputs
    ]
    risks = set(programme.risks.values_list("description", flat=True))
    new_risks = [
        ProgrammeRisk(
            programme=programme,
            description=description,
            likelihood=likelihood,
            impact=impact,
            mitigation=mitigation,
            status=status,
        )
        for description, likelihood, impact, mitigation, status in data.RISKS
        if description not in risks
    ]
    milestones = set(programme.milestones.values_list("title", flat=True))
    new_milestones = [
        ProgrammeMilestone(
            programme=programme, title=title, planned_on=planned, achieved_on=actual, note=note
        )
        for title, planned, actual, note in data.MILESTONES
        if title not in milestones
    ]
    ProgrammeCost.objects.bulk_create(new_costs)
    ProgrammeOutput.objects.bulk_create(new_outputs)
    ProgrammeRisk.objects.bulk_create(new_risks)
    ProgrammeMilestone.objects.bulk_create(new_milestones)
    created += len(new_costs) + len(new_outputs) + len(new_risks) + len(new_milestones)
    return created


def _bundled_copies(municipality: Municipality) -> int:
    """The demo municipality's own copy of each Helmi idea a bundled robot does."""
    originals = {
        i.robot_slug: i
        for i in Idea.objects.filter(
            municipality__slug__in=[m.slug for m in data.MUNICIPALITIES],
            robot_slug__in=BUNDLED_ROBOTS,
            stage__in=(Stage.IN_PRODUCTION, Stage.IN_DEVELOPMENT),
        ).select_related("municipality")
    }
    present = set(
        Idea.objects.filter(
            municipality=municipality, copied_from__in=originals.values()
        ).values_list("copied_from_id", flat=True)
    )
    missing = [
        Idea(
            municipality=municipality,
            department=original.department,
            title=original.title,
            description=(
                f"Kopio Helmi-hankkeen ideasta ({original.municipality.name_fi}); kunnan omat "
                "robottiajot mittaavat toteuman. Esittelyaineisto."
            ),
            process=original.process,
            systems=original.systems,
            volume_per_year=original.volume_per_year,
            manual_minutes_per_case=original.manual_minutes_per_case,
            rework_share_percent=original.rework_share_percent,
            beneficiaries=original.beneficiaries,
            stage=Stage.IN_PRODUCTION,
            robot_slug=original.robot_slug,
            copied_from=original,
        )
        for original in originals.values()
        if original.pk not in present
    ]
    Idea.objects.bulk_create(missing)
    return len(missing)


def _summary(
    programme: Programme, municipality_for_bundled: Municipality | None, created: int
) -> HelmiSummary:
    slugs = [m.slug for m in data.MUNICIPALITIES]
    ideas = Idea.objects.filter(municipality__slug__in=slugs)
    costs = list(programme.costs.all())
    scored = helmi_scores()
    return HelmiSummary(
        programme=programme,
        municipalities=programme.municipalities.filter(slug__in=slugs).count(),
        workshops=Workshop.objects.filter(
            programme=programme, municipality__slug__in=slugs
        ).count(),
        ideas=ideas.count(),
        scored=len(helmi_ideas(scored)),
        robots=ideas.filter(stage__in=(Stage.IN_PRODUCTION, Stage.IN_DEVELOPMENT)).count(),
        demo_ideas=(
            Idea.objects.filter(
                municipality=municipality_for_bundled, copied_from__municipality__slug__in=slugs
            ).count()
            if municipality_for_bundled is not None
            else 0
        ),
        planned_cents=sum(c.planned_cents for c in costs),
        realised_cents=sum(c.realised_cents for c in costs),
        created=created,
    )
