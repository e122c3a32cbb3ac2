"""The idea bank's actions: every state change checked, audited and refused as the rules say."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from kuntarobo.accounts.models import Municipality, Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio import ideas as actions
from kuntarobo.portfolio.models import Idea, IdeaStageChange, SharingScope, Stage, Workshop
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import RobotDeployment
from tests.factories import RobotDeploymentFactory
from tests.portfolio.conftest import OUTSIDER, PortfolioWorld


def coordinator(w: PortfolioWorld):
    return w.users[Role.COORDINATOR]


def test_a_coordinator_creates_an_idea_with_its_first_stage_in_the_history_and_the_trail(
    pworld: PortfolioWorld,
):
    idea = actions.create_idea(
        coordinator(pworld),
        pworld.esimerkkila,
        {"department": "Sivistys", "title": "Laskujen tarkastus", "volume_per_year": 500},
        via="web",
    )
    assert idea.stage == Stage.IDEA
    assert idea.created_by == coordinator(pworld)
    change = IdeaStageChange.objects.get(idea=idea)
    assert (change.from_stage, change.to_stage) == ("", Stage.IDEA)
    assert "Coordinator" in change.changed_by_label
    event = AuditEvent.objects.get(action="portfolio.idea_created", object_id=str(idea.pk))
    assert event.municipality == pworld.esimerkkila
    assert event.via == "web"


def test_a_viewer_may_see_ideas_but_not_create_or_edit_them(pworld: PortfolioWorld):
    viewer = pworld.users[Role.VIEWER]
    with pytest.raises(PermissionDeniedError):
        actions.create_idea(
            viewer, pworld.esimerkkila, {"department": "x", "title": "y"}, via="web"
        )
    with pytest.raises(PermissionDeniedError):
        actions.edit_idea(viewer, pworld.idea, {"title": "z"}, via="web")
    assert not AuditEvent.objects.filter(action__startswith="portfolio.idea").exists()


def test_another_municipalitys_administrator_cannot_touch_an_idea(pworld: PortfolioWorld):
    outsider = pworld.users[OUTSIDER]
    with pytest.raises(PermissionDeniedError):
        actions.edit_idea(outsider, pworld.idea, {"title": "z"}, via="web")
    with pytest.raises(PermissionDeniedError):
        actions.move_idea(outsider, pworld.idea, Stage.ASSESSED, via="web")
    with pytest.raises(PermissionDeniedError):
        actions.share_idea(outsider, pworld.idea, SharingScope.INSTALLATION, via="web")
    pworld.idea.refresh_from_db()
    assert pworld.idea.stage == Stage.IDEA
    assert pworld.idea.shared_with == SharingScope.PRIVATE


def test_an_edit_records_the_names_of_the_changed_fields_but_not_the_proposer(
    pworld: PortfolioWorld,
):
    changed = actions.edit_idea(
        coordinator(pworld),
        pworld.idea,
        {"title": "Uusi otsikko", "proposer": "Toinen Henkilö", "department": "Talous"},
        via="web",
    )
    assert changed == ["title", "proposer"]
    event = AuditEvent.objects.get(action="portfolio.idea_edited")
    assert event.details == {"changed": ["title", "proposer"]}
    assert "Toinen Henkilö" not in str(event.details)


def test_an_edit_that_changes_nothing_writes_nothing(pworld: PortfolioWorld):
    assert (
        actions.edit_idea(coordinator(pworld), pworld.idea, {"title": pworld.idea.title}, via="web")
        == []
    )
    assert not AuditEvent.objects.filter(action="portfolio.idea_edited").exists()


def test_a_rework_share_over_100_percent_is_refused_naming_the_field(pworld: PortfolioWorld):
    with pytest.raises(InputError) as refused:
        actions.edit_idea(
            coordinator(pworld), pworld.idea, {"rework_share_percent": 150}, via="web"
        )
    assert refused.value.field == "rework_share_percent"
    pworld.idea.refresh_from_db()
    assert pworld.idea.rework_share_percent == 5


def test_a_workshop_of_another_municipality_cannot_hold_the_idea(pworld: PortfolioWorld):
    theirs = Workshop.objects.create(
        municipality=pworld.naapurila, department="x", title="y", held_on=datetime.date(2021, 1, 1)
    )
    with pytest.raises(InputError) as refused:
        actions.edit_idea(coordinator(pworld), pworld.idea, {"workshop": theirs}, via="web")
    assert refused.value.field == "workshop"


def test_an_allowed_move_is_written_to_the_history_with_who_and_the_trail(pworld: PortfolioWorld):
    actions.move_idea(
        coordinator(pworld), pworld.idea, Stage.ASSESSED, note="pisteytetty", via="web"
    )
    pworld.idea.refresh_from_db()
    assert pworld.idea.stage == Stage.ASSESSED
    change = IdeaStageChange.objects.get(idea=pworld.idea)
    assert (change.from_stage, change.to_stage, change.note) == (
        Stage.IDEA,
        Stage.ASSESSED,
        "pisteytetty",
    )
    assert change.changed_by == coordinator(pworld)
    assert change.changed_at is not None
    event = AuditEvent.objects.get(action="portfolio.idea_moved")
    assert event.details["from"] == "idea"
    assert event.details["to"] == "assessed"


def test_a_move_the_stage_does_not_allow_is_refused_naming_both_stages_in_finnish(
    pworld: PortfolioWorld,
):
    with pytest.raises(InputError) as refused:
        actions.move_idea(coordinator(pworld), pworld.idea, Stage.IN_PRODUCTION, via="web")
    with translation.override("fi"):
        text = str(refused.value)
    assert "Idea" in text
    assert "Tuotannossa" in text
    pworld.idea.refresh_from_db()
    assert pworld.idea.stage == Stage.IDEA
    assert not IdeaStageChange.objects.filter(idea=pworld.idea).exists()
    assert not AuditEvent.objects.filter(action="portfolio.idea_moved").exists()


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (Stage.IDEA, Stage.ASSESSED, True),
        (Stage.IDEA, Stage.APPROVED, False),
        (Stage.ASSESSED, Stage.IDEA, True),
        (Stage.IN_PRODUCTION, Stage.IN_DEVELOPMENT, False),
        (Stage.IN_PRODUCTION, Stage.RETIRED, True),
        (Stage.RETIRED, Stage.IDEA, True),
        (Stage.RETIRED, Stage.ASSESSED, False),
    ],
)
def test_moves_follow_the_stage_declaration(pworld: PortfolioWorld, start, target, allowed):
    Idea.objects.filter(pk=pworld.idea.pk).update(stage=start, robot_slug="invoice_check")
    if allowed:
        actions.move_idea(coordinator(pworld), pworld.idea, target, via="web")
    else:
        with pytest.raises(InputError):
            actions.move_idea(coordinator(pworld), pworld.idea, target, via="web")
    pworld.idea.refresh_from_db()
    assert pworld.idea.stage == (target if allowed else start)


def test_development_needs_a_registered_robot_and_the_mover_may_name_it(pworld: PortfolioWorld):
    Idea.objects.filter(pk=pworld.idea.pk).update(stage=Stage.APPROVED)
    with pytest.raises(InputError) as missing:
        actions.move_idea(coordinator(pworld), pworld.idea, Stage.IN_DEVELOPMENT, via="web")
    assert missing.value.field == "robot_slug"
    with pytest.raises(InputError) as unknown:
        actions.move_idea(
            coordinator(pworld),
            pworld.idea,
            Stage.IN_DEVELOPMENT,
            robot_slug="no_such_robot",
            via="web",
        )
    assert "no_such_robot" in str(unknown.value)
    idea = actions.move_idea(
        coordinator(pworld),
        pworld.idea,
        Stage.IN_DEVELOPMENT,
        robot_slug="invoice_check",
        via="web",
    )
    assert (idea.stage, idea.robot_slug) == (Stage.IN_DEVELOPMENT, "invoice_check")


def test_sharing_and_withdrawing_are_audited(pworld: PortfolioWorld):
    assert actions.share_idea(coordinator(pworld), pworld.idea, SharingScope.PROGRAMME, via="web")
    assert actions.share_idea(coordinator(pworld), pworld.idea, SharingScope.PRIVATE, via="web")
    actions_written = list(
        AuditEvent.objects.filter(object_id=str(pworld.idea.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions_written == ["portfolio.shared", "portfolio.sharing_withdrawn"]


def test_a_shared_idea_is_copied_without_its_proposer_workshop_or_stage(pworld: PortfolioWorld):
    Idea.objects.filter(pk=pworld.idea.pk).update(
        shared_with=SharingScope.PROGRAMME, stage=Stage.IN_PRODUCTION, robot_slug="invoice_check"
    )
    pworld.idea.refresh_from_db()
    copy = actions.copy_idea(pworld.users[OUTSIDER], pworld.idea, pworld.naapurila, via="web")
    assert copy.municipality == pworld.naapurila
    assert copy.copied_from == pworld.idea
    assert copy.proposer == ""
    assert copy.workshop is None
    assert copy.stage == Stage.IDEA
    assert copy.shared_with == SharingScope.PRIVATE
    assert (copy.title, copy.systems, copy.volume_per_year, copy.manual_minutes_per_case) == (
        pworld.idea.title,
        pworld.idea.systems,
        12000,
        pworld.idea.manual_minutes_per_case,
    )
    event = AuditEvent.objects.get(action="portfolio.idea_copied")
    assert event.municipality == pworld.naapurila
    assert "Ehdottaja" not in str(event.details)


def test_an_unshared_idea_of_another_municipality_cannot_be_copied(pworld: PortfolioWorld):
    with pytest.raises(PermissionDeniedError):
        actions.copy_idea(pworld.users[OUTSIDER], pworld.idea, pworld.naapurila, via="web")
    with pytest.raises(PermissionDeniedError):  # nor into a bank one does not manage
        actions.copy_idea(
            pworld.users[OUTSIDER], pworld.neighbour_idea, pworld.esimerkkila, via="web"
        )
    assert not Idea.objects.filter(copied_from__isnull=False).exists()


def test_a_workshop_captures_ideas_while_open_and_refuses_them_once_closed(pworld: PortfolioWorld):
    workshop = actions.create_workshop(
        coordinator(pworld),
        pworld.esimerkkila,
        title="Sivistyksen työpaja",
        department="Sivistys",
        held_on=datetime.date(2021, 4, 1),
        via="web",
    )
    assert workshop.facilitator == coordinator(pworld)
    assert workshop.is_open
    idea = actions.capture_idea(
        coordinator(pworld), workshop, {"title": "Ilmoittautumiset"}, via="web"
    )
    assert (idea.workshop, idea.department) == (workshop, "Sivistys")
    assert actions.close_workshop(coordinator(pworld), workshop, via="web")
    assert not actions.close_workshop(coordinator(pworld), workshop, via="web")
    with pytest.raises(InputError):
        actions.capture_idea(coordinator(pworld), workshop, {"title": "Myöhässä"}, via="web")
    assert list(
        AuditEvent.objects.filter(object_type="portfolio.workshop")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["portfolio.workshop_created", "portfolio.workshop_closed"]


def test_a_workshop_of_a_programme_the_municipality_is_not_in_is_refused(pworld: PortfolioWorld):
    pworld.programme.municipalities.remove(pworld.esimerkkila)
    with pytest.raises(InputError) as refused:
        actions.create_workshop(
            coordinator(pworld),
            pworld.esimerkkila,
            title="x",
            department="y",
            held_on=datetime.date(2021, 1, 1),
            programme=pworld.programme,
            via="web",
        )
    assert refused.value.field == "programme"


def test_who_runs_the_same_robot_counts_production_ideas_and_enabled_deployments(
    pworld: PortfolioWorld,
):
    third = Municipality.objects.create(slug="kolmas", name_fi="Kolmas")
    fourth = Municipality.objects.create(slug="neljas", name_fi="Neljäs")
    Idea.objects.filter(pk=pworld.idea.pk).update(robot_slug="invoice_check")
    pworld.idea.refresh_from_db()
    Idea.objects.filter(pk=pworld.neighbour_idea.pk).update(
        robot_slug="invoice_check", stage=Stage.IN_PRODUCTION
    )
    RobotDeploymentFactory(municipality=third, robot_slug="invoice_check", enabled=True)
    RobotDeploymentFactory(municipality=fourth, robot_slug="invoice_check", enabled=False)
    RobotDeployment.objects.filter(municipality=pworld.naapurila).update(enabled=False)
    found = actions.same_robot_users(coordinator(pworld), pworld.idea)
    assert [(r.municipality.slug, r.in_production, r.deployed) for r in found] == [
        ("kolmas", False, True),
        ("naapurila", True, False),
    ]
    # the outsider sees the list only once the idea is shared
    assert actions.same_robot_users(pworld.users[OUTSIDER], pworld.idea) == []
    Idea.objects.filter(pk=pworld.idea.pk).update(shared_with=SharingScope.INSTALLATION)
    assert len(actions.same_robot_users(pworld.users[OUTSIDER], pworld.idea)) == 2
