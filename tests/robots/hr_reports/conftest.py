"""A real SMTP server on loopback for the HR robot's tests (plain, or STARTTLS required with a
self-signed certificate made in the test), and the export it reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kuntarobo.accounts.models import Role
from kuntarobo.robots.hr_reports.dataset import Unit
from kuntarobo.robots.hr_reports.exchange import write_export_xlsx
from kuntarobo.robots.hr_reports.robot import HrReportsRobot
from kuntarobo.runtime.settings_actions import save_robot_settings
from tests.channels.conftest import SmtpStarter, self_signed, start_smtp
from tests.factories import MunicipalityFactory, user_with_role
from tests.loopback import Mailbox
from tests.robots.hr_reports.test_reports import dataset

NO_EMAIL = Unit("U3", "Tekninen toimi", "Teemu Tekninen", "", "fi")

__all__ = ["self_signed", "start_smtp"]


@pytest.fixture
def smtp(start_smtp: SmtpStarter, settings) -> Mailbox:
    mailbox = start_smtp("plain")
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"
    return mailbox


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby")


@pytest.fixture
def coordinator(municipality):
    return user_with_role(Role.COORDINATOR, municipality)


@pytest.fixture
def supervisors(municipality, coordinator):
    """The supervisors have accounts (any role) with the addresses of the export, and the
    municipality allows its domain."""
    save_robot_settings(
        coordinator,
        municipality,
        HrReportsRobot,
        {"allowed_email_domains": "example.fi"},
        partial=True,
    )
    return {
        "sanna": user_with_role(
            Role.VIEWER, municipality, username="sanna", email="sanna@example.fi"
        ),
        "sven": user_with_role(Role.VIEWER, municipality, username="sven", email="Sven@Example.fi"),
    }


@pytest.fixture
def export(tmp_path: Path) -> Path:
    data = dataset()
    data = dataclasses.replace(data, units=(*data.units, NO_EMAIL))
    target = tmp_path / "export.xlsx"
    write_export_xlsx(data, target)
    return target
