"""Customer feedback: the public one-question link per municipality and robot, counted per
month; the SDK's feedback_url; and the CSV import, whose refusals name the row and column."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.portfolio import feedback
from kuntarobo.portfolio.models import CustomerFeedback
from kuntarobo.portfolio.satisfaction import MonthlyScore, customer_satisfaction
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.sdk.feedback import feedback_url


@pytest.fixture
def coordinator(pworld):
    return pworld.users[Role.COORDINATOR]


@pytest.fixture
def site(settings) -> None:
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"


def switched_on(pworld, coordinator, robot: str = "hr_reports"):
    return feedback.set_customer_feedback(
        coordinator, pworld.esimerkkila, robot, enabled=True, via="test"
    )


def path_of(url: str) -> str:
    return url.removeprefix("https://kuntarobo.esimerkkila.fi")


def test_the_sdk_gives_no_link_until_the_municipality_switches_feedback_on(
    site, pworld, coordinator
):
    assert feedback_url(pworld.esimerkkila.pk, "hr_reports") is None
    link = switched_on(pworld, coordinator)
    url = feedback_url(pworld.esimerkkila.pk, "hr_reports")
    assert url == f"https://kuntarobo.esimerkkila.fi/palaute/{link.token}/"
    assert feedback_url(pworld.esimerkkila.pk, "invoice_check") is None
    assert feedback_url(pworld.naapurila.pk, "hr_reports") is None


def test_switching_off_hides_the_link_and_on_again_keeps_the_same_one(site, pworld, coordinator):
    first = switched_on(pworld, coordinator)
    feedback.set_customer_feedback(
        coordinator, pworld.esimerkkila, "hr_reports", enabled=False, via="test"
    )
    assert feedback_url(pworld.esimerkkila.pk, "hr_reports") is None
    off = Client().get(f"/palaute/{first.token}/")
    assert off.status_code == 410
    assert "Palautetta ei kerätä" in off.content.decode()
    again = switched_on(pworld, coordinator)
    assert again.token == first.token


def test_only_portfolio_managers_switch_feedback_on(pworld):
    for user in (pworld.users[Role.VIEWER], pworld.users["outsider"]):
        with pytest.raises(PermissionDeniedError):
            feedback.set_customer_feedback(
                user, pworld.esimerkkila, "hr_reports", enabled=True, via="test"
            )


def test_an_answer_through_the_public_link_is_counted_for_its_robot_and_month(
    site, pworld, coordinator
):
    link = switched_on(pworld, coordinator)
    page = Client().get(f"/palaute/{link.token}/")
    assert page.status_code == 200
    assert "Kuinka tyytyväinen olit asiasi käsittelyyn?" in page.content.decode()
    for score in ("5", "4"):
        sent = Client().post(f"/palaute/{link.token}/", {"score": score, "comment": ""})
        assert sent.status_code == 302
    thanks = Client().get(sent["Location"])
    assert "Kiitos palautteestasi" in thanks.content.decode()
    today = timezone.localdate()
    month = today.replace(day=1)
    assert customer_satisfaction([pworld.esimerkkila.pk], "hr_reports", month, today) == [
        MonthlyScore(month=month, responses=2, mean=Decimal("4.50"))
    ]
    assert customer_satisfaction([pworld.esimerkkila.pk], "invoice_check", month, today) == [
        MonthlyScore(month=month, responses=0, mean=None)
    ]
    assert customer_satisfaction([pworld.naapurila.pk], None, month, today)[0].responses == 0


def test_a_missing_score_is_refused_and_nothing_counted(site, pworld, coordinator):
    link = switched_on(pworld, coordinator)
    assert Client().post(f"/palaute/{link.token}/", {"score": "6"}).status_code == 400
    with pytest.raises(InputError) as refused:
        feedback.give_feedback(link.token, 0)
    assert refused.value.field == "score"
    assert not CustomerFeedback.objects.exists()


def test_an_unknown_feedback_link_is_a_finnish_404_page(db):
    response = Client().get("/palaute/" + "ab" * 16 + "/")
    assert response.status_code == 404
    assert "Linkkiä ei löytynyt" in response.content.decode()


def test_an_identity_code_typed_into_a_comment_is_masked(site, pworld, coordinator):
    link = switched_on(pworld, coordinator)
    feedback.give_feedback(link.token, 3, "Asiani 131052-308T käsiteltiin hitaasti")
    assert "131052-308T" not in CustomerFeedback.objects.get().comment


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_an_imported_csv_is_counted_per_month_with_finnish_headers_and_dates(pworld, coordinator):
    text = (
        "päivämäärä;arvosana;kommentti\n3.1.2026;5;Nopea käsittely\n2026-01-20;3;\n\n1.3.2026;4;\n"
    )
    count = feedback.import_feedback(
        coordinator,
        pworld.esimerkkila,
        "invoice_check",
        csv_file(text),
        via="test",
        today=datetime.date(2026, 6, 1),
    )
    assert count == 3
    months = customer_satisfaction(
        [pworld.esimerkkila.pk],
        "invoice_check",
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )
    assert months == [
        MonthlyScore(datetime.date(2026, 1, 1), 2, Decimal("4.00")),
        MonthlyScore(datetime.date(2026, 2, 1), 0, None),
        MonthlyScore(datetime.date(2026, 3, 1), 1, Decimal("4.00")),
    ]
    assert set(CustomerFeedback.objects.values_list("source", flat=True)) == {"import"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date,score\n2026-01-05,6\n", "row 2, column “score”: '6' is not a whole number"),
        ("date,score\n2026-01-05,4\n31.2.2026,4\n", "row 3, column “date”: '31.2.2026'"),
        ("date,score\n2026-01-05,4\n2099-01-01,4\n", "row 3, column “date”: 2099-01-01 is in"),
        ("date,comment\n2026-01-05,ok\n", "row 1: the column “score” is missing"),
        ("date,score\n", "no rows after the header"),
        ("", "the file is empty"),
        ("date,score,comment\n2026-01-05,4,\n2026-01-06,,\n", "row 3, column “score”: ''"),
    ],
)
def test_a_bad_csv_is_refused_naming_the_row_and_column_and_nothing_is_imported(
    pworld, coordinator, text, expected
):
    with pytest.raises(InputError) as refused:
        feedback.import_feedback(
            coordinator,
            pworld.esimerkkila,
            "invoice_check",
            csv_file(text),
            via="test",
            today=datetime.date(2026, 6, 1),
        )
    assert refused.value.field == "file"
    assert expected in str(refused.value)
    assert not CustomerFeedback.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_naming_the_row(pworld, coordinator):
    with pytest.raises(InputError) as refused:
        feedback.import_feedback(
            coordinator,
            pworld.esimerkkila,
            "invoice_check",
            io.BytesIO("date;score\n2026-01-05;4;Hyvä\n".encode("latin-1")),
            via="test",
        )
    assert "row 2 is not UTF-8" in str(refused.value)


def test_the_import_page_shows_every_problem_in_finnish(pworld):
    client = pworld.client_for(Role.COORDINATOR)
    upload = SimpleUploadedFile(
        "palaute.csv", b"date;score\nhuomenna;4\n2026-01-05;9\n", content_type="text/csv"
    )
    response = client.post(
        "/portfolio/feedback/import/",
        {"municipality": pworld.esimerkkila.pk, "robot_slug": "invoice_check", "file": upload},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "rivi 2, sarake ”date”" in text
    assert "rivi 3, sarake ”score”" in text
    assert not CustomerFeedback.objects.exists()


def test_the_settings_page_switches_a_robot_on_and_shows_its_link(site, pworld):
    client = pworld.client_for(Role.COORDINATOR)
    switched = client.post(
        "/portfolio/feedback/switch/",
        {"municipality": pworld.esimerkkila.pk, "robot_slug": "hr_reports", "enabled": "on"},
    )
    assert switched.status_code == 302
    page = client.get("/portfolio/feedback/").content.decode()
    assert "https://kuntarobo.esimerkkila.fi/palaute/" in page
