"""Realised figures from run data and the monthly roll-up they are read from."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

import pytest

from kuntarobo.portfolio.models import RobotMonth, RollupMark
from kuntarobo.portfolio.realised import (
    CORRECTED_MARK,
    month_of,
    realised_figures,
    refresh,
)
from kuntarobo.runtime.models import WorkItem
from kuntarobo.runtime.statuses import FINAL_STATUSES, ItemStatus, RunStatus
from tests.factories import MunicipalityFactory
from tests.portfolio.measure_data import made_run

UTC = datetime.UTC
S = ItemStatus


def march_items() -> list[dict[str, Any]]:
    return [
        *({"status": S.DONE} for _ in range(10)),
        {"status": S.DONE, "saves_time": False},  # a resend: its time was counted already
        {"status": S.APPROVED},
        {"status": S.APPROVED, "explanation": [f"{CORRECTED_MARK} amount 1 → 2"]},
        {"status": S.NEEDS_REVIEW, "attention": ["the amount differs from the order"]},
        {"status": S.FAILED_BUSINESS},
        {"status": S.FAILED_APPLICATION},
        {"status": S.FAILED_APPLICATION},
        {"status": S.REJECTED},
        {"status": S.ABANDONED},
        {"status": S.SUPERSEDED},
    ]


@pytest.mark.django_db
def test_realised_figures_of_hand_made_runs_count_hours_person_years_and_rates() -> None:
    town = MunicipalityFactory()
    made_run(town, datetime.datetime(2026, 3, 10, 8, tzinfo=UTC), march_items())
    refresh()
    figures = realised_figures(
        [town.pk],
        "invoice_check",
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 31),
        hours_per_person_year=Decimal(1500),
    )
    totals = figures.totals
    assert totals.items == 20
    assert totals.counts[S.DONE] == 11
    assert totals.counts[S.FAILED_APPLICATION] == 2
    # 11 done + 2 approved − 1 repeat = 12 items × 3 min (invoice_check's declaration).
    assert totals.saved_items == 12
    assert totals.hours_saved == Decimal("0.6")
    assert totals.person_years == Decimal("0.6") / 1500
    assert totals.error_rate == Decimal("0.1")  # 2 failed_application of 20
    assert totals.exception_rate == Decimal("0.1")  # 1 failed_business + 1 flagged
    assert totals.rework_rate == Decimal("0.1")  # 1 superseded + 1 corrected
    assert totals.lead_time_median_hours == Decimal("0.5")
    assert totals.lead_time_mean_hours == Decimal("0.5")
    assert totals.open_items == 6  # approved ×2, needs review, failed ×3
    assert [m.month for m in figures.months] == [datetime.date(2026, 3, 1)]
    assert [(y.year, y.items) for y in figures.years] == [(2026, 20)]


@pytest.mark.django_db
def test_the_median_lead_time_is_the_middle_item_and_the_mean_is_exact() -> None:
    town = MunicipalityFactory()
    when = datetime.datetime(2026, 5, 4, 8, tzinfo=UTC)
    made_run(town, when, [{"lead": 10}, {"lead": 20}, {"lead": 90}])
    refresh()
    totals = realised_figures([town.pk], None, when.date(), when.date()).totals
    assert totals.lead_time_median_hours == Decimal(20 * 60) / 3600
    assert totals.lead_time_mean_hours == Decimal(40 * 60) / 3600


@pytest.mark.django_db
def test_an_item_counts_in_the_helsinki_month_its_run_started() -> None:
    town = MunicipalityFactory()
    # 31 March 22:30 UTC is 1 April 01:30 in Helsinki (summer time).
    made_run(town, datetime.datetime(2026, 3, 31, 22, 30, tzinfo=UTC), [{}])
    refresh()
    figures = realised_figures(
        [town.pk], None, datetime.date(2026, 3, 1), datetime.date(2026, 4, 30)
    )
    assert [(m.month.month, m.items) for m in figures.months] == [(3, 0), (4, 1)]


@pytest.mark.django_db
def test_another_municipality_and_another_robot_are_not_counted() -> None:
    town, other = MunicipalityFactory(), MunicipalityFactory()
    when = datetime.datetime(2026, 2, 2, 8, tzinfo=UTC)
    made_run(town, when, [{}, {}])
    made_run(other, when, [{}])
    made_run(town, when, [{}], robot="hr_reports")
    refresh()
    day = when.date()
    assert realised_figures([town.pk], "invoice_check", day, day).totals.items == 2
    assert realised_figures([town.pk], None, day, day).totals.items == 3
    assert realised_figures([other.pk], None, day, day).totals.items == 1


def direct(items: list[WorkItem], month: datetime.date) -> dict[str, Any]:
    """The month's figures counted straight from the items, as a person would."""
    mine = [i for i in items if month_of(i.run.created_at) == month]
    done = [i for i in mine if i.status == S.DONE]
    saved = sum(1 for i in mine if i.status in (S.DONE, S.APPROVED) and i.saves_time)
    return {
        "items": len(mine),
        "saved": saved,
        "failed_application": sum(1 for i in mine if i.status == S.FAILED_APPLICATION),
        "exceptions": sum(
            1 for i in mine if i.status == S.FAILED_BUSINESS or (i.attention and True)
        ),
        "rework": sum(
            1
            for i in mine
            if i.status == S.SUPERSEDED or any(CORRECTED_MARK in line for line in i.explanation)
        ),
        "lead_seconds": sum(
            round((i.finished_at - i.created_at).total_seconds())
            for i in done
            if i.finished_at is not None
        ),
        "open": sum(1 for i in mine if i.status not in FINAL_STATUSES),
    }


@pytest.mark.django_db
def test_the_roll_up_equals_a_direct_count_of_the_items() -> None:
    rng = random.Random(17)
    town = MunicipalityFactory()
    statuses = [S.DONE, S.DONE, S.DONE, S.APPROVED, S.NEEDS_REVIEW, S.FAILED_BUSINESS]
    statuses += [S.FAILED_APPLICATION, S.REJECTED, S.ABANDONED, S.SUPERSEDED, S.NEW]
    for day in range(0, 120, 9):
        when = datetime.datetime(2026, 1, 3, 7, tzinfo=UTC) + datetime.timedelta(days=day)
        made_run(
            town,
            when,
            [
                {
                    "status": rng.choice(statuses),
                    "lead": rng.randint(1, 3000),
                    "saves_time": rng.random() > 0.1,
                    "attention": ["check"] if rng.random() < 0.2 else [],
                    "explanation": [f"{CORRECTED_MARK} x"] if rng.random() < 0.1 else [],
                }
                for _ in range(rng.randint(3, 12))
            ],
        )
    refresh()
    items = list(WorkItem.objects.select_related("run"))
    figures = realised_figures(
        [town.pk], None, datetime.date(2026, 1, 1), datetime.date(2026, 5, 31)
    )
    assert sum(m.items for m in figures.months) == len(items)
    for month in figures.months:
        expected = direct(items, month.month)
        rows = RobotMonth.objects.filter(month=month.month)
        assert month.items == expected["items"]
        assert month.saved_items == expected["saved"]
        assert month.failed_application == expected["failed_application"]
        assert month.exceptions == expected["exceptions"]
        assert month.rework == expected["rework"]
        assert month.open_items == expected["open"]
        assert sum(r.lead_seconds for r in rows) == expected["lead_seconds"]
        assert month.hours_saved == Decimal(3 * expected["saved"]) / 60


@pytest.mark.django_db
def test_an_open_month_is_computed_again_and_a_settled_one_is_kept() -> None:
    town = MunicipalityFactory()
    settled = made_run(town, datetime.datetime(2026, 1, 5, 8, tzinfo=UTC), [{}, {}])
    open_run = made_run(
        town, datetime.datetime(2026, 2, 5, 8, tzinfo=UTC), [{}, {"status": S.NEEDS_REVIEW}]
    )
    refresh()
    # A reviewer approves the open item; housekeeping would leave the settled rows alone,
    # here they are even changed behind the roll-up's back: a settled month is not read again.
    open_run.items.filter(status=S.NEEDS_REVIEW).update(status=S.DONE)
    settled.items.update(status=S.REJECTED)
    result = refresh()
    assert result.months == 1
    january, february = (
        realised_figures([town.pk], None, datetime.date(2026, 1, 1), datetime.date(2026, 2, 28))
    ).months
    assert january.counts[S.DONE] == 2
    assert february.counts[S.DONE] == 2
    assert february.open_items == 0
    assert refresh().months == 0


@pytest.mark.django_db
def test_the_mark_passes_old_runs_but_not_one_started_within_the_hour() -> None:
    town = MunicipalityFactory()
    now = datetime.datetime(2026, 6, 10, 12, tzinfo=UTC)
    old = made_run(town, now - datetime.timedelta(days=1), [{}])
    recent = made_run(town, now - datetime.timedelta(minutes=5), [{}])
    result = refresh(now=now)
    assert result.last_run_id == old.pk
    assert RollupMark.objects.get().last_run_id == old.pk
    # The recent run is looked at again: its month is computed on the next refresh too.
    assert refresh(now=now).months == 1
    assert refresh(now=now + datetime.timedelta(hours=2)).last_run_id == recent.pk


@pytest.mark.django_db
def test_a_finished_run_computes_its_month_once_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    town = MunicipalityFactory()
    run = made_run(town, datetime.datetime(2026, 4, 2, 8, tzinfo=UTC), [{}, {}, {}])
    run.status = RunStatus.RUNNING
    run.save()
    with django_capture_on_commit_callbacks(execute=True):
        run.status = RunStatus.FINISHED
        run.save(update_fields=["status", "finished_at"])
    row = RobotMonth.objects.get(municipality=town)
    assert (row.month, row.items) == (datetime.date(2026, 4, 1), 3)


@pytest.mark.django_db
def test_an_open_month_whose_items_kept_their_statuses_is_not_computed_again() -> None:
    town = MunicipalityFactory()
    run = made_run(
        town,
        datetime.datetime(2026, 2, 5, 8, tzinfo=UTC),
        [{}, {"status": S.FAILED_BUSINESS}, {"status": S.NEEDS_REVIEW}],
    )
    refresh()
    # Retried and failed again: nothing a figure counts changed, and the month is left alone.
    run.items.filter(status=S.FAILED_BUSINESS).update(attempts=2)
    assert refresh().months == 0
    # Approved: the open items' statuses changed, and the month is computed again.
    run.items.filter(status=S.NEEDS_REVIEW).update(status=S.APPROVED)
    assert refresh().months == 1
    day = datetime.date(2026, 2, 1)
    assert realised_figures([town.pk], None, day, day).totals.saved_items == 2


@pytest.mark.django_db
def test_a_dashboards_refresh_computes_a_month_only_for_a_run_newer_than_its_figures() -> None:
    town = MunicipalityFactory()
    when = datetime.datetime(2026, 2, 5, 8, tzinfo=UTC)
    made_run(town, when, [{}])
    now = when + datetime.timedelta(minutes=10)  # the run is too recent for the mark
    assert refresh(municipality_ids=[town.pk], now=now).months == 1
    assert refresh(municipality_ids=[town.pk], now=now).months == 0
    made_run(town, when, [{}, {}])
    assert refresh(municipality_ids=[town.pk], now=now).months == 1
    day = datetime.date(2026, 2, 1)
    assert realised_figures([town.pk], None, day, day).totals.items == 3


@pytest.mark.django_db
def test_the_schedulers_pass_brings_reviews_after_a_runs_end_to_the_figures_at_its_pace(
    settings,
) -> None:
    from kuntarobo.runtime.management.commands.scheduler import scheduler_pass

    settings.KUNTAROBO_PORTFOLIO_REFRESH_SECONDS = 3600
    town = MunicipalityFactory()
    run = made_run(
        town, datetime.datetime(2026, 2, 5, 8, tzinfo=UTC), [{}, {"status": S.NEEDS_REVIEW}]
    )
    state: dict[str, Any] = {}
    scheduler_pass(state)
    run.items.filter(status=S.NEEDS_REVIEW).update(status=S.DONE)

    def done_in_february() -> int:
        (february,) = realised_figures(
            [town.pk], None, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)
        ).months
        return february.counts[S.DONE]

    scheduler_pass(state)  # within the hour: the roll-up waits
    assert done_in_february() == 1
    settings.KUNTAROBO_PORTFOLIO_REFRESH_SECONDS = 1
    state["portfolio_refreshed_at"] -= 2
    scheduler_pass(state)
    assert done_in_february() == 2
