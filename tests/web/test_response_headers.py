"""Pages, files, exports and API answers with personal data are never stored by a browser or a
proxy; every page carries the Content-Security-Policy; static files stay cacheable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import kuntarobo
from kuntarobo.accounts.models import Role
from kuntarobo.api.models import ApiToken

pytestmark = pytest.mark.django_db

# A script element without src, an on… event handler, a style attribute or element, and the
# htmx features that evaluate strings as code (hx-on, trigger filters, js: values).
INLINE_CODE = (
    r"<script(?![^>]*\bsrc=)[^>]*>",
    r"\son[a-z]+\s*=",
    r"\sstyle\s*=",
    "<style",
    r"hx-on",
    r'hx-trigger="[^"]*\[',
    r"hx-vals=[\"']js:",
)


def assert_not_stored(response) -> None:
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= cache_control
    assert response["Pragma"] == "no-cache"


def test_an_item_page_is_not_stored(world):
    client = world.client_for(Role.REVIEWER)
    assert_not_stored(client.get(reverse("item_detail", args=[world.review_item.pk])))


def test_an_items_document_download_is_not_stored(world):
    client = world.client_for(Role.REVIEWER)
    url = reverse("item_document", args=[world.attention_item.pk, world.document.pk])
    response = client.get(url)
    assert_not_stored(response)
    assert b"".join(response.streaming_content) == b"invoice image ESIM-002"


def test_the_audit_export_is_not_stored(world):
    response = world.client_for(Role.ADMINISTRATOR).get(reverse("audit_export", args=["csv"]))
    assert_not_stored(response)


def test_an_api_item_is_not_stored(world):
    _token, secret = ApiToken.issue(world.users[Role.REVIEWER], "headers")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    response = client.get(reverse("api:item", args=[world.review_item.pk]))
    assert_not_stored(response)
    assert response.json()["id"] == world.review_item.pk


def test_even_an_api_refusal_and_the_login_page_are_not_stored(world):
    assert "no-store" in Client().get(reverse("api:items"))["Cache-Control"]
    assert_not_stored(Client().get(reverse("login")))


def test_static_files_keep_their_caching():
    response = Client().get("/static/kuntarobo/kuntarobo.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


def test_every_page_carries_a_policy_without_inline_code(world):
    response = world.client_for(Role.REVIEWER).get(reverse("dashboard"))
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    # htmx must not inject its indicator <style>, which the policy would block
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script from a file
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers
    assert not re.search(r"\sstyle\s*=", html)  # no inline styles
    assert "<style" not in html


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    """The policy allows scripts and styles from files only: inline code would be blocked."""
    root = Path(kuntarobo.__file__).parent
    templates = [p for p in root.rglob("*.html") if "templates" in p.parts]
    assert len(templates) > 10
    found = []
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for pattern in INLINE_CODE:
            found += [f"{template.relative_to(root)}: {m}" for m in re.findall(pattern, text)]
    assert found == []
