"""The brute-force lock on password sign-ins (django-axes, its database handler) and the audit
trail of sign-ins: the review's 300 wrong passwords must not pass."""

from __future__ import annotations

import datetime
import json

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.api.models import ApiToken
from kuntarobo.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory, user_with_role

LIMIT = 5
ADDRESS = "198.51.100.7"
OTHER_ADDRESS = "198.51.100.8"


@pytest.fixture(autouse=True)
def _lock(settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def sign_in(username: str, password: str, address: str = ADDRESS, client: Client | None = None):
    client = client or Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("dashboard")


def test_wrong_passwords_lock_the_account_from_that_address_and_the_right_one_is_refused(db):
    user_with_role(Role.VIEWER, username="katselija")
    for attempt in range(1, LIMIT + 1):
        _, response = sign_in("katselija", f"guess-{attempt}")
        assert not signed_in(response)
    assert response.status_code == 429
    _, response = sign_in("katselija", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Kirjautuminen estetty hetkeksi" in page
    assert "15 minuuttia" in page
    assert AccessAttempt.objects.get(username="katselija").failures_since_start == LIMIT + 1


def test_three_hundred_wrong_passwords_are_all_refused_and_the_right_one_after_them_too(db):
    user_with_role(Role.VIEWER, username="katselija")
    client = Client(REMOTE_ADDR=ADDRESS)
    refused = 0
    for attempt in range(300):
        _, response = sign_in("katselija", f"guess-{attempt}", client=client)
        refused += response.status_code == 429
    assert refused == 300 - LIMIT + 1
    _, response = sign_in("katselija", PASSWORD, client=client)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_cool_off_and_a_success_clears_the_count(db):
    user_with_role(Role.VIEWER, username="katselija")
    for attempt in range(LIMIT):
        sign_in("katselija", f"guess-{attempt}")
    assert sign_in("katselija", PASSWORD)[1].status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert signed_in(sign_in("katselija", PASSWORD)[1])
    assert not AccessAttempt.objects.exists()


def test_another_account_from_the_same_address_and_the_same_account_elsewhere_still_sign_in(db):
    user_with_role(Role.VIEWER, username="katselija")
    user_with_role(Role.REVIEWER, username="tarkastaja")
    for attempt in range(LIMIT):
        sign_in("katselija", f"guess-{attempt}")
    assert sign_in("katselija", PASSWORD)[1].status_code == 429
    assert signed_in(sign_in("tarkastaja", PASSWORD)[1])
    assert signed_in(sign_in("katselija", PASSWORD, address=OTHER_ADDRESS)[1])


def test_the_lock_can_be_set_per_address_alone(db, settings):
    settings.AXES_LOCKOUT_PARAMETERS = [["ip_address"]]
    user_with_role(Role.REVIEWER, username="tarkastaja")
    for attempt in range(LIMIT):
        sign_in(f"someone-{attempt}", "guess")
    assert sign_in("tarkastaja", PASSWORD)[1].status_code == 429
    assert signed_in(sign_in("tarkastaja", PASSWORD, address=OTHER_ADDRESS)[1])


def test_failed_sign_ins_and_the_lockout_are_audited_without_the_password(db):
    user_with_role(Role.VIEWER, username="katselija")
    for attempt in range(LIMIT + 1):
        sign_in("katselija", f"secret-guess-{attempt}")
    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("pk")
    assert failed.count() == LIMIT + 1
    assert {e.details["username"] for e in failed} == {"katselija"}
    assert {e.details["ip_address"] for e in failed} == {ADDRESS}
    assert [e.details["locked_out"] for e in failed] == [False] * LIMIT + [True]
    assert {e.municipality for e in failed} == {None}
    assert {e.via for e in failed} == {"web"}
    locked = AuditEvent.objects.get(action="auth.locked_out")
    assert locked.details["username"] == "katselija"
    assert locked.details["failures"] == LIMIT
    assert locked.details["cooloff_minutes"] == 15
    everything = json.dumps(list(AuditEvent.objects.values("details", "actor_label")))
    assert "secret-guess" not in everything


def test_a_name_that_is_no_account_is_kept_only_as_a_hash(db):
    sign_in("my-password-by-mistake", "x")
    sign_in("my-password-by-mistake", "y")
    events = list(AuditEvent.objects.filter(action="auth.login_failed"))
    assert "my-password-by-mistake" not in json.dumps([e.details for e in events])
    hashes = {e.details["unknown_username_hash"] for e in events}
    assert len(hashes) == 1
    assert len(hashes.pop()) == 16


def test_a_successful_sign_in_is_audited_with_method_and_address(db):
    user = user_with_role(Role.VIEWER, username="katselija")
    assert signed_in(sign_in("katselija", PASSWORD)[1])
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == user
    assert event.details == {"method": "password", "ip_address": ADDRESS}


def test_a_programmatic_login_of_the_test_client_is_not_a_sign_in_to_audit(db):
    client = Client()
    client.force_login(UserFactory(username="katselija"))
    assert client.login(username="katselija", password=PASSWORD)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_locked_out_user_keeps_using_the_api_with_a_bearer_token(db):
    user = user_with_role(Role.VIEWER, username="katselija")
    _, secret = ApiToken.issue(user, "integration")
    for attempt in range(LIMIT):
        sign_in("katselija", f"guess-{attempt}")
    assert sign_in("katselija", PASSWORD)[1].status_code == 429
    response = Client(REMOTE_ADDR=ADDRESS).get(
        "/api/v1/municipalities", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fi", "Kirjautuminen estetty hetkeksi"),
        ("sv", "Inloggningen spärrad en stund"),
        ("en", "Sign-in blocked for a while"),
    ],
)
def test_the_lockout_page_speaks_the_users_language(db, language, heading):
    user_with_role(Role.VIEWER, username="katselija")
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE=language)
    for attempt in range(LIMIT):
        sign_in("katselija", f"guess-{attempt}", client=client)
    _, response = sign_in("katselija", PASSWORD, client=client)
    assert response.status_code == 429
    assert heading in response.content.decode()


def test_password_sign_in_can_be_left_to_superusers_alone(db, settings):
    settings.KUNTAROBO_PASSWORD_LOGIN = "superusers"
    user_with_role(Role.ADMINISTRATOR, username="paakayttaja")
    UserFactory(username="root", is_superuser=True, is_staff=True)
    _, response = sign_in("paakayttaja", PASSWORD)
    assert response.status_code == 200
    assert not signed_in(response)
    assert signed_in(sign_in("root", PASSWORD)[1])


def test_a_superuser_reads_the_failed_sign_ins_in_the_audit_trail_in_finnish(db):
    user_with_role(Role.VIEWER, username="katselija")
    for attempt in range(LIMIT):
        sign_in("katselija", f"guess-{attempt}")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(root)
    page = client.get(reverse("audit"), {"municipality": "system"}).content.decode()
    assert page.count("Kirjautuminen epäonnistui") >= LIMIT
    assert "Kirjautuminen estetty epäonnistuneiden yritysten jälkeen" in page


def test_behind_a_trusted_proxy_the_lock_counts_the_clients_address(db, settings):
    settings.KUNTAROBO_TRUSTED_PROXY_COUNT = 1
    user_with_role(Role.VIEWER, username="katselija")
    for attempt in range(LIMIT):
        # The client prepends a fake address; the proxy appends the real one.
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}, {ADDRESS}").post(
            reverse("login"), {"username": "katselija", "password": "guess"}
        )
    assert AccessAttempt.objects.get().ip_address == ADDRESS
    blocked = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=ADDRESS)
    assert sign_in("katselija", PASSWORD, client=blocked)[1].status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=OTHER_ADDRESS)
    assert signed_in(sign_in("katselija", PASSWORD, client=other)[1])


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "KUNTAROBO_LOGIN_LOCKOUT_BY",
            "username+cookie",
            "'cookie' is neither username nor address",
        ),
        ("KUNTAROBO_LOGIN_FAILURE_LIMIT", "0", "KUNTAROBO_LOGIN_FAILURE_LIMIT must be at least 1"),
        (
            "KUNTAROBO_PASSWORD_LOGIN",
            "nobody",
            "KUNTAROBO_PASSWORD_LOGIN must be all or superusers",
        ),
    ],
)
def test_a_wrong_lock_setting_stops_the_start_naming_it(variable, value, message):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "kuntarobo", "check"],
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_signing_out_is_audited(db):
    user = user_with_role(Role.VIEWER, username="katselija")
    client, _ = sign_in("katselija", PASSWORD)
    assert client.post(reverse("logout")).status_code == 302
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor == user
    assert event.details == {"ip_address": ADDRESS}
