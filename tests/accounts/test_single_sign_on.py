"""Single sign-on end to end, without a browser: a real HTTP session goes between the live
kuntarobo and a real OpenID Connect provider (django-oauth-toolkit in its own process) on
loopback, through the provider's login form and consent page, as a browser would."""

from __future__ import annotations

import pytest
import requests

from kuntarobo.accounts.models import Membership, OidcIdentity, Role
from kuntarobo.audit.models import AuditEvent
from tests.factories import MunicipalityFactory, user_with_role
from tests.oidc_world import PASSWORDS, form_fields, identity_provider, sso_settings

__all__ = ["identity_provider", "sso_settings"]

pytestmark = pytest.mark.slow


@pytest.fixture
def municipalities(transactional_db):
    return (
        MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby"),
        MunicipalityFactory(slug="naapurila", name_fi="Naapurila", name_sv="Grannby"),
    )


def sign_in(base: str, provider: str, username: str, next_path: str = "/robots/"):
    """Click "Sign in with …", fill the provider's form, allow, and come back."""
    session = requests.Session()
    session.headers["Accept-Language"] = "fi"
    page = session.get(f"{base}/auth/oidc/{provider}/login/", params={"next": next_path})
    assert page.status_code == 200
    assert "/accounts/login/" in page.url
    fields = form_fields(page.text)
    fields.update(username=username, password=PASSWORDS[username])
    consent = session.post(page.url, data=fields)
    assert consent.status_code == 200, consent.text
    assert "Allow Kuntarobo" in consent.text
    answer = session.post(consent.url, data={**form_fields(consent.text), "allow": "Allow"})
    return session, answer


def test_a_staff_member_signs_in_through_the_provider_with_roles_from_groups(
    live_server, sso_settings, municipalities
):
    esimerkkila, _ = municipalities
    session, page = sign_in(live_server.url, "a", "maija")
    assert page.status_code == 200
    assert page.url == f"{live_server.url}/robots/"
    assert "Maija Meikäläinen" in page.text
    identity = OidcIdentity.objects.get()
    assert (identity.provider, identity.issuer) == ("a", sso_settings)
    user = identity.user
    assert (user.username, user.email) == ("maija", "maija.meikalainen@esimerkkila.example")
    assert not user.has_usable_password()
    assert not user.is_staff
    assert not user.is_superuser
    roles = set(Membership.objects.filter(user=user).values_list("municipality__slug", "role"))
    assert roles == {("esimerkkila", Role.REVIEWER), ("esimerkkila", Role.VIEWER)}
    assert session.get(f"{live_server.url}/inbox/").status_code == 200

    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == user
    assert login.details["method"] == "oidc"
    assert login.details["provider"] == "a"
    added = AuditEvent.objects.filter(action="accounts.membership_added")
    assert sorted(e.details["role"] for e in added) == ["reviewer", "viewer"]
    assert {e.municipality for e in added} == {esimerkkila}
    assert AuditEvent.objects.filter(action="accounts.oidc_user_created").count() == 1


def test_the_next_sign_in_follows_the_groups_and_keeps_the_same_user(
    live_server, sso_settings, municipalities
):
    esimerkkila, _ = municipalities
    sign_in(live_server.url, "a", "maija")
    user = OidcIdentity.objects.get().user
    # An administrator gave a role by hand that the groups do not grant; the provider's
    # groups are the truth in the municipalities it serves.
    Membership.objects.create(user=user, municipality=esimerkkila, role=Role.COORDINATOR)
    user.email = "changed@example.org"
    user.save()
    _, page = sign_in(live_server.url, "a", "maija")
    assert page.status_code == 200
    assert OidcIdentity.objects.get().user == user
    user.refresh_from_db()
    assert user.email == "maija.meikalainen@esimerkkila.example"
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.REVIEWER,
        Role.VIEWER,
    }
    removed = AuditEvent.objects.get(action="accounts.membership_removed")
    assert removed.details["role"] == Role.COORDINATOR
    assert removed.municipality == esimerkkila


def test_a_sign_in_that_maps_to_no_role_is_refused_and_creates_no_user(
    live_server, sso_settings, municipalities
):
    session, page = sign_in(live_server.url, "a", "ville")
    assert page.status_code == 403
    assert "Et kirjautunut sisään" in page.text
    assert "Esimerkkilän tunnus" in page.text
    assert not OidcIdentity.objects.exists()
    refused = AuditEvent.objects.get(action="auth.oidc_refused")
    assert refused.details["reason"] == "no_role"
    assert refused.details["username"] == "ville"
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    assert session.get(f"{live_server.url}/", allow_redirects=False).status_code == 302


def test_a_provider_cannot_grant_or_take_roles_in_another_providers_municipality(
    live_server, sso_settings, municipalities
):
    esimerkkila, naapurila = municipalities
    # Nea is in Naapurila's administrators' group, but provider "a" serves Esimerkkilä only.
    sign_in(live_server.url, "a", "nea")
    user = OidcIdentity.objects.get(provider="a").user
    assert set(Membership.objects.filter(user=user).values_list("municipality", "role")) == {
        (esimerkkila.pk, Role.VIEWER)
    }
    # Her role in Naapurila, from Naapurila's own provider, survives her next sign-in via "a".
    Membership.objects.create(user=user, municipality=naapurila, role=Role.ADMINISTRATOR)
    sign_in(live_server.url, "a", "nea")
    assert Membership.objects.filter(user=user, municipality=naapurila).count() == 1
    assert not AuditEvent.objects.filter(
        action="accounts.membership_removed", municipality=naapurila
    ).exists()


def test_an_answer_for_a_sign_in_started_with_another_provider_is_refused(
    live_server, sso_settings, municipalities
):
    session = requests.Session()
    session.get(f"{live_server.url}/auth/oidc/b/login/")
    page = session.get(f"{live_server.url}/auth/oidc/a/callback/?code=x&state=y")
    assert page.status_code == 400
    assert not OidcIdentity.objects.exists()
    assert AuditEvent.objects.filter(action="auth.oidc_failed").count() == 1


def test_a_forged_state_is_refused(live_server, sso_settings, municipalities):
    session = requests.Session()
    session.get(f"{live_server.url}/auth/oidc/a/login/")
    page = session.get(f"{live_server.url}/auth/oidc/a/callback/?code=x&state=forged")
    assert page.status_code == 400
    event = AuditEvent.objects.get(action="auth.oidc_failed")
    assert "state" in event.details["reason"]


def test_the_login_page_offers_each_provider_and_keeps_the_password_form(
    live_server, sso_settings, municipalities
):
    page = requests.get(f"{live_server.url}/login/", headers={"Accept-Language": "fi"})
    assert "Kirjaudu: Esimerkkilän tunnus" in page.text
    assert "Kirjaudu: Naapurila" in page.text
    assert 'href="/auth/oidc/a/login/"' in page.text
    assert 'name="password"' in page.text
    assert "<script>" not in page.text


def test_a_local_user_of_the_same_name_is_never_taken_over(
    live_server, sso_settings, municipalities
):
    esimerkkila, _ = municipalities
    local = user_with_role(Role.ADMINISTRATOR, esimerkkila, username="maija")
    sign_in(live_server.url, "a", "maija")
    user = OidcIdentity.objects.get().user
    assert user != local
    assert user.username == "maija-a"
    assert Membership.objects.get(user=local).role == Role.ADMINISTRATOR


def test_an_unreachable_provider_gives_a_clear_page_and_an_unknown_one_is_not_found(db, settings):
    import socket

    from django.test import Client

    from kuntarobo.accounts.oidc_config import parse_providers
    from tests.oidc_world import providers_json

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.KUNTAROBO_OIDC_PROVIDERS = parse_providers(
        providers_json(f"http://127.0.0.1:{port}/o")
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    response = client.get("/auth/oidc/a/login/")
    assert response.status_code == 502
    assert "Palveluun Esimerkkilän tunnus ei saatu yhteyttä" in response.content.decode()
    assert client.get("/auth/oidc/nobody/login/").status_code == 404


def test_a_closed_account_is_refused_even_with_the_right_groups(
    live_server, sso_settings, municipalities
):
    sign_in(live_server.url, "a", "maija")
    user = OidcIdentity.objects.get().user
    user.is_active = False
    user.save()
    session, page = sign_in(live_server.url, "a", "maija")
    assert page.status_code == 403
    assert "Kuntarobo-käyttäjätunnuksesi on suljettu" in page.text
    assert AuditEvent.objects.get(action="auth.oidc_refused").details["reason"] == "inactive"
    assert AuditEvent.objects.filter(action="auth.login").count() == 1
    assert session.get(f"{live_server.url}/", allow_redirects=False).status_code == 302


def test_with_passwords_for_superusers_only_the_login_page_says_so(db, settings):
    from django.test import Client

    from kuntarobo.accounts.oidc_config import parse_providers
    from tests.oidc_world import providers_json

    settings.KUNTAROBO_OIDC_PROVIDERS = parse_providers(providers_json("https://idp.example/o"))
    settings.KUNTAROBO_PASSWORD_LOGIN = "superusers"
    page = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/login/").content.decode()
    assert "Logga in: Exempelbys konto" in page
    assert "Huvudanvändarnas inloggning med lösenord" in page
    assert "endast för installationens huvudanvändare" in page
