"""The Helmi programme as demo data (kuntarobo.portfolio.helmi): the final report's figures
(seed 000) reproduced exactly, the generated parts deterministic, and a second load a no-op."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Municipality
from kuntarobo.core.programme_follow_up import Axis, Light
from kuntarobo.portfolio.helmi import CRITERIA, helmi_ideas, helmi_scores, load_helmi, planned_ideas
from kuntarobo.portfolio.helmi_data import MUNICIPALITIES
from kuntarobo.portfolio.models import Idea, Programme, Stage, Workshop
from kuntarobo.portfolio.programmes import traffic_lights
from tests.factories import MunicipalityFactory

# Seed 000 §3, in the report's order.
PARTICIPANTS = [
    "Heinola", "Hollola", "Kemijärvi", "Kajaani", "Kangasala", "Kokkola", "Lahti", "Lempäälä",
    "Nokia", "Pirkkala", "Raasepori", "Rauma", "Riihimäki", "Uusikaupunki", "Uurainen", "Ylöjärvi",
]  # fmt: skip
ROBOT_STAGES = (Stage.IN_PRODUCTION, Stage.IN_DEVELOPMENT)


def test_load_helmi_reproduces_the_final_reports_figures(db):
    summary = load_helmi(None)
    programme = summary.programme
    assert sorted(programme.municipalities.values_list("name_fi", flat=True)) == sorted(
        PARTICIPANTS
    )
    assert (programme.starts_on, programme.ends_on) == (
        datetime.date(2020, 12, 1),
        datetime.date(2022, 8, 31),
    )
    assert summary.municipalities == 16
    assert summary.workshops == 16
    assert (summary.ideas, summary.scored, summary.robots) == (277, 49, 32)
    assert Idea.objects.count() == 277
    assert Idea.objects.filter(stage__in=ROBOT_STAGES).count() == 32
    assert Workshop.objects.filter(programme=programme).count() == 16
    assert (summary.planned_cents, summary.realised_cents) == (524_200_00, 516_743_00)
    by_kind = {c.kind: (c.planned_cents, c.realised_cents) for c in programme.costs.all()}
    assert by_kind == {
        "purchased_services": (394_100_00, 422_359_00),
        "own_staff": (130_100_00, 94_384_00),
    }


def test_every_municipality_has_one_to_four_robots_as_the_report_says(db):
    load_helmi(None)
    for municipality in Municipality.objects.filter(slug__in=[m.slug for m in MUNICIPALITIES]):
        robots = Idea.objects.filter(municipality=municipality, stage__in=ROBOT_STAGES).count()
        assert 1 <= robots <= 4, municipality


def test_loading_twice_creates_nothing_new(db):
    first = load_helmi(None)
    counts = (Municipality.objects.count(), Idea.objects.count(), Workshop.objects.count())
    second = load_helmi(None)
    assert second.created == 0
    assert first.created > 0
    assert (Municipality.objects.count(), Idea.objects.count(), Workshop.objects.count()) == counts
    assert Programme.objects.count() == 1
    assert second.programme.costs.count() == 2


def test_the_49_scores_are_raw_criterion_scores_of_loaded_ideas(db):
    load_helmi(None)
    scores = helmi_scores()
    assert len(scores) == 49
    for values in scores.values():
        assert set(values) == set(CRITERIA)
        assert all(1 <= v <= 5 for v in values.values())
    ideas = helmi_ideas(scores)
    assert len(ideas) == 49
    # Every robot was among the analysed ideas.
    robots = {i.key for i in planned_ideas() if i.stage in ROBOT_STAGES}
    assert robots <= set(scores)
    assert all(idea.stage != Stage.IDEA for idea in ideas.values())


def test_the_generated_ideas_are_the_same_on_every_run_and_marked_as_demo_data():
    ideas = planned_ideas()
    planned_ideas.cache_clear()
    assert planned_ideas() == ideas
    generated = [i for i in ideas if "Lähde: Helmi-hankkeen tuloskortti" not in i.description]
    assert len(generated) == 275  # all but seed 003's two robots
    assert all(i.description.startswith("Esittelyaineisto") for i in generated)


def test_the_result_cards_robots_are_uusikaupungins_and_bundled_robots_are_linked(db):
    load_helmi(None)
    uusikaupunki = Idea.objects.filter(municipality__slug="uusikaupunki", stage__in=ROBOT_STAGES)
    titles = set(uusikaupunki.values_list("title", flat=True))
    assert "Puhelinbotti: kuntalaiskysely kaupungin strategian valmisteluun" in titles
    assert "Raportoinnin automatisointi: HR-raportit esihenkilöille" in titles
    linked = set(Idea.objects.exclude(robot_slug="").values_list("robot_slug", flat=True))
    assert linked == {"hr_reports", "ecec_fees", "invoice_check", "file_archiver"}
    assert not Idea.objects.exclude(robot_slug="").exclude(stage__in=ROBOT_STAGES).exists()


def test_the_demo_municipality_joins_keeps_the_follow_up_and_runs_the_bundled_robots(db):
    demo = MunicipalityFactory(slug="esimerkkila")
    neighbour = MunicipalityFactory(slug="naapurila")
    summary = load_helmi(demo, members=[neighbour])
    programme = summary.programme
    assert programme.lead == demo
    assert programme.municipalities.count() == 18
    assert summary.municipalities == 16
    assert summary.ideas == 277
    copies = Idea.objects.filter(municipality=demo)
    assert sorted(copies.values_list("robot_slug", flat=True)) == sorted(
        ["hr_reports", "ecec_fees", "invoice_check", "file_archiver"]
    )
    assert all(c.stage == Stage.IN_PRODUCTION and c.copied_from_id for c in copies)
    assert summary.demo_ideas == 4
    assert load_helmi(demo, members=[neighbour]).created == 0


def test_helmis_traffic_lights_follow_from_the_report(db):
    summary = load_helmi(None)
    lights = {v.axis: v.light for v in traffic_lights(summary.programme, datetime.date(2022, 9, 1))}
    assert lights == {
        Axis.SCHEDULE: Light.GREEN,  # kept to schedule (§12)
        Axis.COSTS: Light.GREEN,  # 516,743 of 524,200 €
        Axis.OUTPUTS: Light.GREEN,
        Axis.SCOPE: Light.GREEN,  # 32 robots where 16 were planned
        Axis.STAFF: Light.YELLOW,  # own staff 94,384 of 130,100 € = 72.5 %
        Axis.RISKS: Light.GREEN,  # all closed
    }


def test_the_demo_loads_helmi_and_the_demo_coordinator_sees_the_programme(db):
    call_command("load_demo", stdout=io.StringIO())
    programme = Programme.objects.get(name="Helmi-hanke")
    assert programme.lead.slug == "esimerkkila"
    client = Client()
    client.force_login(
        __import__("django.contrib.auth", fromlist=["get_user_model"])
        .get_user_model()
        .objects.get(username="koordinaattori")
    )
    response = client.get(reverse("portfolio:programme_detail", args=[programme.pk]))
    assert response.status_code == 200
    assert "Heinola" in response.content.decode()
