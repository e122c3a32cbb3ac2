"""The idea bank's pages: search and filters, the stage moves an idea offers, live capture in a
workshop, sharing and copying, the Excel links, and the portfolio in the main navigation."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio.models import (
    Assessment,
    Idea,
    IdeaStageChange,
    SharingScope,
    Stage,
    Workshop,
)
from tests.factories import UserFactory
from tests.portfolio.conftest import OUTSIDER, PortfolioWorld
from tests.web.test_untranslated_text import untranslated, visible_text

HOME = reverse("portfolio:ideas")


def page(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 200
    return response.content.decode()


def test_the_portfolio_is_in_the_main_navigation_for_members_only(pworld: PortfolioWorld):
    body = page(pworld.client_for(Role.VIEWER), reverse("dashboard"))
    assert f'href="{HOME}">Salkku</a>' in body
    nobody = Client()
    nobody.force_login(UserFactory(username="nobody"))
    assert (
        "Salkku" not in nobody.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    )
    assert 'aria-current="page">Salkku' in page(pworld.client_for(Role.VIEWER), HOME)


def test_the_home_searches_title_description_process_and_systems(pworld: PortfolioWorld):
    Idea.objects.create(
        municipality=pworld.esimerkkila, department="Sivistys", title="Toinen", systems="Effica"
    )
    client = pworld.client_for(Role.VIEWER)
    assert "Toinen" in page(client, HOME, q="effica")
    found = page(client, HOME, q="ostolaskujen")  # the first idea's description
    assert "Esimerkin salainen idea" in found
    assert "Toinen" not in found
    assert "Yksikään idea ei vastaa hakua." in page(client, HOME, q="zzz")


def test_the_home_filters_by_department_stage_workshop_and_sharing(pworld: PortfolioWorld):
    other = Idea.objects.create(
        municipality=pworld.esimerkkila,
        department="Sivistys",
        title="Jaettu idea",
        stage=Stage.ASSESSED,
        shared_with=SharingScope.PROGRAMME,
    )
    client = pworld.client_for(Role.VIEWER)
    cases = [
        ({"department": "Sivistys"}, other.title),
        ({"stage": "assessed"}, other.title),
        ({"shared": "yes"}, other.title),
        ({"shared": "no"}, pworld.idea.title),
        ({"workshop": str(pworld.workshop.pk)}, pworld.idea.title),
    ]
    for params, shown in cases:
        body = page(client, HOME, **params)
        hidden = other.title if shown == pworld.idea.title else pworld.idea.title
        assert shown in body, params
        assert hidden not in body, params
    both = page(client, HOME, municipality="esimerkkila")
    assert other.title in both
    assert pworld.idea.title in both


def test_the_home_is_paginated(pworld: PortfolioWorld):
    Idea.objects.bulk_create(
        Idea(municipality=pworld.esimerkkila, department="T", title=f"Idea numero {n:03}")
        for n in range(60)
    )
    client = pworld.client_for(Role.VIEWER)
    first = page(client, HOME)
    assert 'rel="next"' in first
    assert "Idea numero 059" in first
    assert "Idea numero 000" in page(client, HOME, page="2")


def test_an_idea_offers_only_the_moves_its_stage_allows(pworld: PortfolioWorld):
    body = page(
        pworld.client_for(Role.COORDINATOR), reverse("portfolio:idea_detail", args=[pworld.idea.pk])
    )
    assert 'value="assessed"' in body
    assert 'value="retired"' in body
    assert 'value="approved"' not in body
    assert 'value="in_production"' not in body
    viewer = page(
        pworld.client_for(Role.VIEWER), reverse("portfolio:idea_detail", args=[pworld.idea.pk])
    )
    assert 'name="to_stage"' not in viewer
    assert "Esimerkin Ehdottaja" in viewer  # own municipality sees the proposer


def test_a_refused_move_names_both_stages_and_changes_nothing(pworld: PortfolioWorld):
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse("portfolio:idea_move", args=[pworld.idea.pk])
    response = client.post(
        url, {"to_stage": "in_production"}, HTTP_ACCEPT_LANGUAGE="fi", follow=True
    )
    body = response.content.decode()
    assert "Ideaa ei voi siirtää vaiheesta ”Idea” vaiheeseen ”Tuotannossa”." in body
    pworld.idea.refresh_from_db()
    assert pworld.idea.stage == Stage.IDEA


def test_moving_to_development_on_the_page_names_the_robot_and_shows_the_history(
    pworld: PortfolioWorld,
):
    Idea.objects.filter(pk=pworld.idea.pk).update(stage=Stage.APPROVED)
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse("portfolio:idea_move", args=[pworld.idea.pk])
    refused = client.post(
        url, {"to_stage": "in_development"}, HTTP_ACCEPT_LANGUAGE="fi", follow=True
    ).content.decode()
    assert "Valitse robotti" in refused
    body = client.post(
        url,
        {"to_stage": "in_development", "robot_slug": "invoice_check", "note": "aloitetaan"},
        HTTP_ACCEPT_LANGUAGE="fi",
        follow=True,
    ).content.decode()
    pworld.idea.refresh_from_db()
    assert (pworld.idea.stage, pworld.idea.robot_slug) == (Stage.IN_DEVELOPMENT, "invoice_check")
    assert "Vaiheiden historia" in body
    assert "aloitetaan" in body
    assert IdeaStageChange.objects.filter(idea=pworld.idea).count() == 1


def test_a_shared_idea_is_shown_to_others_without_its_proposer_and_can_be_copied(
    pworld: PortfolioWorld,
):
    Idea.objects.filter(pk=pworld.idea.pk).update(shared_with=SharingScope.PROGRAMME)
    outsider = pworld.client_for(OUTSIDER)
    listed = page(outsider, reverse("portfolio:shared_ideas"))
    assert "Esimerkin salainen idea" in listed
    assert "Esimerkin Ehdottaja" not in listed
    detail = page(outsider, reverse("portfolio:idea_detail", args=[pworld.idea.pk]))
    assert "Esimerkin Ehdottaja" not in detail
    assert "Talouden prosessityöpaja" not in detail
    assert "Kopioi idea" in detail
    response = outsider.post(
        reverse("portfolio:idea_copy", args=[pworld.idea.pk]), {"municipality": "naapurila"}
    )
    copy = Idea.objects.get(copied_from=pworld.idea)
    assert response["Location"] == reverse("portfolio:idea_detail", args=[copy.pk])
    assert copy.municipality == pworld.naapurila
    copy_url = reverse("portfolio:idea_detail", args=[copy.pk])
    assert "Kopioitu ideasta" in page(outsider, copy_url)
    # the owner withdraws the sharing: the others no longer see it
    pworld.client_for(Role.COORDINATOR).post(
        reverse("portfolio:idea_sharing", args=[pworld.idea.pk]), {"shared_with": "private"}
    )
    assert "Esimerkin salainen idea" not in page(outsider, reverse("portfolio:shared_ideas"))
    assert outsider.get(reverse("portfolio:idea_detail", args=[pworld.idea.pk])).status_code == 404
    assert "Esimerkin salainen idea" in page(outsider, copy_url)  # the copy keeps its title
    assert "Kopioitu ideasta" not in page(outsider, copy_url)  # but no longer links the source


def test_the_capture_page_keeps_focus_on_the_new_idea_form_and_lists_the_captured(
    pworld: PortfolioWorld,
):
    client = pworld.client_for(Role.COORDINATOR)
    url = reverse("portfolio:workshop_detail", args=[pworld.workshop.pk])
    response = client.post(url, {"title": "Matkalaskut", "proposer": "Maija"})
    assert response.status_code == 302
    body = page(client, response["Location"])
    assert 'name="title"' in body
    assert "autofocus" in body
    assert "Kirjattu: Matkalaskut" in body
    assert "data-focus-on-load" not in body.split('id="main"')[-1].split("capture-heading")[0]
    assert Idea.objects.get(title="Matkalaskut").department == "Talous"
    client.post(reverse("portfolio:workshop_close", args=[pworld.workshop.pk]))
    closed = page(client, url)
    assert 'name="title"' not in closed
    assert "Matkalaskut" in closed
    assert client.post(url, {"title": "Myöhässä"}).status_code == 302
    assert not Idea.objects.filter(title="Myöhässä").exists()


def test_a_new_workshop_opens_for_capture(pworld: PortfolioWorld):
    client = pworld.client_for(Role.COORDINATOR)
    response = client.post(
        reverse("portfolio:workshop_new", args=["esimerkkila"]),
        {
            "title": "Sote-työpaja",
            "department": "Sote",
            "held_on": "2026-02-03",
            "programme": str(pworld.programme.pk),
        },
    )
    workshop = Workshop.objects.get(title="Sote-työpaja")
    assert response["Location"] == reverse("portfolio:workshop_detail", args=[workshop.pk])
    assert workshop.programme == pworld.programme
    assert "Sote-työpaja" in page(client, reverse("portfolio:workshops"))


def test_the_new_and_edit_forms_save_through_the_actions(pworld: PortfolioWorld):
    client = pworld.client_for(Role.COORDINATOR)
    assert "Uusi idea" in page(client, reverse("portfolio:idea_new", args=["esimerkkila"]))
    bad = client.post(
        reverse("portfolio:idea_new", args=["esimerkkila"]),
        {"title": "x", "department": "y", "rework_share_percent": "101"},
    )
    assert bad.status_code == 400
    client.post(
        reverse("portfolio:idea_edit", args=[pworld.idea.pk]),
        {
            "title": "Uusi nimi",
            "department": "Talous",
            "manual_minutes_per_case": "2.5",
            "workshop": str(pworld.workshop.pk),
        },
    )
    pworld.idea.refresh_from_db()
    assert pworld.idea.title == "Uusi nimi"
    assert pworld.idea.manual_minutes_per_case == Decimal("2.5")


def test_the_latest_assessment_is_shown_on_the_idea(pworld: PortfolioWorld):
    url = reverse("portfolio:idea_detail", args=[pworld.idea.pk])
    client = pworld.client_for(Role.VIEWER)
    assert "Ideaa ei ole vielä arvioitu." in page(client, url)
    Assessment.objects.create(
        idea=pworld.idea,
        method_version="1",
        scores={},
        weights={},
        suitability=Decimal("3.75"),
        automation_potential=Decimal("62.50"),
        ease=Decimal("4.00"),
        hours_per_year=Decimal("800"),
    )
    body = page(client, url)
    assert "Ideaa ei ole vielä arvioitu." not in body
    assert "3,75" in body


def test_the_export_link_downloads_a_workbook_and_a_bad_import_is_shown_by_row(
    pworld: PortfolioWorld,
):
    client = pworld.client_for(Role.COORDINATOR)
    export = client.get(reverse("portfolio:ideas_export", args=["esimerkkila"]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in export["Content-Disposition"]
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Otsikko", "Toimiala", "Määrä vuodessa"])
    sheet.write_row(1, 0, ["Uusi", "Talous", "paljon"])
    book.close()
    url = reverse("portfolio:ideas_import", args=["esimerkkila"])
    upload = io.BytesIO(output.getvalue())
    upload.name = "ideat.xlsx"
    response = client.post(url, {"file": upload}, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 400
    assert "rivi 2, sarake C (Määrä vuodessa): ei ole luku" in response.content.decode()
    good = io.BytesIO(export.content)
    good.name = "ideat.xlsx"
    response = client.post(url, {"file": good})
    assert response.status_code == 302


def test_the_pages_speak_swedish_to_a_swedish_reader(pworld: PortfolioWorld):
    client = pworld.client_for(Role.COORDINATOR)
    client.cookies["django_language"] = "sv"
    expected = {
        HOME: "Idébank",
        reverse("portfolio:idea_detail", args=[pworld.idea.pk]): "Flytta till ett annat skede",
        reverse("portfolio:workshops"): "Workshoppar",
        reverse("portfolio:workshop_detail", args=[pworld.workshop.pk]): "Registrera en idé",
        reverse("portfolio:shared_ideas"): "Idéer som andra kommuner delar",
        reverse("portfolio:ideas_import", args=["esimerkkila"]): "Importera idéer från Excel",
        reverse("portfolio:idea_new", args=["esimerkkila"]): "Ny idé",
        reverse("portfolio:workshop_new", args=["esimerkkila"]): "Ny workshop",
    }
    for url, text in expected.items():
        body = client.get(url).content.decode()
        assert text in body, url
        for english in ("Idea bank", "Move to another stage", "Capture an idea", "Shared by"):
            assert english not in body, (url, english)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_english_is_left_on_the_idea_banks_pages(pworld: PortfolioWorld, language: str):
    Idea.objects.filter(pk=pworld.neighbour_idea.pk).update(
        shared_with=SharingScope.INSTALLATION, robot_slug="invoice_check"
    )
    Idea.objects.filter(pk=pworld.idea.pk).update(robot_slug="invoice_check")
    Assessment.objects.create(
        idea=pworld.idea,
        method_version="1",
        scores={},
        weights={},
        suitability=Decimal("3.00"),
        automation_potential=Decimal("50.00"),
        ease=Decimal("2.00"),
        hours_per_year=Decimal("10"),
    )
    client = pworld.client_for(Role.COORDINATOR)
    client.cookies["django_language"] = language
    urls = [
        HOME,
        reverse("portfolio:idea_detail", args=[pworld.idea.pk]),
        reverse("portfolio:idea_detail", args=[pworld.neighbour_idea.pk]),
        reverse("portfolio:idea_edit", args=[pworld.idea.pk]),
        reverse("portfolio:idea_new", args=["esimerkkila"]),
        reverse("portfolio:shared_ideas"),
        reverse("portfolio:workshops"),
        reverse("portfolio:workshop_new", args=["esimerkkila"]),
        reverse("portfolio:workshop_detail", args=[pworld.workshop.pk]),
        reverse("portfolio:ideas_import", args=["esimerkkila"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = untranslated(visible_text(response.content.decode()), language)
        assert not found, (url, found)
