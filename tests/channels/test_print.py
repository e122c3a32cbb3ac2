"""Printed letters: each waits as queued, a print batch gathers them into one PDF (each letter
on an odd page, so duplex never puts two recipients on one sheet), and posting the batch gives
each letter its posted date; a posted letter is final."""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.channels.actions import deliver, make_print_batch, record_posted
from kuntarobo.channels.base import ChannelError, Content, Document
from kuntarobo.channels.models import Delivery, DeliveryFinalError, DeliveryStatus, PrintBatch
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.channels.conftest import pdf_with_pages
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

ADDRESS = "Maija Meikäläinen\nKoulukatu 3 B 12\n33100 Tampere"


def letter(municipality, pages: int, reference: str, robot: str = "ecec_fees") -> Delivery:
    return deliver(
        municipality=municipality,
        robot=robot,
        channel="print",
        recipient=ADDRESS,
        subject="Päätös",
        content=Content(body="", document=Document(f"{reference}.pdf", pdf_with_pages(pages))),
        reference=reference,
    )


def test_a_letter_waits_for_the_print_batch(municipality):
    delivery = letter(municipality, 1, "a")

    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.document
    assert delivery.masked_recipient == "***, 33100 Tampere"
    assert AuditEvent.objects.filter(action="channels.delivery.queued").count() == 1


def test_the_print_batch_has_every_letter_each_starting_on_an_odd_page(municipality, staff):
    letter(municipality, 1, "a")
    letter(municipality, 3, "b")
    letter(municipality, 2, "c")

    batch = make_print_batch(staff, municipality, via="web")

    assert batch is not None
    # 1 + blank, 3 + blank, 2: pages 1, 3 and 7 start the letters.
    assert batch.pages == 8
    assert batch.letters == 3
    with batch.file.open("rb") as stored:
        assert len(pypdf.PdfReader(io.BytesIO(stored.read())).pages) == 8
    assert set(Delivery.objects.values_list("print_batch", flat=True)) == {batch.pk}
    assert AuditEvent.objects.get(action="channels.print_batch").details["pages"] == 8


def test_a_second_batch_takes_only_the_letters_that_came_after_the_first(municipality, staff):
    letter(municipality, 2, "a")
    first = make_print_batch(staff, municipality)
    letter(municipality, 1, "b")

    second = make_print_batch(staff, municipality)

    assert first is not None
    assert second is not None
    assert (first.letters, second.letters, second.pages) == (1, 1, 1)
    assert make_print_batch(staff, municipality) is None


def test_a_batch_of_one_robot_leaves_the_other_robots_letters_waiting(municipality, staff):
    letter(municipality, 1, "a", robot="ecec_fees")
    letter(municipality, 1, "b", robot="placements")

    batch = make_print_batch(staff, municipality, robot="placements")

    assert batch is not None
    assert batch.letters == 1
    assert Delivery.objects.filter(print_batch__isnull=True).get().robot_slug == "ecec_fees"


def test_posting_the_batch_gives_each_letter_its_posted_date_and_then_it_is_final(
    municipality, staff
):
    letter(municipality, 1, "a")
    letter(municipality, 1, "b")
    batch = make_print_batch(staff, municipality)
    assert batch is not None
    posted_on = timezone.localdate() - datetime.timedelta(days=1)

    record_posted(staff, batch, posted_on)

    assert set(Delivery.objects.values_list("status", "posted_on")) == {
        (DeliveryStatus.POSTED, posted_on)
    }
    assert AuditEvent.objects.get(action="channels.print_batch.posted").details["posted_on"] == (
        posted_on.isoformat()
    )
    with pytest.raises(InputError, match="already posted"):
        record_posted(staff, batch, posted_on)
    posted = Delivery.objects.first()
    assert posted is not None
    posted.subject = "changed"
    with pytest.raises(DeliveryFinalError):
        posted.save()
    with pytest.raises(DeliveryFinalError):
        Delivery.objects.update(subject="changed")


def test_a_posting_date_in_the_future_is_refused(municipality, staff):
    letter(municipality, 1, "a")
    batch = make_print_batch(staff, municipality)
    assert batch is not None

    with pytest.raises(InputError, match="future"):
        record_posted(staff, batch, timezone.localdate() + datetime.timedelta(days=1))

    assert Delivery.objects.get().status == DeliveryStatus.QUEUED


def test_someone_without_the_right_to_review_cannot_make_a_batch(municipality):
    viewer = user_with_role(Role.VIEWER, municipality, username="viewer")
    letter(municipality, 1, "a")

    with pytest.raises(PermissionDeniedError):
        make_print_batch(viewer, municipality)

    assert PrintBatch.objects.count() == 0


def test_a_letter_that_is_not_a_pdf_is_refused_for_good(municipality):
    with pytest.raises(ChannelError, match="cannot be read") as raised:
        deliver(
            municipality=municipality,
            robot="ecec_fees",
            channel="print",
            recipient=ADDRESS,
            subject="Päätös",
            content=Content(body="", document=Document("x.pdf", b"not a pdf at all")),
        )

    assert not raised.value.retryable
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_an_address_of_fewer_than_three_lines_is_bad_input(municipality):
    with pytest.raises(InputError, match="three lines"):
        deliver(
            municipality=municipality,
            robot="ecec_fees",
            channel="print",
            recipient="Maija Meikäläinen",
            subject="Päätös",
            content=Content(body="", document=Document("x.pdf", pdf_with_pages(1))),
        )
