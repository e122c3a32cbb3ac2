"""A municipality's fee settings as JSON: read strictly, written back the same."""

from __future__ import annotations

import pytest

from kuntarobo.robots.ecec_fees.municipal import (
    MunicipalFeeSettings,
    SettingsError,
    example_settings,
)


def test_settings_written_out_read_back_the_same():
    settings = MunicipalFeeSettings.from_json(
        {**example_settings("Esimerkkilä"), "suomifi_service_id": "esimerkkila_vaka"}
    )
    assert MunicipalFeeSettings.from_json(settings.to_json()) == settings


def test_without_its_own_suomifi_service_the_municipality_uses_the_installations():
    settings = MunicipalFeeSettings.from_json(example_settings("Esimerkkilä"))
    assert settings.suomifi_service_id == ""
    assert "suomifi_service_id" not in settings.to_json()


def test_a_municipality_may_send_under_its_own_suomifi_service():
    data = {**example_settings("Naapurila"), "suomifi_service_id": "naapurila_vaka-1.0"}
    settings = MunicipalFeeSettings.from_json(data)
    assert settings.suomifi_service_id == "naapurila_vaka-1.0"
    assert settings.to_json()["suomifi_service_id"] == "naapurila_vaka-1.0"


@pytest.mark.parametrize("bad", ["naapurila vaka", "x" * 101, "vaka/1"])
def test_a_malformed_suomifi_service_id_is_refused_naming_the_field(bad):
    data = {**example_settings("Naapurila"), "suomifi_service_id": bad}
    with pytest.raises(SettingsError, match="suomifi_service_id"):
        MunicipalFeeSettings.from_json(data)
