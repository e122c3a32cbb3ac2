"""A resident answers the phone survey's web form with the personal link, in Finnish and with
the keyboard only: the introduction first, then one question a page, the answers stored in the
same respondent. axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntarobo.robots.phone_survey.models import Answer, Attempt
from tests.browser.conftest import assert_accessible
from tests.robots.phone_survey.web_factories import make_respondent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focus is on the element; fail if it never gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def submit(page) -> None:
    tab_to(page, "form.stacked button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_resident_answers_the_survey_on_the_web_with_the_keyboard_in_finnish(page, live_server):
    respondent = make_respondent(language="fi")
    page.goto(f"{live_server.url}/kysely/{respondent.token}/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kysely")
    expect(page.locator("main")).to_contain_text("Numeronne on saatu numeropalvelusta")
    expect(page.get_by_role("button", name="Älkää ottako minuun enää yhteyttä")).to_be_visible()
    assert_accessible(page)

    tab_to(page, "button[name=start]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Mikä on ikäryhmänne?")).to_be_visible()
    assert_accessible(page)

    # No choice made: the error summary names the question, and the page stays accessible.
    submit(page)
    expect(page.get_by_role("alert")).to_contain_text("Tämä kenttä vaaditaan")
    assert_accessible(page)

    # Age group 30–49: the first radio button, then two steps down with the arrow key.
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("30–49")).to_be_checked()
    submit(page)

    expect(page.get_by_role("group", name="Missä asutte?")).to_be_visible()
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")  # keskusta
    submit(page)

    expect(page.get_by_label("Kuinka tyytyväinen")).to_be_visible()
    tab_to(page, "input[name=answer]")
    page.keyboard.type("8")
    submit(page)

    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # työpaikat
    submit(page)

    expect(page.get_by_label("Kertokaa vielä omin sanoin")).to_be_visible()
    assert_accessible(page)
    tab_to(page, "textarea[name=answer]")
    page.keyboard.type("Lisää kevyen liikenteen väyliä.")
    submit(page)

    expect(page.get_by_role("status")).to_contain_text("Kiitos vastauksistanne!")
    assert_accessible(page)

    stored = dict(Answer.objects.filter(respondent=respondent).values_list("step_id", "value"))
    assert stored == {
        "language": "fi",
        "age_group": "30-49",
        "area": "centre",
        "satisfaction": "8",
        "target": "jobs",
        "open": "Lisää kevyen liikenteen väyliä.",
    }
    respondent.refresh_from_db()
    assert (respondent.disposition, respondent.final_code, respondent.completed_via) == (
        "completed",
        "1.1",
        "web",
    )
    assert Attempt.objects.get(respondent=respondent).channel == "web"
