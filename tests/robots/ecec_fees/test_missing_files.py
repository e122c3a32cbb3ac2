"""A stored file the file store no longer has (a restore without the media volume): a "file
missing" page with status 404 and nothing audited, or a named refusal; never a
FileNotFoundError and a 500 (the review found one in the decision download)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.ecec_fees.models import FeeDecision
from kuntarobo.runtime.models import WorkItem
from kuntarobo.sdk import channels
from tests.robots.ecec_fees.test_staff_pages import MAKE_BATCH, client_for, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

MISSING = "Tiedosto puuttuu"


def remove(field_file) -> None:
    Path(field_file.path).unlink()


def test_a_decision_pdf_missing_on_disk_is_a_file_missing_page_and_not_audited(world):  # noqa: F811
    _home, users = world
    decision = FeeDecision.objects.order_by("pk").first()
    remove(decision.document)
    before = AuditEvent.objects.filter(action="ecec_fees.decision.download").count()
    response = client_for(users[Role.REVIEWER]).get(
        reverse("ecec_fees_staff:decision_pdf", args=[decision.pk])
    )
    assert response.status_code == 404
    assert MISSING in response.content.decode()
    assert AuditEvent.objects.filter(action="ecec_fees.decision.download").count() == before


def test_a_print_batch_with_a_letter_missing_on_disk_is_refused_naming_the_decision(world):  # noqa: F811
    _home, users = world
    decision = FeeDecision.objects.order_by("pk").first()
    letter = channels.Delivery.objects.get(reference=decision.decision_number)
    remove(letter.document)
    reviewer = client_for(users[Role.REVIEWER])
    response = reviewer.post(MAKE_BATCH, {"municipality": "esimerkkila"}, follow=True)
    assert response.status_code == 200
    assert f"{decision.decision_number} (toimitus {letter.pk}) puuttuu" in response.content.decode()
    assert not channels.PrintBatch.objects.exists()


def test_a_print_batch_pdf_missing_on_disk_is_a_file_missing_page(world):  # noqa: F811
    _home, users = world
    reviewer = client_for(users[Role.REVIEWER])
    reviewer.post(MAKE_BATCH, {"municipality": "esimerkkila"})
    batch = channels.PrintBatch.objects.get()
    remove(batch.file)
    response = reviewer.get(reverse("ecec_fees_staff:print_batch_pdf", args=[batch.pk]))
    assert response.status_code == 404
    assert MISSING in response.content.decode()


def test_a_work_item_document_missing_on_disk_is_a_file_missing_page(world):  # noqa: F811
    _home, users = world
    item = WorkItem.objects.filter(documents__isnull=False).order_by("pk").first()
    document = item.documents.order_by("pk").first()
    remove(document.file)
    response = client_for(users[Role.REVIEWER]).get(
        reverse("item_document", args=[item.pk, document.pk])
    )
    assert response.status_code == 404
    assert MISSING in response.content.decode()
