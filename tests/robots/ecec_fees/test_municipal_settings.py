"""The fee robot's municipal settings on the platform's schema: the same JSON the pure reader
reads, the generic settings page, and the migration from the robot's own rows."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from kuntarobo.accounts.models import Role
from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings, example_settings
from kuntarobo.robots.ecec_fees.municipal_settings import SCHEMA
from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
from kuntarobo.runtime.models import RobotSettings
from kuntarobo.runtime.settings_actions import settings_row_in_force
from kuntarobo.sdk import InputError
from tests.factories import MunicipalityFactory, user_with_role


def test_the_settings_are_the_keys_of_the_readers_json():
    full = {**example_settings("X"), "suomifi_service_id": "x_vaka"}
    full["sender_address"] = {"street": "PL 1", "postal_code": "00100", "city": "X"}
    json = MunicipalFeeSettings.from_json(full).to_json()
    assert [setting.name for setting in SCHEMA.settings] == list(json)
    values = SCHEMA.parse(json)
    assert MunicipalFeeSettings.from_json(values) == MunicipalFeeSettings.from_json(full)


def test_an_empty_form_field_reads_as_the_readers_default():
    values = SCHEMA.parse(example_settings("X"))
    assert values["suomifi_service_id"] == ""
    assert values["sender_address"] == {"street": "", "postal_code": "", "city": ""}
    settings = MunicipalFeeSettings.from_json(values)
    assert settings.suomifi_service_id == ""
    assert settings.sender_address == ("", "", "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision_number_prefix": "vaka"}, "decision_number_prefix"),
        ({"maximum_age_years": 40}, "maximum_age_years"),
        ({"officials_language": "en"}, "officials_language"),
        ({"contact": {"phone": "1"}}, "contact.name"),
        (
            {
                "service_need_bands": [
                    {"max_hours": 100, "coefficient": "0.6"},
                    {"max_hours": 90, "coefficient": "0.7"},
                    {"max_hours": None, "coefficient": "1"},
                ]
            },
            "service_need_bands[2].max_hours",
        ),
        (
            {"service_need_bands": [{"max_hours": None, "coefficient": "2"}]},
            "service_need_bands[1].coefficient",
        ),
        (
            # Care of at most 84 h/month (20 h/week) costs at most 60 % (act 1503/2016).
            {
                "service_need_bands": [
                    {"max_hours": 60, "coefficient": "0.5"},
                    {"max_hours": 84, "coefficient": "0.65"},
                    {"max_hours": None, "coefficient": "1"},
                ]
            },
            "service_need_bands[2].coefficient",
        ),
        ({"retroactive_limit_months": 13}, "retroactive_limit_months"),
    ],
)
def test_the_readers_refusal_names_the_settings_field(change: dict[str, Any], field: str):
    with pytest.raises(InputError) as refused:
        SCHEMA.parse({**example_settings("X"), **change})
    assert refused.value.field == field


def test_a_band_above_sixty_percent_for_at_most_84_hours_is_refused_naming_the_band():
    bands = [{"max_hours": 84, "coefficient": "0.61"}, {"max_hours": None, "coefficient": "1"}]
    with pytest.raises(InputError) as refused:
        SCHEMA.parse({**example_settings("X"), "service_need_bands": bands})
    assert "the band up to 84 h/month has the coefficient 0.61" in str(refused.value)
    # 85 h/month is above 20 h/week: the municipality's own choice.
    bands[0]["max_hours"] = 85
    SCHEMA.parse({**example_settings("X"), "service_need_bands": bands})


def test_a_pre_primary_child_counts_in_the_sibling_order_unless_the_municipality_says_not():
    assert MunicipalFeeSettings.from_json(example_settings("X")).pre_primary_in_sibling_order
    values = {**example_settings("X"), "pre_primary_in_sibling_order": False}
    assert not MunicipalFeeSettings.from_json(values).pre_primary_in_sibling_order


def _form(**changes: str) -> dict[str, str]:
    data = {
        "valid_from": "2025-01-01",
        "s__authority__fi": "Naapurila, varhaiskasvatuspalvelut",
        "s__authority__sv": "",
        "s__contact__name": "Aino Asiakasmaksu",
        "s__contact__title__fi": "asiakasmaksusihteeri",
        "s__contact__title__sv": "",
        "s__contact__phone": "",
        "s__contact__email": "",
        "s__review_authority__name__fi": "Kasvatuslautakunta",
        "s__review_authority__name__sv": "",
        "s__review_authority__street__fi": "PL 1",
        "s__review_authority__street__sv": "PB 1",
        "s__review_authority__postal_code": "00100",
        "s__review_authority__city__fi": "Naapurila",
        "s__review_authority__city__sv": "Grannby",
        "s__review_authority__email": "",
        "s__service_need_decision__fi": "Kasvatuslautakunta 12.5.2026 § 34",
        "s__service_need_decision__sv": "",
        "s__service_need_bands__1__max_hours": "100",
        "s__service_need_bands__1__coefficient": "0,6",
        "s__service_need_bands__2__max_hours": "",
        "s__service_need_bands__2__coefficient": "1",
        "s__decision_number_prefix": "VAKA",
        "s__large_change_percent": "20",
        "s__large_change_cents": "5000",
        "s__maximum_age_years": "7",
        "s__officials_language": "fi",
        "s__sender_address__street": "",
        "s__sender_address__postal_code": "",
        "s__sender_address__city": "",
        "s__suomifi_service_id": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_settings_page_saves_dated_settings_the_robot_reads():
    municipality = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    client = Client()
    client.force_login(user_with_role(Role.COORDINATOR, municipality, username="koordinaattori"))
    url = f"/robots/ecec_fees/municipal-settings/{municipality.slug}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fi")
    assert page.status_code == 200
    assert "Oikaisuvaatimuksen vastaanottaja" in page.content.decode()
    refused = client.post(url, _form(s__review_authority__postal_code="123"))
    assert refused.status_code == 400
    assert "s__review_authority__postal_code" in refused.context["form"].errors
    assert client.post(url, _form()).status_code == 302
    row = settings_row_in_force(municipality, EcecFeeRobot, datetime.date(2025, 6, 1))
    assert row is not None
    assert row.valid_from == datetime.date(2025, 1, 1)
    settings = MunicipalFeeSettings.from_json(row.values)
    assert settings.coefficient_for_hours(150) == 1
    assert settings.contact.name == "Aino Asiakasmaksu"
    assert settings_row_in_force(municipality, EcecFeeRobot, datetime.date(2024, 12, 31)) is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_robots_own_rows_with_their_dates():
    migration = importlib.import_module(
        "kuntarobo.robots.ecec_fees.migrations.0010_settings_on_the_platform_schema"
    )
    municipality = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    stored = [
        (datetime.date(2020, 1, 1), example_settings("Naapurila")),
        (datetime.date(2025, 8, 1), {**example_settings("Naapurila"), "maximum_age_years": 6}),
    ]
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(
        [
            ("ecec_fees", "0009_decision_number_per_municipality"),
            ("runtime", "0006_work_item_waiting"),
        ]
    )
    old_row = state.apps.get_model("ecec_fees", "MunicipalSettingsRow")
    with connection.schema_editor() as editor:
        editor.create_model(old_row)
        for valid_from, values in stored:
            old_row.objects.create(
                municipality_id=municipality.pk, valid_from=valid_from, settings=values
            )
        migration.copy_rows(state.apps, editor)
        migration.copy_rows(state.apps, editor)  # a second run copies nothing twice
        editor.delete_model(old_row)
    rows = RobotSettings.objects.filter(robot_slug="ecec_fees").order_by("valid_from")
    assert [(row.valid_from, row.values) for row in rows] == stored
    assert all(row.saved_by.startswith("migration") for row in rows)
