"""A family works out its ECEC fee on the municipality's public page, in a real browser and in
Finnish: no login, the form filled in field by field, the total and how it was computed. axe-core
checks the page before and after, and with field errors."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kuntarobo.robots.ecec_fees.views import default_date
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory
from tests.robots.ecec_fees.conftest import _statutory_parameter_rows  # noqa: F401
from tests.robots.ecec_fees.helpers import configure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def estimate_url(live_server) -> str:
    municipality = MunicipalityFactory(
        slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby"
    )
    configure(municipality)
    return f"{live_server.url}/varhaiskasvatusmaksu/esimerkkila/"


def field(page, name: str):
    """A form field by its name; its label is checked by axe-core (every field has one)."""
    return page.locator(f'[name="{name}"]')


def test_a_family_works_out_its_fee_in_finnish_and_sees_how_it_was_computed(page, estimate_url):
    page.goto(estimate_url)
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Esimerkkilä")
    # the page's own date, which always computes (today once today's figures are entered), is
    # filled in and shown by the date picker
    expect(field(page, "date")).to_have_value(default_date(timezone.localdate()).isoformat())
    assert_accessible(page)

    # The worked example: 3 persons, 6,000 €/month, children of 2 and 4, 150 h a month each.
    field(page, "date").fill("2025-01-15")
    field(page, "family_size").fill("3")
    field(page, "income_1").fill("6000")
    field(page, "child_1_birth_date").fill("2022-09-01")
    field(page, "child_1_hours").fill("150")
    field(page, "child_2_birth_date").fill("2020-09-01")
    field(page, "child_2_hours").fill("150")
    page.locator("form.stacked button[type=submit]").click()

    result = page.locator("section.result")
    expect(result).to_be_visible()
    expect(result.get_by_role("heading", level=2)).to_contain_text("113,00\u00a0€")
    expect(result).to_contain_text("Perheen maksut yhteensä 113,00\u00a0€/kk")
    expect(result).to_contain_text("10,7\u00a0% × (6\u00a0000,00\u00a0€ − 5\u00a0245,00\u00a0€)")
    expect(result).to_contain_text("Nuorin lapsi: 100\u00a0% × 81,00\u00a0€ = 81,00\u00a0€")
    expect(result).to_contain_text(
        "Toinen lapsi: 40\u00a0% × 81,00\u00a0€ = 32,40\u00a0€ → 32,00\u00a0€"
    )
    # What the family typed stays in the form, to change and try again.
    expect(field(page, "income_1")).to_have_value("6000")
    assert_accessible(page)


def test_a_family_that_leaves_out_its_income_is_told_which_field_to_fix(page, estimate_url):
    page.goto(estimate_url)
    field(page, "child_1_birth_date").fill("2022-09-01")
    field(page, "child_1_hours").fill("150")
    page.locator("form.stacked button[type=submit]").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(field(page, "income_1")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("section.result")).to_have_count(0)
    assert_accessible(page)


def test_an_official_reviews_the_fee_drafts_approves_them_and_makes_a_print_batch(
    page, live_server, tmp_path
):
    """The official's path in Finnish: the drafts (flagged: they start in the past) looked at and
    approved from the inbox under the official's delegation, the decisions page, a print batch
    made from it and marked posted; axe-core checks every page on the way."""
    from django.core.management import call_command

    from kuntarobo.accounts.models import Role
    from kuntarobo.robots.ecec_fees.models import DecisionStatus, FeeDecision
    from kuntarobo.runtime import actions
    from kuntarobo.sdk import channels
    from tests.factories import PASSWORD, deciding_official, user_with_role
    from tests.robots.ecec_fees.helpers import PERIOD, family, swedish_family, write_families

    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(municipality)
    deciding_official(municipality, username="tarkastaja")
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    path = write_families(tmp_path / "f.jsonl", family(), swedish_family())
    actions.start_run(
        coordinator,
        municipality,
        "ecec_fees",
        input_file=path,
        parameters={"period_start": PERIOD.isoformat()},
    )
    call_command("worker", batch=True, interval=0, verbosity=0)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Käyttäjätunnus").fill("tarkastaja")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()
    page.goto(f"{live_server.url}/inbox/?tab=review")
    cards = page.locator("article.item-card")
    expect(cards).to_have_count(2)  # each family's part from PERIOD (1.8.2026 waits for figures)
    expect(page.locator("article.has-attention").first).to_contain_text("huomioitavaa")
    assert_accessible(page)
    page.get_by_label("Valitse kaikki tältä sivulta").check()
    page.get_by_role("button", name="Hyväksy valitut").click()
    expect(page.get_by_role("status")).to_contain_text("2 tehtävää hyväksytty.")
    call_command("worker", batch=True, interval=0, verbosity=0)
    # Printed letters: approved and awaiting printing, not "sent", until the batch is posted.
    assert set(FeeDecision.objects.values_list("status", flat=True)) == {DecisionStatus.APPROVED}
    assert set(FeeDecision.objects.values_list("decided_by_title", flat=True)) <= {
        "varhaiskasvatuspäällikkö",
        "chef för småbarnspedagogiken",
    }

    page.goto(f"{live_server.url}/robots/ecec_fees/decisions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maksupäätökset ja tulostuserät")
    assert_accessible(page)
    page.get_by_role("button", name="Tee tulostuserä").click()
    expect(page.get_by_role("link", name="Tulostuserä 1 (PDF)")).to_be_visible()
    assert_accessible(page)
    batch = channels.PrintBatch.objects.get()
    page.get_by_label("Postituspäivä").fill(PERIOD.isoformat())
    page.get_by_role("button", name="Merkitse postitetuksi").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert set(FeeDecision.objects.values_list("status", flat=True)) == {DecisionStatus.POSTED}
    batch.refresh_from_db()
    assert batch.letters >= 2  # the two decisions (and any copy to a second guardian)
    assert batch.posted_on == PERIOD
