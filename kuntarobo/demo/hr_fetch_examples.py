"""The demo's payroll chain: the HR fetch robot in Esimerkkilä logs in to the practice system
that `kuntarobo demo` runs on loopback, and hands the month's workbook to the HR reports robot.

The practice system names its sheets, columns and codes in Finnish (Yksiköt, Henkilönumero,
SA …); the HR reports robot reads them through its column mapping (`HR_EXCHANGE_MAPPING`).
The same mapping must read the demo's folder export too, which the HR reports robot takes when
started on its own: that export is therefore written in the payroll system's names as well
(`write_in_payroll_names`), as a payroll system would leave it in the folder."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model

from kuntarobo.accounts.models import Membership, Municipality, Role
from kuntarobo.practice.columns import HR_EXCHANGE_MAPPING
from kuntarobo.practice.data import generate_units
from kuntarobo.practice.server import PracticeOptions
from kuntarobo.runtime.settings_actions import current_settings, save_robot_settings
from kuntarobo.vault.actions import find_asset, store_credential

PRACTICE_USER = "robotti"
CREDENTIAL = "palkkajarjestelma"


def practice_url() -> str:
    return f"http://127.0.0.1:{settings.KUNTAROBO_PRACTICE_PORT}/"


def load_hr_fetch(
    municipality: Municipality,
    coordinator: Any,
    administrator: Any,
    demo_password: str,
    deploy: Any,
) -> None:
    """Deploy the fetch robot with the practice system's address, keep its credential in the
    vault, map the practice export's names for the HR reports robot, and give every
    supervisor of the practice data's units a demo account. Loading again changes nothing."""
    from kuntarobo.robots.hr_fetch.robot import HrFetchRobot
    from kuntarobo.robots.hr_reports.robot import HrReportsRobot

    deploy(municipality, HrFetchRobot.slug, {})
    stored = str(current_settings(municipality, HrFetchRobot).get("system_url") or "")
    # Empty, or the demo's own practice system on another port (KUNTAROBO_PRACTICE_PORT changed).
    if stored != practice_url() and (not stored or stored.startswith("http://127.0.0.1:")):
        save_robot_settings(
            coordinator,
            municipality,
            HrFetchRobot,
            {"system_url": practice_url(), "credential_name": CREDENTIAL},
            partial=True,
            via="cli",
        )
    options = PracticeOptions()
    if find_asset(municipality.slug, "", CREDENTIAL) is None:
        store_credential(  # the administrator keeps the vault
            administrator,
            municipality,
            CREDENTIAL,
            PRACTICE_USER,
            options.users[PRACTICE_USER],
            description="Harjoitusjärjestelmän robottitunnus (demo)",
            via="cli",
        )
    if not current_settings(municipality, HrReportsRobot).get("column_mapping"):
        save_robot_settings(
            coordinator,
            municipality,
            HrReportsRobot,
            {"column_mapping": HR_EXCHANGE_MAPPING},
            partial=True,
            via="cli",
        )
    user_model = get_user_model()
    for unit in generate_units(options.units, options.seed, options.mail_domain):
        last, _space, first = unit.supervisor.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=unit.supervisor_email.partition("@")[0],
            defaults={"first_name": first, "last_name": last, "email": unit.supervisor_email},
        )
        if created:
            user.set_password(demo_password)
            user.save()
        Membership.objects.get_or_create(user=user, municipality=municipality, role=Role.VIEWER)


def write_in_payroll_names(source: Path, target: Path) -> None:
    """The exchange-format workbook `source` written again with the payroll system's sheet,
    column and code names (the mapping read backwards): what the mapping reads back."""
    sheets: dict[str, str] = dict(HR_EXCHANGE_MAPPING["sheets"])  # type: ignore[arg-type]
    columns: dict[str, dict[str, str]] = dict(HR_EXCHANGE_MAPPING["columns"])  # type: ignore[arg-type]
    codes: dict[str, dict[str, str]] = dict(HR_EXCHANGE_MAPPING["codes"])  # type: ignore[arg-type]
    theirs = {
        field: {str(our).casefold(): their for their, our in table.items()}
        for field, table in codes.items()
    }
    book = openpyxl.load_workbook(source, read_only=True)
    written = openpyxl.Workbook(write_only=True)
    for sheet in book.sheetnames:
        rows = book[sheet].iter_rows(values_only=True)
        header = [str(name) for name in next(rows)]
        out = written.create_sheet(sheets.get(sheet, sheet))
        out.append([columns.get(sheet, {}).get(name, name) for name in header])
        tables = [theirs.get(f"{sheet}.{name}", {}) for name in header]
        for row in rows:
            out.append(
                [
                    table.get(value.casefold(), value) if isinstance(value, str) else value
                    for table, value in zip(tables, row, strict=False)
                ]
            )
    book.close()
    written.save(target)


def payroll_export(folder: Path, today: datetime.date, write_standard: Any) -> Path:
    """The demo's folder export of last month in the payroll system's names (written once)."""
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"palkka-aineisto-{last_month:%Y-%m}.xlsx"
    if not target.exists():
        with tempfile.TemporaryDirectory(prefix="kuntarobo-demo-") as scratch:
            standard = Path(scratch) / "standard.xlsx"
            write_standard(standard)
            write_in_payroll_names(standard, target)
    return target
