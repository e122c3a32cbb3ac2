"""`kuntarobo hr-reports run`: the whole month in one process, one line of JSON; bad input
exits with code 2, lists the rows at fault and sends nothing."""

from __future__ import annotations

import dataclasses
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kuntarobo.accounts.models import Role
from kuntarobo.robots.hr_reports.exchange import write_export_xlsx
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.factories import MunicipalityFactory, user_with_role
from tests.robots.hr_reports.conftest import NO_EMAIL
from tests.robots.hr_reports.test_reports import dataset

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")


@pytest.fixture
def export(tmp_path: Path) -> Path:
    data = dataset()
    target = tmp_path / "export.xlsx"
    write_export_xlsx(dataclasses.replace(data, units=(*data.units, NO_EMAIL)), target)
    return target


def run(*arguments: str) -> dict:
    out = StringIO()
    call_command("hr-reports", "run", *arguments, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_the_cli_sends_the_whole_month_in_one_process_and_prints_one_line(
    smtp, municipality, supervisors, export
):
    user = user_with_role(Role.COORDINATOR, municipality)
    arguments = ("--input", str(export), "--month", "2026-01", "--municipality", "esimerkkila")
    summary = run(*arguments, "--user", user.username)
    assert summary == {
        "units": 3,
        "emails_sent": 2,
        "alerts": 2,  # Berg in U2: 31 sick days, the 30-day rule and occupational health
        "errors": 1,
        "run": summary["run"],
        "skipped": 0,
    }
    assert len(smtp.messages) == 2
    assert WorkItem.objects.get(reference="U3:2026-01").status == ItemStatus.FAILED_BUSINESS

    again = run(*arguments)
    assert (again["emails_sent"], again["skipped"], again["units"]) == (0, 3, 3)
    assert len(smtp.messages) == 2
    resent = run(*arguments, "--resend")
    assert (resent["emails_sent"], resent["skipped"]) == (2, 0)
    assert len(smtp.messages) == 4


def test_an_export_with_row_errors_exits_2_listing_sheet_row_and_column_and_sends_nothing(
    smtp, municipality, tmp_path
):
    bad = tmp_path / "export.xlsx"
    data = dataset()
    broken = dataclasses.replace(data.units[0], language="de")  # not fi, sv or en
    write_export_xlsx(dataclasses.replace(data, units=(broken, *data.units[1:])), bad)
    with pytest.raises(CommandError) as raised:
        call_command(
            "hr-reports",
            "run",
            "--input",
            str(bad),
            "--month",
            "2026-01",
            "--municipality",
            "esimerkkila",
        )
    assert raised.value.returncode == 2
    message = str(raised.value)
    assert "cannot be used" in message
    assert "row 2" in message
    assert "language" in message
    assert WorkItem.objects.count() == 0
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("--month", "2026-13"), "is not a month of the form YYYY-MM"),
        (("--municipality", "nowhere"), "unknown municipality 'nowhere'"),
        (("--input", "/no/such/file.xlsx"), "no such file"),
        (("--user", "nobody"), "unknown user 'nobody'"),
    ],
)
def test_bad_arguments_exit_2_and_name_the_problem(smtp, municipality, export, arguments, expected):
    given = {"--input": str(export), "--month": "2026-01", "--municipality": "esimerkkila"}
    given.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    with pytest.raises(CommandError, match=expected) as raised:
        call_command("hr-reports", "run", *[x for pair in given.items() for x in pair])
    assert raised.value.returncode == 2
    assert smtp.messages == []


def test_a_coordinator_stores_a_mapping_that_the_next_run_reads_with_the_municipalitys_names(
    smtp, municipality, tmp_path
):
    from kuntarobo.audit.models import AuditEvent
    from kuntarobo.robots.hr_reports.exchange import write_export_csv_folder

    coordinator = user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")
    folder = tmp_path / "export"
    write_export_csv_folder(dataset(), folder)
    (folder / "units.csv").rename(folder / "yksikot.csv")
    text = (folder / "yksikot.csv").read_text(encoding="utf-8")
    (folder / "yksikot.csv").write_text(text.replace("unit_id", "yksikko", 1), encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"sheets": {"units": "yksikot"}, "columns": {"units": {"unit_id": "yksikko"}}})
    )
    out = StringIO()
    call_command(
        "settings",
        "set",
        "hr_reports",
        "--municipality",
        "esimerkkila",
        "--user",
        coordinator.username,
        "--set",
        f"column_mapping={mapping.read_text()}",
        "--partial",
        stdout=out,
    )
    stored = json.loads(out.getvalue())["values"]["column_mapping"]
    assert stored["sheets"] == {"units": "yksikot"}
    assert AuditEvent.objects.filter(action="robot.settings").count() == 1
    import shutil

    archive = shutil.make_archive(str(tmp_path / "export"), "zip", folder)
    summary = run("--input", archive, "--month", "2026-01", "--municipality", "esimerkkila")
    assert summary["units"] == len(dataset().units)


def test_settings_refuse_a_viewer_and_a_bad_mapping_and_change_nothing(municipality, tmp_path):
    from kuntarobo.runtime.models import RobotSettings

    viewer = user_with_role(Role.VIEWER, municipality, username="katselija")
    coordinator = user_with_role(Role.COORDINATOR, municipality, username="koordinaattori")
    good = json.dumps({"sheets": {"units": "yksikot"}})
    bad = json.dumps({"sheets": {"nope": "x"}})
    for user, mapping, words in (
        (viewer, good, "may not configure"),
        (coordinator, bad, "unknown sheets"),
    ):
        with pytest.raises(CommandError) as raised:
            call_command(
                "settings",
                "set",
                "hr_reports",
                "--municipality",
                "esimerkkila",
                "--user",
                user.username,
                "--set",
                f"column_mapping={mapping}",
                "--partial",
            )
        assert raised.value.returncode == 2
        assert words in str(raised.value)
    assert not RobotSettings.objects.exists()
