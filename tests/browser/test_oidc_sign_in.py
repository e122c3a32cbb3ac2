"""Single sign-on in a real browser: "Sign in with …" on kuntarobo's login page, the
municipality's identity provider (a real OpenID Connect provider on loopback) asks for the
password and consent, and the staff member lands on kuntarobo signed in, in Finnish."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntarobo.accounts.models import Membership, Role
from kuntarobo.audit.models import AuditEvent
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory
from tests.oidc_world import PASSWORDS, identity_provider, sso_settings

__all__ = ["identity_provider", "sso_settings"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_reviewer_signs_in_through_the_municipalitys_identity_provider(
    live_server, transactional_db, sso_settings, page
):
    esimerkkila = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1, name="Kirjaudu sisään")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Kirjaudu: Esimerkkilän tunnus").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    assert page.url.startswith(sso_settings.removesuffix("/o"))
    page.get_by_label("User name").fill("maija")
    page.get_by_label("Password").fill(PASSWORDS["maija"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Allow").click()

    expect(page.get_by_role("heading", level=1, name="Etusivu")).to_be_visible()
    assert page.url == f"{live_server.url}/"
    expect(page.locator(".user-name")).to_have_text("Maija Meikäläinen")
    expect(page.get_by_role("link", name="Tarkastettavat")).to_be_visible()
    assert_accessible(page)
    assert set(
        Membership.objects.filter(municipality=esimerkkila).values_list("role", flat=True)
    ) == {Role.REVIEWER, Role.VIEWER}
    assert AuditEvent.objects.filter(action="auth.login", details__provider="a").count() == 1
