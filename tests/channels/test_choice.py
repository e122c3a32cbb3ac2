"""Which channels reach a recipient, in order: pure, no database."""

from __future__ import annotations

import pytest

from kuntarobo.channels.addresses import AddressKind, mask_address, mask_text
from kuntarobo.channels.choice import Contact, Route, choose_channels

ADDRESS = "Maija Meikäläinen\nKoulukatu 3 B 12\n33100 Tampere"
CITIZEN = Contact(identity_code="131052-308T", email="maija@example.fi", postal_address=ADDRESS)


def names(routes: list[Route]) -> list[str]:
    return [route.channel for route in routes]


def test_a_citizen_who_uses_suomifi_gets_it_first_and_a_letter_after():
    routes = choose_channels(CITIZEN, personal=True)

    assert routes == [
        Route("suomifi", AddressKind.IDENTITY_CODE, "131052-308T"),
        Route("print", AddressKind.POSTAL_ADDRESS, ADDRESS),
    ]


def test_a_citizen_known_not_to_use_suomifi_gets_a_letter():
    contact = Contact(identity_code="131052-308T", uses_suomifi=False, postal_address=ADDRESS)

    assert names(choose_channels(contact, personal=True)) == ["print"]


def test_personal_content_never_goes_by_email_to_a_citizen():
    assert "email" not in names(choose_channels(CITIZEN, personal=True))
    assert names(choose_channels(CITIZEN, personal=False)) == ["suomifi", "email", "print"]


def test_staff_get_personal_documents_by_secure_link_and_other_news_by_email():
    staff = Contact(username="sanna", email="sanna@esimerkkila.fi", staff=True)

    assert names(choose_channels(staff, personal=True)) == ["secure_link"]
    assert names(choose_channels(staff, personal=False)) == ["email", "secure_link"]


def test_the_persons_own_preference_comes_first_among_the_allowed_routes():
    contact = Contact(
        identity_code="131052-308T",
        email="maija@example.fi",
        postal_address=ADDRESS,
        prefers=("print",),
    )

    assert names(choose_channels(contact, personal=True)) == ["print", "suomifi"]


def test_channels_the_municipality_does_not_use_are_left_out():
    assert names(choose_channels(CITIZEN, personal=True, available=["print"])) == ["print"]


def test_no_known_address_gives_no_route():
    assert choose_channels(Contact(), personal=True) == []


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("email", "maija.meikalainen@example.fi", "m***@example.fi"),
        ("identity_code", "131052-308t", "131052-****"),
        ("identity_code", "not a code", "***"),
        ("postal_address", ADDRESS, "***, 33100 Tampere"),
        ("user", "sanna", "sanna"),
    ],
)
def test_each_address_kind_is_masked_for_display(kind, value, masked):
    assert mask_address(kind, value) == masked


def test_an_error_text_loses_identity_codes_and_the_recipients_address():
    text = "refused 131052-308T at Koulukatu 3 B 12 for maija@example.fi"

    masked = mask_text(text, ADDRESS, "maija@example.fi")

    assert "131052-308T" not in masked
    assert "Koulukatu" not in masked
    assert "maija@example.fi" not in masked
