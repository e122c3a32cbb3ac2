"""A real fee run writes draft letters, archived decisions and a print batch: every file is
private to the service's user (0600, folders 0700), and no PDF download may be stored."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.robots.ecec_fees.models import FeeDecision
from kuntarobo.sdk import channels
from tests.robots.ecec_fees.test_staff_pages import MAKE_BATCH, client_for, world  # noqa: F401
from tests.web.test_response_headers import assert_not_stored

pytestmark = pytest.mark.django_db(transaction=True)


def test_decision_and_print_batch_pdfs_are_not_stored(world):  # noqa: F811
    _home, users = world
    reviewer = client_for(users[Role.REVIEWER])
    decision = FeeDecision.objects.exclude(document="").first()
    assert_not_stored(reviewer.get(reverse("ecec_fees_staff:decision_pdf", args=[decision.pk])))
    assert_not_stored(reviewer.get(reverse("ecec_fees_staff:decisions")))
    reviewer.post(MAKE_BATCH, {"municipality": "esimerkkila"})
    batch = channels.PrintBatch.objects.get()
    response = reviewer.get(reverse("ecec_fees_staff:print_batch_pdf", args=[batch.pk]))
    assert_not_stored(response)
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_every_file_of_a_run_and_its_print_batch_is_private(world):  # noqa: F811
    _home, users = world
    client_for(users[Role.REVIEWER]).post(MAKE_BATCH, {"municipality": "esimerkkila"})
    media = Path(settings.MEDIA_ROOT)
    files = [p for p in media.rglob("*") if p.is_file()]
    kinds = {p.relative_to(media).parts[0] for p in files}
    # input, drafts, decisions, the letters waiting for print and their batch
    assert {"inputs", "documents", "ecec_fees", "channels"} <= kinds
    assert any("print" in p.parts for p in files)
    wrong = {
        str(path.relative_to(media)): oct(stat.S_IMODE(path.stat().st_mode))
        for path in media.rglob("*")
        if stat.S_IMODE(path.stat().st_mode) != (0o700 if path.is_dir() else 0o600)
    }
    assert wrong == {}
