"""The practice system on loopback, a municipality whose HR fetch robot points at it with the
credential in the vault, and the HR reports robot set up to deliver what the fetch hands it: the
column mapping of the practice export, the supervisors' accounts and their mail domain, and a
real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kuntarobo.accounts.models import Role
from kuntarobo.practice.columns import HR_EXCHANGE_MAPPING
from kuntarobo.practice.data import generate_units
from kuntarobo.practice.server import PracticeOptions, PracticeServer
from kuntarobo.robots.hr_fetch.robot import HrFetchRobot
from kuntarobo.robots.hr_reports.robot import HrReportsRobot
from kuntarobo.runtime.settings_actions import save_robot_settings
from kuntarobo.vault.actions import store_credential
from tests.channels.conftest import SmtpStarter, start_smtp
from tests.factories import MunicipalityFactory, user_with_role
from tests.loopback import Mailbox

__all__ = ["start_smtp"]

PASSWORD = "Harjoitus-2026!"
UNITS = 2
PER_UNIT = 3


@pytest.fixture
def practice() -> Iterator[PracticeServer]:
    server = PracticeServer(
        PracticeOptions(units=UNITS, employees_per_unit=PER_UNIT, users={"robotti": PASSWORD}),
        "127.0.0.1",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby")


@pytest.fixture
def coordinator(municipality):
    return user_with_role(Role.COORDINATOR, municipality)


@pytest.fixture
def administrator(municipality):
    """Keeps the municipality's vault (a coordinator may not)."""
    return user_with_role(Role.ADMINISTRATOR, municipality)


@pytest.fixture
def fetch_settings(practice, municipality, coordinator, administrator) -> None:
    """The robot's settings point at the practice system; the vault holds its credential."""
    save_robot_settings(
        coordinator, municipality, HrFetchRobot, {"system_url": practice.url}, partial=True
    )
    store_credential(administrator, municipality, "palkkajarjestelma", "robotti", PASSWORD)


@pytest.fixture
def smtp(start_smtp: SmtpStarter, settings) -> Mailbox:
    mailbox = start_smtp("plain")
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"
    return mailbox


@pytest.fixture
def reports_settings(practice, municipality, coordinator) -> list[str]:
    """The HR reports robot reads the practice export through its column mapping and delivers
    to the supervisors' accounts (their addresses from the practice system's data)."""
    save_robot_settings(
        coordinator,
        municipality,
        HrReportsRobot,
        {
            "column_mapping": HR_EXCHANGE_MAPPING,
            "allowed_email_domains": practice.options.mail_domain,
        },
        partial=True,
    )
    addresses = supervisor_addresses(practice)
    for address in addresses:
        user_with_role(Role.VIEWER, municipality, username=address.partition("@")[0], email=address)
    return addresses


def supervisor_addresses(practice: PracticeServer) -> list[str]:
    """Every unit's supervisor in the practice system's data."""
    options = practice.options
    units = generate_units(options.units, options.seed, options.mail_domain)
    return sorted(unit.supervisor_email for unit in units)
