"""The fetch robot's settings: a run without the payroll system's address is refused before it
makes an item, and an address with a password in it is not accepted."""

from __future__ import annotations

import pytest

from kuntarobo.robots.hr_fetch.robot import HrFetchRobot
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import WorkItem
from kuntarobo.runtime.settings_actions import current_settings, save_robot_settings

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_the_systems_address_the_run_is_refused_before_any_item(municipality, coordinator):
    with pytest.raises(InputError) as refused:
        actions.start_run(coordinator, municipality, "hr_fetch", parameters={"month": "2026-11"})
    assert refused.value.field == "system_url"
    assert "address is not set" in str(refused.value)
    assert not WorkItem.objects.exists()


def test_an_address_with_a_password_in_it_is_refused_and_nothing_is_saved(
    municipality, coordinator
):
    with pytest.raises(InputError) as refused:
        save_robot_settings(
            coordinator,
            municipality,
            HrFetchRobot,
            {"system_url": "https://robotti:salasana@palkat.esimerkkila.fi/"},
            partial=True,
        )
    assert refused.value.field == "system_url"
    values = current_settings(municipality, HrFetchRobot)
    assert values["system_url"] == ""
    assert values["credential_name"] == "palkkajarjestelma"
