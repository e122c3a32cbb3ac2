"""The review's finding, as it was found: fee decisions prepared for a family whose id is a
guardian's identity code, read with a viewer's and a developer's API token and on their pages.
Neither may see the code, its birth date or any name of the family; those who may see personal
data see them, and their views are in the audit trail."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.api.models import ApiToken
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.masking import MASK
from kuntarobo.robots.ecec_fees.models import FeeDecision
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role
from tests.robots.ecec_fees.helpers import MAIJA, PERIOD, configure, family, write_families

pytestmark = pytest.mark.django_db(transaction=True)

# The family's id is the guardian's identity code; the names are those in the family's data.
SECRETS = (MAIJA, MAIJA[:6], "Meikäläinen", "Meik\\u00e4l\\u00e4inen", "Maija", "Kuusitie")
WITHOUT_PERSONAL_DATA = (Role.DEVELOPER, Role.VIEWER)
WITH_PERSONAL_DATA = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.REVIEWER)


@pytest.fixture
def fees(tmp_path):
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(home)
    users = {role: user_with_role(role, home) for role in Role.values}
    path = write_families(tmp_path / "families.jsonl", family(MAIJA))
    actions.start_run(
        users[Role.COORDINATOR],
        home,
        "ecec_fees",
        input_file=path,
        parameters={"period_start": PERIOD.isoformat()},
    )
    call_command("worker", batch=True, interval=0, verbosity=0)
    # The part from 1.8.2026 (thresholds not entered) goes to a person: the decision is the other.
    item = WorkItem.objects.get(status=ItemStatus.NEEDS_REVIEW)
    assert item.reference.startswith(MAIJA)
    return users, item


def token_client(user) -> Client:
    _, secret = ApiToken.issue(user, "reporting")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def session_client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def found_in(response) -> list[str]:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode(errors="replace")
    return [secret for secret in SECRETS if secret in text]


def api_urls(item: WorkItem) -> list[str]:
    return [
        "/api/v1/items",
        f"/api/v1/items?run={item.run_id}",
        f"/api/v1/items/{item.pk}",
        "/api/v1/runs",
        f"/api/v1/runs/{item.run_id}",
    ]


def web_urls(item: WorkItem) -> list[str]:
    decision = FeeDecision.objects.get()
    return [
        reverse("dashboard"),
        reverse("robot_detail", args=["ecec_fees"]),
        reverse("run_detail", args=[item.run_id]),
        reverse("item_detail", args=[item.pk]),
        reverse("inbox"),
        reverse("ecec_fees_staff:decisions"),
        reverse("ecec_fees_staff:decision_pdf", args=[decision.pk]),
    ]


def test_viewers_and_developers_tokens_and_pages_show_nothing_of_the_family(fees):
    users, item = fees
    checks = 0
    for role in WITHOUT_PERSONAL_DATA:
        api = token_client(users[role])
        for url in api_urls(item):
            response = api.get(url)
            assert response.status_code == 200, (role, url)
            assert found_in(response) == [], (role, url)
            checks += 1
        detail = api.get(f"/api/v1/items/{item.pk}").json()
        assert detail["reference"].startswith(f"{MASK}:")
        assert not {"title", "attention", "payload", "output", "explanation"} & set(detail)
        web = session_client(users[role])
        for url in web_urls(item):
            response = web.get(url)
            assert response.status_code in (200, 403), (role, url)
            assert found_in(response) == [], (role, url)
            checks += 1
    assert checks == 24
    assert not AuditEvent.objects.filter(action__in=("item.view", "items.view")).exists()


def test_the_developer_sees_the_runs_log_with_the_family_id_masked(fees):
    users, item = fees
    page = session_client(users[Role.DEVELOPER]).get(reverse("run_detail", args=[item.run_id]))
    text = page.content.decode()
    assert "families.jsonl" in text  # the log is there
    assert found_in(page) == []


@pytest.mark.parametrize("role", WITH_PERSONAL_DATA)
def test_those_who_may_see_personal_data_see_the_family_and_the_view_is_audited(fees, role):
    users, item = fees
    response = token_client(users[role]).get(f"/api/v1/items/{item.pk}")
    body = response.json()
    assert body["reference"] == item.reference
    assert body["title"].startswith(MAIJA)
    assert "Maija Meikäläinen" in str(body["payload"])
    event = AuditEvent.objects.get(action="item.view")
    assert (event.via, event.actor, event.object_id) == ("api", users[role], str(item.pk))
    listing = token_client(users[role]).get(f"/api/v1/items?run={item.run_id}").json()
    assert listing["results"][0]["reference"].startswith(f"{MASK}:")
    listed = AuditEvent.objects.get(action="items.view")
    # The run's two items: the decision and the part from 1.8.2026 left to a person.
    run_items = sorted(WorkItem.objects.filter(run_id=item.run_id).values_list("pk", flat=True))
    assert (listed.via, sorted(listed.details["items"])) == ("api", run_items)
    assert item.pk in run_items
    assert (
        Run.objects.get().input_name
        in token_client(users[role]).get(f"/api/v1/runs/{item.run_id}").content.decode()
    )
