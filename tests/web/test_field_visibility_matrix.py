"""What each role sees on each page that shows work items, runs, documents or decisions: the
page of every role is searched for an identity code used as a family id and for people's
names planted in an item. test_permissions.py says who may open what; this says what the page
may contain. The API's twin is tests/api/test_field_visibility_matrix.py: one rule for both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.urls import get_resolver, resolve, reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.masking import MASK
from kuntarobo.runtime.declarations import all_robots
from tests.factories import MembershipFactory
from tests.personal_data import (
    GUARDIAN,
    IDENTITY_CODE,
    MASKED_REFERENCE,
    RECORD_ONLY,
    SECOND_GUARDIAN,
    SECRETS,
    leaks,
    plant,
    plant_failure,
    plant_run,
    texts_of,
)
from tests.web.conftest import ROLES, World
from tests.web.test_permissions import web_url_names

A, C, R, D, V = ROLES
PERSONAL = (A, C, R)
TECHNICAL = (A, C, D)


@pytest.fixture
def planted(world: World) -> World:
    plant(world.attention_item, world.document)
    plant_failure(world.failed_item)
    plant_run(world.run, world.attention_item)
    return world


@dataclass
class Page:
    url: Callable[[World], str]
    allowed: tuple[str, ...] = ROLES  # who gets 200; the rest 403
    # What the page must show each role (beyond "no secret" for those without the right).
    shows: Callable[[World, str], list[str]] = lambda w, role: []
    # Audit events the page writes for a role who sees personal data on it.
    audits: str | None = None


def item_page_shows(world: World, role: str) -> list[str]:
    if role in PERSONAL:
        return [world.attention_item.reference, GUARDIAN, SECOND_GUARDIAN, f"{GUARDIAN}.txt"]
    return [MASKED_REFERENCE, f"Tehtävä {world.attention_item.pk}"]


def failed_page_shows(world: World, role: str) -> list[str]:
    if role in PERSONAL:
        return [f"no income information for family {IDENTITY_CODE}"]
    if role in TECHNICAL:
        return [f"no income information for family {MASK}"]
    return []


def run_page_shows(world: World, role: str) -> list[str]:
    shown = [MASKED_REFERENCE]
    if role in PERSONAL:
        shown += [f"{GUARDIAN} {MASK}", f"perhe_{IDENTITY_CODE}.jsonl"]
    else:
        shown += [f"Tehtävä {world.attention_item.pk}", f"perhe_{MASK}.jsonl"]
    if role in TECHNICAL:
        shown.append(f"{MASK}: family re-read")
    return shown


def inbox_shows(world: World, role: str) -> list[str]:
    return [world.attention_item.reference, GUARDIAN, SECOND_GUARDIAN]


PAGES: dict[str, Page] = {
    "dashboard": Page(lambda w: reverse("dashboard")),
    "robot page": Page(lambda w: reverse("robot_detail", args=["invoice_check"])),
    "run page": Page(
        lambda w: reverse("run_detail", args=[w.run.pk]), shows=run_page_shows, audits="items.view"
    ),
    "run page, items to review": Page(
        lambda w: reverse("run_detail", args=[w.run.pk]) + "?status=needs_review",
        shows=run_page_shows,
        audits="items.view",
    ),
    "run progress": Page(lambda w: reverse("run_progress", args=[w.run.pk])),
    "item page": Page(
        lambda w: reverse("item_detail", args=[w.attention_item.pk]),
        shows=item_page_shows,
        audits="item.view",
    ),
    "failed item page": Page(
        lambda w: reverse("item_detail", args=[w.failed_item.pk]),
        shows=failed_page_shows,
        audits="item.view",
    ),
    "item document": Page(
        lambda w: reverse("item_document", args=[w.attention_item.pk, w.document.pk]),
        allowed=PERSONAL,
        audits="item.view",
    ),
    "review inbox": Page(
        lambda w: reverse("inbox"), allowed=(A, R), shows=inbox_shows, audits="items.view"
    ),
    "review inbox, failed": Page(
        lambda w: reverse("inbox") + "?tab=failed", allowed=(A, R), audits="items.view"
    ),
    "reject form": Page(
        lambda w: reverse("item_reject", args=[w.attention_item.pk]),
        allowed=(A, R),
        shows=lambda w, role: [w.attention_item.reference, GUARDIAN],
    ),
    "correct form": Page(
        lambda w: reverse("item_correct", args=[w.attention_item.pk]), allowed=(A, R)
    ),
    "abandon form": Page(
        lambda w: reverse("item_abandon", args=[w.attention_item.pk]),
        allowed=(A, R),
        shows=lambda w, role: [w.attention_item.reference, GUARDIAN],
    ),
    "audit trail": Page(lambda w: reverse("audit"), allowed=(A,)),
    "audit export": Page(lambda w: reverse("audit_export", args=["csv"]), allowed=(A,)),
    "fee decisions": Page(lambda w: reverse("ecec_fees_staff:decisions"), allowed=PERSONAL),
    "HR settings": Page(
        lambda w: reverse("robot_municipal_settings", args=["hr_reports", "esimerkkila"]),
        allowed=(A, C),
    ),
}
# Quoted in the report to the lead: role × page checks, each searching the whole page.
CHECKS = len(ROLES) * len(PAGES)
# Pages (URL names) that show no work item, run or decision: signing in and out, the health
# check, the catalogue, the settings forms, and the review actions' POSTs, which redirect to a
# page above (a refused start shows the robot page, above too). The fee robot's PDFs are for
# the personal-data roles: test_personal_data_visibility.py of the fee robot tries them.
SHOW_NO_ITEM = {
    "login",
    "logout",
    "health",
    "robot_list",
    "robot_start",
    "robot_settings",
    "item_approve",
    "item_retry",
    "item_resume",
    "inbox_approve",
    "inbox_approve_ordinary",
    "ecec_fees_staff:decision_pdf",
    "ecec_fees_staff:copy_pdf",
    "ecec_fees_staff:make_print_batch",
    "ecec_fees_staff:print_batch_pdf",
    "ecec_fees_staff:parameters",  # the act's national figures: no family, no work item
    # The demo's caught e-mail shows messages, not items; administrators only, 404 outside the
    # demo (tests/web/test_caught_mail.py).
    "caught_mail",
    "caught_mail_message",
    "caught_mail_attachment",
    "ecec_fees_staff:mark_posted",
    "delegations",
    "delegation_end",
    # The phone survey's campaign pages show no work item: who sees which phone numbers there
    # is tried in tests/robots/phone_survey/test_campaign_pages.py.
    "phone_survey:campaign_list",
    "phone_survey:campaign_detail",
    "phone_survey:campaign_create",
    "phone_survey:campaign_edit",
    "phone_survey:respondents_import",
    "phone_survey:campaign_start",
    "phone_survey:campaign_end",
    "phone_survey:campaign_simulate",
    "phone_survey:do_not_call",
    "phone_survey:do_not_call_remove",
    # A survey campaign's report: figures without work items; who sees which of its personal
    # data (recordings, phone numbers) is tried in tests/robots/phone_survey/test_report_pages.py.
    # The questionnaire editor: texts and recorded prompts, no respondent's data.
    "phone_survey:questionnaire_list",
    "phone_survey:questionnaire_create",
    "phone_survey:questionnaire_detail",
    "phone_survey:questionnaire_edit",
    "phone_survey:questionnaire_recording",
    "phone_survey:questionnaire_recording_file",
    "phone_survey:report",
    "phone_survey:report_live",
    "phone_survey:report_answers",
    "phone_survey:report_attempts",
    "phone_survey:report_pdf",
    "phone_survey:report_recording",
    # A campaign's respondents, one respondent and a recorded answer: masked numbers and the
    # personal-data permission are tried in tests/robots/phone_survey/test_respondent_pages.py.
    "phone_survey:respondent_list",
    "phone_survey:respondent_detail",
    "phone_survey:answer_recording",
}


def test_the_matrix_has_eighty_five_role_page_checks():
    assert CHECKS == 85


def staff_url_names() -> set[str]:
    """The staff pages every registered robot mounts (Robot.urls), by their reversed names."""
    names = set()
    for robot in all_robots():
        if robot.urls:
            module = import_module(robot.urls)
            prefix = f"{module.app_name}:" if getattr(module, "app_name", "") else ""
            names |= {f"{prefix}{p.name}" for p in get_resolver(robot.urls).url_patterns}
    return names


def test_every_page_is_in_the_field_matrix_or_shows_no_item(planted):
    """A page added without deciding what each role sees on it fails here."""
    covered = {resolve(page.url(planted).split("?")[0]).view_name for page in PAGES.values()}
    assert not covered & SHOW_NO_ITEM
    assert web_url_names() | staff_url_names() == covered | SHOW_NO_ITEM


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_each_role_sees_only_what_it_may_and_personal_data_never_leaks(planted, name, role):
    page = PAGES[name]
    before = AuditEvent.objects.count()
    response = planted.client_for(role).get(page.url(planted))
    allowed = role in page.allowed
    assert response.status_code == (200 if allowed else 403), (name, role)
    found = leaks(response)
    if role not in PERSONAL:
        assert found == [], (name, role, found)
    text = "\n".join(texts_of(response))
    assert RECORD_ONLY not in text, (name, role)
    for expected in page.shows(planted, role) if allowed else []:
        assert expected in text, (name, role, expected)
    new = AuditEvent.objects.order_by("id")[before:]
    views = [e for e in new if e.action in ("item.view", "items.view")]
    if allowed and role in PERSONAL and page.audits:
        assert {(e.action, e.via, e.actor_id) for e in views} == {
            (page.audits, "web", planted.users[role].pk)
        }, (name, role)
    else:
        assert views == [], (name, role)


@pytest.mark.parametrize("role", PERSONAL)
def test_those_who_may_see_personal_data_do_see_it_on_the_items_page(planted, role):
    """The other side of 'never leaks': the data is there, so the searches above can fail."""
    response = planted.client_for(role).get(
        reverse("item_detail", args=[planted.attention_item.pk])
    )
    assert leaks(response) == sorted(SECRETS)
    # The robot's record data is not output: not shown even here.
    assert not any(RECORD_ONLY in text for text in texts_of(response))


@pytest.mark.parametrize("role", ROLES)
def test_a_runs_item_list_never_shows_an_identity_code_even_to_those_who_may_open_the_item(
    planted, role
):
    planted.run.input_name = "input.jsonl"
    planted.run.save(update_fields=["input_name"])
    text = planted.client_for(role).get(reverse("run_detail", args=[planted.run.pk]))
    assert IDENTITY_CODE not in text.content.decode()
    assert "150490" not in text.content.decode()


def test_a_refused_review_names_an_item_the_user_only_views_with_its_identity_code_masked(
    world, client
):
    """A reviewer at home who is only a viewer next door, trying to approve next door's item,
    is told it was not changed, with its reference as a viewer sees it."""
    reviewer = world.users[Role.REVIEWER]
    MembershipFactory(user=reviewer, municipality=world.naapurila, role=Role.VIEWER)
    plant(world.neighbour_item)
    client.force_login(reviewer)
    response = client.post(reverse("inbox_approve"), {"items": [world.neighbour_item.pk]})
    page = client.get(response["Location"])
    assert MASKED_REFERENCE in page.content.decode()
    assert leaks(page) == []
    world.neighbour_item.refresh_from_db()
    assert world.neighbour_item.status == "needs_review"
