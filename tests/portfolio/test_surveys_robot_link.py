"""A bundled robot carries the customer feedback link: the HR reports robot's e-mail (the one
whose body the robot writes: the workbook as an attachment over enforced TLS) ends with the
municipality's link when customer feedback is on for the robot, and says nothing otherwise."""

from __future__ import annotations

import pytest

from kuntarobo.portfolio.feedback import set_customer_feedback
from kuntarobo.robots.hr_reports.robot import HrReportsRobot
from kuntarobo.runtime.settings_actions import save_robot_settings
from tests.channels.conftest import self_signed, start_smtp
from tests.robots.hr_reports.conftest import coordinator, export, municipality, supervisors
from tests.robots.hr_reports.test_robot import drain, start

__all__ = ["coordinator", "export", "municipality", "self_signed", "start_smtp", "supervisors"]

pytestmark = pytest.mark.django_db(transaction=True)
QUESTION = "Kuinka tyytyväinen olit asiasi käsittelyyn? Kerro meille:"


@pytest.fixture
def tls_mailbox(start_smtp, self_signed, settings, municipality, coordinator, supervisors):
    mailbox = start_smtp("starttls", self_signed)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"
    save_robot_settings(
        coordinator, municipality, HrReportsRobot, {"attachment_by_email": True}, partial=True
    )
    return mailbox


def body_to(mailbox, address: str) -> str:
    [message] = mailbox.to(address)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_hr_report_email_carries_the_feedback_link_when_it_is_switched_on(
    tls_mailbox, municipality, coordinator, export
):
    link = set_customer_feedback(coordinator, municipality, "hr_reports", enabled=True, via="test")
    start(coordinator, municipality, export)
    drain()
    body = body_to(tls_mailbox, "sanna@example.fi")
    assert QUESTION in body
    assert f"https://kuntarobo.esimerkkila.fi/palaute/{link.token}/" in body


def test_the_hr_report_email_has_no_feedback_link_when_it_is_off(
    tls_mailbox, municipality, coordinator, export
):
    set_customer_feedback(coordinator, municipality, "invoice_check", enabled=True, via="test")
    start(coordinator, municipality, export)
    drain()
    body = body_to(tls_mailbox, "sanna@example.fi")
    assert "/palaute/" not in body
    assert QUESTION not in body
