"""The traffic lights of a programme's follow-up (seed 000: "Hankkeen mittarit": schedule,
costs, outputs, scope of outputs, staff, risks), each computed by a stated rule from the
programme's records, with the lines that explain it. No Django: the web page, the API and the
tests call the same `evaluate`.

The rules (thresholds are parameters in `Rules`):
- schedule: the worst delay of a milestone — achieved late, or not achieved and past its
  planned date on `today` — green when none is late by more than `schedule_green_days`,
  yellow up to `schedule_yellow_days`, red beyond;
- costs: realised total / planned total — green at most 100 %, yellow at most
  `costs_yellow_percent` (105), red beyond;
- outputs: red when an output was dropped, yellow when one is late, else green;
- scope: delivered quantities / planned quantities of the outputs that have both — green at
  least 100 %, yellow at least `scope_yellow_percent` (90), red below;
- staff: the realised own-staff costs / the planned ones, i.e. did the municipalities' own
  people put in the work planned — green at least `staff_green_percent` (80), yellow at least
  `staff_yellow_percent` (60), red below;
- risks: the worst open risk by likelihood × impact (each 1–5) — red at least
  `risk_red_score` (15), yellow at least `risk_yellow_score` (8), else green; green when no
  risk is open.
An axis without the data its rule needs is "not assessed", never green. A manual override
with a reason replaces the computed light; the computed one stays visible beside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from kuntarobo.core.explanation import Line

HUNDRED: Final = Decimal(100)


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NOT_ASSESSED = "not_assessed"


class Axis(StrEnum):
    SCHEDULE = "schedule"
    COSTS = "costs"
    OUTPUTS = "outputs"
    SCOPE = "scope"
    STAFF = "staff"
    RISKS = "risks"


class CostKind(StrEnum):
    PURCHASED_SERVICES = "purchased_services"
    OWN_STAFF = "own_staff"
    OTHER = "other"


class OutputStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    LATE = "late"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Rules:
    schedule_green_days: int = 0
    schedule_yellow_days: int = 30
    costs_yellow_percent: Decimal = Decimal(105)
    scope_yellow_percent: Decimal = Decimal(90)
    staff_green_percent: Decimal = Decimal(80)
    staff_yellow_percent: Decimal = Decimal(60)
    risk_yellow_score: int = 8
    risk_red_score: int = 15


@dataclass(frozen=True)
class CostFigure:
    kind: CostKind
    planned_cents: int
    realised_cents: int


@dataclass(frozen=True)
class OutputFigure:
    title: str
    status: OutputStatus
    planned_quantity: int | None = None
    delivered_quantity: int | None = None


@dataclass(frozen=True)
class RiskFigure:
    description: str
    likelihood: int
    impact: int
    is_open: bool


@dataclass(frozen=True)
class MilestoneFigure:
    title: str
    planned_on: datetime.date
    achieved_on: datetime.date | None = None


@dataclass(frozen=True)
class FollowUp:
    today: datetime.date
    costs: Sequence[CostFigure] = ()
    outputs: Sequence[OutputFigure] = ()
    risks: Sequence[RiskFigure] = ()
    milestones: Sequence[MilestoneFigure] = ()


@dataclass(frozen=True)
class AxisResult:
    axis: Axis
    light: Light
    lines: tuple[Line, ...]


def percent(part: int, whole: int) -> Decimal:
    """part / whole in per cent, 1 decimal (whole > 0)."""
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def euros(cents: int) -> str:
    """Cents as euros for an explanation line, e.g. 516743.00."""
    return str((Decimal(cents) / HUNDRED).quantize(Decimal("0.01")))


def schedule(follow_up: FollowUp, rules: Rules = Rules()) -> AxisResult:
    if not follow_up.milestones:
        return AxisResult(Axis.SCHEDULE, Light.NOT_ASSESSED, (Line("No milestones recorded."),))
    worst: tuple[int, MilestoneFigure] | None = None
    for milestone in follow_up.milestones:
        reached = milestone.achieved_on or follow_up.today
        if milestone.achieved_on is None and follow_up.today <= milestone.planned_on:
            continue  # still ahead: not late yet
        delay = (reached - milestone.planned_on).days
        if worst is None or delay > worst[0]:
            worst = (delay, milestone)
    if worst is None or worst[0] <= 0:
        return AxisResult(Axis.SCHEDULE, Light.GREEN, (Line("No milestone is late."),))
    delay, milestone = worst
    if delay <= rules.schedule_green_days:
        light = Light.GREEN
    elif delay <= rules.schedule_yellow_days:
        light = Light.YELLOW
    else:
        light = Light.RED
    return AxisResult(
        Axis.SCHEDULE,
        light,
        (
            Line(
                "The latest milestone, %(title)s, is %(days)s days late.",
                {"title": milestone.title, "days": str(delay)},
            ),
            Line(
                "Green up to %(green)s days, yellow up to %(yellow)s days, red beyond.",
                {
                    "green": str(rules.schedule_green_days),
                    "yellow": str(rules.schedule_yellow_days),
                },
            ),
        ),
    )


def costs(follow_up: FollowUp, rules: Rules = Rules()) -> AxisResult:
    planned = sum(c.planned_cents for c in follow_up.costs)
    realised = sum(c.realised_cents for c in follow_up.costs)
    if planned <= 0:
        return AxisResult(Axis.COSTS, Light.NOT_ASSESSED, (Line("No planned costs recorded."),))
    share = percent(realised, planned)
    if realised <= planned:
        light = Light.GREEN
    elif share <= rules.costs_yellow_percent:
        light = Light.YELLOW
    else:
        light = Light.RED
    return AxisResult(
        Axis.COSTS,
        light,
        (
            Line(
                "Realised %(realised)s € of the planned %(planned)s € (%(share)s %%).",
                {"realised": euros(realised), "planned": euros(planned), "share": str(share)},
            ),
            Line(
                "Green at most 100 %%, yellow at most %(yellow)s %%, red beyond.",
                {"yellow": str(rules.costs_yellow_percent)},
            ),
        ),
    )


def outputs(follow_up: FollowUp, rules: Rules = Rules()) -> AxisResult:
    if not follow_up.outputs:
        return AxisResult(Axis.OUTPUTS, Light.NOT_ASSESSED, (Line("No outputs recorded."),))
    dropped = [o for o in follow_up.outputs if o.status == OutputStatus.DROPPED]
    late = [o for o in follow_up.outputs if o.status == OutputStatus.LATE]
    delivered = sum(1 for o in follow_up.outputs if o.status == OutputStatus.DELIVERED)
    lines = [
        Line(
            "%(delivered)s of %(total)s outputs delivered.",
            {"delivered": str(delivered), "total": str(len(follow_up.outputs))},
        )
    ]
    if dropped:
        lines.append(Line("Dropped: %(titles)s.", {"titles": ", ".join(o.title for o in dropped)}))
        light = Light.RED
    elif late:
        lines.append(Line("Late: %(titles)s.", {"titles": ", ".join(o.title for o in late)}))
        light = Light.YELLOW
    else:
        light = Light.GREEN
    lines.append(Line("Red when an output is dropped, yellow when one is late, else green."))
    return AxisResult(Axis.OUTPUTS, light, tuple(lines))


def scope(follow_up: FollowUp, rules: Rules = Rules()) -> AxisResult:
    counted = [
        o for o in follow_up.outputs if o.planned_quantity and o.delivered_quantity is not None
    ]
    if not counted:
        return AxisResult(
            Axis.SCOPE, Light.NOT_ASSESSED, (Line("No outputs with planned quantities."),)
        )
    planned = sum(o.planned_quantity or 0 for o in counted)
    delivered = sum(o.delivered_quantity or 0 for o in counted)
    share = percent(delivered, planned)
    if share >= HUNDRED:
        light = Light.GREEN
    elif share >= rules.scope_yellow_percent:
        light = Light.YELLOW
    else:
        light = Light.RED
    return AxisResult(
        Axis.SCOPE,
        light,
        (
            Line(
                "Delivered %(delivered)s of the %(planned)s planned (%(share)s %%).",
                {"delivered": str(delivered), "planned": str(planned), "share": str(share)},
            ),
            Line(
                "Green at least 100 %%, yellow at least %(yellow)s %%, red below.",
                {"yellow": str(rules.scope_yellow_percent)},
            ),
        ),
    )


def staff(follow_up: FollowUp, rules: Rules = Rules()) -> AxisResult:
    own = [c for c in follow_up.costs if c.kind == CostKind.OWN_STAFF]
    planned = sum(c.planned_cents for c in own)
    realised = sum(c.realised_cents for c in own)
    if planned <= 0:
        return AxisResult(
            Axis.STAFF, Light.NOT_ASSESSED, (Line("No planned own-staff costs recorded."),)
        )
    share = percent(realised, planned)
    if share >= rules.staff_green_percent:
        light = Light.GREEN
    elif share >= rules.staff_yellow_percent:
        light = Light.YELLOW
    else:
        light = Light.RED
    return AxisResult(
        Axis.STAFF,
        light,
        (
            Line(
                "Own staff: realised %(realised)s € of the planned %(planned)s € (%(share)s %%).",
                {"realised": euros(realised), "planned": euros(planned), "share": str(share)},
            ),
            Line(
                "Green at least %(green)s %%, yellow at least %(yellow)s %%, red below.",
                {
                    "green": str(rules.staff_green_percent),
                    "yellow": str(rules.staff_yellow_percent),
                },
            ),
        ),
    )


def risks(follow_up: FollowUp, rules: Rules = Rules()) -> AxisResult:
    open_risks = [r for r in follow_up.risks if r.is_open]
    if not follow_up.risks:
        return AxisResult(Axis.RISKS, Light.NOT_ASSESSED, (Line("No risks recorded."),))
    if not open_risks:
        return AxisResult(Axis.RISKS, Light.GREEN, (Line("No risk is open."),))
    worst = max(open_risks, key=lambda r: r.likelihood * r.impact)
    score = worst.likelihood * worst.impact
    if score >= rules.risk_red_score:
        light = Light.RED
    elif score >= rules.risk_yellow_score:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    return AxisResult(
        Axis.RISKS,
        light,
        (
            Line(
                "The worst open risk, %(risk)s, scores %(score)s (likelihood %(likelihood)s × "
                "impact %(impact)s).",
                {
                    "risk": worst.description,
                    "score": str(score),
                    "likelihood": str(worst.likelihood),
                    "impact": str(worst.impact),
                },
            ),
            Line(
                "Red from %(red)s, yellow from %(yellow)s, else green.",
                {"red": str(rules.risk_red_score), "yellow": str(rules.risk_yellow_score)},
            ),
        ),
    )


RULES_BY_AXIS: Final = {
    Axis.SCHEDULE: schedule,
    Axis.COSTS: costs,
    Axis.OUTPUTS: outputs,
    Axis.SCOPE: scope,
    Axis.STAFF: staff,
    Axis.RISKS: risks,
}


def evaluate(follow_up: FollowUp, rules: Rules = Rules()) -> dict[Axis, AxisResult]:
    """Every axis's computed light, in the seed's order."""
    return {axis: rule(follow_up, rules) for axis, rule in RULES_BY_AXIS.items()}
