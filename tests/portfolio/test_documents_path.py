"""Path documents: generated from the robot's declaration and its runs, versioned when the
declaration changes, with a process diagram drawn by Graphviz (or a note without it)."""

from __future__ import annotations

import datetime
import html
import io
import shutil
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from kuntarobo.core.process_diagram import DiagramStep, dot_source, render_svg
from kuntarobo.portfolio.models import PathDocumentVersion
from kuntarobo.portfolio.path_document import current_version, path_document, process_diagram
from kuntarobo.runtime.declarations import all_robots, get_robot
from kuntarobo.runtime.models import ItemStatus, Run
from tests.factories import RunFactory, WorkItemFactory

ROBOT = "invoice_check"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def make_items(municipality, statuses: dict[str, int], *, duration_ms: int | None = None):
    run = RunFactory(municipality=municipality, robot_slug=ROBOT)
    for status, count in statuses.items():
        for _ in range(count):
            WorkItemFactory(run=run, status=status, duration_ms=duration_ms)
    return run


def test_the_path_document_page_shows_the_declarations_steps_systems_rules_and_class(pworld):
    page = pworld.client_for("viewer").get(
        reverse("portfolio:path_document", args=[ROBOT, "esimerkkila"]),
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert page.status_code == 200
    body = html.unescape(page.content.decode())
    robot = get_robot(ROBOT)
    for step in robot.path.steps:
        assert step.name.fi in body
    for rule in robot.path.rules:
        assert rule.fi in body
    assert robot.path.business_exceptions[0].fi in body
    assert robot.path.technical_exceptions[0].fi in body
    assert robot.systems[0].fi in body  # type: ignore[union-attr]
    assert "Arkipäivisin klo 7" in body  # the schedule
    assert '<span class="robot-class">B</span>' in body
    assert "Versio 1" in body


def test_the_path_document_is_in_the_readers_language(pworld):
    page = pworld.client_for("viewer").get(
        reverse("portfolio:path_document", args=[ROBOT, "esimerkkila"]),
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    body = html.unescape(page.content.decode())
    assert "Granska identifierare" in body
    assert "Tarkista tunnisteet" not in body


def test_volumes_per_month_handling_times_and_exception_shares_come_from_the_runs(pworld):
    earlier = make_items(pworld.esimerkkila, {ItemStatus.DONE: 4}, duration_ms=1000)
    make_items(pworld.esimerkkila, {ItemStatus.DONE: 2}, duration_ms=4000)
    make_items(
        pworld.esimerkkila,
        {
            ItemStatus.FAILED_BUSINESS: 2,
            ItemStatus.FAILED_APPLICATION: 1,
            ItemStatus.NEEDS_REVIEW: 1,
        },
    )
    # Another municipality's items are not this document's.
    make_items(pworld.naapurila, {ItemStatus.FAILED_BUSINESS: 5})
    # The first run's four items came in an earlier month.
    Run.objects.filter(pk=earlier.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=70)
    )

    document = path_document(get_robot(ROBOT), pworld.esimerkkila, "fi")
    figures = document.figures

    assert figures.items == 10
    assert figures.average_item_ms == 2000  # (4 × 1000 + 2 × 4000) / 6
    assert figures.longest_item_ms == 4000
    months = [count for _month, count in figures.per_month]
    assert (months[0], months[-1], sum(months)) == (4, 6, 10)
    assert len(months) in (3, 4)  # every month from the first run's to this one
    shares = {status: (count, share) for status, count, share in figures.status_shares()}
    assert shares[ItemStatus.FAILED_BUSINESS] == (2, 20)
    assert shares[ItemStatus.FAILED_APPLICATION] == (1, 10)
    assert shares[ItemStatus.NEEDS_REVIEW] == (1, 10)
    assert shares[ItemStatus.DONE] == (6, 60)
    assert figures.hours_saved == Decimal("0.3")  # 6 done × 3 min = 18 min

    page = pworld.client_for("viewer").get(
        reverse("portfolio:path_document", args=[ROBOT, "esimerkkila"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = page.content.decode()
    assert "<caption>Items per month</caption>" in body
    assert "Failed — business" in body


def test_an_unchanged_declaration_keeps_its_version(db):
    robot = get_robot(ROBOT)
    first = current_version(robot)
    again = current_version(robot)
    assert first.pk == again.pk
    assert PathDocumentVersion.objects.filter(robot_slug=ROBOT).count() == 1


def test_a_changed_declaration_is_a_new_version_and_the_page_lists_the_earlier_one(
    pworld, monkeypatch
):
    robot = get_robot(ROBOT)
    first = current_version(robot)
    assert (first.number, first.rule_version) == (1, robot.rule_version)
    monkeypatch.setattr(robot, "rule_version", "2099-1")
    second = current_version(robot)
    assert second.number == 2
    assert second.rule_version == "2099-1"
    assert second.fingerprint != first.fingerprint
    assert second.content["rule_version"] == "2099-1"
    assert first.content["rule_version"] != "2099-1"  # the earlier declaration is kept

    page = pworld.client_for("viewer").get(
        reverse("portfolio:path_document", args=[ROBOT, "esimerkkila"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = page.content.decode()
    assert "Version 2" in body
    assert "Version 1" in body.split('id="versions-heading"')[1]


@needs_dot
def test_the_process_diagram_drawn_by_dot_holds_every_step_in_order(db):
    robot = get_robot(ROBOT)
    svg = process_diagram(robot, "fi")
    assert svg is not None
    assert svg.startswith("<svg")
    text = html.unescape(svg)
    positions = [text.index(step.name.fi) for step in robot.path.steps]
    assert positions == sorted(positions)
    assert text.count(" -> ") == 0  # edges are drawn, not printed
    assert svg.count('class="edge"') == len(robot.path.steps) - 1


@needs_dot
def test_a_step_named_with_markup_and_quotes_is_printed_literally_in_the_diagram():
    source = dot_source(
        [DiagramStep('<script>alert("x")</script> \\N', "robot", "Robot", 'A "system"')],
        title="T",
    )
    svg = render_svg(source)
    assert svg is not None
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "\\N" in html.unescape(svg)  # Graphviz's node-name escape stayed literal


@needs_dot
def test_the_path_document_pdf_holds_the_robot_its_steps_and_the_version(pworld):
    response = pworld.client_for("viewer").get(
        reverse("portfolio:path_document_pdf", args=[ROBOT, "esimerkkila"]),
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Ostolaskujen tarkistus" in text
    assert "Tarkista tunnisteet" in text
    assert "Esimerkkilä" in text
    assert "Versio 1" in text
    assert "Graphviz" not in text  # the diagram was drawn


def test_without_graphviz_the_page_says_so_and_the_pdf_is_still_made(pworld, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(
        "kuntarobo.core.process_diagram.shutil.which",
        lambda name, *a, **k: None if name == "dot" else real_which(name, *a, **k),
    )
    client = pworld.client_for("viewer")
    page = client.get(
        reverse("portfolio:path_document", args=[ROBOT, "esimerkkila"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = page.content.decode()
    assert "<svg" not in body
    assert "Graphviz (the dot program) is not installed" in body
    pdf = client.get(
        reverse("portfolio:path_document_pdf", args=[ROBOT, "esimerkkila"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert pdf.status_code == 200
    text = " ".join(pdf_text(pdf.content).split())
    assert "Purchase invoice check" in text
    assert "Graphviz" in text


def test_another_municipalitys_path_document_is_not_found(pworld):
    client = pworld.client_for("outsider")
    for name in ("path_document", "path_document_pdf"):
        response = client.get(reverse(f"portfolio:{name}", args=[ROBOT, "esimerkkila"]))
        assert response.status_code == 404


def test_an_unknown_robots_path_document_is_not_found(pworld):
    response = pworld.client_for("viewer").get(
        reverse("portfolio:path_document", args=["no_such_robot", "esimerkkila"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize("robot", [robot.slug for robot in all_robots()])
def test_every_registered_robot_has_a_path_document_page_and_pdf(pworld, robot):
    client = pworld.client_for("viewer")
    declared = get_robot(robot)
    page = client.get(
        reverse("portfolio:path_document", args=[robot, "esimerkkila"]), HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert page.status_code == 200
    body = html.unescape(page.content.decode())
    assert declared.name.get("sv") in body
    assert all(step.name.get("sv") in body for step in declared.path.steps)
    pdf = client.get(reverse("portfolio:path_document_pdf", args=[robot, "esimerkkila"]))
    assert declared.name.fi in " ".join(pdf_text(pdf.content).split())
