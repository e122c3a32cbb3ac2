"""Staff satisfaction surveys: invitations by real e-mail (aiosmtpd on loopback), one-time
anonymous answers through the public page, and the means before and after deployment."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from kuntarobo.accounts.models import Role
from kuntarobo.channels.models import Delivery
from kuntarobo.portfolio import surveys
from kuntarobo.portfolio.models import (
    SurveyInvitation,
    SurveyResponse,
    SurveyRound,
    SurveySettings,
)
from kuntarobo.portfolio.satisfaction import staff_satisfaction
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.channels.conftest import SmtpStarter, start_smtp
from tests.loopback import Mailbox

__all__ = ["start_smtp"]

ADDRESSES = ["anna.aalto@esimerkkila.fi", "bertil.berg@esimerkkila.fi", "cecilia.c@esimerkkila.fi"]
LINK = re.compile(r"https://kuntarobo\.esimerkkila\.fi/palaute/kysely/([0-9a-f]+)/")
GOOD = {
    "meaningful_work": "4",
    "less_routine": "5",
    "trust_results": "3",
    "workload": "4",
    "recommend": "5",
}


@pytest.fixture
def smtp(start_smtp: SmtpStarter, settings) -> Mailbox:
    mailbox = start_smtp("plain")
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"
    return mailbox


@pytest.fixture
def coordinator(pworld):
    return pworld.users[Role.COORDINATOR]


@pytest.fixture
def survey(pworld, coordinator) -> SurveyRound:
    surveys.set_allowed_domains(coordinator, pworld.esimerkkila, "esimerkkila.fi", via="test")
    return surveys.create_round(
        coordinator, pworld.esimerkkila, robot_slug="invoice_check", phase="before", via="test"
    )


def sent_tokens(smtp: Mailbox) -> dict[str, str]:
    """Address → token, from the e-mails the server received."""
    found = {}
    for recipients, message in smtp.messages:
        body = message.get_body(preferencelist=("plain",)).get_content()
        [token] = LINK.findall(body)
        found[recipients[0]] = token
    return found


def answer_page(token: str) -> str:
    return f"/palaute/kysely/{token}/"


def test_each_recipient_gets_a_personal_one_time_link_by_email_and_nothing_about_them(
    smtp, survey, coordinator
):
    sending = surveys.send_invitations(coordinator, survey, "\n".join(ADDRESSES), via="test")
    assert (sending.sent, sending.already, sending.failed) == (3, 0, [])
    tokens = sent_tokens(smtp)
    assert sorted(tokens) == sorted(ADDRESSES)
    assert len(set(tokens.values())) == 3
    for address, (_rcpt, message) in zip(sorted(tokens), sorted(smtp.messages), strict=False):
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "@" not in body.replace(address, "")  # no address in the body, not even its own
        assert "Esimerkkilä" in message["Subject"]
    # Invitations hold a hash of the token, never the token or the address.
    stored = list(SurveyInvitation.objects.values_list("token_hash", flat=True))
    assert sorted(stored) == sorted(surveys.token_hash(t) for t in tokens.values())
    deliveries = Delivery.objects.filter(robot_slug=surveys.SENDER)
    assert deliveries.count() == 3
    for delivery in deliveries:
        assert not any(token in delivery.reference for token in tokens.values())


def test_sending_again_to_the_same_address_sends_no_second_link(smtp, survey, coordinator):
    surveys.send_invitations(coordinator, survey, ", ".join(ADDRESSES), via="test")
    again = surveys.send_invitations(
        coordinator, survey, f"{ADDRESSES[0]}; daniel.d@esimerkkila.fi", via="test"
    )
    assert (again.sent, again.already) == (1, 1)
    assert len(smtp.messages) == 4
    assert survey.invitations.count() == 4


def test_an_answer_is_stored_without_the_address_or_any_link_to_the_invitation(
    smtp, survey, coordinator
):
    surveys.send_invitations(coordinator, survey, " ".join(ADDRESSES), via="test")
    tokens = sent_tokens(smtp)
    response = Client().post(answer_page(tokens[ADDRESSES[0]]), {**GOOD, "comment": "Hyvä"})
    assert response.status_code == 200
    assert "Kiitos vastauksistasi" in response.content.decode()
    [stored] = SurveyResponse.objects.all()
    assert stored.scores == {key: int(value) for key, value in GOOD.items()}
    assert stored.phase == "before"
    assert {f.name for f in SurveyResponse._meta.get_fields()} == {
        "id",
        "round",
        "phase",
        "scores",
        "comment",
        "answered_on",
    }
    dump = str(model_to_dict(stored))
    for address in ADDRESSES:
        assert address not in dump
        assert address.split("@")[0] not in dump
    for token in tokens.values():
        assert token not in dump
    used = SurveyInvitation.objects.filter(used_at__isnull=False)
    assert used.count() == 1
    assert used.get().token_hash == surveys.token_hash(tokens[ADDRESSES[0]])


def test_a_used_link_cannot_answer_twice_and_says_so_in_finnish_with_410(smtp, survey, coordinator):
    surveys.send_invitations(coordinator, survey, " ".join(ADDRESSES), via="test")
    token = sent_tokens(smtp)[ADDRESSES[1]]
    assert Client().post(answer_page(token), GOOD).status_code == 200
    again = Client().post(answer_page(token), {**GOOD, "recommend": "1"})
    assert again.status_code == 410
    assert "Linkki on jo käytetty" in again.content.decode()
    assert Client().get(answer_page(token)).status_code == 410
    assert SurveyResponse.objects.count() == 1
    with pytest.raises(surveys.SurveyLinkRefused) as refused:
        surveys.answer(token, dict.fromkeys(GOOD, 3))
    assert refused.value.reason == "used"


def test_an_unknown_or_malformed_link_is_a_finnish_404_page_without_sign_in(db):
    for token in ("0" * 48, "not-a-token", "ab"):
        response = Client().get(answer_page(token))
        assert response.status_code == 404
        text = response.content.decode()
        assert "Linkkiä ei löytynyt" in text
        assert 'lang="fi"' in text


def test_the_answer_page_needs_no_sign_in_and_speaks_the_rounds_language(smtp, pworld, coordinator):
    surveys.set_allowed_domains(coordinator, pworld.esimerkkila, "esimerkkila.fi", via="test")
    swedish = surveys.create_round(
        coordinator,
        pworld.esimerkkila,
        robot_slug="invoice_check",
        phase="after",
        language="sv",
        via="test",
    )
    surveys.send_invitations(coordinator, swedish, " ".join(ADDRESSES), via="test")
    [(_rcpt, message), *_rest] = smtp.messages
    assert message["Content-Language"] == "sv"
    token = next(iter(sent_tokens(smtp).values()))
    page = Client().get(answer_page(token))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'lang="sv"' in text
    assert "<fieldset" in text
    assert "<legend" in text
    english = Client().get(answer_page(token) + "?lang=en").content.decode()
    assert "I can concentrate on meaningful work." in english


def test_a_closed_round_takes_no_answers(smtp, survey, coordinator):
    surveys.send_invitations(coordinator, survey, " ".join(ADDRESSES), via="test")
    token = sent_tokens(smtp)[ADDRESSES[2]]
    assert surveys.close_round(coordinator, survey, via="test") is True
    response = Client().post(answer_page(token), GOOD)
    assert response.status_code == 410
    assert "Kysely on päättynyt" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_missing_score_is_refused_naming_the_statement_and_the_link_stays_usable(
    smtp, survey, coordinator
):
    surveys.send_invitations(coordinator, survey, " ".join(ADDRESSES), via="test")
    token = sent_tokens(smtp)[ADDRESSES[0]]
    partial = {key: value for key, value in GOOD.items() if key != "workload"}
    assert Client().post(answer_page(token), partial).status_code == 400
    with pytest.raises(InputError) as refused:
        surveys.answer(token, {**dict.fromkeys(GOOD, 3), "workload": 6})
    assert refused.value.field == "workload"
    assert Client().post(answer_page(token), GOOD).status_code == 200


def test_addresses_outside_the_allowed_domains_or_without_any_are_refused_and_nothing_sent(
    smtp, pworld, coordinator
):
    survey = surveys.create_round(
        coordinator, pworld.esimerkkila, robot_slug="invoice_check", phase="before", via="test"
    )
    with pytest.raises(InputError) as no_domains:
        surveys.send_invitations(coordinator, survey, " ".join(ADDRESSES), via="test")
    assert no_domains.value.field == "addresses"
    assert "domains" in str(no_domains.value)
    surveys.set_allowed_domains(coordinator, pworld.esimerkkila, "esimerkkila.fi", via="test")
    with pytest.raises(InputError) as outside:
        surveys.send_invitations(
            coordinator, survey, " ".join([*ADDRESSES, "x@gmail.com"]), via="test"
        )
    assert "x@gmail.com" in str(outside.value)
    assert not smtp.messages
    assert not SurveyInvitation.objects.exists()


def test_a_round_goes_to_at_least_three_people(smtp, survey, coordinator):
    with pytest.raises(InputError) as refused:
        surveys.send_invitations(coordinator, survey, " ".join(ADDRESSES[:2]), via="test")
    assert "at least 3" in str(refused.value)
    assert not smtp.messages


def test_only_portfolio_managers_send_and_nobody_from_another_municipality(smtp, pworld, survey):
    for user in (pworld.users[Role.REVIEWER], pworld.users["outsider"]):
        with pytest.raises(PermissionDeniedError):
            surveys.send_invitations(user, survey, " ".join(ADDRESSES), via="test")
    assert not smtp.messages


def answered(survey: SurveyRound, *rows: tuple[int, int, int, int, int]) -> None:
    for row in rows:
        SurveyResponse.objects.create(
            round=survey,
            phase=survey.phase,
            scores=dict(
                zip(
                    ("meaningful_work", "less_routine", "trust_results", "workload", "recommend"),
                    row,
                    strict=True,
                )
            ),
            answered_on=survey.created_at.date(),
        )


def test_means_per_statement_before_and_after_deployment(pworld):
    before = SurveyRound.objects.create(
        municipality=pworld.esimerkkila, robot_slug="invoice_check", phase="before"
    )
    after = SurveyRound.objects.create(
        municipality=pworld.esimerkkila, robot_slug="invoice_check", phase="after"
    )
    other = SurveyRound.objects.create(
        municipality=pworld.naapurila, robot_slug="invoice_check", phase="after"
    )
    answered(before, (2, 1, 3, 2, 3), (3, 2, 3, 2, 3), (2, 2, 4, 3, 3))
    answered(after, (4, 4, 4, 3, 5), (5, 4, 3, 4, 5), (4, 5, 4, 4, 4), (4, 4, 4, 4, 4))
    answered(other, (1, 1, 1, 1, 1), (1, 1, 1, 1, 1), (1, 1, 1, 1, 1))
    first, second = staff_satisfaction([pworld.esimerkkila.pk], "invoice_check")
    assert (first.phase, first.responses, second.phase, second.responses) == (
        "before",
        3,
        "after",
        4,
    )
    # Hand-computed: before meaningful (2+3+2)/3 = 2.33, less_routine 5/3 = 1.67; after
    # meaningful 17/4 = 4.25, trust 15/4 = 3.75; overall before 38/15 = 2.53, after 82/20 = 4.10.
    assert first.means["meaningful_work"] == Decimal("2.33")
    assert first.means["less_routine"] == Decimal("1.67")
    assert second.means["meaningful_work"] == Decimal("4.25")
    assert second.means["trust_results"] == Decimal("3.75")
    assert first.overall == Decimal("2.53")
    assert second.overall == Decimal("4.10")
    assert staff_satisfaction([pworld.esimerkkila.pk], "hr_reports") == []


def test_fewer_than_three_answers_show_no_means(pworld):
    survey = SurveyRound.objects.create(
        municipality=pworld.esimerkkila, robot_slug="invoice_check", phase="before"
    )
    answered(survey, (5, 5, 5, 5, 5), (1, 1, 1, 1, 1))
    [result] = staff_satisfaction([pworld.esimerkkila.pk], None)
    assert result.responses == 2
    assert result.overall is None
    assert set(result.means.values()) == {None}
    page = pworld.client_for(Role.COORDINATOR).get(f"/portfolio/surveys/{survey.pk}/")
    assert "Tulokset näytetään" in page.content.decode()


def test_the_round_page_shows_this_round_and_before_after_with_comments_to_managers(pworld):
    survey = SurveyRound.objects.create(
        municipality=pworld.esimerkkila, robot_slug="invoice_check", phase="before"
    )
    answered(survey, (2, 2, 2, 2, 2), (3, 3, 3, 3, 3), (4, 4, 4, 4, 4))
    SurveyResponse.objects.filter(pk=survey.responses.first().pk).update(comment="Liikaa käsityötä")
    manager = pworld.client_for(Role.COORDINATOR).get(f"/portfolio/surveys/{survey.pk}/")
    text = manager.content.decode()
    assert "<caption>" in text
    assert "3,00" in text
    assert "Liikaa käsityötä" in text
    viewer = pworld.client_for(Role.VIEWER).get(f"/portfolio/surveys/{survey.pk}/").content
    assert "Liikaa käsityötä" not in viewer.decode()


def test_a_coordinator_creates_a_round_and_sends_it_through_the_pages(smtp, pworld):
    SurveySettings.objects.create(
        municipality=pworld.esimerkkila, allowed_email_domains="esimerkkila.fi"
    )
    client = pworld.client_for(Role.COORDINATOR)
    created = client.post(
        "/portfolio/surveys/new/",
        {
            "municipality": pworld.esimerkkila.pk,
            "robot_slug": "invoice_check",
            "phase": "after",
            "language": "fi",
            "title": "Kevät",
        },
    )
    assert created.status_code == 302
    survey = SurveyRound.objects.get(title="Kevät")
    refused = client.post(f"/portfolio/surveys/{survey.pk}/send/", {"addresses": "x@gmail.com"})
    assert refused.status_code == 400
    assert "x@gmail.com" in refused.content.decode()
    sent = client.post(f"/portfolio/surveys/{survey.pk}/send/", {"addresses": "\n".join(ADDRESSES)})
    assert sent.status_code == 302
    assert len(smtp.messages) == 3


def test_the_language_chosen_by_the_recipient_wins_over_the_rounds(smtp, survey, coordinator):
    surveys.send_invitations(coordinator, survey, " ".join(ADDRESSES), via="test")
    token = sent_tokens(smtp)[ADDRESSES[0]]
    client = Client()
    assert 'lang="fi"' in client.get(answer_page(token)).content.decode()
    client.post("/i18n/setlang/", {"language": "sv", "next": answer_page(token)})
    swedish = client.get(answer_page(token)).content.decode()
    assert 'lang="sv"' in swedish
    assert "Jag kan koncentrera mig på meningsfullt arbete." in swedish
