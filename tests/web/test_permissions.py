"""The permission matrix: every URL of the web UI for every role and for a user of another
municipality. URLs are enumerated from the resolver, so a new URL without a case fails here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kuntarobo.accounts.models import Delegation, Role
from kuntarobo.runtime.models import ItemStatus, RobotDeployment, RobotSettings, Run, WorkItem
from tests.factories import DelegationFactory
from tests.runtime.helpers import open_review_sample
from tests.web.conftest import ANONYMOUS, MARKERS, OUTSIDER, ROLES, World

A, C, R, D, V = (
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.REVIEWER,
    Role.DEVELOPER,
    Role.VIEWER,
)
EVERYONE = (*ROLES, OUTSIDER, ANONYMOUS)


def web_url_names() -> set[str]:
    """Every named URL pattern of kuntarobo.web.urls, however deeply included."""

    def walk(patterns: list[Any]) -> list[URLPattern]:
        found: list[URLPattern] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns)
            else:
                found.append(pattern)
        return found

    patterns = walk(get_resolver("kuntarobo.web.urls").url_patterns)
    assert all(p.name for p in patterns), "every web URL needs a name (and a case here)"
    return {p.name for p in patterns}


@dataclass
class Case:
    method: str
    url: Callable[[World], str]
    expect: dict[str, int]
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    # For changes: who may make it, and how to see that it happened.
    changed: Callable[[World], bool] | None = None
    changers: tuple[str, ...] = ()


def statuses(default: int, anonymous: int = 302, **by_role: int) -> dict[str, int]:
    table = dict.fromkeys((*ROLES, OUTSIDER), default)
    table[ANONYMOUS] = anonymous
    for role, status in by_role.items():
        table[role] = status
    return table


def only(allowed: tuple[str, ...], ok: int, outsider: int = 404) -> dict[str, int]:
    table = {role: (ok if role in allowed else 403) for role in ROLES}
    table[OUTSIDER] = outsider
    table[ANONYMOUS] = 302
    return table


def item_status(attribute: str, status: str) -> Callable[[World], bool]:
    def check(world: World) -> bool:
        item = getattr(world, attribute)
        item.refresh_from_db()
        return item.status == status

    return check


def waiting_item(world: World) -> WorkItem:
    """An item a robot left waiting for an outside event, made on first use."""
    if "waiting_item" not in world.extra:
        world.extra["waiting_item"] = WorkItem.objects.create(
            run=world.run,
            municipality=world.esimerkkila,
            robot_slug="invoice_check",
            reference="waiting-for-a-reply",
            status=ItemStatus.WAITING,
            wait_reason="the supplier's reply",
        )
    return world.extra["waiting_item"]  # type: ignore[return-value]


def resumed(world: World) -> bool:
    item = waiting_item(world)
    item.refresh_from_db()
    return item.status == ItemStatus.NEW


def upload(world: World) -> dict[str, Any]:
    # The run's own file again: every invoice is then a known duplicate, still a new run.
    content = Path(world.run.input_file.path).read_bytes()
    return {
        "municipality": "esimerkkila",
        "input_file": SimpleUploadedFile("again.csv", content, content_type="text/csv"),
    }


def new_run_exists(world: World) -> bool:
    return Run.objects.filter(municipality=world.esimerkkila).exclude(pk=world.run.pk).exists()


def schedule_switched_off(world: World) -> bool:
    deployment = RobotDeployment.objects.get(
        municipality=world.esimerkkila, robot_slug="invoice_check"
    )
    return not deployment.schedule_enabled


def delegation(world: World) -> Delegation:
    """A reviewer's delegation to decide fee decisions in Esimerkkilä, made on first use."""
    if "delegation" not in world.extra:
        world.extra["delegation"] = DelegationFactory(municipality=world.esimerkkila)
    return world.extra["delegation"]  # type: ignore[return-value]


def delegation_ended(world: World) -> bool:
    ended = delegation(world)
    ended.refresh_from_db()
    return ended.valid_to is not None


def hr_settings_saved(world: World) -> bool:
    return RobotSettings.objects.filter(
        municipality=world.esimerkkila, robot_slug="hr_reports"
    ).exists()


CASES: dict[str, Case] = {
    "login": Case("get", lambda w: reverse("login"), statuses(302, anonymous=200)),
    "logout": Case("post", lambda w: reverse("logout"), statuses(302)),
    "health": Case("get", lambda w: reverse("health"), statuses(200, anonymous=200)),
    "dashboard": Case("get", lambda w: reverse("dashboard"), statuses(200)),
    "robot_list": Case("get", lambda w: reverse("robot_list"), statuses(200)),
    "robot_detail": Case(
        "get", lambda w: reverse("robot_detail", args=["invoice_check"]), statuses(200)
    ),
    # The outsider may run robots, but only at home: the form refuses Esimerkkilä (400).
    "robot_start": Case(
        "post",
        lambda w: reverse("robot_start", args=["invoice_check"]),
        only((A, C, D), 302, outsider=400),
        data=upload,
        changed=new_run_exists,
        changers=(A, C, D),
    ),
    "robot_settings": Case(
        "post",
        lambda w: reverse("robot_settings", args=["invoice_check", "esimerkkila"]),
        only((A, C), 302),
        data=lambda w: {"enabled": "on", "param_approval_limit": "5000"},
        changed=schedule_switched_off,
        changers=(A, C),
    ),
    "robot_municipal_settings": Case(
        "post",
        lambda w: reverse("robot_municipal_settings", args=["hr_reports", "esimerkkila"]),
        only((A, C), 302),
        data=lambda w: {"s__discussion_spells": "4", "s__column_mapping": "{}"},
        changed=hr_settings_saved,
        changers=(A, C),
    ),
    "run_detail": Case(
        "get", lambda w: reverse("run_detail", args=[w.run.pk]), statuses(200, outsider=404)
    ),
    "run_progress": Case(
        "get",
        lambda w: reverse("run_progress", args=[w.run.pk]),
        statuses(200, outsider=404),
    ),
    "item_detail": Case(
        "get",
        lambda w: reverse("item_detail", args=[w.attention_item.pk]),
        statuses(200, outsider=404),
    ),
    "item_document": Case(
        "get",
        lambda w: reverse("item_document", args=[w.attention_item.pk, w.document.pk]),
        only((A, C, R), 200),
    ),
    "item_approve": Case(
        "post",
        lambda w: reverse("item_approve", args=[w.review_item.pk]),
        only((A, R), 302),
        changed=item_status("review_item", ItemStatus.APPROVED),
        changers=(A, R),
    ),
    "item_reject": Case(
        "post",
        lambda w: reverse("item_reject", args=[w.review_item.pk]),
        only((A, R), 302),
        data=lambda w: {"reason": "wrong supplier"},
        changed=item_status("review_item", ItemStatus.REJECTED),
        changers=(A, R),
    ),
    "item_correct": Case(
        "post",
        lambda w: reverse("item_correct", args=[w.review_item.pk]),
        only((A, R), 302),
        data=lambda w: {"param_payment_date": "2030-01-15"},
        changed=item_status("review_item", ItemStatus.APPROVED),
        changers=(A, R),
    ),
    "item_retry": Case(
        "post",
        lambda w: reverse("item_retry", args=[w.failed_item.pk]),
        only((A, R), 302),
        changed=item_status("failed_item", ItemStatus.NEW),
        changers=(A, R),
    ),
    "item_abandon": Case(
        "post",
        lambda w: reverse("item_abandon", args=[w.failed_item.pk]),
        only((A, R), 302),
        data=lambda w: {"reason": "duplicate invoice"},
        changed=item_status("failed_item", ItemStatus.ABANDONED),
        changers=(A, R),
    ),
    "item_resume": Case(
        "post",
        lambda w: reverse("item_resume", args=[waiting_item(w).pk]),
        only((A, R), 302),
        changed=resumed,
        changers=(A, R),
    ),
    # The outsider reviews in Naapurila: the inbox opens, but shows nothing of Esimerkkilä,
    # and a bulk approval naming an Esimerkkilä item changes nothing.
    "inbox": Case("get", lambda w: reverse("inbox"), only((A, R), 200, outsider=200)),
    "inbox_approve": Case(
        "post",
        lambda w: reverse("inbox_approve"),
        only((A, R), 302, outsider=302),
        data=lambda w: {"items": [w.review_item.pk]},
        changed=item_status("review_item", ItemStatus.APPROVED),
        changers=(A, R),
    ),
    "inbox_approve_ordinary": Case(
        "post",
        lambda w: reverse("inbox_approve_ordinary"),
        only((A, R), 302, outsider=302),
        # Reviewers open their random sample first (meaningful review); others have none.
        data=lambda w: (
            open_review_sample(list(w.users.values()), w.review_item.pk),
            {"up_to": w.review_item.pk},
        )[1],
        changed=item_status("review_item", ItemStatus.APPROVED),
        changers=(A, R),
    ),
    # The demo's caught e-mail: no mail catcher is configured here, so no such page
    # (tests/web/test_caught_mail.py has the demo's case: administrators 200, others 403).
    "caught_mail": Case("get", lambda w: reverse("caught_mail"), statuses(404, anonymous=404)),
    "caught_mail_message": Case(
        "get",
        lambda w: reverse("caught_mail_message", args=["20261206T101010000000Z-0123456789ab"]),
        statuses(404, anonymous=404),
    ),
    "caught_mail_attachment": Case(
        "get",
        lambda w: reverse(
            "caught_mail_attachment", args=["20261206T101010000000Z-0123456789ab", 0]
        ),
        statuses(404, anonymous=404),
    ),
    "audit": Case("get", lambda w: reverse("audit"), only((A,), 200, outsider=200)),
    # The outsider administers another municipality: their own page, never this one's rows.
    "delegations": Case("get", lambda w: reverse("delegations"), only((A,), 200, outsider=200)),
    "delegation_end": Case(
        "post",
        lambda w: reverse("delegation_end", args=[delegation(w).pk]),
        statuses(404, **{Role.ADMINISTRATOR: 302}),
        changed=delegation_ended,
        changers=(A,),
    ),
    "audit_export": Case(
        "get", lambda w: reverse("audit_export", args=["csv"]), only((A,), 200, outsider=200)
    ),
}


def test_every_web_url_has_a_case_in_the_permission_matrix():
    assert web_url_names() == set(CASES)


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def forbidden_markers(role: str) -> tuple[str, ...]:
    return MARKERS["esimerkkila"] if role == OUTSIDER else MARKERS["naapurila"]


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_url_answers_each_role_as_the_matrix_says_and_never_shows_other_municipalities(
    world, name, role
):
    case = CASES[name]
    client = world.client_for(role)
    url = case.url(world)
    before = case.changed(world) if case.changed else None
    response = client.get(url) if case.method == "get" else client.post(url, case.data(world))
    expected = case.expect[role]
    assert response.status_code == expected, (name, role, body_of(response)[:2000])

    if role == ANONYMOUS and expected == 302 and name not in ("logout",):
        assert response["Location"].startswith(reverse("login"))

    pages = [body_of(response)]
    if response.status_code == 302 and role != ANONYMOUS:
        pages.append(body_of(client.get(response["Location"])))
    for page in pages:
        for marker in forbidden_markers(role):
            assert marker not in page, (name, role, marker)

    if case.changed is not None:
        assert before is False
        assert case.changed(world) is (role in case.changers), (name, role)


def test_a_user_with_no_role_anywhere_sees_an_empty_dashboard_and_is_refused_elsewhere(
    world, user_without_roles, client
):
    client.force_login(user_without_roles)
    page = client.get(reverse("dashboard")).content.decode()
    for markers in MARKERS.values():
        for marker in markers:
            assert marker not in page
    assert client.get(reverse("run_detail", args=[world.run.pk])).status_code == 404
    assert client.get(reverse("inbox")).status_code == 403
    assert client.get(reverse("audit")).status_code == 403
    assert client.post(reverse("robot_start", args=["invoice_check"])).status_code == 403
    world.review_item.refresh_from_db()
    assert world.review_item.status == ItemStatus.NEEDS_REVIEW
