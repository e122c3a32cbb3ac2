"""A robot's municipal settings declared as a schema: one parser, one audited action, and the
page, the CLI and the API made from the schema for any robot that declares one."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime.declarations import (
    _REGISTRY,
    InputError,
    ItemSpec,
    PathDescription,
    Robot,
    RobotClass,
    Text,
)
from kuntarobo.runtime.models import RobotSettings
from kuntarobo.runtime.settings_actions import current_settings, save_robot_settings
from kuntarobo.runtime.settings_schema import Setting, SettingsSchema
from tests.factories import user_with_role


def _check(values: dict[str, Any]) -> None:
    if values["strong_days"] < values["weak_days"]:
        raise InputError("the strong threshold must not be below the weak one", field="strong_days")


SCHEMA = SettingsSchema(
    settings=(
        Setting(
            "weak_days",
            Text(fi="Heikko raja", sv="Svag gräns", en="Weak limit"),
            kind="integer",
            default=10,
            minimum=1,
            maximum=365,
        ),
        Setting(
            "strong_days",
            Text(fi="Vahva raja", sv="Stark gräns", en="Strong limit"),
            kind="integer",
            default=30,
            minimum=1,
            maximum=365,
        ),
        Setting(
            "signature",
            Text(fi="Allekirjoitus", sv="Underskrift", en="Signature"),
            kind="translated",
            required=True,
        ),
        Setting(
            "bands",
            Text(fi="Palveluntarve", sv="Servicebehov", en="Service need"),
            kind="rows",
            columns=(
                Setting(
                    "max_hours",
                    Text(fi="Tunnit enintään", en="Hours at most"),
                    kind="integer",
                    minimum=1,
                ),
                Setting(
                    "share",
                    Text(fi="Osuus", en="Share"),
                    kind="decimal",
                    required=True,
                    minimum=0,
                    maximum=1,
                ),
            ),
        ),
        Setting("mapping", Text(fi="Sarakkeet", en="Columns"), kind="json"),
        Setting(
            "contact",
            Text(fi="Yhteyshenkilö", sv="Kontaktperson", en="Contact person"),
            kind="group",
            columns=(
                Setting("name", Text(fi="Nimi", en="Name"), default=""),
                Setting("title", Text(fi="Nimike", en="Title"), kind="translated"),
                Setting("phone", Text(fi="Puhelin", en="Phone"), default=""),
            ),
        ),
    ),
    check=_check,
)


class SettingsRobot(Robot):
    slug = "settings_example"
    name = Text(fi="Asetusesimerkki", en="Settings example")
    description = Text(fi="Testi")
    robot_class = RobotClass.ASSISTS
    path = PathDescription(summary=Text(fi="Testi"), steps=())
    municipal_settings = SCHEMA

    def produce(self, context: Any) -> Iterator[ItemSpec]:
        return iter(())


class DatedRobot(SettingsRobot):
    slug = "dated_settings_example"
    municipal_settings = SettingsSchema(settings=SCHEMA.settings[:2], dated=True)


GOOD = {
    "weak_days": "12",
    "strong_days": 40,
    "signature": {"fi": "Palvelualue", "sv": "Serviceområdet"},
    "bands": [{"max_hours": "84", "share": "0,60"}, {"max_hours": None, "share": "1"}],
    "mapping": '{"person": "Henkilönumero"}',
    "contact": {"name": "Maija", "title": {"fi": "sihteeri", "sv": "sekreterare"}},
}


@pytest.fixture(autouse=True)
def _robots() -> Iterator[None]:
    _REGISTRY[SettingsRobot.slug] = SettingsRobot
    _REGISTRY[DatedRobot.slug] = DatedRobot
    yield
    del _REGISTRY[SettingsRobot.slug]
    del _REGISTRY[DatedRobot.slug]


@pytest.fixture
def coordinator(municipality):
    return user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")


def test_the_schema_parses_every_kind_and_stores_json():
    values = SCHEMA.parse(GOOD)
    assert values == {
        "weak_days": 12,
        "strong_days": 40,
        "signature": {"fi": "Palvelualue", "sv": "Serviceområdet"},
        "bands": [{"max_hours": 84, "share": "0.60"}, {"max_hours": None, "share": "1"}],
        "mapping": {"person": "Henkilönumero"},
        "contact": {
            "name": "Maija",
            "title": {"fi": "sihteeri", "sv": "sekreterare"},
            "phone": "",
        },
    }
    json.dumps(values)


def test_a_group_defaults_to_its_settings_defaults():
    assert SCHEMA.defaults()["contact"] == {
        "name": "",
        "title": {"fi": "", "sv": ""},
        "phone": "",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weak_days": "0"}, "weak_days"),
        ({"weak_days": "ten"}, "weak_days"),
        ({"strong_days": 5}, "strong_days"),
        ({"signature": {"fi": ""}}, "signature.fi"),
        ({"signature": {"de": "Hallo"}}, "signature.de"),
        ({"bands": [{"max_hours": 84, "share": "2"}]}, "bands[1].share"),
        ({"bands": [{"max_hours": 84}]}, "bands[1].share"),
        ({"bands": [{"hours": 84, "share": "1"}]}, "bands[1]"),
        ({"mapping": "{not json"}, "mapping"),
        ({"colour": "red"}, "colour"),
        ({"contact": {"title": {"de": "x"}}}, "contact.title.de"),
        ({"contact": {"email": "x"}}, "contact.email"),
        ({"contact": "Maija"}, "contact"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(change, field):
    with pytest.raises(InputError) as refused:
        SCHEMA.parse({**GOOD, **change})
    assert refused.value.field == field


@pytest.mark.django_db
def test_saving_keeps_history_and_audits_before_and_after(municipality, coordinator):
    assert current_settings(municipality, SettingsRobot)["weak_days"] == 10  # the default
    save_robot_settings(coordinator, municipality, SettingsRobot, GOOD, via="cli")
    save_robot_settings(
        coordinator, municipality, SettingsRobot, {"weak_days": 20}, partial=True, via="cli"
    )
    now = current_settings(municipality, SettingsRobot)
    assert (now["weak_days"], now["strong_days"]) == (20, 40)
    assert RobotSettings.objects.count() == 2
    event = AuditEvent.objects.filter(action="robot.settings").latest("id")
    assert event.details["before"]["weak_days"] == 12
    assert event.details["after"]["weak_days"] == 20
    assert event.via == "cli"


@pytest.mark.django_db
def test_a_viewer_cannot_change_settings_and_nothing_is_written(municipality):
    viewer = user_with_role(Role.VIEWER, municipality, username="katsoja")
    from kuntarobo.runtime.actions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        save_robot_settings(viewer, municipality, SettingsRobot, GOOD)
    assert not RobotSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="robot.settings").exists()


@pytest.mark.django_db
def test_dated_settings_need_a_day_and_each_day_is_saved_once(municipality, coordinator):
    with pytest.raises(InputError) as refused:
        save_robot_settings(coordinator, municipality, DatedRobot, {"weak_days": 5})
    assert refused.value.field == "valid_from"
    january, june = datetime.date(2026, 1, 1), datetime.date(2026, 6, 1)
    save_robot_settings(coordinator, municipality, DatedRobot, {"weak_days": 5}, valid_from=january)
    save_robot_settings(coordinator, municipality, DatedRobot, {"weak_days": 7}, valid_from=june)
    with pytest.raises(InputError):
        save_robot_settings(
            coordinator, municipality, DatedRobot, {"weak_days": 9}, valid_from=june
        )
    assert current_settings(municipality, DatedRobot, datetime.date(2026, 3, 1))["weak_days"] == 5
    assert current_settings(municipality, DatedRobot, datetime.date(2026, 7, 1))["weak_days"] == 7


def _form_data(**changes: str) -> dict[str, str]:
    data = {
        "s__weak_days": "12",
        "s__strong_days": "40",
        "s__signature__fi": "Palvelualue",
        "s__signature__sv": "Serviceområdet",
        "s__bands__1__max_hours": "84",
        "s__bands__1__share": "0,6",
        "s__bands__2__max_hours": "",
        "s__bands__2__share": "",
        "s__bands__3__max_hours": "",
        "s__bands__3__share": "1",
        "s__mapping": "{}",
        "s__contact__name": "Maija",
        "s__contact__title__fi": "sihteeri",
        "s__contact__title__sv": "sekreterare",
        "s__contact__phone": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_settings_page_is_made_from_the_schema_and_saves_through_the_action(
    municipality, coordinator
):
    client = Client()
    client.force_login(coordinator)
    url = f"/robots/settings_example/municipal-settings/{municipality.slug}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fi")
    assert page.status_code == 200
    text = page.content.decode()
    for label in ("Heikko raja", "Palveluntarve", "Tunnit enintään", "Allekirjoitus"):
        assert label in text
    saved = client.post(url, _form_data())
    assert saved.status_code == 302
    values = current_settings(municipality, SettingsRobot)
    # The empty middle row is left out: two bands remain.
    assert values["bands"] == [{"max_hours": 84, "share": "0.6"}, {"max_hours": None, "share": "1"}]
    assert values["contact"] == {
        "name": "Maija",
        "title": {"fi": "sihteeri", "sv": "sekreterare"},
        "phone": "",
    }
    assert AuditEvent.objects.filter(action="robot.settings", via="web").count() == 1
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "<legend>Yhteyshenkilö</legend>" in page
    assert 'name="s__contact__title__sv"' in page
    assert 'value="sekreterare"' in page


@pytest.mark.django_db
def test_a_refused_value_on_the_page_is_shown_beside_its_field_and_nothing_is_saved(
    municipality, coordinator
):
    client = Client()
    client.force_login(coordinator)
    url = f"/robots/settings_example/municipal-settings/{municipality.slug}/"
    refused = client.post(url, _form_data(s__bands__3__share="7"))
    assert refused.status_code == 400
    form = refused.context["form"]
    assert "s__bands__3__share" in form.errors
    assert not RobotSettings.objects.exists()


def test_a_nested_path_points_at_the_field_of_a_group():
    from kuntarobo.web.settings_form import RobotSettingsForm

    form = RobotSettingsForm(data={}, schema=SCHEMA, current={})
    error = InputError("x", field="contact.title.sv")
    assert form.field_of(error) == "s__contact__title__sv"
    assert form.field_of(InputError("x", field="contact.phone")) == "s__contact__phone"


@pytest.mark.django_db
def test_someone_without_the_right_does_not_get_the_page(municipality):
    client = Client()
    client.force_login(user_with_role(Role.REVIEWER, municipality, username="tarkastaja"))
    url = f"/robots/settings_example/municipal-settings/{municipality.slug}/"
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, _form_data()).status_code in (403, 404)
    assert not RobotSettings.objects.exists()


@pytest.mark.django_db
def test_the_cli_shows_sets_and_lists_settings(municipality, coordinator, tmp_path, capsys):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    common = ["settings_example", "--municipality", municipality.slug, "--user", "koordinaattori"]
    call_command("settings", "set", *common, "--file", str(path))
    call_command("settings", "set", *common, "--set", "weak_days=15", "--partial")
    capsys.readouterr()
    call_command("settings", "show", *common)
    assert json.loads(capsys.readouterr().out)["weak_days"] == 15
    call_command("settings", "history", *common)
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    with pytest.raises(CommandError, match="weak_days"):
        call_command("settings", "set", *common, "--set", "weak_days=0", "--partial")
    assert RobotSettings.objects.count() == 2


@pytest.mark.django_db
def test_the_api_reads_and_replaces_settings_and_names_a_bad_field(municipality, coordinator):
    client = Client()
    client.force_login(coordinator)
    url = f"/api/v1/robots/settings_example/settings/{municipality.slug}"
    assert client.get(url).json()["values"]["weak_days"] == 10
    ok = client.put(url, {"values": GOOD}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["values"]["strong_days"] == 40
    bad = client.put(
        url, {"values": {"strong_days": 1}, "partial": True}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "strong_days"
    assert RobotSettings.objects.count() == 1
