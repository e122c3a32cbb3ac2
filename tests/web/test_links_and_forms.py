"""Links, focus and required fields: a role never sees a link that answers 403; after a form
is sent the page says what happened where the focus lands; required fields are marked."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from kuntarobo.accounts.models import Role
from tests.web.conftest import ROLES

LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]+)[^"]*"')


def start_pages(world) -> list[str]:
    return [
        reverse("dashboard"),
        reverse("robot_list"),
        reverse("robot_detail", args=["invoice_check"]),
        reverse("run_detail", args=[world.run.pk]),
        reverse("item_detail", args=[world.review_item.pk]),
        reverse("item_detail", args=[world.attention_item.pk]),
        reverse("item_detail", args=[world.failed_item.pk]),
        reverse("inbox"),
        reverse("inbox") + "?tab=failed",
        reverse("audit"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_no_link_on_any_page_answers_403_to_the_role_that_sees_it(world, role):
    client = world.client_for(role)
    followed: dict[str, int] = {}
    pages = list(start_pages(world))
    seen_pages = set()
    while pages:
        page = pages.pop()
        if page in seen_pages:
            continue
        seen_pages.add(page)
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for href in LINK.findall(response.content.decode()):
            url = urljoin(page, href.replace("&amp;", "&"))
            parts = urlsplit(url)
            if parts.netloc or url in followed or "/logout" in url:
                continue
            followed[url] = client.get(url).status_code
            # One more level from the pages the start pages link to (runs, robots, items).
            if len(seen_pages) < 40 and followed[url] == 200 and not parts.query:
                pages.append(url)
    assert len(followed) > 10
    forbidden = sorted(url for url, status in followed.items() if status == 403)
    assert not forbidden, f"{role} sees links that answer 403: {forbidden}"


def test_the_error_summary_links_each_field_and_the_title_says_error(world):
    client = world.client_for(Role.REVIEWER)
    url = reverse("item_reject", args=[world.review_item.pk])
    page = client.post(url, {"reason": ""}).content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert title.startswith("Virhe: ")
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert "data-focus-on-load" in summary
    assert 'tabindex="-1"' in summary
    assert '<a href="#id_reason">' in summary
    ok = client.get(url).content.decode()
    assert not ok.split("<title>")[1].startswith("Virhe")


@pytest.mark.parametrize(("language", "prefix"), [("sv", "Fel: "), ("en", "Error: ")])
def test_the_title_prefix_is_in_the_readers_language(world, language, prefix):
    client = world.client_for(Role.REVIEWER)
    client.cookies["django_language"] = language
    url = reverse("item_reject", args=[world.review_item.pk])
    page = client.post(url, {"reason": ""}).content.decode()
    assert page.split("<title>")[1].startswith(prefix)


def test_after_an_approval_the_message_saying_so_takes_the_focus(world):
    client = world.client_for(Role.REVIEWER)
    response = client.post(
        reverse("item_approve", args=[world.review_item.pk]),
        {"next": reverse("inbox")},
        follow=True,
    )
    page = response.content.decode()
    messages = page.split('class="messages"')[1].split(">")[0]
    assert "data-focus-on-load" in messages
    assert 'tabindex="-1"' in messages


def test_required_fields_carry_the_attribute_and_a_visible_marker_explained_above(world):
    client = world.client_for(Role.REVIEWER)
    page = client.get(reverse("item_reject", args=[world.review_item.pk])).content.decode()
    assert re.search(r'<textarea[^>]*name="reason"[^>]*required', page)
    assert re.search(r'<label[^>]*class="required"[^>]*for="id_reason"', page) or re.search(
        r'<label[^>]*for="id_reason"[^>]*class="required"', page
    )
    assert "Pakollinen tieto" in page
