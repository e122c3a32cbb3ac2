"""The idea bank to Excel and back: every field survives the round trip exactly, an import is
all or nothing, and a bad workbook is refused by row and column in the reader's language."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.utils import translation
from python_calamine import CalamineWorkbook

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.portfolio import idea_excel
from kuntarobo.portfolio.idea_excel import COLUMNS, export_ideas, import_ideas
from kuntarobo.portfolio.models import Idea, IdeaStageChange, SharingScope, Stage, Workshop
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from tests.portfolio.conftest import PortfolioWorld

KEYS = list(COLUMNS)
FIELDS = (
    "department",
    "title",
    "description",
    "process",
    "systems",
    "volume_per_year",
    "manual_minutes_per_case",
    "rework_share_percent",
    "beneficiaries",
    "proposer",
    "workshop_id",
    "stage",
    "robot_slug",
    "shared_with",
)


def rows_of(content: bytes) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    try:
        return [list(row) for row in book.get_sheet_by_index(0).iter_rows()]
    finally:
        book.close()


def workbook(rows: list[list[Any]]) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
    book.close()
    return output.getvalue()


def fields(idea: Idea) -> dict[str, Any]:
    return {name: getattr(idea, name) for name in FIELDS}


def manager(w: PortfolioWorld):
    return w.users[Role.COORDINATOR]


@pytest.fixture
def bank(pworld: PortfolioWorld) -> PortfolioWorld:
    """Ideas with every field filled, including text a spreadsheet would take for a formula."""
    second = Workshop.objects.create(
        municipality=pworld.esimerkkila,
        department="Sivistys",
        title="Sivistyksen työpaja",
        held_on=datetime.date(2021, 5, 4),
    )
    Idea.objects.create(
        municipality=pworld.esimerkkila,
        department="Sivistys",
        title='=HYPERLINK("http://x.invalid","napsauta")',
        description="Rivi yksi\nRivi kaksi – ”lainaus” & <merkit>",
        process="-Varhaiskasvatus",
        systems="@Effica, Primus",
        volume_per_year=0,
        manual_minutes_per_case=Decimal("0.25"),
        rework_share_percent=Decimal("100.00"),
        beneficiaries="+Huoltajat",
        proposer="Åsa Öberg",
        workshop=second,
        stage=Stage.IN_PRODUCTION,
        robot_slug="ecec_fees",
        shared_with=SharingScope.INSTALLATION,
    )
    Idea.objects.create(
        municipality=pworld.esimerkkila,
        department="Tekninen",
        title="123",
        stage=Stage.RETIRED,
        shared_with=SharingScope.PROGRAMME,
    )
    return pworld


def test_export_import_export_round_trips_every_field_exactly(bank: PortfolioWorld):
    before = {idea.pk: fields(idea) for idea in Idea.objects.filter(municipality=bank.esimerkkila)}
    first = export_ideas(manager(bank), bank.esimerkkila, via="web")
    result = import_ideas(manager(bank), bank.esimerkkila, first, via="web")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    after = {idea.pk: fields(idea) for idea in Idea.objects.filter(municipality=bank.esimerkkila)}
    assert after == before
    second = export_ideas(manager(bank), bank.esimerkkila, via="web")
    assert rows_of(second) == rows_of(first)
    header, *rows = rows_of(first)
    assert header == [COLUMNS[key]["fi"] for key in KEYS]
    assert len(rows) == 3
    assert all(len(row) == len(KEYS) for row in rows)


def test_the_export_holds_every_field_with_finnish_headings_and_values(bank: PortfolioWorld):
    _header, *rows = rows_of(export_ideas(manager(bank), bank.esimerkkila, via="web"))
    row = dict(zip(KEYS, rows[1], strict=True))
    idea = Idea.objects.get(title__startswith="=HYPERLINK")
    assert row["id"] == idea.pk
    assert row["municipality"] == "Esimerkkilä"
    assert row["title"] == idea.title
    assert row["description"] == idea.description
    assert (row["process"], row["systems"], row["beneficiaries"]) == (
        "-Varhaiskasvatus",
        "@Effica, Primus",
        "+Huoltajat",
    )
    assert (row["volume_per_year"], row["manual_minutes_per_case"]) == (0, 0.25)
    assert row["rework_share_percent"] == 100
    assert (row["proposer"], row["workshop"]) == ("Åsa Öberg", "Sivistyksen työpaja")
    assert (row["stage"], row["robot"], row["shared_with"]) == (
        "Tuotannossa",
        "ecec_fees",
        "Kaikki asennuksen kunnat",
    )
    assert isinstance(row["created_at"], datetime.datetime)
    assert isinstance(row["updated_at"], datetime.datetime)


def test_text_that_looks_like_a_formula_is_exported_as_quoted_text(bank: PortfolioWorld):
    content = export_ideas(manager(bank), bank.esimerkkila, via="web")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    for text in (
        '=HYPERLINK("http://x.invalid","napsauta")',
        "-Varhaiskasvatus",
        "@Effica, Primus",
    ):
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix
    assert cells["123"].data_type == "s"  # a title of digits stays text


def test_rows_without_an_id_become_new_ideas_with_every_field(bank: PortfolioWorld):
    header, *rows = rows_of(export_ideas(manager(bank), bank.esimerkkila, via="web"))
    originals = [Idea.objects.get(pk=row[0]) for row in rows]
    for row in rows:
        row[0] = ""
    result = import_ideas(manager(bank), bank.esimerkkila, workbook([header, *rows]), via="web")
    assert (result.created, result.updated) == (3, 0)
    for original in originals:
        copies = Idea.objects.filter(title=original.title).exclude(pk=original.pk)
        assert [fields(copy) for copy in copies] == [fields(original)]
        assert IdeaStageChange.objects.get(idea=copies[0]).to_stage == original.stage


def test_an_edited_workbook_updates_every_field_and_the_next_export_shows_it(
    bank: PortfolioWorld,
):
    header, *rows = rows_of(export_ideas(manager(bank), bank.esimerkkila, via="web"))
    row = next(r for r in rows if r[0] == bank.idea.pk)
    edited = dict(zip(KEYS, row, strict=True))
    edited.update(
        department="Hallinto",
        title="Muokattu",
        description="Uusi kuvaus",
        process="Prosessi 2",
        systems="SAP",
        volume_per_year=42,
        manual_minutes_per_case=7.5,
        rework_share_percent=12.25,
        beneficiaries="Kuntalaiset",
        proposer="Uusi Ehdottaja",
        workshop="Sivistyksen työpaja",
        stage="Arvioitu",
        robot="invoice_check",
        shared_with="Ohjelman kunnat",
    )
    rows[rows.index(row)] = [edited[key] for key in KEYS]
    result = import_ideas(manager(bank), bank.esimerkkila, workbook([header, *rows]), via="web")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    idea = Idea.objects.get(pk=bank.idea.pk)
    assert fields(idea) == {
        "department": "Hallinto",
        "title": "Muokattu",
        "description": "Uusi kuvaus",
        "process": "Prosessi 2",
        "systems": "SAP",
        "volume_per_year": 42,
        "manual_minutes_per_case": Decimal("7.50"),
        "rework_share_percent": Decimal("12.25"),
        "beneficiaries": "Kuntalaiset",
        "proposer": "Uusi Ehdottaja",
        "workshop_id": Workshop.objects.get(title="Sivistyksen työpaja").pk,
        "stage": Stage.ASSESSED,
        "robot_slug": "invoice_check",
        "shared_with": SharingScope.PROGRAMME,
    }
    again = dict(
        zip(
            KEYS,
            next(
                r
                for r in rows_of(export_ideas(manager(bank), bank.esimerkkila, via="web"))[1:]
                if r[0] == idea.pk
            ),
            strict=True,
        )
    )
    for key in KEYS[:16]:
        assert again[key] == edited[key], key
    assert AuditEvent.objects.filter(action="portfolio.idea_moved").count() == 1
    assert AuditEvent.objects.filter(action="portfolio.shared").count() == 1
    assert AuditEvent.objects.filter(action="portfolio.ideas_imported").count() == 1


def test_swedish_and_english_headings_and_stage_names_are_recognised(pworld: PortfolioWorld):
    content = workbook(
        [
            ["Rubrik", "Sektor", "Skede", "Antal per år"],
            ["Fakturor", "Ekonomi", "Idé", 10],
        ]
    )
    import_ideas(manager(pworld), pworld.esimerkkila, content, via="web")
    content = workbook([["Title", "Department", "Stage"], ["Invoices", "Finance", "Retired"]])
    import_ideas(manager(pworld), pworld.esimerkkila, content, via="cli")
    assert Idea.objects.get(title="Fakturor").volume_per_year == 10
    assert Idea.objects.get(title="Invoices").stage == Stage.RETIRED


def test_an_import_is_all_or_nothing_and_names_row_and_column_in_finnish(pworld: PortfolioWorld):
    content = workbook(
        [
            ["Tunniste", "Otsikko", "Toimiala", "Määrä vuodessa", "Vaihe"],
            [pworld.idea.pk, "Hyvä muutos", "Talous", 5, "Idea"],
            ["", "Uusi", "Talous", "paljon", "Idea"],
            [pworld.idea.pk, "Hyvä muutos", "Talous", 5, "Tuotannossa"],
        ]
    )
    with pytest.raises(InputError) as refused:
        import_ideas(manager(pworld), pworld.esimerkkila, content, via="web")
    with translation.override("fi"):
        text = str(refused.value)
    assert "rivi 3, sarake D (Määrä vuodessa)" in text
    assert "rivi 4, sarake E (Vaihe)" in text
    assert "Tuotannossa" in text
    pworld.idea.refresh_from_db()
    assert pworld.idea.title == "Esimerkin salainen idea"
    assert not Idea.objects.filter(title="Uusi").exists()
    assert not AuditEvent.objects.filter(action__startswith="portfolio.").exists()


def test_the_errors_are_given_in_swedish_to_a_swedish_reader(pworld: PortfolioWorld):
    content = workbook([["Otsikko", "Toimiala", "Hävittäjä"], ["x", "y", "z"]])
    with pytest.raises(InputError) as refused:
        import_ideas(manager(pworld), pworld.esimerkkila, content, via="web")
    with translation.override("sv"):
        assert "rad 1, kolumn C (Hävittäjä)" in str(refused.value)


def test_an_idea_of_another_municipality_cannot_be_updated_by_its_id(pworld: PortfolioWorld):
    content = workbook([["Tunniste", "Otsikko", "Toimiala"], [pworld.neighbour_idea.pk, "x", "y"]])
    with pytest.raises(InputError) as refused:
        import_ideas(manager(pworld), pworld.esimerkkila, content, via="web")
    assert "row 2, column A" in str(refused.value)
    pworld.neighbour_idea.refresh_from_db()
    assert pworld.neighbour_idea.title == "Naapurin salainen idea"


def test_a_row_of_another_municipality_is_refused(pworld: PortfolioWorld):
    content = workbook([["Kunta", "Otsikko", "Toimiala"], ["Naapurila", "x", "y"]])
    with pytest.raises(InputError, match="another municipality"):
        import_ideas(manager(pworld), pworld.esimerkkila, content, via="web")


def test_a_viewer_may_export_but_not_import_and_the_outsider_neither(pworld: PortfolioWorld):
    viewer = pworld.users[Role.VIEWER]
    content = export_ideas(viewer, pworld.esimerkkila, via="web")
    with pytest.raises(PermissionDeniedError):
        import_ideas(viewer, pworld.esimerkkila, content, via="web")
    with pytest.raises(PermissionDeniedError):
        export_ideas(pworld.users["outsider"], pworld.esimerkkila, via="web")


@pytest.mark.parametrize(
    "content",
    [b"", b"Otsikko;Toimiala\nx;y\n", b"PK\x03\x04 not really a zip", b"%PDF-1.7"],
    ids=["empty", "csv", "broken-zip", "pdf"],
)
def test_a_file_that_is_not_a_workbook_is_refused(pworld: PortfolioWorld, content: bytes):
    with pytest.raises(InputError) as refused:
        import_ideas(manager(pworld), pworld.esimerkkila, content, via="web")
    assert refused.value.field == "file"


def test_a_workbook_without_a_title_column_or_rows_is_refused(pworld: PortfolioWorld):
    with pytest.raises(InputError, match="no column for the title"):
        import_ideas(
            manager(pworld), pworld.esimerkkila, workbook([["Toimiala"], ["x"]]), via="web"
        )
    with pytest.raises(InputError, match="empty"):
        import_ideas(manager(pworld), pworld.esimerkkila, workbook([]), via="web")


def test_a_file_or_a_sheet_past_the_limits_is_refused(pworld: PortfolioWorld, monkeypatch):
    monkeypatch.setattr(idea_excel, "MAX_FILE_BYTES", 1000)
    with pytest.raises(InputError, match="larger than"):
        import_ideas(manager(pworld), pworld.esimerkkila, b"x" * 1001, via="web")
    monkeypatch.setattr(idea_excel, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(idea_excel, "MAX_ROWS", 2)
    rows = [["Otsikko", "Toimiala"], *([f"idea {n}", "x"] for n in range(3))]
    with pytest.raises(InputError, match="more than 2 rows"):
        import_ideas(manager(pworld), pworld.esimerkkila, workbook(rows), via="web")
    assert not Idea.objects.filter(title__startswith="idea ").exists()


def test_the_command_exports_and_imports_by_the_same_rules(bank: PortfolioWorld, tmp_path: Path):
    path = tmp_path / "ideat.xlsx"
    call_command(
        "ideas",
        "export",
        "--municipality",
        "esimerkkila",
        "--user",
        "coordinator",
        "--file",
        str(path),
    )
    first = path.read_bytes()
    out = io.StringIO()
    call_command(
        "ideas",
        "import",
        "--municipality",
        "esimerkkila",
        "--user",
        "coordinator",
        "--file",
        str(path),
        stdout=out,
    )
    assert '"unchanged": 3' in out.getvalue()
    with pytest.raises(CommandError, match="may not manage_portfolio"):
        call_command(
            "ideas",
            "import",
            "--municipality",
            "esimerkkila",
            "--user",
            "viewer",
            "--file",
            str(path),
        )
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        call_command(
            "ideas",
            "import",
            "--municipality",
            "esimerkkila",
            "--user",
            "coordinator",
            "--file",
            str(path),
        )
    assert rows_of(first)[0][0] == "Tunniste"
