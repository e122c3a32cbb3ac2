"""The demo's payroll chain as a new user meets it: one start of the HR fetch robot in
Esimerkkilä logs in to the practice system, downloads last month, and the HR reports run it
starts delivers the supervisors' messages to the demo's mail catcher."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from kuntarobo.accounts.models import Municipality
from kuntarobo.core import caught_mail
from kuntarobo.demo.data import load_demo
from kuntarobo.demo.mail_catcher import catcher
from kuntarobo.practice.data import generate_units
from kuntarobo.practice.server import PracticeOptions, PracticeServer
from kuntarobo.robots.hr_fetch.robot import HrFetchRobot
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import (
    ItemStatus,
    RobotSettings,
    Run,
    RunStatus,
    Trigger,
    WorkItem,
)
from kuntarobo.runtime.settings_actions import current_settings
from kuntarobo.sdk.browser import close_browser
from tests.loopback import free_port
from tests.runtime.helpers import drain

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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


@pytest.fixture
def practice_system(settings) -> Iterator[PracticeServer]:
    """The practice system as `kuntarobo demo` runs it: default options, the demo's port."""
    settings.KUNTAROBO_PRACTICE_PORT = free_port()
    server = PracticeServer(PracticeOptions(), "127.0.0.1", settings.KUNTAROBO_PRACTICE_PORT)
    server.start()
    yield server
    server.stop()
    close_browser()


@pytest.mark.django_db(transaction=True)
def test_one_start_of_the_fetch_robot_ends_with_the_supervisors_mail_in_the_catcher(
    demo_mail, practice_system, settings, tmp_path
):
    settings.VAR_DIR = tmp_path / "var"
    load_demo()
    load_demo()  # loading twice changes nothing
    town = Municipality.objects.get(slug="esimerkkila")
    assert RobotSettings.objects.filter(robot_slug="hr_fetch").count() == 1
    assert current_settings(town, HrFetchRobot)["system_url"] == practice_system.url
    # The one click: no parameter, the previous month by default.
    started = actions.start_run(
        get_user_model().objects.get(username="koordinaattori"), town, "hr_fetch"
    )
    drain()

    fetch = WorkItem.objects.get(run=started.run)
    assert fetch.status == ItemStatus.DONE, fetch.error_message
    assert practice_system.login_attempts == {"robotti": 1}
    reports = Run.objects.get(started_by=fetch)
    assert reports.robot_slug == "hr_reports"
    assert reports.trigger == Trigger.CHAIN
    assert reports.status == RunStatus.FINISHED
    assert reports.parameters["month"] == fetch.output["month"]
    units = generate_units(4, 1, "esimerkkila.fi")
    done = reports.items.filter(status=ItemStatus.DONE).exclude(reference__startswith="summary:")
    assert done.count() == len(units), list(reports.items.values("reference", "error_message"))
    caught = caught_mail.list_messages(demo_mail)
    recipients = {address for message in caught for address in message.recipients}
    assert recipients == {unit.supervisor_email for unit in units}
