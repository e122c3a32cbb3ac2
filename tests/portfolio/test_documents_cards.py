"""Result cards: the coordinator's texts, figures from the robot's runs in the municipality, a
one-page PDF in the card's language, and sharing that others can see and that can be withdrawn."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio.models import ResultCard, SharingScope
from kuntarobo.portfolio.realised import CORRECTED_MARK
from kuntarobo.portfolio.result_cards import TEXT_LIMITS, card_figures, save_result_card
from kuntarobo.portfolio.sharing import set_sharing
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError, get_robot
from kuntarobo.runtime.models import ItemStatus, Run
from tests.factories import MunicipalityFactory, RunFactory, WorkItemFactory, user_with_role

ROBOT = "invoice_check"  # 3 manual minutes per item


def pdf_pages(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def make_items(municipality, statuses: dict[str, int], **fields) -> Run:
    run = RunFactory(municipality=municipality, robot_slug=ROBOT)
    for status, count in statuses.items():
        for _ in range(count):
            WorkItemFactory(run=run, status=status, **fields)
    return run


def card_url(name: str, municipality: str = "esimerkkila") -> str:
    return reverse(f"portfolio:{name}", args=[ROBOT, municipality])


def save(pworld, role: str = Role.COORDINATOR, **fields) -> ResultCard:
    values = {"language": "fi", "hours_per_person_year": 1600, **fields}
    return save_result_card(pworld.users[role], pworld.esimerkkila, ROBOT, values, via="test")


def test_the_cards_figures_come_from_the_robots_runs_in_the_municipality(pworld):
    make_items(
        pworld.esimerkkila,
        {
            ItemStatus.DONE: 39,
            ItemStatus.APPROVED: 10,
            ItemStatus.REJECTED: 5,
            ItemStatus.FAILED_BUSINESS: 3,
            ItemStatus.FAILED_APPLICATION: 2,
        },
    )
    # A report sent again repeats work already counted: no time saved by it.
    make_items(pworld.esimerkkila, {ItemStatus.DONE: 1}, saves_time=False)
    # A reviewer corrected one proposal (rework); the robot flagged another (an exception).
    make_items(
        pworld.esimerkkila,
        {ItemStatus.APPROVED: 1},
        explanation=[f"{CORRECTED_MARK} amount 1 → 2"],
    )
    make_items(pworld.esimerkkila, {ItemStatus.NEEDS_REVIEW: 1}, attention=["check the amount"])
    make_items(pworld.naapurila, {ItemStatus.DONE: 100})  # another municipality's
    card = save(pworld, hours_per_person_year=10)

    figures = card_figures(card)

    assert figures.items == 62
    assert figures.completed == 50  # 40 done + 11 approved − 1 repeated
    assert figures.hours_saved == Decimal("2.5")  # 50 × 3 min
    assert figures.person_years == Decimal("0.25")  # 2.5 h / 10 h
    assert figures.exception_rate == Decimal("6.5")  # (3 failed + 1 flagged) / 62
    assert figures.error_rate == Decimal("3.2")  # 2 / 62
    assert figures.rework_rate == Decimal("1.6")  # 1 corrected / 62


def test_an_item_replaced_by_a_corrected_input_counts_as_rework(pworld):
    make_items(pworld.esimerkkila, {ItemStatus.DONE: 3, ItemStatus.SUPERSEDED: 1})
    figures = card_figures(save(pworld))
    assert figures.items == 4
    assert figures.completed == 3
    assert figures.rework_rate == Decimal("25.0")  # 1 of the 4 items made


def test_the_cards_period_limits_its_figures(pworld):
    old = make_items(pworld.esimerkkila, {ItemStatus.DONE: 3})
    Run.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    make_items(pworld.esimerkkila, {ItemStatus.DONE: 1})
    today = timezone.localdate()
    card = save(pworld, period_start=today - datetime.timedelta(days=30), period_end=today)
    assert card_figures(card).items == 1


def test_an_unwritten_card_shows_the_declarations_description_and_systems(pworld):
    page = pworld.client_for(Role.VIEWER).get(card_url("result_card"), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    robot = get_robot(ROBOT)
    assert robot.description.en in body
    assert robot.systems[0].en in body  # type: ignore[union-attr]
    assert "No result card has been written yet" in body
    assert not ResultCard.objects.exists()  # reading writes nothing


def test_the_result_card_pdf_is_one_page_with_the_robot_the_municipality_and_the_figures(
    pworld,
):
    make_items(pworld.esimerkkila, {ItemStatus.DONE: 40, ItemStatus.FAILED_BUSINESS: 2})
    # Every text at its longest still fits on the one page.
    long_texts = {name: ("sana " * limit)[:limit] for name, limit in TEXT_LIMITS.items()}
    long_texts["lessons"] = "\n".join(["Etukäteisviestintä on tärkeää"] * 30)[
        : TEXT_LIMITS["lessons"]
    ]
    save(pworld, hours_per_person_year=2, **long_texts)

    response = pworld.client_for(Role.VIEWER).get(card_url("result_card_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == 1
    text = pages[0]
    assert "Tuloskortti" in text
    assert "Esimerkkilä" in text
    assert "Ostolaskujen tarkistus" in text
    assert "Käsitellyt tehtävät 42" in text
    assert "Säästetyn käsityön tunnit 2,0" in text  # 40 × 3 min
    assert "1,00" in text  # person-years at 2 h each
    assert "4,8 %" in text  # business exceptions 2 / 42


def test_a_card_written_in_swedish_prints_in_swedish_whoever_reads_it(pworld):
    save(pworld, language="sv", goals="Snabbare betalningar")
    response = pworld.client_for(Role.VIEWER).get(
        card_url("result_card_pdf"), HTTP_ACCEPT_LANGUAGE="fi"
    )
    text = pdf_pages(response.content)[0]
    assert "Resultatkort" in text
    assert "Granskning av inköpsfakturor" in text
    assert "Snabbare betalningar" in text
    assert "Tuloskortti" not in text


def test_a_coordinator_saves_the_card_through_the_form_and_it_is_audited(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    form = client.get(card_url("result_card_edit"), HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    response = client.post(
        card_url("result_card_edit"),
        {
            "language": "fi",
            "goals": "Maksut ajallaan",
            "benefit_1": "Ajansäästö",
            "benefit_2": "Vähemmän virheitä",
            "benefit_3": "Tieto nopeammin",
            "lessons": "Viesti etukäteen",
            "what_it_does": "Tarkistaa laskut",
            "systems": "Ostoreskontra",
            "costs": "Noin 12 000 euroa",
            "hours_per_person_year": "1600",
        },
    )
    assert response.status_code == 302
    card = ResultCard.objects.get(municipality=pworld.esimerkkila, robot_slug=ROBOT)
    assert card.benefits == ["Ajansäästö", "Vähemmän virheitä", "Tieto nopeammin"]
    assert card.updated_by == pworld.users[Role.COORDINATOR]
    event = AuditEvent.objects.get(action="portfolio.result_card_saved")
    assert event.municipality == pworld.esimerkkila
    page = client.get(card_url("result_card")).content.decode()
    assert "Tieto nopeammin" in page


def test_bad_card_input_names_the_field_and_writes_nothing(pworld):
    with pytest.raises(InputError) as too_long:
        save(pworld, goals="x" * (TEXT_LIMITS["goals"] + 1))
    assert too_long.value.field == "goals"
    today = timezone.localdate()
    with pytest.raises(InputError) as backwards:
        save(pworld, period_start=today, period_end=today - datetime.timedelta(days=1))
    assert backwards.value.field == "period_end"
    with pytest.raises(InputError) as language:
        save(pworld, language="de")
    assert language.value.field == "language"
    assert not ResultCard.objects.exists()
    assert not AuditEvent.objects.filter(action="portfolio.result_card_saved").exists()


def test_a_viewer_may_read_but_not_write_the_card(pworld):
    with pytest.raises(PermissionDeniedError):
        save(pworld, role=Role.VIEWER, goals="Ei saa")
    assert not ResultCard.objects.exists()


def test_another_municipalitys_unshared_card_is_not_found(pworld):
    save(pworld, goals="Salainen tavoite")
    client = pworld.client_for("outsider")
    for name in ("result_card", "result_card_pdf", "path_document"):
        assert client.get(card_url(name)).status_code == 404


def test_a_card_shared_with_the_installation_is_visible_to_others_until_withdrawn(pworld):
    card = save(pworld, goals="Jaettu tavoite")
    coordinator = pworld.users[Role.COORDINATOR]
    stranger = user_with_role(Role.VIEWER, MunicipalityFactory(slug="kaukola"), username="k")
    assert set_sharing(coordinator, card, SharingScope.INSTALLATION, via="test")

    client = pworld.client_for("outsider")
    page = client.get(card_url("result_card"))
    assert page.status_code == 200
    assert "Jaettu tavoite" in page.content.decode()
    assert "Edit the result card" not in page.content.decode()
    assert len(pdf_pages(client.get(card_url("result_card_pdf")).content)) == 1
    # The path document with the same figures is shared with the card.
    assert client.get(card_url("path_document")).status_code == 200
    # Outsiders cannot edit or re-share it.
    assert client.get(card_url("result_card_edit")).status_code == 404
    assert client.post(card_url("result_card_share"), {"scope": "private"}).status_code == 404

    far = Client()
    far.force_login(stranger)
    assert far.get(card_url("result_card")).status_code == 200
    # Others find it among what is shared with them.
    shared = far.get(reverse("portfolio:shared_ideas")).content.decode()
    assert card_url("result_card") in shared

    assert set_sharing(coordinator, card, SharingScope.PRIVATE, via="test")
    assert client.get(card_url("result_card")).status_code == 404
    assert far.get(card_url("result_card")).status_code == 404
    assert (
        card_url("result_card") not in far.get(reverse("portfolio:shared_ideas")).content.decode()
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="portfolio.shar").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["portfolio.shared", "portfolio.sharing_withdrawn"]


def test_a_card_shared_with_the_programme_is_visible_to_its_municipalities_only(pworld):
    card = save(pworld, goals="Ohjelman tavoite")
    stranger = user_with_role(Role.VIEWER, MunicipalityFactory(slug="kaukola"), username="k")
    client = pworld.client_for(Role.COORDINATOR)
    response = client.post(card_url("result_card_share"), {"scope": SharingScope.PROGRAMME})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.shared_with == SharingScope.PROGRAMME

    assert pworld.client_for("outsider").get(card_url("result_card")).status_code == 200
    far = Client()
    far.force_login(stranger)
    assert far.get(card_url("result_card")).status_code == 404


def test_sharing_a_card_not_yet_written_is_refused_with_a_message(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    response = client.post(
        card_url("result_card_share"),
        {"scope": SharingScope.INSTALLATION},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    told = [str(message) for message in response.context["messages"]]
    assert told == ["Save the result card before sharing it."]
    assert not ResultCard.objects.exists()
