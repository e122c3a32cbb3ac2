"""The practice system's screens over real HTTP: logins, lockout, session time-out, the report
form, paging, months without data and the renamed field (the ids robots rely on)."""

from __future__ import annotations

import math
import re
import time
import urllib.parse

import requests

from kuntarobo.practice.data import current_month, shift_month
from kuntarobo.practice.server import NOTICE, SYSTEM_NAME, PracticeServer
from tests.practice.conftest import LAST_MONTH, PASSWORD, USER, has_id, login, text_of


def results(session: requests.Session, server: PracticeServer, **query: str) -> requests.Response:
    params = {"unit": "all", "month": LAST_MONTH, "report": "henkilostoaineisto", **query}
    return session.get(server.url + "raportit/tulokset/", params=params)


def row_count(page: str) -> int:
    return int(re.sub(r"\D", "", text_of(page, "row-count")))


def test_the_right_password_opens_the_menu_with_the_reports_link_and_logout(practice):
    response = login(practice)
    assert response.url == practice.url + "valikko/"
    assert has_id(response.text, "menu-reports")
    assert has_id(response.text, "logout")
    session = response.session
    assert session.cookies.get("harjoitus_istunto")
    logged_out = session.get(practice.url + "ulos/")
    assert has_id(logged_out.text, "username")
    assert session.get(practice.url + "valikko/").url == practice.url


def test_the_session_cookie_is_http_only(practice):
    response = requests.post(
        practice.url, data={"username": USER, "password": PASSWORD}, allow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert PASSWORD not in cookie
    assert PASSWORD not in response.headers["Location"]


def test_every_screen_says_it_is_a_practice_system_with_invented_data(practice, signed_in):
    pages = [requests.get(practice.url).text]
    for path in ("valikko/", "raportit/", "valikko/henkilot/", "yllapito/"):
        pages.append(signed_in.get(practice.url + path).text)
    pages.append(results(signed_in, practice).text)
    for page in pages:
        assert SYSTEM_NAME in page
        assert NOTICE in page
        assert 'lang="fi"' in page


def test_a_wrong_password_shows_the_login_error_and_never_echoes_the_password(practice):
    response = login(practice, password="väärä-salasana-123")
    assert response.status_code == 401
    assert has_id(response.text, "login-error")
    assert not has_id(response.text, "locked")
    assert "väärä-salasana-123" not in response.text
    assert has_id(response.text, "username")
    assert 'value="robotti"' in response.text
    assert "väärä" not in response.url


def test_an_unknown_user_name_gets_the_same_login_error(practice):
    response = login(practice, user="tuntematon")
    assert has_id(response.text, "login-error")


def test_three_wrong_passwords_lock_the_account_and_the_right_one_is_refused_while_locked(
    practice,
):
    first, second = login(practice, password="x"), login(practice, password="y")
    assert has_id(first.text, "login-error")
    assert has_id(second.text, "login-error")
    third = login(practice, password="z")
    assert has_id(third.text, "locked")
    refused = login(practice)
    assert has_id(refused.text, "locked")
    assert refused.url == practice.url
    assert not refused.session.cookies.get("harjoitus_istunto")


def test_a_lock_ends_after_its_time_and_the_right_password_then_resets_the_count(practice):
    practice.options.lockout_seconds = 1
    for _ in range(3):
        login(practice, password="x")
    assert has_id(login(practice).text, "locked")
    time.sleep(1.1)
    assert login(practice).url == practice.url + "valikko/"
    assert has_id(login(practice, password="x").text, "login-error")  # counting from zero


def test_wrong_passwords_while_locked_keep_the_account_locked(practice):
    practice.options.lockout_seconds = 2
    for _ in range(3):
        login(practice, password="x")
    time.sleep(1.3)
    assert has_id(login(practice, password="x").text, "locked")  # counted: the lock renewed
    time.sleep(1.0)  # past the first lock's end, well within the renewed one
    assert has_id(login(practice).text, "locked")


def test_a_successful_login_resets_the_failures_in_a_row(practice):
    login(practice, password="x")
    login(practice, password="y")
    assert login(practice).url == practice.url + "valikko/"
    login(practice, password="x")
    login(practice, password="y")
    assert login(practice).url == practice.url + "valikko/"


def test_the_administration_screen_unlocks_an_account(practice):
    for _ in range(3):
        login(practice, password="x")
    admin = requests.get(practice.url + "yllapito/")
    assert "<li>robotti</li>" in admin.text
    unlocked = requests.post(
        practice.url + "yllapito/", data={"action": "unlock", "username": USER}
    )
    assert "<li>robotti</li>" not in unlocked.text
    assert login(practice).url == practice.url + "valikko/"


def test_login_attempts_count_every_attempt_per_user_name(practice):
    login(practice, password="x")
    login(practice)
    login(practice, user="toinen", password="x")
    assert practice.login_attempts == {USER: 2, "toinen": 1}


def test_an_idle_session_times_out_to_the_login_page_that_says_so(practice, signed_in):
    practice.options.session_seconds = 1
    assert signed_in.get(practice.url + "raportit/").url == practice.url + "raportit/"
    time.sleep(1.3)
    response = signed_in.get(practice.url + "raportit/")
    assert urllib.parse.urlsplit(response.url).path == "/"
    assert has_id(response.text, "session-expired")
    assert has_id(response.text, "username")
    again = signed_in.get(practice.url + "valikko/")  # the session is gone, not renewed
    assert urllib.parse.urlsplit(again.url).path == "/"


def test_a_used_session_stays_alive_past_the_time_out(practice, signed_in):
    practice.options.session_seconds = 2
    for _ in range(3):
        time.sleep(0.8)
        assert signed_in.get(practice.url + "valikko/").url == practice.url + "valikko/"


def test_every_screen_but_the_login_needs_a_session(practice):
    for path in ("valikko/", "raportit/", "raportit/tulokset/", "raportit/lataa/", "ulos/"):
        response = requests.get(practice.url + path, allow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/"
    forged = requests.get(practice.url + "valikko/", cookies={"harjoitus_istunto": "arvaus"})
    assert forged.url == practice.url


def test_the_report_form_has_the_units_months_and_reports(practice, signed_in):
    page = signed_in.get(practice.url + "raportit/").text
    for element_id in ("unit", "month", "report", "show"):
        assert has_id(page, element_id)
    assert '<option value="all" selected>Kaikki yksiköt</option>' in page
    for unit_id in ("1000", "1001", "1002", "1003"):
        assert f'<option value="{unit_id}"' in page
    for report in ("henkilostoaineisto", "poissaolot", "palkat", "palvelussuhteet"):
        assert f'<option value="{report}"' in page
    assert '<label for="month">' in page


def test_the_results_page_through_every_row(practice, signed_in):
    practice.options.page_size = 7
    first = results(signed_in, practice)
    total = row_count(first.text)
    assert total == 40  # one row per employee: 4 units of 10
    pages = math.ceil(total / 7)
    assert text_of(first.text, "page-info") == f"Sivu 1 / {pages}"
    seen = []
    page = first.text
    for number in range(1, pages + 1):
        assert text_of(page, "page-info") == f"Sivu {number} / {pages}"
        seen += re.findall(r"<tr><td>\d+</td><td>(\d+)</td>", page)
        if number < pages:
            link = re.search(r'<a rel="next" id="next-page" href="([^"]+)"', page)
            assert link, f"no next link on page {number}"
            page = signed_in.get(practice.url + link.group(1).lstrip("/")).text
    assert not has_id(page, "next-page")
    assert len(seen) == total == len(set(seen))


def test_each_report_has_its_own_rows_and_a_unit_filter_narrows_them(practice, signed_in):
    counts = {}
    for report in ("henkilostoaineisto", "poissaolot", "palkat", "palvelussuhteet"):
        page = results(signed_in, practice, report=report).text
        assert has_id(page, "results")
        assert has_id(page, "download")
        counts[report] = row_count(page)
    assert counts["henkilostoaineisto"] == 40
    assert counts["palkat"] >= 40  # everyone is paid, some get supplements
    assert counts["palvelussuhteet"] <= 40
    one_unit = results(signed_in, practice, unit="1002").text
    assert row_count(one_unit) == 10
    assert set(re.findall(r"<tr><td>(\d+)</td>", one_unit)) == {"1002"}


def test_a_bad_month_or_unit_is_shown_on_the_form(practice, signed_in):
    bad_month = results(signed_in, practice, month="11/2026")
    assert bad_month.status_code == 400
    assert has_id(bad_month.text, "form-error")
    bad_unit = results(signed_in, practice, unit="9999")
    assert bad_unit.status_code == 400
    assert has_id(bad_unit.text, "form-error")


def test_a_month_without_data_shows_no_table_and_no_download(practice, signed_in):
    practice.options.first_month = shift_month(current_month(), -3)
    too_early = shift_month(current_month(), -4)
    too_late = shift_month(current_month(), 1)
    for month in (too_early, too_late):
        page = results(signed_in, practice, month=month).text
        assert text_of(page, "no-data") == "Valitulle kuukaudelle ei ole aineistoa."
        assert not has_id(page, "results")
        assert not has_id(page, "download")
    for month in (shift_month(current_month(), -3), current_month()):
        assert has_id(results(signed_in, practice, month=month).text, "results")


def test_by_default_two_years_have_data(practice, signed_in):
    assert has_id(
        results(signed_in, practice, month=shift_month(current_month(), -24)).text, "results"
    )
    assert has_id(
        results(signed_in, practice, month=shift_month(current_month(), -25)).text, "no-data"
    )


def test_the_renamed_field_replaces_the_month_input_and_back(practice, signed_in):
    practice.options.renamed_field = True
    page = signed_in.get(practice.url + "raportit/").text
    assert '<input id="period" name="period"' in page
    assert "Palkkakausi" in page
    assert not has_id(page, "month")
    old_robot = results(signed_in, practice)  # still sends month=...
    assert has_id(old_robot.text, "form-error")
    assert not has_id(old_robot.text, "results")
    new_robot = signed_in.get(
        practice.url + "raportit/tulokset/",
        params={"unit": "all", "period": LAST_MONTH, "report": "henkilostoaineisto"},
    )
    assert has_id(new_robot.text, "results")
    download = re.search(r'id="download" href="([^"]+)"', new_robot.text)
    assert download
    assert "period=" in download.group(1)
    practice.options.renamed_field = False
    page = signed_in.get(practice.url + "raportit/").text
    assert has_id(page, "month")
    assert not has_id(page, "period")


def test_the_administration_screen_switches_the_screen_version(practice, signed_in):
    requests.post(practice.url + "yllapito/", data={"action": "renamed_field", "value": "1"})
    assert practice.options.renamed_field
    assert has_id(signed_in.get(practice.url + "raportit/").text, "period")
    requests.post(practice.url + "yllapito/", data={"action": "renamed_field", "value": "0"})
    assert has_id(signed_in.get(practice.url + "raportit/").text, "month")


def test_a_cross_site_post_to_the_administration_screen_is_refused(practice):
    response = requests.post(
        practice.url + "yllapito/",
        data={"action": "renamed_field", "value": "1"},
        headers={"Origin": "https://hyokkaaja.example"},
    )
    assert response.status_code == 403
    assert not practice.options.renamed_field


def test_the_administration_screen_refuses_other_addresses(practice):
    """Served on loopback in the tests, so the remote address is given to the application as
    waitress would pass it from another machine."""
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/yllapito/",
        "REMOTE_ADDR": "192.0.2.10",
        "QUERY_STRING": "",
    }
    body = b"".join(practice.app(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["403 Forbidden"]
    assert b"toggle-renamed-field" not in body


def test_the_request_counter_counts_pages_served(practice, signed_in):
    before = practice.requests
    signed_in.get(practice.url + "valikko/")
    signed_in.get(practice.url + "raportit/")
    assert practice.requests == before + 2
