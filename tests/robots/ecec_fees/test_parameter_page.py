"""The act's figures in the web UI: who may complete or add a row, field errors in the user's
language, the audit trail with before and after, used rows kept; the demo's example figures
marked on every page and letter; and fees computed for today and next month."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Permission as AuthPermission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.demo.data import complete_with_example_figures, ecec_demo_period
from kuntarobo.robots.ecec_fees import letters, service
from kuntarobo.robots.ecec_fees.models import (
    MANAGE_PARAMETERS,
    FeeDecision,
    FeeParameterRow,
)
from kuntarobo.robots.ecec_fees.views import default_date
from kuntarobo.runtime.models import WorkItem
from tests.factories import PASSWORD, MunicipalityFactory, UserFactory, user_with_role
from tests.robots.ecec_fees.factories import FeeDecisionFactory
from tests.robots.ecec_fees.helpers import configure, family, write_families
from tests.robots.ecec_fees.letter_samples import sample_letter
from tests.robots.ecec_fees.pdf_helpers import all_text

PAGE = reverse("ecec_fees_staff:parameters")
AUGUST_2026 = datetime.date(2026, 8, 1)
AUGUST_2024 = datetime.date(2024, 8, 1)
ESTIMATE = "/varhaiskasvatusmaksu/esimerkkila/"


def client_for(user, language: str = "fi") -> Client:
    client = Client(headers={"accept-language": language})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def granted(user):
    user.user_permissions.add(
        AuthPermission.objects.get(codename=MANAGE_PARAMETERS, content_type__app_label="ecec_fees")
    )
    return user


def form_data(**changes: str) -> dict[str, str]:
    """Test figures typed as euros (not the official ones: the tests need only some figures)."""
    data = {
        "valid_from": "2026-08-01",
        "threshold_2": "4 200",
        "threshold_3": "5 400",
        "threshold_4": "6 100",
        "threshold_5": "6 900",
        "threshold_6": "7 600",
        "increase_per_further_child": "280",
        "max_fee": "335",
        "min_fee": "32",
        "income_percentage": "10,70",
        "sibling_second": "40",
        "sibling_further": "20",
        "source": "Testiluvut (ei virallisia)",
    }
    data.update(changes)
    return data


@pytest.fixture
def home(db):
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(municipality)
    return municipality


def rows_now() -> list[dict]:
    return list(FeeParameterRow.objects.order_by("valid_from").values())


# --- who may see and change the rows -------------------------------------------------------


def test_the_robot_page_links_to_the_parameter_page(home):
    viewer = user_with_role(Role.VIEWER, home)
    page = client_for(viewer).get(reverse("robot_detail", args=["ecec_fees"])).content.decode()
    assert PAGE in page


def test_a_viewer_sees_every_row_with_its_source_and_the_missing_figures_but_no_form(home):
    viewer = user_with_role(Role.VIEWER, home)
    response = client_for(viewer).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1503/2016" in page  # the rows' source
    assert "Keskeneräinen" in page  # the 2026 row lacks the thresholds, in Finnish
    assert 'name="threshold_2"' not in page


def test_a_municipal_administrator_without_the_platform_permission_may_not_change_a_row(home):
    before = rows_now()
    administrator = user_with_role(Role.ADMINISTRATOR, home)
    response = client_for(administrator).post(PAGE, form_data())
    assert response.status_code == 403
    assert rows_now() == before
    assert not AuditEvent.objects.filter(action="ecec_fees.parameters_add").exists()


def test_a_user_with_no_role_anywhere_may_not_open_the_page(db):
    assert client_for(UserFactory()).get(PAGE).status_code == 403


def test_a_granted_user_completes_the_2026_row_and_the_audit_keeps_before_and_after(home):
    user = granted(user_with_role(Role.ADMINISTRATOR, home))
    client = client_for(user)
    page = client.get(PAGE).content.decode()
    # the form opens on the incomplete row, with the figures it has
    assert 'value="2026-08-01"' in page
    assert 'name="threshold_2"' in page
    response = client.post(PAGE, form_data())
    assert response.status_code == 302
    row = FeeParameterRow.objects.get(valid_from=AUGUST_2026)
    assert row.complete
    assert not row.example_figures
    assert row.income_thresholds["2"] == 420000
    assert row.threshold_increase_per_further_child == 28000
    assert row.source == "Testiluvut (ei virallisia)"
    event = AuditEvent.objects.get(action="ecec_fees.parameters_add")
    assert event.actor == user
    assert event.details["before"]["income_thresholds"] is None
    assert event.details["before"]["max_fee"] == 33500
    assert event.details["after"]["income_thresholds"]["6"] == 760000
    # the estimate and the calculator compute from then on
    answer = service.calculate(
        {
            "date": "2026-09-01",
            "family": {
                "size": 2,
                "incomes": [{"amount": 520000}],
                "children": [{"id": "a", "birth_date": "2023-01-01"}],
            },
        }
    )
    assert answer["total_fee"] == 10700  # 10.7 % × (5,200 − 4,200) €


def test_a_superuser_may_use_the_page_too(home):
    root = UserFactory(is_superuser=True)
    assert client_for(root).post(PAGE, form_data()).status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "finnish"),
    [
        ({"source": ""}, "source", "Tämä kenttä vaaditaan"),
        ({"threshold_3": "4 000"}, "threshold_3", "ei voi olla pienemmän perheen tulorajaa"),
        ({"min_fee": "400"}, "min_fee", "ei voi olla suurempi kuin enimmäismaksu"),
        ({"sibling_further": "60"}, "sibling_further", "suurempi osuus kuin toisen lapsen"),
        ({"threshold_2": "paljon"}, "threshold_2", "Syötä luku"),
    ],
)
def test_bad_figures_are_refused_by_field_in_the_users_language_and_nothing_is_stored(
    home, changes, field, finnish
):
    user = granted(user_with_role(Role.ADMINISTRATOR, home))
    before = rows_now()
    response = client_for(user).post(PAGE, form_data(**changes))
    assert response.status_code == 200
    assert finnish in response.content.decode()
    assert field in response.context["form"].errors
    assert rows_now() == before
    assert not AuditEvent.objects.filter(action="ecec_fees.parameters_add").exists()


def test_a_row_used_by_a_decision_is_not_changed_but_named_in_the_users_language(home):
    FeeDecisionFactory(municipality=home)  # computed with the figures from 1 August 2024
    user = granted(user_with_role(Role.ADMINISTRATOR, home))
    before = rows_now()
    response = client_for(user).post(PAGE, form_data(valid_from="2024-08-01"))
    assert response.status_code == 200
    errors = response.context["form"].errors["valid_from"]
    assert "käytetty maksupäätöksissä" in errors[0]
    assert rows_now() == before
    page = client_for(user).get(PAGE).content.decode()
    assert "Käytetty maksupäätöksissä" in page


def test_the_cli_and_the_page_use_one_action_and_one_permission(home, tmp_path):
    """The CLI refuses a user without the permission and accepts one granted it."""
    user = user_with_role(Role.ADMINISTRATOR, home)
    file = tmp_path / "figures.json"
    file.write_text(
        json.dumps(
            {
                "income_percentage": "10.7",
                "income_thresholds": {str(n): 400000 + n for n in range(2, 7)},
                "threshold_increase_per_further_child": 28000,
                "max_fee": 33500,
                "min_fee": 3200,
                "sibling_percentages": [100, 40, 20],
            }
        )
    )
    arguments = ("ecec-fees", "parameters", "--add", str(file), "--valid-from", "2026-08-01")
    with pytest.raises(CommandError):
        call_command(*arguments, "--source", "t", "--user", user.username, stdout=StringIO())
    assert not FeeParameterRow.objects.get(valid_from=AUGUST_2026).complete
    granted(user)
    call_command(*arguments, "--source", "t", "--user", user.username, stdout=StringIO())
    assert FeeParameterRow.objects.get(valid_from=AUGUST_2026).complete


def test_only_the_demo_may_enter_example_figures(home):
    from kuntarobo.robots.ecec_fees import actions as fee_actions
    from kuntarobo.sdk.permissions import PermissionDeniedError

    root = UserFactory(is_superuser=True)
    figures = {
        "income_percentage": "10.7",
        "income_thresholds": {str(n): 400000 for n in range(2, 7)},
        "threshold_increase_per_further_child": 1,
        "max_fee": 33500,
        "min_fee": 3200,
        "sibling_percentages": [100, 40, 20],
    }
    with pytest.raises(PermissionDeniedError):
        fee_actions.add_parameter_row(
            root, figures, valid_from=AUGUST_2026, source="x", example_figures=True
        )
    assert not FeeParameterRow.objects.get(valid_from=AUGUST_2026).example_figures


# --- today and next month ------------------------------------------------------------------


def test_the_estimate_pages_own_default_date_computes_today(client, home):
    today = timezone.localdate()
    day = default_date(today)
    page = client.get(ESTIMATE).content.decode()
    assert f'value="{day.isoformat()}"' in page
    response = client.post(
        ESTIMATE,
        {
            "date": day.isoformat(),
            "family_size": "2",
            "income_1": "5200",
            "child_1_birth_date": "2023-01-01",
            "child_1_hours": "150",
        },
    )
    assert response.context["result"] is not None, response.context["form"].errors
    if not FeeParameterRow.objects.in_force_on(today).complete:
        # the official thresholds in force today are not entered: the page says why its date
        # is an earlier month
        assert "ei ole vielä vahvistettu" in response.content.decode() or day == today


def test_a_year_from_now_with_the_row_still_incomplete_the_robot_and_estimate_name_the_gap(
    client, home, tmp_path, monkeypatch
):
    later = datetime.date(2027, 12, 6)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    # the estimate's default still computes (the last month with known figures)...
    day = default_date(later)
    assert day < AUGUST_2026
    page = client.get(ESTIMATE).content.decode()
    assert f'value="{day.isoformat()}"' in page
    assert "1.8.2026" in page  # "the income limits from 1.8.2026 are not confirmed yet"
    # ...and a date a year from now is refused on the date field, naming what is missing
    response = client.post(
        ESTIMATE,
        {
            "date": "2027-12-06",
            "family_size": "2",
            "income_1": "5200",
            "child_1_birth_date": "2023-01-01",
            "child_1_hours": "150",
        },
    )
    assert response.context["result"] is None
    assert "tulorajoja" in " ".join(response.context["form"].errors["date"])
    # the robot refuses the run for that month, naming the missing income thresholds
    path = write_families(tmp_path / "f.jsonl", family())
    with pytest.raises(CommandError) as refused:
        call_command(
            "ecec-fees",
            "run",
            "--input",
            str(path),
            "--date",
            "2027-12-01",
            "--municipality",
            "esimerkkila",
            stdout=StringIO(),
        )
    assert "income thresholds" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_with_the_demos_example_figures_the_robot_decides_today_and_next_month_marked(
    tmp_path, capsys
):
    home = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(home)
    today = timezone.localdate()
    completed = complete_with_example_figures(today)
    next_month = ecec_demo_period(today)
    for day in (today, next_month):
        assert FeeParameterRow.objects.in_force_on(day).complete
    if not completed:
        pytest.skip("the official figures for today are entered: nothing to mark")
    path = write_families(tmp_path / "f.jsonl", family())
    call_command(
        "ecec-fees",
        "run",
        "--input",
        str(path),
        "--date",
        next_month.isoformat(),
        "--municipality",
        "esimerkkila",
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["decisions"] == 1, summary
    decision = FeeDecision.objects.get()
    assert FeeParameterRow.objects.get(valid_from=decision.parameters_valid_from).example_figures
    # the reviewer is told first; the draft letter says it
    item = WorkItem.objects.get()
    assert item.attention[0].startswith("Esimerkkiluvut, ei virallisia")
    # the decisions page and the parameter page mark them
    reviewer = user_with_role(Role.ADMINISTRATOR, home)
    decisions = client_for(reviewer).get(reverse("ecec_fees_staff:decisions")).content.decode()
    assert "ESIMERKKILUVUT, EIVÄT VIRALLISIA" in decisions
    assert "esimerkkiluvut" in decisions
    parameters = client_for(reviewer).get(PAGE).content.decode()
    assert "ESIMERKKILUVUT, EIVÄT VIRALLISIA" in parameters
    # the estimate for today says so too
    response = Client().post(
        ESTIMATE,
        {
            "date": today.isoformat(),
            "family_size": "2",
            "income_1": "5200",
            "child_1_birth_date": "2023-01-01",
            "child_1_hours": "150",
        },
    )
    assert response.context["result"]["example_figures"] is True
    assert "ESIMERKKILUVUT, EIVÄT VIRALLISIA" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fi", "ESIMERKKILUVUT – EI VIRALLINEN PÄÄTÖS"),
        ("sv", "EXEMPELBELOPP – INTE ETT OFFICIELLT BESLUT"),
        ("en", "EXAMPLE FIGURES – NOT AN OFFICIAL DECISION"),
    ],
)
def test_a_letter_computed_with_example_figures_says_so_and_an_official_one_does_not(
    language, heading
):
    marked = all_text(letters.render_pdf(sample_letter(language=language, example_figures=True)))
    assert heading in marked
    plain = all_text(letters.render_pdf(sample_letter(language=language)))
    assert heading not in plain
