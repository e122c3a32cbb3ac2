"""Importing a campaign's respondents from CSV and XLSX: all or nothing, problems named by row
and column in Finnish with the numbers masked, duplicates and do-not-call numbers reported,
counts (never numbers) in the audit trail."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.phone_survey.campaign_import import import_respondents, read_file
from kuntarobo.robots.phone_survey.models import Campaign, CampaignStatus, Respondent
from kuntarobo.sdk import InputError
from tests.factories import PASSWORD, MunicipalityFactory, user_with_role
from tests.robots.phone_survey.campaign_factories import (
    CampaignFactory,
    DoNotCallFactory,
    RespondentFactory,
)

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "puhelin;ikäryhmä;sukupuoli;alue;kieli\n"
    "040 123 4567;18-29;nainen;Keskusta;fi\n"
    "+358 50 765 4321;65+;mies;Kalanti;svenska\n"
    "0401234567;30-44;;;\n"
    "(02) 845 1500;45-64;mies;Pyhämaa;en\n"
)


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    other = MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    campaign = CampaignFactory(municipality=home)
    DoNotCallFactory(municipality=home, phone="+358507654321")
    DoNotCallFactory(municipality=other, phone="+358401234567")  # another list: not ours
    return {
        "home": home,
        "campaign": campaign,
        "coordinator": user_with_role(Role.COORDINATOR, home),
        "viewer": user_with_role(Role.VIEWER, home),
        "outsider": user_with_role(Role.ADMINISTRATOR, other),
    }


def xlsx(rows: list[list[Any]]) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("Vastaajat")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, value)
    book.close()
    return output.getvalue()


def upload(
    world: dict[str, Any], name: str, content: bytes, user: str = "coordinator", **extra: Any
) -> Any:
    url = reverse("phone_survey:respondents_import", args=[world["campaign"].pk])
    data = {"file": SimpleUploadedFile(name, content), **extra}
    return client_for(world[user]).post(url, data)


def file_errors(response: Any) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get("file", [])]


def test_a_good_csv_is_imported_with_its_facts_duplicates_and_do_not_call_numbers_shown(world):
    response = upload(world, "vastaajat.csv", GOOD_CSV.encode())
    assert response.status_code == 200
    people = list(Respondent.objects.filter(campaign=world["campaign"]).order_by("row"))
    assert [(p.row, p.phone, p.age_group, p.gender, p.area, p.language) for p in people] == [
        (2, "+358401234567", "18-29", "nainen", "Keskusta", "fi"),
        (3, "+358507654321", "65+", "mies", "Kalanti", "sv"),
        (5, "+35828451500", "45-64", "mies", "Pyhämaa", "en"),
    ]
    report = response.context["report"]
    assert report.imported == 3
    assert [str(line) for line in report.duplicates] == [
        "Rivi 4: *******567 on sama numero kuin rivillä 2 (soitetaan kerran)."
    ]
    # On the municipality's own list: imported (never called, the robot checks), shown masked.
    assert [str(line) for line in report.on_do_not_call] == ["Rivi 3: +*********321"]
    text = response.content.decode()
    assert "+358507654321" not in text
    assert "3 vastaajaa tuotiin." in text


def test_the_import_is_audited_with_counts_only(world):
    upload(world, "vastaajat.csv", GOOD_CSV.encode())
    event = AuditEvent.objects.get(action="phone_survey.respondents_imported")
    assert event.details == {"imported": 3, "duplicates": 1, "on_do_not_call": 1, "replaced": 0}
    assert event.object_id == str(world["campaign"].pk)


def test_a_bad_row_refuses_the_whole_file_naming_row_and_column_in_finnish_masked(world):
    bad = GOOD_CSV + "040 12;18-29;;;fi\n0451234567;18-29;;;klingon\n;30-44;;;\n"
    response = upload(world, "vastaajat.csv", bad.encode())
    assert response.status_code == 400
    errors = file_errors(response)
    assert errors == [
        "Rivi 6, sarake puhelin: **0 12 ei ole kelvollinen puhelinnumero.",
        "Rivi 7, sarake kieli: tuntematon kieli klingon (käytä fi, sv tai en).",
        "Rivi 8, sarake puhelin: puhelinnumero puuttuu.",
    ]
    assert "0451234567" not in response.content.decode()
    assert not Respondent.objects.exists()
    assert not AuditEvent.objects.filter(action="phone_survey.respondents_imported").exists()


def test_a_good_xlsx_is_read_with_the_same_rules_numbers_as_numbers_too(world):
    content = xlsx(
        [
            ["phone", "age_group", "gender", "area", "language"],
            ["040 123 4567", "18-29", "female", "Centre", "fi"],
            [401234568, "30-44", None, None, "sv"],  # typed as a number: the 0 is lost
            [None, None, None, None, None],
            ["+358 50 111 2222", "65+", "male", "North\nside", "en"],
        ]
    )
    response = upload(world, "vastaajat.xlsx", content)
    assert response.status_code == 200, file_errors(response)
    people = list(
        Respondent.objects.order_by("row").values_list("row", "phone", "area", "language")
    )
    assert people == [
        (2, "+358401234567", "Centre", "fi"),
        (3, "+358401234568", "", "sv"),
        (5, "+358501112222", "North side", "en"),
    ]


def test_a_bad_xlsx_row_names_the_sheets_row_and_nothing_is_written(world):
    content = xlsx(
        [
            ["Puhelinnumero", "Kieli"],
            ["040 123 4567", "fi"],
            ["040 123", "fi"],
        ]
    )
    response = upload(world, "vastaajat.xlsx", content)
    assert response.status_code == 400
    assert file_errors(response) == [
        "Rivi 3, sarake puhelin: *** 123 ei ole kelvollinen puhelinnumero."
    ]
    assert not Respondent.objects.exists()


def test_an_xlsx_starting_lower_on_the_sheet_keeps_the_sheets_row_numbers(world):
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(2, 1, "phone")
    sheet.write_string(3, 1, "040 123 4567")
    sheet.write_string(4, 1, "nope")
    book.close()
    response = upload(world, "vastaajat.xlsx", output.getvalue())
    assert file_errors(response) == [
        "Rivi 5, sarake puhelin: nope ei ole kelvollinen puhelinnumero."
    ]


def test_a_file_that_is_not_a_workbook_is_refused_in_finnish(world):
    response = upload(world, "vastaajat.xlsx", b"PK\x03\x04 not really a zip")
    assert file_errors(response) == ["Tiedosto ei ole luettava Excel-työkirja (.xlsx)."]
    response = upload(world, "vastaajat.pdf", b"%PDF-1.4")
    assert file_errors(response) == ["Lataa CSV- (.csv) tai Excel-tiedosto (.xlsx)."]


def test_a_workbook_bomb_is_stopped_by_the_input_limits(world, settings):
    from kuntarobo.sdk.inputs import InputLimits

    settings.KUNTAROBO_INPUT_LIMITS = InputLimits(total_bytes=50_000, member_bytes=50_000)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 5_000_000 + b"</a>")
    response = upload(world, "vastaajat.xlsx", output.getvalue())
    assert response.status_code == 400
    assert any("(yläraja)" in error for error in file_errors(response)), file_errors(response)
    assert not Respondent.objects.exists()


@pytest.mark.parametrize(
    ("content", "finnish"),
    [
        (b"", "tiedosto on tyhjä."),
        (b"nimi;osoite\nMatti;Katu 1\n", "Ensimmäisellä rivillä on oltava puhelinnumeron sarake"),
        (b"phone;puhelin\n0401234567;0401234567\n", "Otsikkorivin kaksi saraketta"),
        (b"phone\n", "Tiedostossa on otsikkorivi mutta ei vastaajia."),
        (b"\n\n", "Tiedosto on tyhjä."),
        ("phone;alue\n0401234567;Pyhämaa\n".encode("cp1252"), "Rivi 2 ei ole UTF-8-tekstiä"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_is_refused_in_finnish(world, content, finnish):
    response = upload(world, "vastaajat.csv", content)
    assert response.status_code == 400
    assert any(finnish in error for error in file_errors(response)), file_errors(response)
    assert not Respondent.objects.exists()


def test_too_many_rows_are_refused_by_the_row_limit(world, settings):
    from kuntarobo.sdk.inputs import InputLimits

    settings.KUNTAROBO_INPUT_LIMITS = InputLimits(rows=3)
    rows = "".join(f"04012345{n:02d}\n" for n in range(4))
    response = upload(world, "vastaajat.csv", f"phone\n{rows}".encode())
    assert file_errors(response) == ["Tiedostossa on yli 3 riviä (raja)."]
    assert not Respondent.objects.exists()


def test_a_second_import_adds_and_reports_numbers_already_in_the_campaign(world):
    RespondentFactory(campaign=world["campaign"], phone="+358401234567")
    response = upload(world, "lisää.csv", b"phone\n0401234567\n0409999999\n")
    report = response.context["report"]
    assert report.imported == 1
    assert [str(line) for line in report.duplicates] == [
        "Rivi 2: +*********567 on jo kampanjan vastaajissa."
    ]
    assert Respondent.objects.count() == 2


def test_replacing_removes_the_earlier_respondents_in_the_same_transaction(world):
    RespondentFactory(campaign=world["campaign"], phone="+358401111111")
    response = upload(world, "uusi.csv", b"phone\n0409999999\n", replace="on")
    assert response.context["report"].replaced == 1
    assert list(Respondent.objects.values_list("phone", flat=True)) == ["+358409999999"]


def test_a_bad_file_with_replace_keeps_the_earlier_respondents(world):
    RespondentFactory(campaign=world["campaign"], phone="+358401111111")
    response = upload(world, "uusi.csv", b"phone\n0409999999\nnope\n", replace="on")
    assert response.status_code == 400
    assert list(Respondent.objects.values_list("phone", flat=True)) == ["+358401111111"]


@pytest.mark.parametrize("status", [CampaignStatus.RUNNING, CampaignStatus.ENDED])
def test_respondents_are_imported_only_into_a_draft(world, status):
    Campaign.objects.filter(pk=world["campaign"].pk).update(status=status)
    response = upload(world, "vastaajat.csv", GOOD_CSV.encode())
    assert response.status_code == 409
    assert not Respondent.objects.exists()
    world["campaign"].refresh_from_db()
    with pytest.raises(InputError):
        import_respondents(world["campaign"], "v.csv", GOOD_CSV.encode(), actor=None)


def test_only_those_who_may_configure_import_and_others_municipalities_get_not_found(world):
    assert upload(world, "v.csv", GOOD_CSV.encode(), user="viewer").status_code == 403
    assert upload(world, "v.csv", GOOD_CSV.encode(), user="outsider").status_code == 404
    assert not Respondent.objects.exists()


def test_the_reader_gives_the_same_result_for_csv_and_xlsx():
    rows = [line.split(";") for line in GOOD_CSV.strip().split("\n")]
    from_csv = read_file("a.csv", GOOD_CSV.encode())
    from_xlsx = read_file("a.xlsx", xlsx(rows))
    assert from_csv == from_xlsx


def test_a_file_over_the_size_limit_is_refused_unread(world, monkeypatch):
    from kuntarobo.robots.phone_survey import campaign_import, campaign_views

    monkeypatch.setattr(campaign_import, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(campaign_views, "MAX_FILE_BYTES", 100)
    response = upload(world, "vastaajat.csv", b"phone\n" + b"0401234567\n" * 20)
    assert response.status_code == 400
    assert file_errors(response) == ["Tiedosto on suurempi kuin 100 B (raja)."]
    assert not Respondent.objects.exists()
