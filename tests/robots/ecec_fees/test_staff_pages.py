"""The staff pages of the fee robot: decisions, their PDFs, and print batches from the web."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.ecec_fees.models import FeeDecision
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, WorkItem
from kuntarobo.sdk import channels
from tests.factories import PASSWORD, DelegationFactory, MunicipalityFactory, user_with_role
from tests.robots.ecec_fees.helpers import PERIOD, configure, family, swedish_family, write_families

pytestmark = pytest.mark.django_db(transaction=True)

DECISIONS = reverse("ecec_fees_staff:decisions")
MAKE_BATCH = reverse("ecec_fees_staff:make_print_batch")


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path, family(), swedish_family())


def make_world(tmp_path, *families):
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    other = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    configure(home)
    users = {role: user_with_role(role, home) for role in Role.values}
    DelegationFactory(user=users[Role.REVIEWER], municipality=home)
    users["outsider"] = user_with_role(Role.ADMINISTRATOR, other)
    path = write_families(tmp_path / "f.jsonl", *families)
    actions.start_run(
        users[Role.COORDINATOR],
        home,
        "ecec_fees",
        input_file=path,
        parameters={"period_start": PERIOD.isoformat()},
    )
    call_command("worker", batch=True, interval=0, verbosity=0)
    waiting = WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True)
    actions.approve_items(users[Role.REVIEWER], list(waiting))
    call_command("worker", batch=True, interval=0, verbosity=0)
    return home, users


def test_the_robot_page_links_to_its_decisions(world):
    _home, users = world
    page = client_for(users[Role.COORDINATOR]).get(reverse("robot_detail", args=["ecec_fees"]))
    assert DECISIONS in page.content.decode()


def test_those_who_may_see_personal_data_see_the_decisions_and_the_view_is_audited(world):
    _home, users = world
    for role in (Role.ADMINISTRATOR, Role.COORDINATOR, Role.REVIEWER):
        response = client_for(users[role]).get(DECISIONS)
        assert response.status_code == 200
        text = response.content.decode()
        for decision in FeeDecision.objects.all():
            assert decision.decision_number in text
    assert AuditEvent.objects.filter(action="ecec_fees.decisions.view").count() == 3
    for role in (Role.DEVELOPER, Role.VIEWER):
        assert client_for(users[role]).get(DECISIONS).status_code == 403


def test_another_municipalitys_administrator_sees_none_of_the_decisions(world):
    _home, users = world
    outsider = client_for(users["outsider"])
    response = outsider.get(DECISIONS)
    assert response.status_code == 200
    decision = FeeDecision.objects.first()
    assert decision.decision_number not in response.content.decode()
    pdf = reverse("ecec_fees_staff:decision_pdf", args=[decision.pk])
    assert outsider.get(pdf).status_code == 404


def test_a_sent_decision_downloads_as_its_pdf_and_the_download_is_audited(world):
    _home, users = world
    decision = FeeDecision.objects.order_by("pk").first()
    response = client_for(users[Role.REVIEWER]).get(
        reverse("ecec_fees_staff:decision_pdf", args=[decision.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="ecec_fees.decision.download").count() == 1
    viewer = client_for(users[Role.VIEWER])
    assert (
        viewer.get(reverse("ecec_fees_staff:decision_pdf", args=[decision.pk])).status_code == 403
    )


def test_a_reviewer_makes_the_print_batch_from_the_page_and_downloads_it(world):
    _home, users = world
    reviewer = client_for(users[Role.REVIEWER])
    assert "Tee tulostuserä" in reviewer.get(DECISIONS).content.decode()
    response = reviewer.post(MAKE_BATCH, {"municipality": "esimerkkila"})
    assert response.status_code == 302
    batch = channels.PrintBatch.objects.get()
    assert batch.letters == 2
    download = reviewer.get(reverse("ecec_fees_staff:print_batch_pdf", args=[batch.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    reviewer.post(MAKE_BATCH, {"municipality": "esimerkkila"})
    assert channels.PrintBatch.objects.count() == 1  # nothing left to print


def test_only_reviewers_of_the_municipality_may_make_a_print_batch(world):
    _home, users = world
    assert (
        client_for(users[Role.COORDINATOR])
        .post(MAKE_BATCH, {"municipality": "esimerkkila"})
        .status_code
        == 403
    )
    assert (
        client_for(users["outsider"]).post(MAKE_BATCH, {"municipality": "esimerkkila"}).status_code
        == 404
    )
    assert Client().post(MAKE_BATCH, {"municipality": "esimerkkila"}).status_code == 302
    assert not channels.PrintBatch.objects.exists()


def test_a_second_guardians_printed_copy_is_listed_and_downloads_audited(tmp_path):
    separated = family(
        size=4,
        guardians=[
            *family()["guardians"],
            {
                "name": "Matti Virtanen",
                "address": {"street": "Koivukuja 3", "postal_code": "33100", "city": "Tampere"},
            },
        ],
    )
    _home, users = make_world(tmp_path, separated)
    decision = FeeDecision.objects.get()
    reviewer = client_for(users[Role.REVIEWER])
    listing = reviewer.get(DECISIONS).content.decode()
    url = reverse("ecec_fees_staff:copy_pdf", args=[decision.pk, 2])
    assert url in listing
    assert "tulostettu kopio toiselle huoltajalle" in listing
    response = reviewer.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    event = AuditEvent.objects.filter(action="ecec_fees.decision.download").get()
    assert event.details["copy"] == decision.decision_number + "-2"
    missing = reverse("ecec_fees_staff:copy_pdf", args=[decision.pk, 3])
    assert reviewer.get(missing).status_code == 404
    assert client_for(users[Role.VIEWER]).get(url).status_code == 403
    assert client_for(users["outsider"]).get(url).status_code == 404


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fi", r"Tulostuserä tehty: 2 kirjettä, (\d+) (sivu|sivua)\."),
        ("sv", r"Utskriftsomgången gjord: 2 brev, (\d+) (sida|sidor)\."),
    ],
)
def test_the_print_batch_notice_counts_letters_and_pages_each_in_its_plural_form(
    world, language, expected
):
    _home, users = world
    reviewer = client_for(users[Role.REVIEWER])
    reviewer.cookies["django_language"] = language
    page = reviewer.post(MAKE_BATCH, {"municipality": "esimerkkila"}, follow=True)
    found = re.search(expected, page.content.decode())
    assert found, page.content.decode()
    pages, word = int(found.group(1)), found.group(2)
    assert pages == channels.PrintBatch.objects.get().pages
    assert word == {"fi": ("sivu", "sivua"), "sv": ("sida", "sidor")}[language][pages != 1]
