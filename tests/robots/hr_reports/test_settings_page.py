"""The HR robot's settings on the platform's settings page (made from the robot's schema): a
coordinator sets the column mapping and the early-support thresholds in the web UI, through the
action the CLI and API use; bad input is refused field by field and nothing is stored; nobody
else sees or changes another municipality's settings."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.hr_reports.early_support import Thresholds
from kuntarobo.robots.hr_reports.robot import HrReportsRobot, municipality_settings
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import RobotSettings
from kuntarobo.runtime.settings_actions import save_robot_settings
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db

PAGE = reverse("robot_municipal_settings", args=["hr_reports", "esimerkkila"])
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
    data: dict[str, object] = {
        f"s__{name}": value for name, value in Thresholds().to_json().items()
    }
    data["s__column_mapping"] = ""
    data.update({f"s__{name}": value for name, value in changes.items()})
    return data


def test_the_robot_page_links_to_the_settings_page(home):
    coordinator = user_with_role(Role.COORDINATOR, home)
    page = client_for(coordinator).get(reverse("robot_detail", args=["hr_reports"]))
    assert PAGE in page.content.decode()


def test_the_page_shows_the_mapping_as_json_and_the_thresholds_with_their_defaults(home):
    coordinator = user_with_role(Role.COORDINATOR, home)
    save_robot_settings(
        coordinator, home, HrReportsRobot, {"column_mapping": MAPPING, "discussion_days": 15}
    )
    response = client_for(coordinator).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    shown = json.dumps(MAPPING, indent=2, ensure_ascii=False, sort_keys=True)
    assert shown.replace('"', "&quot;") in text
    assert "Early-support discussion: days of absence" in text
    assert "Default: 20." in text
    assert 'name="s__discussion_days" value="15"' in text


def test_a_coordinator_saves_thresholds_and_a_mapping_and_the_audit_event_has_before_and_after(
    home,
):
    coordinator = user_with_role(Role.COORDINATOR, home)
    response = client_for(coordinator).post(
        PAGE,
        form_data(discussion_spells="3", discussion_days="", column_mapping=json.dumps(MAPPING)),
        follow=True,
    )
    assert response.redirect_chain == [(PAGE, 302)]
    assert "The settings were saved." in response.content.decode()
    mapping, thresholds = municipality_settings("esimerkkila")
    assert mapping is not None
    assert mapping.to_json() == MAPPING
    assert thresholds == Thresholds(discussion_spells=3)
    event = AuditEvent.objects.get(action="robot.settings")
    assert (event.actor, event.municipality, event.via) == (coordinator, home, "web")
    assert event.details["before"]["column_mapping"] == {}
    assert event.details["after"]["column_mapping"] == MAPPING
    assert event.details["after"]["discussion_spells"] == 3


def test_saving_only_the_thresholds_leaves_the_mapping_as_it_was(home):
    coordinator = user_with_role(Role.COORDINATOR, home)
    save_robot_settings(coordinator, home, HrReportsRobot, {"column_mapping": MAPPING})
    client = client_for(coordinator)
    shown = client.get(PAGE).context["form"].initial
    response = client.post(PAGE, {**shown, "s__window_months": "6"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="robot.settings").latest("id")
    assert event.details["before"]["column_mapping"] == MAPPING
    assert event.details["after"]["column_mapping"] == MAPPING
    assert municipality_settings("esimerkkila")[1].window_months == 6


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"column_mapping": '{"sheets": {"units": '}, "column_mapping", "not valid JSON"),
        ({"column_mapping": '{"sheets": {"units": "Yksiköt"}'}, "column_mapping", "column"),
        (
            {"column_mapping": json.dumps({"columns": {"units": {"unit_nr": "Nro"}}})},
            "column_mapping",
            "unknown column units.unit_nr",
        ),
        (
            {"column_mapping": json.dumps({"sheets": {"nope": "x"}})},
            "column_mapping",
            "unknown sheets",
        ),
        (
            {"column_mapping": json.dumps({"codes": {"absences.type": {"SAI": ""}}})},
            "column_mapping",
            "codes.absences.type",
        ),
        ({"column_mapping": "[]"}, "column_mapping", "must be a JSON object"),
        (
            {"discussion_days": "-5"},
            "discussion_days",
            "“Early-support discussion: days of absence” (discussion_days) must be at least 1",
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
    name = f"s__{field}"
    assert any(words in message for message in form.errors[name]), form.errors
    text = response.content.decode()
    assert f'<ul class="errorlist" id="id_{name}_error">' in text  # tied to the field
    assert 'aria-invalid="true"' in text
    assert not RobotSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="robot.settings").exists()


def test_the_errors_are_in_the_users_language(home):
    coordinator = user_with_role(Role.COORDINATOR, home)
    response = client_for(coordinator, "fi").post(PAGE, form_data(discussion_days="-1"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Varhaisen tuen keskustelu: poissaolopäivät" in errors["s__discussion_days"][0]
    assert "Sarakkeiden vastaavuudet" in response.content.decode()
    assert not RobotSettings.objects.exists()


def test_a_viewer_and_a_developer_get_403_and_change_nothing(home):
    for role in (Role.VIEWER, Role.DEVELOPER, Role.REVIEWER):
        client = client_for(user_with_role(role, home))
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, form_data(discussion_spells="2")).status_code == 403
    assert not RobotSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="robot.settings").exists()


def test_another_municipalitys_coordinator_gets_404(home, other):
    outsider = user_with_role(Role.COORDINATOR, other)
    client = client_for(outsider)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, form_data(discussion_spells="2")).status_code == 404
    assert not RobotSettings.objects.exists()


def test_the_settings_page_needs_a_login(home):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_action_refuses_a_viewer_and_names_the_setting_at_fault(home):
    viewer = user_with_role(Role.VIEWER, home)
    coordinator = user_with_role(Role.COORDINATOR, home)
    with pytest.raises(PermissionDeniedError):
        save_robot_settings(viewer, home, HrReportsRobot, {"discussion_spells": 3})
    for data, field in (
        ({"discussion_days": -1}, "discussion_days"),
        ({"nope": 1}, "nope"),
        ({"column_mapping": []}, "column_mapping"),
    ):
        with pytest.raises(InputError) as raised:
            save_robot_settings(coordinator, home, HrReportsRobot, data)
        assert raised.value.field == field
    assert not RobotSettings.objects.exists()


def test_the_cli_stores_the_settings_through_the_shared_action(home, tmp_path):
    coordinator = user_with_role(Role.COORDINATOR, home)
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text(json.dumps({"discussion_spells": 3}))
    out = StringIO()
    common = ["hr_reports", "--municipality", "esimerkkila", "--user", coordinator.username]
    call_command("settings", "set", *common, "--file", str(thresholds), "--partial", stdout=out)
    assert json.loads(out.getvalue())["values"]["discussion_spells"] == 3
    assert municipality_settings("esimerkkila") == (None, Thresholds(discussion_spells=3))
    event = AuditEvent.objects.get(action="robot.settings")
    assert event.via == "cli"
    assert event.details["before"]["discussion_spells"] == Thresholds().discussion_spells
