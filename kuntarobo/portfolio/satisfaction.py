"""Read functions for the satisfaction axes of the impact dashboards (staff satisfaction and
motivation; customer value and satisfaction). They only read, take municipality ids the caller
has already scoped to the user (e.g. `Municipality.objects.for_user(user, Permission.VIEW)`),
and compute means with kuntarobo.core.satisfaction.mean, as the survey pages do.

- `staff_satisfaction(municipality_ids, robot_slug)`: one StaffResult per phase ("before",
  "after", in that order; a phase without responses is left out): the number of responses, the
  mean of each statement (keys as kuntarobo.core.satisfaction.STATEMENTS) and the overall mean
  of all scores. Below MIN_RESPONSES responses the means are None (too few to stay anonymous).
  `robot_slug` None takes every robot.
- `customer_satisfaction(municipality_ids, robot_slug, start, end)`: one MonthlyScore per
  calendar month from `start`'s month to `end`'s month inclusive (answers dated start..end),
  each with its count and mean score (None without answers), feedback through the link and
  imported alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from kuntarobo.core import satisfaction
from kuntarobo.portfolio.models import CustomerFeedback, SurveyPhase, SurveyResponse
from kuntarobo.portfolio.surveys import MIN_RESPONSES


@dataclass(frozen=True)
class StaffResult:
    phase: str  # SurveyPhase value: "before" or "after"
    responses: int
    means: dict[str, Decimal | None]  # statement → mean 1–5
    overall: Decimal | None


@dataclass(frozen=True)
class MonthlyScore:
    month: datetime.date  # the first day of the month
    responses: int
    mean: Decimal | None


def staff_result(phase: str, score_lists: list[dict[str, int]]) -> StaffResult:
    """The result of one phase (or one round) from its responses' scores."""
    shown = len(score_lists) >= MIN_RESPONSES
    means = {
        key: satisfaction.mean(s[key] for s in score_lists if key in s) if shown else None
        for key in satisfaction.STATEMENTS
    }
    every = [s[key] for s in score_lists for key in satisfaction.STATEMENTS if key in s]
    return StaffResult(
        phase=phase,
        responses=len(score_lists),
        means=means,
        overall=satisfaction.mean(every) if shown else None,
    )


def staff_satisfaction(
    municipality_ids: Collection[int], robot_slug: str | None
) -> list[StaffResult]:
    responses = SurveyResponse.objects.filter(round__municipality_id__in=list(municipality_ids))
    if robot_slug is not None:
        responses = responses.filter(round__robot_slug=robot_slug)
    by_phase: dict[str, list[dict[str, int]]] = {phase: [] for phase in SurveyPhase.values}
    for phase, scores in responses.values_list("phase", "scores"):
        if phase in by_phase and isinstance(scores, dict):
            by_phase[phase].append(scores)
    return [staff_result(phase, lists) for phase, lists in by_phase.items() if lists]


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    month = start.replace(day=1)
    found = []
    while month <= end:
        found.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return found


def customer_satisfaction(
    municipality_ids: Collection[int],
    robot_slug: str | None,
    start: datetime.date,
    end: datetime.date,
) -> list[MonthlyScore]:
    rows = CustomerFeedback.objects.filter(
        municipality_id__in=list(municipality_ids), given_on__gte=start, given_on__lte=end
    )
    if robot_slug is not None:
        rows = rows.filter(robot_slug=robot_slug)
    counted = {
        _as_date(row["month"]): (row["count"], row["total"])
        for row in rows.annotate(month=TruncMonth("given_on"))
        .values("month")
        .annotate(count=Count("pk"), total=Sum("score"))
        .order_by()
    }
    result = []
    for month in _months(start, end):
        count, total = counted.get(month, (0, 0))
        mean = (
            (Decimal(total) / Decimal(count)).quantize(satisfaction.TWO_PLACES, ROUND_HALF_UP)
            if count
            else None
        )
        result.append(MonthlyScore(month=month, responses=count, mean=mean))
    return result


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
