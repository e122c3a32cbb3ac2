"""A finished run with failed items is never shown as a plain success: "Finished, N failed" in a
class (and colour) of its own, with words, on the run page, the robot page and the dashboard."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from kuntarobo.accounts.models import Role
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, RunStatus
from kuntarobo.runtime.statuses import run_outcome, run_outcome_label

BADGE = re.compile(
    r'<span class="status status-(?P<cls>[a-z_]+)">.*?</span>\s*(?P<text>[^<]*)</span>'
)


def run_badges(page: str) -> list[tuple[str, str]]:
    return [(m["cls"], m["text"].strip()) for m in BADGE.finditer(page)]


def test_a_finished_run_with_failed_items_is_finished_with_failures_and_says_how_many():
    assert run_outcome(RunStatus.FINISHED, 2) == "finished_with_failures"
    assert run_outcome(RunStatus.FINISHED, 0) == "finished"
    assert run_outcome(RunStatus.RUNNING, 2) == "running"  # not over yet: no verdict
    with translation.override("fi"):
        assert run_outcome_label(RunStatus.FINISHED, 2) == "Valmis, 2 epäonnistui"
        assert run_outcome_label(RunStatus.FINISHED, 0) == "Valmis"
    with translation.override("sv"):
        assert run_outcome_label(RunStatus.FINISHED, 1) == "Klar, 1 misslyckades"
    with translation.override("en"):
        assert run_outcome_label(RunStatus.FINISHED, 3) == "Finished, 3 failed"


@pytest.mark.parametrize(
    ("url_name", "args"),
    [("run_detail", "run"), ("robot_detail", "robot"), ("dashboard", None)],
)
def test_every_page_that_shows_the_run_says_finished_with_one_failed(world, url_name, args):
    world.run.refresh_from_db()
    assert world.run.status == RunStatus.FINISHED
    assert world.run.items.filter(status=ItemStatus.FAILED_BUSINESS).count() == 1
    arguments = {"run": [world.run.pk], "robot": ["invoice_check"], None: []}[args]
    page = world.client_for(Role.VIEWER).get(reverse(url_name, args=arguments)).content.decode()
    badges = run_badges(page)
    assert ("finished_with_failures", "Valmis, 1 epäonnistui") in badges
    assert ("finished", "Valmis") not in badges


def test_a_run_whose_failed_item_was_abandoned_is_a_plain_success_again(world):
    actions.abandon_items(world.users[Role.REVIEWER], [world.failed_item.pk], reason="duplicate")
    page = world.client_for(Role.VIEWER).get(reverse("run_detail", args=[world.run.pk]))
    badges = run_badges(page.content.decode())
    assert ("finished", "Valmis") in badges
    assert not [badge for badge in badges if badge[0] == "finished_with_failures"]


def test_the_run_page_says_it_in_swedish_too(world):
    client = world.client_for(Role.VIEWER)
    client.cookies["django_language"] = "sv"
    page = client.get(reverse("run_detail", args=[world.run.pk])).content.decode()
    assert ("finished_with_failures", "Klar, 1 misslyckades") in run_badges(page)


def test_the_outcome_has_a_colour_of_its_own_in_the_stylesheet():
    from django.contrib.staticfiles import finders

    css = open(finders.find("kuntarobo/kuntarobo.css"), encoding="utf-8").read()  # noqa: SIM115
    rule = css[css.index(".status-finished_with_failures") :]
    rule = rule[: rule.index("}")]
    assert "var(--partial)" in rule
    plain = css[css.index(".status-finished, ") :]
    assert "--partial" not in plain[: plain.index("}")]
