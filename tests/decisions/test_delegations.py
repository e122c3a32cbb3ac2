"""Deciding officials' delegations: only the municipality's administrator records and ends them,
through `kuntarobo delegations` or the action, and every change is in the audit trail."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kuntarobo.accounts.models import Delegation, Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.decisions.delegations import delegation_for, end_delegation, grant_delegation
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")


def delegations(*arguments: str) -> str:
    out = StringIO()
    call_command("delegations", *arguments, stdout=out)
    return out.getvalue()


def test_an_administrator_grants_a_delegation_on_the_command_line_and_it_is_audited(
    municipality,
):
    user_with_role(Role.ADMINISTRATOR, municipality, username="paakayttaja")
    official = user_with_role(Role.REVIEWER, municipality, username="tarkastaja")
    printed = delegations(
        "grant",
        "--municipality=esimerkkila",
        "--user=paakayttaja",
        "--official=tarkastaja",
        "--robot=ecec_fees",
        "--title-fi=varhaiskasvatuspäällikkö",
        "--title-sv=chef för småbarnspedagogiken",
        "--basis=Sivistyslautakunta 14.1.2026 § 5",
        "--valid-from=2026-01-01",
    )
    assert "tarkastaja decides ecec_fees in esimerkkila as varhaiskasvatuspäällikkö" in printed
    delegation = delegation_for(
        official.pk, municipality.pk, "ecec_fees", datetime.date(2026, 3, 1)
    )
    assert delegation is not None
    assert delegation.title("sv") == "chef för småbarnspedagogiken"
    assert "paakayttaja" in delegation.created_by
    event = AuditEvent.objects.get(action="delegation.grant")
    assert event.details["user"] == "tarkastaja"
    assert event.details["basis"] == "Sivistyslautakunta 14.1.2026 § 5"
    listing = delegations("list", "--municipality=esimerkkila", "--user=paakayttaja")
    assert "varhaiskasvatuspäällikkö / chef för småbarnspedagogiken" in listing
    delegations("end", str(delegation.pk), "--user=paakayttaja", "--valid-to=2026-06-30")
    assert (
        delegation_for(official.pk, municipality.pk, "ecec_fees", datetime.date(2026, 7, 1)) is None
    )
    assert delegation_for(official.pk, municipality.pk, "ecec_fees", datetime.date(2026, 6, 30))
    assert AuditEvent.objects.filter(action="delegation.end").count() == 1


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.REVIEWER, Role.DEVELOPER, Role.VIEWER])
def test_only_an_administrator_may_grant_or_end_a_delegation(municipality, role):
    actor = user_with_role(role, municipality)
    official = user_with_role(Role.REVIEWER, municipality, username="tarkastaja")
    with pytest.raises(PermissionDeniedError):
        grant_delegation(
            actor,
            municipality,
            username="tarkastaja",
            matter="ecec_fees",
            title_fi="päällikkö",
            basis="Lautakunta 1.1.2026 § 1",
            valid_from=datetime.date(2026, 1, 1),
        )
    # An official may not even give themselves a delegation.
    with pytest.raises(PermissionDeniedError):
        grant_delegation(
            official,
            municipality,
            username="tarkastaja",
            matter="ecec_fees",
            title_fi="päällikkö",
            basis="Lautakunta 1.1.2026 § 1",
            valid_from=datetime.date(2026, 1, 1),
        )
    admin = user_with_role(Role.ADMINISTRATOR, municipality)
    granted = grant_delegation(
        admin,
        municipality,
        username="tarkastaja",
        matter="ecec_fees",
        title_fi="päällikkö",
        basis="Lautakunta 1.1.2026 § 1",
        valid_from=datetime.date(2026, 1, 1),
    )
    with pytest.raises(PermissionDeniedError):
        end_delegation(actor, granted, valid_to=datetime.date(2026, 2, 1))
    assert not AuditEvent.objects.filter(action="delegation.end").exists()


def test_an_administrator_of_another_municipality_cannot_delegate_here(municipality):
    other = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    user_with_role(Role.ADMINISTRATOR, other, username="naapuri")
    user_with_role(Role.REVIEWER, municipality, username="tarkastaja")
    with pytest.raises(CommandError, match="naapuri may not manage_users in esimerkkila"):
        delegations(
            "grant",
            "--municipality=esimerkkila",
            "--user=naapuri",
            "--official=tarkastaja",
            "--robot=ecec_fees",
            "--title-fi=päällikkö",
            "--basis=Lautakunta 1.1.2026 § 1",
            "--valid-from=2026-01-01",
        )
    assert not Delegation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "stranger"}, "user"),
        ({"matter": "no_such_robot"}, "robot"),
        ({"title_fi": "  "}, "title_fi"),
        ({"basis": ""}, "basis"),
        ({"valid_to": datetime.date(2025, 12, 31)}, "valid_to"),
    ],
)
def test_a_bad_delegation_is_refused_naming_the_field_and_nothing_is_written(
    municipality, changes, field
):
    admin = user_with_role(Role.ADMINISTRATOR, municipality)
    user_with_role(Role.REVIEWER, municipality, username="tarkastaja")
    user_with_role(Role.REVIEWER, MunicipalityFactory(slug="muu"), username="stranger")
    values = {
        "username": "tarkastaja",
        "matter": "ecec_fees",
        "title_fi": "päällikkö",
        "basis": "Lautakunta 1.1.2026 § 1",
        "valid_from": datetime.date(2026, 1, 1),
        **changes,
    }
    with pytest.raises(InputError) as refused:
        grant_delegation(admin, municipality, **values)
    assert refused.value.field == field
    assert not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(action="delegation.grant").exists()
