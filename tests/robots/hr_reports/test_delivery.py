"""Where the HR report may go: only to allowed domains, by secure link to the supervisor's
account by default, as an attachment only over enforced TLS when the settings allow it."""

from __future__ import annotations

import io

import openpyxl
import pytest

from kuntarobo.accounts.models import Role
from kuntarobo.channels.models import Delivery, DeliveryStatus
from kuntarobo.core.localized import pick
from kuntarobo.robots.hr_reports.robot import HrReportsRobot
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, WorkItem
from kuntarobo.runtime.settings_actions import save_robot_settings
from tests.factories import user_with_role
from tests.robots.hr_reports.test_robot import PERSONAL, drain, start


def english(lines: list[object]) -> list[str]:
    """An item's explanation lines as an English reader sees them."""
    return [pick(line, "en") for line in lines]


def settings_of(coordinator, municipality, **values):
    save_robot_settings(coordinator, municipality, HrReportsRobot, values, partial=True)


pytestmark = pytest.mark.django_db(transaction=True)


def test_an_address_outside_the_allowed_domains_is_refused_naming_its_domain_masked(
    smtp, municipality, coordinator, supervisors, export
):
    settings_of(coordinator, municipality, allowed_email_domains="esimerkkila.fi, kunta.fi")
    start(coordinator, municipality, export)
    drain()
    failed = WorkItem.objects.get(reference="U1:2026-01")
    assert failed.status == ItemStatus.FAILED_BUSINESS
    assert "s***@example.fi is outside the allowed e-mail domains (esimerkkila.fi, kunta.fi)" in (
        failed.error_message
    )
    assert "sanna" not in failed.error_message
    assert smtp.messages == []
    assert not Delivery.objects.exists()


def test_with_no_allowed_domains_set_nothing_is_sent_and_the_item_says_what_to_set(
    smtp, municipality, coordinator, export
):
    start(coordinator, municipality, export)
    drain()
    failed = WorkItem.objects.get(reference="U1:2026-01")
    assert failed.status == ItemStatus.FAILED_BUSINESS
    assert "no allowed e-mail domains are set" in failed.error_message
    assert "allowed_email_domains" in failed.error_message
    assert smtp.messages == []


def test_a_supervisor_without_an_account_fails_for_a_person_who_can_fix_it(
    smtp, municipality, coordinator, supervisors, export
):
    supervisors["sven"].delete()
    start(coordinator, municipality, export)
    drain()
    failed = WorkItem.objects.get(reference="U2:2026-01")
    assert failed.status == ItemStatus.FAILED_BUSINESS
    assert "no user of the municipality in Kuntarobo has the address s***@example.fi" in (
        failed.error_message
    )
    assert [rcpt for rcpt, _ in smtp.messages] == [["sanna@example.fi"]]
    user_with_role(Role.VIEWER, municipality, username="sven2", email="sven@example.fi")
    from kuntarobo.channels.actions import usernames_for_email
    from kuntarobo.runtime import actions

    assert usernames_for_email("esimerkkila", "sven@example.fi") == ["sven2"]
    reviewer = user_with_role(Role.REVIEWER, municipality)
    result = actions.retry_items(reviewer, [failed.pk])
    assert result.done == [failed.pk], result.refused
    drain()
    failed.refresh_from_db()
    assert failed.status == ItemStatus.DONE, failed.error_message
    assert len(smtp.to("sven@example.fi")) == 1


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"allowed_email_domains": "example.fi, not a domain"}, "allowed_email_domains"),
        ({"notify_occupational_health_days": 31}, "notify_occupational_health_days"),
        ({"discussion_window_months": 0}, "discussion_window_months"),
    ],
)
def test_bad_delivery_and_threshold_settings_are_refused_naming_the_field(
    municipality, coordinator, raw, field
):
    with pytest.raises(InputError) as raised:
        save_robot_settings(coordinator, municipality, HrReportsRobot, raw, partial=True)
    assert raised.value.field == field
    assert field in str(raised.value) or "domain" in str(raised.value)


def test_the_attachment_goes_by_email_over_required_starttls_when_the_settings_allow_it(
    start_smtp, self_signed, settings, municipality, coordinator, supervisors, export
):
    mailbox = start_smtp("starttls", self_signed)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)
    settings_of(
        coordinator, municipality, allowed_email_domains="example.fi", attachment_by_email=True
    )
    start(coordinator, municipality, export)
    drain()
    [finnish] = mailbox.to("sanna@example.fi")
    assert finnish["Subject"].strip() == "Henkilöstöraportti 2026-01: Kirjasto"
    body = finnish.get_body(preferencelist=("plain",)).get_content()
    assert not [word for word in PERSONAL if word in body]
    [attachment] = list(finnish.iter_attachments())
    book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert book.sheetnames[0] == "Poissaolot"
    delivery = Delivery.objects.get(reference="U1:2026-01")
    assert (delivery.channel, delivery.status) == ("email_tls", DeliveryStatus.SENT)
    done = WorkItem.objects.get(reference="U1:2026-01")
    assert any("as an e-mail attachment over TLS" in line for line in english(done.explanation))


def test_the_setting_without_tls_sends_the_link_and_says_why_not_the_attachment(
    smtp, municipality, coordinator, supervisors, export
):
    settings_of(coordinator, municipality, attachment_by_email=True)
    start(coordinator, municipality, export)
    drain()
    [notice] = smtp.to("sanna@example.fi")
    assert not notice.is_multipart()
    assert Delivery.objects.get(reference="U1:2026-01").channel == "secure_link"
    done = WorkItem.objects.get(reference="U1:2026-01")
    assert any(
        "Not sent as an e-mail attachment" in line and "does not use TLS" in line
        for line in english(done.explanation)
    )


def test_tls_without_the_setting_still_sends_only_the_link(
    start_smtp, self_signed, settings, municipality, coordinator, supervisors, export
):
    mailbox = start_smtp("starttls", self_signed)
    settings.KUNTAROBO_EMAIL_CA_FILE = str(self_signed.cert_file)
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"
    start(coordinator, municipality, export)
    drain()
    [notice] = mailbox.to("sanna@example.fi")
    assert not notice.is_multipart()
    assert notice["Subject"] == "Esimerkkilä: asiakirja odottaa sinua"


def test_an_unverified_certificate_is_not_tls_enough_for_the_attachment(
    start_smtp, self_signed, settings, municipality, coordinator, supervisors, export
):
    mailbox = start_smtp("starttls", self_signed)
    settings.KUNTAROBO_EMAIL_VERIFY_CERTIFICATE = False
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"
    settings_of(coordinator, municipality, attachment_by_email=True)
    start(coordinator, municipality, export)
    drain()
    [notice] = mailbox.to("sanna@example.fi")
    assert not notice.is_multipart()
    done = WorkItem.objects.get(reference="U1:2026-01")
    assert any("certificate is not verified" in line for line in english(done.explanation))
    finnish = [pick(line, "fi") for line in done.explanation]
    assert any(
        "Ei lähetetty sähköpostin liitteenä: henkilötietoja ei lähetetä sähköpostilla: "
        "sähköpostipalvelimen varmennetta ei tarkisteta" in line
        for line in finnish
    ), finnish
