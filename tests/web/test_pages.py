"""What each page shows, and to whom."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.localized import pick
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, Run, RunStatus
from tests.factories import RobotDeploymentFactory
from tests.runtime.helpers import read_inputs
from tests.web.conftest import ROLES, write_invoices


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_shows_every_role_the_deployed_robot_and_recent_runs(world, role):
    page = world.client_for(role).get(reverse("dashboard")).content.decode()
    assert "Ostolaskujen tarkistus" in page
    assert f'href="{reverse("run_detail", args=[world.run.pk])}"' in page
    assert f'href="{reverse("item_detail", args=[world.failed_item.pk])}"' in page  # failures


def test_the_dashboard_counts_items_waiting_for_review_and_links_the_reviewer_to_the_inbox(world):
    page = world.client_for(Role.REVIEWER).get(reverse("dashboard")).content.decode()
    assert '<span class="summary-number">3</span>' in page
    assert f'<a href="{reverse("inbox")}">' in page


def test_the_dashboard_gives_a_viewer_no_link_to_the_inbox(world):
    page = world.client_for(Role.VIEWER).get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("inbox")}"' not in page


def test_the_catalogue_explains_the_robot_class_in_plain_words(world):
    page = world.client_for(Role.VIEWER).get(reverse("robot_list")).content.decode()
    assert "Ostolaskujen tarkistus" in page
    assert '<span class="robot-class">B</span>' in page
    assert "virkailija on hyväksynyt" in page  # class B: nothing is sent before approval
    assert "ostoreskontran CSV-aineisto" in page  # the system, in the reader's language
    assert "3 min" in page


def test_the_robot_page_renders_the_path_description_as_a_document(world):
    page = world.client_for(Role.VIEWER).get(reverse("robot_detail", args=["invoice_check"]))
    text = page.content.decode()
    for expected in (
        "Lue laskutiedosto",
        "Hyväksy maksuehdotus",
        "Ostoreskontran CSV-tiedosto",
        "Virheellinen IBAN, Y-tunnus tai viite",
        "Lähtevään kansioon ei voi kirjoittaa",
        "Laskentasihteeri hyväksyy tai hylkää jokaisen ehdotuksen.",
    ):
        assert expected in text
    assert text.index("Lue laskutiedosto") < text.index("Hyväksy maksuehdotus")
    assert 'class="actor actor-person"' in text


def test_the_robot_page_lists_the_next_three_scheduled_runs_on_working_days(world):
    page = world.client_for(Role.VIEWER).get(reverse("robot_detail", args=["invoice_check"]))
    sections = page.context["sections"]
    (section,) = sections
    assert section.scheduled
    assert len(section.next_runs) == 3
    for tick in section.next_runs:
        assert tick > timezone.now()
        assert tick.weekday() < 5
        assert (tick.hour, tick.minute) == (7, 0)
    assert "<code>0 7 * * *</code>" in page.content.decode()


def test_the_robot_page_shows_parameter_values_of_the_users_municipalities_only(world):
    actions.configure_deployment(
        "test",
        world.naapurila,
        "invoice_check",
        enabled=True,
        schedule_enabled=False,
        # A value no timestamp or token on the page can contain by chance ("777" once matched
        # the microseconds of a rendered time).
        parameters={"approval_limit": "9876543.21"},
    )
    page = world.client_for(Role.VIEWER).get(reverse("robot_detail", args=["invoice_check"]))
    text = page.content.decode()
    assert "Esimerkkilä" in text
    assert "5000" in text
    assert "9876543" not in text


@pytest.mark.parametrize(
    ("role", "can_start", "can_configure"),
    [
        (Role.ADMINISTRATOR, True, True),
        (Role.COORDINATOR, True, True),
        (Role.DEVELOPER, True, False),
        (Role.REVIEWER, False, False),
        (Role.VIEWER, False, False),
    ],
)
def test_the_robot_page_offers_start_and_settings_only_to_those_allowed(
    world, role, can_start, can_configure
):
    text = world.client_for(role).get(reverse("robot_detail", args=["invoice_check"]))
    text = text.content.decode()
    assert (reverse("robot_start", args=["invoice_check"]) in text) is can_start
    settings_url = reverse("robot_settings", args=["invoice_check", "esimerkkila"])
    assert (settings_url in text) is can_configure


def test_an_unknown_robot_is_not_found(world):
    client = world.client_for(Role.ADMINISTRATOR)
    assert client.get(reverse("robot_detail", args=["no_such_robot"])).status_code == 404
    assert client.post(reverse("robot_start", args=["no_such_robot"])).status_code == 404


def test_the_run_page_shows_counts_by_status_and_the_manual_time_saved(world):
    response = world.client_for(Role.VIEWER).get(reverse("run_detail", args=[world.run.pk]))
    figures = response.context["figures"]
    assert figures.counts == {
        ItemStatus.DONE: 1,
        ItemStatus.NEEDS_REVIEW: 3,
        ItemStatus.FAILED_BUSINESS: 1,
    }
    assert (figures.processed, figures.total) == (5, 5)
    # One item done × 3 manual minutes per invoice.
    assert figures.minutes_saved == 3
    text = response.content.decode()
    assert 'value="5"' in text
    assert "3 min" in text
    assert "esimcsv" not in text
    assert world.run.input_name in text


def test_the_run_page_filters_items_by_status(world):
    client = world.client_for(Role.VIEWER)
    url = reverse("run_detail", args=[world.run.pk])
    page = client.get(url, {"status": ItemStatus.FAILED_BUSINESS})
    shown = [item.pk for item in page.context["page"].object_list]
    assert shown == [world.failed_item.pk]
    everything = client.get(url)
    assert len(everything.context["page"].object_list) == 5


def test_the_run_page_paginates_its_items(world, tmp_path, settings):
    from kuntarobo.web.views import runs

    client = world.client_for(Role.VIEWER)
    url = reverse("run_detail", args=[world.run.pk])
    original = runs.ITEMS_PER_PAGE
    runs.ITEMS_PER_PAGE = 2
    try:
        first = client.get(url)
        third = client.get(url, {"page": 3})
    finally:
        runs.ITEMS_PER_PAGE = original
    assert first.context["page"].paginator.num_pages == 3
    assert len(third.context["page"].object_list) == 1
    assert "?page=2" in first.content.decode()


@pytest.mark.parametrize(
    ("role", "sees_log"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.COORDINATOR, True),
        (Role.DEVELOPER, True),
        (Role.REVIEWER, False),
        (Role.VIEWER, False),
    ],
)
def test_the_run_log_is_shown_only_with_the_log_permission(world, role, sees_log):
    text = world.client_for(role).get(reverse("run_detail", args=[world.run.pk]))
    assert ("luettiin 5 laskua" in text.content.decode()) is sees_log


def test_a_running_run_polls_its_progress_every_two_seconds_and_a_finished_one_does_not(
    world, tmp_path
):
    client = world.client_for(Role.COORDINATOR)
    finished = client.get(reverse("run_detail", args=[world.run.pk])).content.decode()
    assert "hx-trigger" not in finished.split('id="run-progress"')[1].split(">")[0]

    running = actions.start_run(
        world.users[Role.COORDINATOR],
        world.esimerkkila,
        "invoice_check",
        input_file=write_invoices(tmp_path / "more", "ESIM-X", "Esimerkin Siivous Oy"),
    ).run
    page = client.get(reverse("run_detail", args=[running.pk])).content.decode()
    region = page.split('id="run-progress"')[1].split(">")[0]
    assert "aria-live" not in region  # the whole section is not read out on every change
    assert 'hx-trigger="every 2s' in region
    assert reverse("run_progress", args=[running.pk]) in region
    assert '<progress id="run-progress-bar" max="5" value="0">' in page


def test_the_progress_section_answers_htmx_with_204_when_nothing_changed_and_286_when_over(
    world, tmp_path
):
    client = world.client_for(Role.COORDINATOR)
    running = actions.start_run(
        world.users[Role.COORDINATOR],
        world.esimerkkila,
        "invoice_check",
        input_file=write_invoices(tmp_path / "more", "ESIM-X", "Esimerkin Siivous Oy"),
    ).run
    url = reverse("run_progress", args=[running.pk])
    first = client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200
    state = first.context["state"]
    assert client.get(url, {"state": state}, headers={"HX-Request": "true"}).status_code == 204

    from tests.web.conftest import process_all

    process_all(running)
    running.refresh_from_db()
    assert running.status == RunStatus.FINISHED
    final = client.get(url, {"state": state}, headers={"HX-Request": "true"})
    assert final.status_code == 286
    assert 'value="5"' in final.content.decode()
    # The items' list reloads itself on this event: no "○ New" rows stay after the run ends.
    assert final["HX-Trigger"] == "run-changed"


def test_the_item_page_shows_personal_data_to_a_reviewer_and_records_the_view(world):
    item = world.attention_item
    response = world.client_for(Role.REVIEWER).get(reverse("item_detail", args=[item.pk]))
    text = response.content.decode()
    assert item.payload["iban"] in text  # input
    assert "Maksupäivä" in text  # the proposal, with the robot's labels
    assert pick(item.explanation[0], "fi") in text
    assert "tilausnumero puuttuu" in text  # attention flag, in the reader's language
    assert reverse("item_document", args=[item.pk, world.document.pk]) in text
    views = AuditEvent.objects.filter(action="item.view", object_id=str(item.pk))
    assert views.count() == 1
    assert views.get().actor_label.endswith("(reviewer)")


def test_the_proposal_is_shown_with_labels_and_money_and_dates_in_the_readers_format(world):
    item = world.attention_item
    item.output = {
        **item.output,
        "amount_cents": 123450,
        "payment_date": "2026-12-07",
        "extra": "kept",
    }
    item.save()
    url = reverse("item_detail", args=[item.pk])
    finnish = world.client_for(Role.REVIEWER).get(url).content.decode()
    assert "<dt>Maksettava</dt><dd>1\xa0234,50 €</dd>" in finnish
    assert "<dt>Maksupäivä</dt><dd>7.12.2026</dd>" in finnish
    # An undeclared key is internal: not shown to an official, raw data for an administrator.
    assert "extra" not in finnish
    assert "Raakadata" not in finnish
    admin = world.client_for(Role.ADMINISTRATOR).get(url).content.decode()
    raw = admin.split('<details class="raw-data">')[1].split("</details>")[0]
    assert "Raakadata (ylläpitäjille)" in raw
    assert "&quot;extra&quot;: &quot;kept&quot;" in raw
    english = world.client_for(Role.REVIEWER).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "<dt>Amount</dt><dd>1,234.50 €</dd>" in english.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
def test_the_item_page_shows_only_a_masked_summary_without_personal_data_permission(world, role):
    item = world.attention_item
    response = world.client_for(role).get(reverse("item_detail", args=[item.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert item.payload["iban"] not in text
    assert "payment_date" not in text
    assert pick(item.explanation[0], "fi") not in text
    assert "tilausnumero puuttuu" not in text
    assert reverse("item_document", args=[item.pk, world.document.pk]) not in text
    assert "ilman tehtävän syötettä" in text  # tells why it is a summary
    assert not AuditEvent.objects.filter(action="item.view", object_id=str(item.pk)).exists()


def test_the_item_page_shows_the_review_history(world):
    response = world.client_for(Role.COORDINATOR).get(
        reverse("item_detail", args=[world.done_item.pk])
    )
    text = response.content.decode()
    assert "Tehtävä hyväksytty" in text
    assert "Reviewer" in text
    assert "checked" in text


def test_the_item_page_masks_identity_codes_in_the_reference_for_viewers(world):
    world.review_item.reference = "131052-308T:2030-01-01"
    world.review_item.title = "Hakemus 131052-308T"
    world.review_item.save(update_fields=["reference", "title"])
    viewer = world.client_for(Role.VIEWER).get(reverse("item_detail", args=[world.review_item.pk]))
    text = viewer.content.decode()
    assert "131052-308T" not in text
    assert "Hakemus" not in text  # the title is hidden altogether
    assert "******-****:2030-01-01" in text
    assert f"Tehtävä {world.review_item.pk}" in text
    run_page = world.client_for(Role.REVIEWER).get(reverse("run_detail", args=[world.run.pk]))
    assert "131052-308T" not in run_page.content.decode()
    assert "Hakemus ******-****" in run_page.content.decode()


def test_a_document_downloads_for_a_reviewer_and_the_view_is_audited(world):
    item = world.attention_item
    response = world.client_for(Role.REVIEWER).get(
        reverse("item_document", args=[item.pk, world.document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"invoice image ESIM-002"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="item.view", object_id=str(item.pk)).exists()


def test_a_document_of_another_item_is_not_found(world):
    url = reverse("item_document", args=[world.review_item.pk, world.document.pk])
    assert world.client_for(Role.REVIEWER).get(url).status_code == 404


def test_the_login_page_logs_a_user_in_and_a_wrong_password_shows_an_error(world, client):
    from tests.factories import PASSWORD

    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    wrong = client.post(reverse("login"), {"username": "viewer", "password": "nope"})
    assert wrong.status_code == 200
    assert 'role="alert"' in wrong.content.decode()
    right = client.post(reverse("login"), {"username": "viewer", "password": PASSWORD})
    assert right.status_code == 302
    assert right["Location"] == reverse("dashboard")


def test_pages_have_landmarks_a_skip_link_and_the_language_attribute(world):
    text = world.client_for(Role.ADMINISTRATOR).get(reverse("dashboard")).content.decode()
    assert '<html lang="fi">' in text
    assert 'href="#main"' in text
    assert '<main id="main"' in text
    assert "<header" in text
    assert "<nav" in text
    assert 'aria-current="page"' in text


@pytest.fixture
def test_robots():
    from kuntarobo.testing import robots

    robots.register_all()
    yield robots
    robots.unregister_all()


def test_a_robot_without_upload_starts_from_its_parameters_alone(world, test_robots):
    RobotDeploymentFactory(municipality=world.esimerkkila, robot_slug="test_noop")
    client = world.client_for(Role.DEVELOPER)
    page = client.get(reverse("robot_detail", args=["test_noop"])).content.decode()
    assert 'name="input_file"' not in page
    assert 'name="param_count"' in page
    response = client.post(
        reverse("robot_start", args=["test_noop"]),
        {"municipality": "esimerkkila", "param_count": "3"},
    )
    run = Run.objects.get(robot_slug="test_noop")
    assert response["Location"] == reverse("run_detail", args=[run.pk])
    read_inputs()
    assert run.items.count() == 3


def test_the_catalogue_tells_the_three_robot_classes_apart(world, test_robots):
    text = world.client_for(Role.VIEWER).get(reverse("robot_list")).content.decode()
    assert '<span class="robot-class">A</span> Avustaa' in text
    assert '<span class="robot-class">B</span> Valmistelee' in text
    assert '<span class="robot-class">C</span> Päättää' in text
    assert "hallintolaki, 8 b luku" in text


def test_a_deciding_robot_without_its_deployment_decision_is_refused_with_the_reason(
    world, test_robots
):
    RobotDeploymentFactory(municipality=world.esimerkkila, robot_slug="test_deciding")
    client = world.client_for(Role.COORDINATOR)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("robot_start", args=["test_deciding"]), {"municipality": "esimerkkila"}
    )
    assert response.status_code == 400
    assert "käyttöönottopäätös" in response.content.decode()
    assert not Run.objects.filter(robot_slug="test_deciding").exists()
    assert AuditEvent.objects.count() == events


def test_the_dashboard_refreshes_its_run_table_while_a_run_is_going(world, tmp_path):
    client = world.client_for(Role.VIEWER)
    idle = client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert idle.templates[0].name == "web/_recent_runs.html"
    assert "hx-trigger" not in idle.content.decode()
    actions.start_run(
        world.users[Role.COORDINATOR],
        world.esimerkkila,
        "invoice_check",
        input_file=write_invoices(tmp_path / "more", "ESIM-X", "Esimerkin Siivous Oy"),
    )
    busy = client.get(reverse("dashboard"), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 5s"' in busy
    assert "<html" not in busy


def test_a_running_runs_items_reload_on_each_change_and_the_live_line_stays_short(world, tmp_path):
    client = world.client_for(Role.COORDINATOR)
    running = actions.start_run(
        world.users[Role.COORDINATOR],
        world.esimerkkila,
        "invoice_check",
        input_file=write_invoices(tmp_path / "more", "ESIM-X", "Esimerkin Siivous Oy"),
    ).run
    page = client.get(reverse("run_detail", args=[running.pk])).content.decode()
    items = page.split('id="run-items"')[1].split(">")[0]
    assert 'hx-trigger="run-changed from:body"' in items
    assert 'hx-select="#run-items"' in items
    live = page.split('id="run-announcement"')[1].split("</p>")[0]
    assert 'role="status"' in live
    text = live.split(">", 1)[1]
    assert "5" in text
    assert len(text) < 80

    from tests.web.conftest import process_all

    process_all(running)
    url = reverse("run_progress", args=[running.pk])
    final = client.get(url, {"state": "x"}, headers={"HX-Request": "true"}).content.decode()
    oob = final.split('id="run-announcement"')[1].split("</p>")[0]
    assert 'hx-swap-oob="innerHTML"' in oob
    assert len(oob.split(">", 1)[1]) < 80
    after = client.get(reverse("run_detail", args=[running.pk])).content.decode()
    assert "hx-trigger" not in after.split('id="run-items"')[1].split(">")[0]
    assert "status-new" not in after.split('id="run-items"')[1]


def test_the_item_input_is_shown_with_the_robots_labels_and_internal_keys_only_as_raw_data(world):
    item = world.attention_item
    item.payload = {**item.payload, "fingerprint": "abc123", "parameters_row": 7}
    item.save()
    url = reverse("item_detail", args=[item.pk])
    official = world.client_for(Role.REVIEWER).get(url).content.decode()
    section = official.split('id="input-heading"')[1].split("</section>")[0]
    assert "<dt>Y-tunnus</dt>" in section
    assert "<dt>Eräpäivä</dt>" in section
    for internal in ("fingerprint", "parameters_row", "abc123", "business_id", "{"):
        assert internal not in section
    admin = world.client_for(Role.ADMINISTRATOR).get(url).content.decode()
    raw = admin.split('<details class="raw-data">')[1].split("</details>")[0]
    assert "fingerprint" in raw
    assert "parameters_row" in raw
