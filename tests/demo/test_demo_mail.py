"""What a new user of `make demo` meets: the HR robot's monthly run delivers its e-mails to the
demo's mail catcher (the platform's SMTP settings, nothing else), the run ends without failures,
and the administrator reads every message on *Demo e-mail*."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Municipality
from kuntarobo.demo.data import load_demo
from kuntarobo.demo.mail_catcher import catcher
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, RunStatus
from kuntarobo.runtime.statuses import failed_count, run_outcome
from tests.loopback import free_port
from tests.runtime.helpers import drain


@pytest.fixture
def demo_mail(settings, tmp_path: Path) -> Iterator[Path]:
    """The demo's e-mail set-up as `kuntarobo demo` makes it: catcher on loopback, SMTP to it."""
    folder = tmp_path / "caught-mail"
    server = catcher(folder, free_port())
    server.start()
    settings.KUNTAROBO_MAIL_CATCHER_DIR = str(folder)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield folder
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_an_hr_run_in_the_demo_ends_with_its_emails_readable_on_the_demo_email_page(demo_mail):
    load_demo()
    users = get_user_model().objects
    run = actions.start_run(
        users.get(username="koordinaattori"),
        Municipality.objects.get(slug="esimerkkila"),
        "hr_reports",
    ).run
    drain()
    run.refresh_from_db()
    counts = {s: run.items.filter(status=s).count() for s in ItemStatus.values}
    assert run.status == RunStatus.FINISHED
    # Nothing failed on delivery (before the catcher: "localhost:25, nothing listens"); the
    # demo's export has a unit without a supervisor's address on purpose, a business failure
    # the run names instead of a plain "Valmis".
    assert counts[ItemStatus.FAILED_APPLICATION] == 0
    failed = run.items.filter(status=ItemStatus.FAILED_BUSINESS)
    assert [item.reference.split(":")[0] for item in failed] == ["1002"]
    assert run_outcome(run.status, failed_count(counts)) == "finished_with_failures"
    sent = list(demo_mail.glob("*.eml"))
    done = run.items.filter(status=ItemStatus.DONE)
    assert len(sent) == sum(1 for item in done if item.output.get("recipient")) > 1

    client = Client()
    client.force_login(users.get(username="paakayttaja"))
    page = client.get(reverse("caught_mail")).content.decode()
    assert page.count("<time ") == len(sent)
    # The HR reports go as a secure link: a neutral subject, nothing personal (issue 16, 10).
    assert "asiakirja odottaa sinua" in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Valmis, 1 epäonnistui" in dashboard
