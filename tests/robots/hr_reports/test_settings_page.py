"""The HR robot's settings page: a coordinator sets the column mapping and the early-support
thresholds in the web UI, through the action the CLI uses; bad input is refused field by field
and nothing is stored; nobody else sees or changes another municipality's settings."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.hr_reports import actions as hr_actions
from kuntarobo.robots.hr_reports.early_support import Thresholds
from kuntarobo.robots.hr_reports.models import ExportMapping
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db

PAGE = reverse("hr_reports_staff:settings", args=["esimerkkila"])
INDEX = reverse("hr_reports_staff:settings_index")
MAPPING = {
    "sheets": {"units": "Yksiköt"},
    "columns": {"units": {"unit_id": "Kustannuspaikka"}},
    "codes": {"absences.type": {"SAI": "sickness"}},
}


@pytest.fixture
def home():
    return MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")


@pytest.fixture
def other():
    return MunicipalityFactory(slug="naapurila", name_fi="Naapurila")


def client_for(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_data(**changes: object) -> dict[str, object]:
    """What the page posts: every threshold at its default, the mapping empty."""
    data: dict[str, object] = {**Thresholds().to_json(), "mapping": ""}
    data.update(changes)
    return data


def test_the_robot_page_links_to_the_settings_page(home):
    coordinator = user_with_role(Role.COORDINATOR, home)
    page = client_for(coordinator).get(reverse("robot_detail", args=["hr_reports"]))
    assert INDEX in page.content.decode()


def test_a_coordinator_of_one_municipality_goes_straight_to_its_settings(home):
    coordinator = user_with_role(Role.COORDINATOR, home)
    response = client_for(coordinator).get(INDEX)
    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_the_page_shows_the_mapping_as_json_and_the_thresholds_with_their_defaults(home):
    ExportMapping.objects.create(
        municipality=home, column_mapping=MAPPING, thresholds={"discussion_days": 15}
    )
    coordinator = user_with_role(Role.COORDINATOR, home)
    response = client_for(coordinator).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    shown = json.dumps(MAPPING, indent=2, ensure_ascii=False, sort_keys=True)
    assert shown.replace('"', "&quot;") in text
    assert "Early-support discussion: days of absence" in text
    assert "Default: 20." in text
    assert 'name="discussion_days" value="15"' in text


def test_a_coordinator_saves_thresholds_and_a_mapping_and_the_audit_event_has_before_and_after(
    home,
):
    coordinator = user_with_role(Role.COORDINATOR, home)
    response = client_for(coordinator).post(
        PAGE,
        form_data(discussion_spells="3", discussion_days="", mapping=json.dumps(MAPPING)),
        follow=True,
    )
    assert response.redirect_chain == [(PAGE, 302)]
    assert "The settings were saved." in response.content.decode()
    stored = ExportMapping.objects.get(municipality=home)
    assert stored.column_mapping == MAPPING
    assert stored.thresholds == {**Thresholds().to_json(), "discussion_spells": 3}
    event = AuditEvent.objects.get(action="hr_reports.settings")
    assert event.actor == coordinator
    assert event.municipality == home
    assert event.via == "web"
    assert event.details == {
        "before": {"mapping": {}, "thresholds": {}},
        "after": {"mapping": MAPPING, "thresholds": stored.thresholds},
    }


def test_saving_only_the_thresholds_leaves_the_mapping_as_it_was(home):
    ExportMapping.objects.create(municipality=home, column_mapping=MAPPING)
    coordinator = user_with_role(Role.COORDINATOR, home)
    client = client_for(coordinator)
    shown = client.get(PAGE).context["form"].initial
    response = client.post(PAGE, {**shown, "window_months": "6"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="hr_reports.settings")
    assert event.details["before"]["mapping"] == event.details["after"]["mapping"] == MAPPING
    assert ExportMapping.objects.get(municipality=home).thresholds["window_months"] == 6


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"mapping": '{"sheets": {"units": '}, "mapping", "not valid JSON"),
        ({"mapping": '{"sheets": {"units": "Yksiköt"}'}, "mapping", "line 1, column"),
        (
            {"mapping": json.dumps({"columns": {"units": {"unit_nr": "Nro"}}})},
            "mapping",
            "unknown column units.unit_nr",
        ),
        ({"mapping": json.dumps({"sheets": {"nope": "x"}})}, "mapping", "unknown sheets"),
        (
            {"mapping": json.dumps({"codes": {"absences.type": {"SAI": ""}}})},
            "mapping",
            "codes.absences.type",
        ),
        ({"mapping": "[]"}, "mapping", "must be a JSON object"),
        (
            {"discussion_days": "-5"},
            "discussion_days",
            "“Early-support discussion: days of absence” must be a whole number of at least 1.",
        ),
        ({"window_months": "twelve"}, "window_months", "must be a whole number"),
        (
            {"occupational_health_spells": "4"},
            "occupational_health_spells",
            "must not be below “Early-support discussion: number of absences” (5)",
        ),
    ],
)
def test_invalid_input_is_refused_with_400_next_to_its_field_and_nothing_is_stored(
    home, changes, field, words
):
    coordinator = user_with_role(Role.COORDINATOR, home)
    response = client_for(coordinator).post(PAGE, form_data(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert any(words in message for message in form.errors[field])
    text = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error">' in text  # tied to the field
    assert f'aria-invalid="true" aria-describedby="id_{field}_helptext id_{field}_error"' in text
    assert not ExportMapping.objects.exists()
    assert not AuditEvent.objects.filter(action="hr_reports.settings").exists()


def test_the_errors_are_in_the_users_language(home):
    coordinator = user_with_role(Role.COORDINATOR, home)
    response = client_for(coordinator, "fi").post(
        PAGE, form_data(discussion_days="-1", mapping="{")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "kokonaisluku" in errors["discussion_days"][0]
    assert "JSON" in errors["mapping"][0]
    assert "Sarakkeiden vastaavuudet" in response.content.decode()
    assert not ExportMapping.objects.exists()


def test_a_viewer_and_a_developer_get_403_and_change_nothing(home):
    for role in (Role.VIEWER, Role.DEVELOPER, Role.REVIEWER):
        client = client_for(user_with_role(role, home))
        assert client.get(INDEX).status_code == 403
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, form_data(discussion_spells="2")).status_code == 403
    assert not ExportMapping.objects.exists()
    assert not AuditEvent.objects.filter(action="hr_reports.settings").exists()


def test_another_municipalitys_coordinator_gets_404_and_sees_only_their_own(home, other):
    outsider = user_with_role(Role.COORDINATOR, other)
    client = client_for(outsider)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, form_data(discussion_spells="2")).status_code == 404
    assert client.get(INDEX)["Location"] == reverse("hr_reports_staff:settings", args=["naapurila"])
    assert not ExportMapping.objects.exists()


def test_a_coordinator_of_two_municipalities_chooses_between_only_those(home, other):
    MunicipalityFactory(slug="kolmasla", name_fi="Kolmasla")
    coordinator = user_with_role(Role.COORDINATOR, home)
    user_with_role(Role.COORDINATOR, other, username=coordinator.username)
    text = client_for(coordinator).get(INDEX).content.decode()
    assert PAGE in text
    assert reverse("hr_reports_staff:settings", args=["naapurila"]) in text
    assert "kolmasla" not in text


def test_the_settings_page_needs_a_login(home):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_action_refuses_a_viewer_and_names_the_part_of_the_input_at_fault(home):
    viewer = user_with_role(Role.VIEWER, home)
    coordinator = user_with_role(Role.COORDINATOR, home)
    with pytest.raises(PermissionDeniedError):
        hr_actions.save_settings(viewer, home, thresholds={"discussion_spells": 3}, via="web")
    for data, field in (
        ({"thresholds": {"discussion_days": -1}}, "thresholds.discussion_days"),
        ({"thresholds": {"nope": 1}}, "thresholds"),
        ({"mapping": None}, "mapping"),
    ):
        with pytest.raises(InputError) as raised:
            hr_actions.save_settings(coordinator, home, **data)
        assert raised.value.field == field
    assert not ExportMapping.objects.exists()


def test_the_cli_stores_the_settings_through_the_shared_action(home, tmp_path, monkeypatch):
    coordinator = user_with_role(Role.COORDINATOR, home)
    calls = []
    original = hr_actions.save_settings

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(hr_actions, "save_settings", spy)
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text(json.dumps({"discussion_spells": 3}))
    out = StringIO()
    call_command(
        "hr-reports",
        "settings",
        "--municipality",
        "esimerkkila",
        "--user",
        coordinator.username,
        "--thresholds",
        str(thresholds),
        stdout=out,
    )
    assert calls == [{"thresholds": {"discussion_spells": 3}, "via": "cli"}]
    printed = json.loads(out.getvalue())
    assert printed["thresholds"]["discussion_spells"] == 3
    assert printed["mapping"] == {}
    event = AuditEvent.objects.get(action="hr_reports.settings")
    assert event.via == "cli"
    assert event.details["before"] == {"mapping": {}, "thresholds": {}}
