"""`kuntarobo ecec-fees`: the calculator as a real process (one JSON object in, one out, exit 2
naming the field on bad input), a whole run here and now, the act's parameter rows, a
municipality's settings and the print batch."""

from __future__ import annotations

import copy
import datetime
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kuntarobo.accounts.models import Role
from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.ecec_fees.models import DecisionStatus, FeeDecision, FeeParameterRow
from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings, example_settings
from kuntarobo.robots.ecec_fees.service import calculate
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, RobotSettings, Run, WorkItem
from tests.factories import MunicipalityFactory, UserFactory, deciding_official, user_with_role
from tests.robots.ecec_fees.factories import FeeDecisionFactory
from tests.robots.ecec_fees.helpers import PERIOD, configure, family, write_families

PARAMETERS_2024: dict[str, Any] = {
    "income_percentage": "10.7",
    "income_thresholds": {"2": 406600, "3": 524500, "4": 595600, "5": 666700, "6": 737600},
    "threshold_increase_per_further_child": 27500,
    "max_fee": 31100,
    "min_fee": 3000,
    "sibling_percentages": [100, 40, 20],
}
EXAMPLE_FAMILY: dict[str, Any] = {
    "size": 4,
    "incomes": [{"amount": 350000}, {"amount": 280000}],
    "children": [
        {
            "id": "a",
            "birth_date": "2022-05-01",
            "service_need_coefficient": "1.0",
            "alterations": [{"kind": "discount", "percent": "20"}],
        },
        {"id": "b", "birth_date": "2020-01-15", "service_need_coefficient": "0.6"},
    ],
}
EXAMPLE_REQUEST: dict[str, Any] = {"parameters": PARAMETERS_2024, "family": EXAMPLE_FAMILY}
# Made-up thresholds for the row from 1 August 2026 (the decree is not out yet).
PARAMETERS_2026: dict[str, Any] = {
    **PARAMETERS_2024,
    "income_thresholds": {"2": 420000, "3": 540000, "4": 610000, "5": 680000, "6": 750000},
    "threshold_increase_per_further_child": 28000,
    "max_fee": 33500,
    "min_fee": 3200,
}


def without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


def changed(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


# --- calculate, as a real process ---------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An SQLite file migrated by the command itself: the act's rows come with the migration."""
    database = tmp_path_factory.mktemp("ecec-cli") / "kuntarobo.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [sys.executable, "-m", "kuntarobo", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env


def calculate_process(env: dict[str, str], stdin: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "kuntarobo", "ecec-fees", "calculate"],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1, (done.stdout, done.stderr)
    assert done.stdout == lines[0] + "\n"
    return done.returncode, json.loads(lines[0])


def test_calculate_with_lines_answers_each_request_on_its_own_line_in_order(migrated_database):
    bad = without(EXAMPLE_REQUEST, "family")
    stdin = "\n".join(json.dumps(r) for r in (EXAMPLE_REQUEST, bad, EXAMPLE_REQUEST)) + "\n\n"
    done = subprocess.run(
        [sys.executable, "-m", "kuntarobo", "ecec-fees", "calculate", "--lines"],
        input=stdin,
        env=migrated_database,
        capture_output=True,
        text=True,
        timeout=120,
    )
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a.get("total_fee") for a in answers] == [2960, None, 2960]
    assert answers[1]["error"]["field"] == "family"
    assert done.returncode == 2  # one line was invalid


def test_calculate_gives_the_hand_computed_fees_of_the_issues_example(migrated_database):
    code, answer = calculate_process(migrated_database, json.dumps(EXAMPLE_REQUEST))
    assert code == 0
    # 10.7 % × (6300 − 5956) = 36.808 → 37 € for the youngest, then −20 % = 29.60 €
    first, second = answer["children"]
    assert (first["id"], first["base_fee"], first["final_fee"]) == ("a", 3700, 2960)
    # 40 % × 37 = 14.80 → 15 €; × 0.6 = 9 € is below the 30 € minimum fee: nothing is charged
    assert (second["id"], second["sibling_fee"], second["final_fee"]) == ("b", 1500, 0)
    assert second["minimum_fee_applied"] is True
    assert answer["total_fee"] == 2960
    assert answer["threshold"] == 595600
    assert answer["income_total"] == 630000
    assert answer["parameters"] == PARAMETERS_2024
    assert any("36.81" in line for line in answer["explanation"])


def test_calculate_with_a_date_uses_the_stored_parameters_in_force_on_it(migrated_database):
    request = {"date": "2025-01-15", "family": EXAMPLE_FAMILY}
    code, answer = calculate_process(migrated_database, json.dumps(request))
    assert code == 0
    assert answer["total_fee"] == 2960
    assert answer["parameters"] == {**PARAMETERS_2024, "valid_from": "2024-08-01"}


@pytest.mark.parametrize(
    ("request_text", "field"),
    [
        (json.dumps(without(EXAMPLE_REQUEST, "family")), "family"),
        (json.dumps(changed(EXAMPLE_REQUEST, ("family", "size"), 1)), "family.size"),
        (
            json.dumps(changed(EXAMPLE_REQUEST, ("family", "incomes", 0, "amount"), -1)),
            "family.incomes[0].amount",
        ),
        (json.dumps({**EXAMPLE_REQUEST, "famliy": {}}), "famliy"),
        (
            json.dumps({"date": "2025-02-30", "family": EXAMPLE_FAMILY}),
            "date",
        ),
        ("this is not JSON", ""),
        ("[" * 100_000, ""),
        ('{"family": ' + "1" * 5000 + "}", ""),
        (json.dumps({**EXAMPLE_REQUEST, "date": "2025-01-15"}), "date"),
        (json.dumps({"date": "2026-09-01", "family": EXAMPLE_FAMILY}), "date"),
    ],
    ids=[
        "missing family",
        "family of one",
        "negative income",
        "unknown key",
        "bad date",
        "not JSON",
        "nested too deep",
        "integer of 5000 digits",
        "parameters and date",
        "thresholds not yet entered",
    ],
)
def test_calculate_refuses_bad_input_with_exit_code_2_naming_the_field(
    migrated_database, request_text, field
):
    code, answer = calculate_process(migrated_database, request_text)
    assert code == 2
    assert set(answer) == {"error"}
    assert answer["error"]["field"] == field
    assert answer["error"]["message"]


def test_a_request_with_its_own_parameters_is_answered_without_starting_django(
    migrated_database,
):
    # Django cannot start with these settings: only the pure fast path can answer.
    env = {**migrated_database, "DJANGO_SETTINGS_MODULE": "kuntarobo.no_such_settings"}
    code, answer = calculate_process(env, json.dumps(EXAMPLE_REQUEST))
    assert (code, answer["total_fee"]) == (0, 2960)
    code, answer = calculate_process(env, json.dumps(without(EXAMPLE_REQUEST, "family")))
    assert (code, answer["error"]["field"]) == (2, "family")
    dated = subprocess.run(
        [sys.executable, "-m", "kuntarobo", "ecec-fees", "calculate"],
        input=json.dumps({"date": "2025-01-15", "family": EXAMPLE_FAMILY}),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dated.returncode != 0  # a date needs the stored parameters, so Django
    assert "no_such_settings" in dated.stderr


def test_the_fast_path_and_the_django_command_write_the_same_answer(migrated_database, monkeypatch):
    for request in (EXAMPLE_REQUEST, changed(EXAMPLE_REQUEST, ("family", "size"), 1)):
        code, _ = calculate_process(migrated_database, json.dumps(request))
        fast = subprocess.run(
            [sys.executable, "-m", "kuntarobo", "ecec-fees", "calculate"],
            input=json.dumps(request),
            env=migrated_database,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        monkeypatch.setattr(sys, "stdin", StringIO(json.dumps(request)))
        out = StringIO()
        if code == 0:
            call_command("ecec-fees", "calculate", stdout=out)
        else:
            with pytest.raises(SystemExit, match="2"):
                call_command("ecec-fees", "calculate", stdout=out)
        assert out.getvalue() == fast


# --- run ----------------------------------------------------------------------------------


def command(*arguments: str) -> Any:
    out = StringIO()
    call_command("ecec-fees", *arguments, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0])


def refused(*arguments: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("ecec-fees", *arguments, stdout=StringIO())
    assert raised.value.returncode == 2
    return str(raised.value)


@pytest.fixture
def municipality():
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(municipality)
    return municipality


@pytest.fixture
def coordinator(municipality):
    return user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")


@pytest.fixture
def reviewer(municipality):
    return deciding_official(
        municipality, username="tarkastaja", first_name="Riitta", last_name="P"
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="paakayttaja", is_superuser=True, is_staff=True)


def run_arguments(path: Path, municipality: str = "esimerkkila") -> tuple[str, ...]:
    return (
        "run",
        "--input",
        str(path),
        "--date",
        PERIOD.isoformat(),
        "--municipality",
        municipality,
    )


@pytest.mark.django_db(transaction=True)
def test_run_drafts_every_familys_decision_here_and_prints_one_line_of_figures(
    tmp_path, municipality, coordinator
):
    path = write_families(
        tmp_path / "families.jsonl",
        family("F-1"),
        family("F-2", incomes=[{"person": "Maija Meikäläinen", "missing": True}]),
        family("F-3", fee_relief_requested=True),
    )
    summary = command(*run_arguments(path), "--user", coordinator.username)
    # F-1: 113 € (81 € + 32 €); F-2: no income, the maximum fees 311 € + 124 €. Each line is two
    # decision periods ("families" counts them): from 1.1.2025, and from 1.8.2026, whose
    # income thresholds are not entered, so that part goes to a person; F-3 (fee relief) goes
    # to a person in both. Both decisions start in the past: flagged.
    assert summary == {
        "run": summary["run"],
        "families": 6,
        "decisions": 2,
        "needs_review": 2,
        "attention": 2,
        "to_person": 4,
        "errors": 0,
        "skipped": 0,
        "unchanged": 0,
        "total_fee_cents": 11300 + 31100 + 12400,
    }
    assert FeeDecision.objects.count() == 2
    relief = WorkItem.objects.get(reference__startswith=f"F-3:{PERIOD.isoformat()}")
    assert relief.status == ItemStatus.FAILED_BUSINESS

    again = command(*run_arguments(path))
    assert (again["families"], again["skipped"], again["decisions"]) == (6, 6, 0)
    assert FeeDecision.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_run_refuses_a_bad_file_naming_the_line_and_creates_nothing(
    tmp_path, municipality, coordinator
):
    path = write_families(tmp_path / "families.jsonl", family(), family("F-2", size=1))
    message = refused(*run_arguments(path), "--user", coordinator.username)
    assert "line 2" in message
    assert not Run.objects.exists()
    assert not WorkItem.objects.exists()
    assert not FeeDecision.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_run_refuses_an_unknown_municipality(tmp_path, municipality):
    path = write_families(tmp_path / "families.jsonl", family())
    assert "nowhere" in refused(*run_arguments(path, "nowhere"))
    assert not Run.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_viewer_may_not_start_a_run(tmp_path, municipality):
    viewer = user_with_role(Role.VIEWER, municipality, username="katsoja")
    path = write_families(tmp_path / "families.jsonl", family())
    refused(*run_arguments(path), "--user", viewer.username)
    assert not Run.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_run_refuses_a_municipality_without_fee_settings(tmp_path):
    MunicipalityFactory(slug="naapurila", name_fi="Naapurila")
    path = write_families(tmp_path / "families.jsonl", family())
    assert "settings" in refused(*run_arguments(path, "naapurila"))
    assert not Run.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_run_refuses_a_period_whose_income_thresholds_are_not_yet_entered(tmp_path, municipality):
    path = write_families(tmp_path / "families.jsonl", family())
    arguments = list(run_arguments(path))
    arguments[arguments.index("--date") + 1] = "2026-09-01"
    assert "income thresholds" in refused(*arguments)
    assert not Run.objects.exists()


# --- parameters ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_parameters_lists_the_seven_statutory_rows_the_last_one_incomplete():
    rows = command("parameters")
    assert [row["valid_from"] for row in rows] == [
        "2018-08-01",
        "2020-08-01",
        "2021-08-01",
        "2022-08-01",
        "2023-03-01",
        "2024-08-01",
        "2026-08-01",
    ]
    assert [row["complete"] for row in rows] == [True] * 6 + [False]
    assert rows[-1]["parameters"] is None
    assert (rows[-1]["max_fee"], rows[-1]["min_fee"]) == (33500, 3200)
    assert rows[-2]["valid_to"] == "2026-07-31"
    assert rows[-2]["parameters"] == {**PARAMETERS_2024, "valid_from": "2024-08-01"}


@pytest.mark.django_db
def test_a_superuser_completes_the_2026_row_and_fees_from_then_use_it(tmp_path, superuser):
    file = tmp_path / "2026.json"
    file.write_text(json.dumps(PARAMETERS_2026))
    rows = command(
        "parameters",
        "--add",
        str(file),
        "--valid-from",
        "2026-08-01",
        "--source",
        "OKM:n ilmoitus (testiluvut)",
        "--user",
        superuser.username,
    )
    assert len(rows) == 7
    assert rows[-1]["complete"] is True
    assert rows[-1]["valid_to"] is None
    assert rows[-2]["valid_to"] == "2026-07-31"
    assert AuditEvent.objects.filter(action="ecec_fees.parameters_add").count() == 1

    # A family accepting the maximum fee pays the maximum from 1 August 2026: 335 €.
    answer = calculate(
        {
            "date": "2026-09-01",
            "family": {
                "size": 2,
                "incomes": [],
                "accepts_max_fee": True,
                "children": [{"id": "a", "birth_date": "2022-01-01"}],
            },
        }
    )
    assert answer["total_fee"] == 33500
    assert answer["parameters"]["max_fee"] == 33500
    assert answer["parameters"]["income_thresholds"]["2"] == 420000


@pytest.mark.django_db
def test_a_user_who_is_not_a_superuser_may_not_add_parameters(tmp_path, coordinator):
    file = tmp_path / "2026.json"
    file.write_text(json.dumps(PARAMETERS_2026))
    before = list(FeeParameterRow.objects.order_by("valid_from").values())
    message = refused(
        "parameters",
        "--add",
        str(file),
        "--valid-from",
        "2026-08-01",
        "--source",
        "test",
        "--user",
        coordinator.username,
    )
    assert "superuser" in message
    assert list(FeeParameterRow.objects.order_by("valid_from").values()) == before
    assert not AuditEvent.objects.filter(action="ecec_fees.parameters_add").exists()


@pytest.mark.django_db
def test_a_row_added_between_two_rows_ends_the_previous_one_the_day_before(tmp_path, superuser):
    file = tmp_path / "2025.json"
    file.write_text(json.dumps({**PARAMETERS_2024, "max_fee": 32000}))
    rows = command(
        "parameters",
        "--add",
        str(file),
        "--valid-from",
        "2025-03-01",
        "--source",
        "test",
        "--user",
        superuser.username,
    )
    by_start = {row["valid_from"]: row for row in rows}
    assert len(rows) == 8
    assert by_start["2024-08-01"]["valid_to"] == "2025-02-28"
    assert by_start["2025-03-01"]["valid_to"] == "2026-07-31"
    assert by_start["2025-03-01"]["max_fee"] == 32000
    assert FeeParameterRow.objects.in_force_on(datetime.date(2025, 2, 28)).max_fee == 31100
    assert FeeParameterRow.objects.in_force_on(datetime.date(2025, 3, 1)).max_fee == 32000


@pytest.mark.django_db
def test_a_row_that_decisions_were_computed_with_is_never_replaced(tmp_path, superuser):
    assert FeeDecisionFactory().parameters_valid_from == datetime.date(2024, 8, 1)
    file = tmp_path / "2024.json"
    file.write_text(json.dumps({**PARAMETERS_2024, "max_fee": 99900}))
    before = list(FeeParameterRow.objects.order_by("valid_from").values())
    message = refused(
        "parameters",
        "--add",
        str(file),
        "--valid-from",
        "2024-08-01",
        "--source",
        "test",
        "--user",
        superuser.username,
    )
    assert "stay as they are" in message
    assert list(FeeParameterRow.objects.order_by("valid_from").values()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "field"),
    [
        (json.dumps(without(PARAMETERS_2026, "max_fee")), "parameters.max_fee"),
        (json.dumps({**PARAMETERS_2026, "min_fee": -1}), "parameters.min_fee"),
        (
            json.dumps(changed(PARAMETERS_2026, ("income_thresholds", "3"), 1)),
            "parameters.income_thresholds.3",
        ),
        (json.dumps({**PARAMETERS_2026, "max_fe": 1}), "parameters.max_fe"),
        ("{not json", "--add"),
    ],
    ids=["missing max_fee", "negative min_fee", "falling thresholds", "unknown key", "not JSON"],
)
def test_a_bad_parameter_file_exits_2_naming_the_field_and_changes_nothing(
    tmp_path, superuser, content, field
):
    file = tmp_path / "bad.json"
    file.write_text(content)
    before = list(FeeParameterRow.objects.order_by("valid_from").values())
    message = refused(
        "parameters",
        "--add",
        str(file),
        "--valid-from",
        "2026-08-01",
        "--source",
        "test",
        "--user",
        superuser.username,
    )
    assert field in message
    assert list(FeeParameterRow.objects.order_by("valid_from").values()) == before


# --- settings -----------------------------------------------------------------------------


@pytest.fixture
def bare_municipality(db):
    return MunicipalityFactory(slug="naapurila", name_fi="Naapurila")


def settings_command(*arguments: str) -> Any:
    """`kuntarobo settings … ecec_fees`: the platform's command for every robot's settings."""
    out = StringIO()
    call_command("settings", *arguments, stdout=out)
    return [json.loads(line) for line in out.getvalue().strip().splitlines()]


def settings_refused(*arguments: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("settings", *arguments, stdout=StringIO())
    assert raised.value.returncode == 2
    return str(raised.value)


def set_settings(file: Path, user: str, valid_from: str = "2025-01-01") -> tuple[str, ...]:
    return (
        "set",
        "ecec_fees",
        "--municipality",
        "naapurila",
        "--file",
        str(file),
        "--valid-from",
        valid_from,
        "--user",
        user,
    )


@pytest.mark.django_db
def test_the_example_settings_are_stored_by_the_platforms_command_and_audited(
    tmp_path, bare_municipality
):
    coordinator = user_with_role(Role.COORDINATOR, bare_municipality, username="koordinaattori")
    example = example_settings("Naapurila")
    file = tmp_path / "settings.json"
    file.write_text(json.dumps(example, ensure_ascii=False))
    [saved] = settings_command(*set_settings(file, coordinator.username))
    assert saved["values"]["authority"] == example["authority"]
    stored = RobotSettings.objects.get(municipality=bare_municipality, robot_slug="ecec_fees")
    assert stored.valid_from == datetime.date(2025, 1, 1)
    assert MunicipalFeeSettings.from_json(stored.values).coefficient_for_hours(150) == 1
    event = AuditEvent.objects.get(action="robot.settings")
    assert event.actor == coordinator
    assert event.municipality == bare_municipality
    assert event.via == "cli"
    [history] = settings_command(
        "history", "ecec_fees", "--municipality", "naapurila", "--user", coordinator.username
    )
    assert history["valid_from"] == "2025-01-01"


@pytest.mark.django_db
def test_a_settings_row_is_never_replaced_a_change_takes_a_later_day(tmp_path, bare_municipality):
    """Decisions cite the row they were computed with by its date: that row stays as it was."""
    coordinator = user_with_role(Role.COORDINATOR, bare_municipality, username="koordinaattori")
    file = tmp_path / "settings.json"
    file.write_text(json.dumps(example_settings("Naapurila")))
    settings_command(*set_settings(file, coordinator.username))
    changed_file = tmp_path / "changed.json"
    changed_file.write_text(json.dumps({**example_settings("Naapurila"), "maximum_age_years": 6}))
    message = settings_refused(*set_settings(changed_file, coordinator.username))
    assert "2025-01-01" in message
    assert RobotSettings.objects.get().values["maximum_age_years"] == 7
    settings_command(*set_settings(changed_file, coordinator.username, "2025-08-01"))
    assert RobotSettings.objects.count() == 2


@pytest.mark.django_db
def test_a_viewer_may_not_store_settings(tmp_path, bare_municipality):
    viewer = user_with_role(Role.VIEWER, bare_municipality, username="katsoja")
    file = tmp_path / "settings.json"
    file.write_text(json.dumps(example_settings("Naapurila")))
    settings_refused(*set_settings(file, viewer.username))
    assert not RobotSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="robot.settings").exists()


def _falling_bands() -> dict[str, Any]:
    settings = example_settings("Naapurila")
    settings["service_need_bands"] = [
        {"max_hours": 100, "coefficient": "0.6"},
        {"max_hours": 90, "coefficient": "0.7"},
        {"max_hours": None, "coefficient": "1.0"},
    ]
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("settings_data", "path"),
    [
        ({**example_settings("Naapurila"), "colour": "blue"}, "colour"),
        (
            changed(example_settings("Naapurila"), ("review_authority", "postal_code"), "123"),
            "review_authority.postal_code",
        ),
        (_falling_bands(), "service_need_bands[1]"),
        (without(example_settings("Naapurila"), "contact"), "contact.name"),
    ],
    ids=["unknown key", "bad postal code", "bands not rising", "no contact"],
)
def test_invalid_settings_exit_2_naming_the_setting(
    tmp_path, bare_municipality, settings_data, path
):
    coordinator = user_with_role(Role.COORDINATOR, bare_municipality, username="koordinaattori")
    file = tmp_path / "settings.json"
    file.write_text(json.dumps(settings_data))
    message = settings_refused(*set_settings(file, coordinator.username))
    assert path in message
    assert not RobotSettings.objects.exists()


# --- print-batch --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_print_batch_gathers_the_sent_letters_into_one_pdf_once(
    tmp_path, municipality, coordinator, reviewer
):
    path = write_families(tmp_path / "families.jsonl", family("F-1"), family("F-2"))
    command(*run_arguments(path), "--user", coordinator.username)
    waiting = WorkItem.objects.filter(status=ItemStatus.NEEDS_REVIEW).values_list("pk", flat=True)
    assert not actions.approve_items(reviewer, list(waiting)).refused
    call_command("worker", batch=True, interval=0, verbosity=0)

    batch = command("print-batch", "--municipality", "esimerkkila", "--user", reviewer.username)
    assert batch["letters"] == 2
    assert batch["pages"] >= 2
    pdf = Path(batch["file"])
    assert pdf.is_file()
    assert pdf.read_bytes().startswith(b"%PDF-")

    again = command("print-batch", "--municipality", "esimerkkila", "--user", reviewer.username)
    assert again == {"batch": None, "letters": 0, "pages": 0, "file": None}

    assert all(d.notified_on is None for d in FeeDecision.objects.all())  # awaiting printing
    posted = command(
        "posted",
        "--municipality=esimerkkila",
        f"--batch={batch['batch']}",
        "--date=2025-01-02",
        f"--user={reviewer.username}",
    )
    assert posted == {"batch": batch["batch"], "posted_on": "2025-01-02", "letters": 2}
    for decision in FeeDecision.objects.all():
        assert decision.status == DecisionStatus.POSTED
        assert decision.posted_on == datetime.date(2025, 1, 2)
        assert decision.notified_on == datetime.date(2025, 1, 9)  # the seventh day after
    refused(
        "posted",
        "--municipality=esimerkkila",
        f"--batch={batch['batch']}",
        "--date=2025-01-03",
        f"--user={reviewer.username}",
    )


@pytest.mark.django_db
def test_a_viewer_may_not_make_a_print_batch(municipality):
    viewer = user_with_role(Role.VIEWER, municipality, username="katsoja")
    refused("print-batch", "--municipality", "esimerkkila", "--user", viewer.username)
    assert not AuditEvent.objects.filter(action="channels.print_batch").exists()
