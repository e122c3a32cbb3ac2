"""The demo municipality Esimerkkilä: users for every role, a neighbour to prove separation, and
an inbox of invoices for the example robot. Loading twice changes nothing already there."""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum import iban

from kuntarobo.accounts.models import Delegation, Membership, Municipality, Role
from kuntarobo.core.folders import FolderRefused, clean_relative
from kuntarobo.decisions.delegations import grant_delegation
from kuntarobo.demo.hr_fetch_examples import load_hr_fetch, payroll_export
from kuntarobo.demo.portfolio_examples import load_portfolio_examples
from kuntarobo.demo.survey_examples import load_survey_examples
from kuntarobo.portfolio.helmi import load_helmi
from kuntarobo.robots.hr_reports.dataset import (
    Absence,
    Dataset,
    Employee,
    Employment,
    Payment,
    Unit,
)
from kuntarobo.robots.invoice_check.rules import INVOICE_COLUMNS, reference_check_digit
from kuntarobo.runtime.declarations import get_robot
from kuntarobo.runtime.models import RobotDeployment
from kuntarobo.runtime.storage_roots import folder_parameters, robot_root

DEMO_PASSWORD = "kuntarobo-demo"  # noqa: S105  (printed at start; demo only)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    municipality: str
    roles: tuple[str, ...]


DEMO_USERS = (
    DemoUser("paakayttaja", "Pia", "Pääkäyttäjä", "esimerkkila", (Role.ADMINISTRATOR,)),
    DemoUser("koordinaattori", "Kalle", "Koordinaattori", "esimerkkila", (Role.COORDINATOR,)),
    DemoUser("tarkastaja", "Tiina", "Tarkastaja", "esimerkkila", (Role.REVIEWER,)),
    DemoUser("kehittaja", "Kaisa", "Kehittäjä", "esimerkkila", (Role.DEVELOPER,)),
    DemoUser("katselija", "Kari", "Katselija", "esimerkkila", (Role.VIEWER,)),
    DemoUser("naapuri", "Niilo", "Naapuri", "naapurila", (Role.COORDINATOR, Role.REVIEWER)),
)
MUNICIPALITIES = (
    ("esimerkkila", "Esimerkkilä", "Exempelby", "0000001-9"),
    ("naapurila", "Naapurila", "Grannby", "0000002-7"),
)

SUPPLIERS = (
    ("Puhdas Siivous Oy", "1572860-0"),
    ("Kuntatekniikka Ab", "0737546-2"),
    ("Lounasapu Oy", "2069080-3"),
    ("Toimistotarvike Oy", "1796717-0"),
)


# The demo's folders, relative to each robot's storage root (kuntarobo.runtime.storage_roots).
INVOICE_INBOX = "inbox"
HR_EXPORTS = "exports"
ECEC_FAMILIES = "families"
ARCHIVER_INBOX = "inbox"
ARCHIVER_ARCHIVE = "archive"


def demo_folder(municipality: str, robot: str, folder: str) -> Path:
    return robot_root(municipality, robot) / folder


def demo_inbox(municipality: str = "esimerkkila") -> Path:
    return demo_folder(municipality, "invoice_check", INVOICE_INBOX)


def deploy(municipality: Municipality, robot: str, parameters: dict[str, Any]) -> None:
    """Deploy a robot with the demo's parameters. An existing deployment is left as it is,
    except folder values from before storage roots (absolute paths), which are replaced."""
    deployment, created = RobotDeployment.objects.get_or_create(
        municipality=municipality, robot_slug=robot, defaults={"parameters": parameters}
    )
    if created:
        return
    stale = {}
    for name in folder_parameters(get_robot(robot)):
        value = deployment.parameters.get(name)
        try:
            if value:
                clean_relative(str(value))
        except FolderRefused:
            stale[name] = parameters[name]
    if stale:
        deployment.parameters = {**deployment.parameters, **stale}
        deployment.save(update_fields=["parameters"])


def _iban(account: str) -> str:
    return f"FI{iban.calc_check_digits('FI00' + account)}{account}"


def write_invoice_file(
    folder: Path, day: datetime.date, count: int = 12, seed: int | None = None
) -> Path:
    """Invoices dated `day`: most are ordinary, a few carry the errors the robot must catch."""
    rng = random.Random(seed if seed is not None else day.toordinal())  # noqa: S311
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"invoices-{day.isoformat()}.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(INVOICE_COLUMNS)
        for number in range(1, count + 1):
            supplier, business_id = SUPPLIERS[number % len(SUPPLIERS)]
            base = f"{day:%y%m%d}{number:03d}"
            reference = f"{base}{reference_check_digit(base)}"
            account = f"{rng.randrange(10**13, 10**14):014d}"
            account_iban = _iban(account)
            amount = f"{rng.randrange(2000, 900000) / 100:.2f}".replace(".", ",")
            order = f"PO-{rng.randrange(1000, 9999)}" if number % 5 else ""
            if number == 4:
                account_iban = account_iban[:-1] + str((int(account_iban[-1]) + 1) % 10)
            if number == 7:
                amount = "12500,00"
            writer.writerow(
                [
                    f"{day:%Y%m%d}-{number:03d}",
                    supplier,
                    business_id,
                    account_iban,
                    reference,
                    amount,
                    day.isoformat(),
                    (day + datetime.timedelta(days=14 + number % 7)).isoformat(),
                    order,
                ]
            )
    return target


# --- the HR reports robot: a generated payroll export ---------------------------------------------

UNIT_NAMES = (
    ("Keskuskirjasto", "fi"),
    ("Svenska daghemmet Solstrålen", "sv"),
    ("Kotihoito, itäinen alue", "fi"),
    ("Tekninen toimi", "fi"),
    ("Ympäristöpalvelut", "fi"),
    ("Skolan i Byn", "sv"),
    ("Terveysasema", "fi"),
    ("Nuorisopalvelut", "fi"),
)
LAST_NAMES = (
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Lindholm",
    "Sjöberg",
    "Ekström",
)
FIRST_NAMES = (
    "Aino",
    "Eino",
    "Helmi",
    "Väinö",
    "Sofia",
    "Leo",
    "Olivia",
    "Oliver",
    "Ella",
    "Elias",
    "Lilja",
    "Onni",
    "Linnea",
    "Eetu",
    "Maria",
    "Juhani",
    "Anna",
    "Mikael",
    "Ebba",
    "Axel",
)
TITLES = (
    "lähihoitaja",
    "kirjastovirkailija",
    "sairaanhoitaja",
    "lastentarhanopettaja",
    "toimistosihteeri",
    "suunnittelija",
    "kiinteistönhoitaja",
    "opettaja",
)


def _month_start(year: int, month: int, back: int) -> datetime.date:
    index = year * 12 + month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def hr_dataset(
    *,
    year: int,
    month: int,
    units: int = 4,
    employees: int = 40,
    months_of_payments: int = 12,
    seed: int = 1,
    unit_without_email: int | None = 2,
    heavy_sickness_every: int = 13,
) -> Dataset:
    """A municipality's payroll export for the month `year-month`: a year of monthly salaries,
    absences (a few people over the early-support thresholds), employments started and ended
    in the month. The second unit speaks Swedish; `unit_without_email` has no supervisor
    address, which the robot must refuse."""
    rng = random.Random(seed)  # noqa: S311  (demo data)
    report_first = datetime.date(year, month, 1)
    report_last = _month_start(year, month, -1) - datetime.timedelta(days=1)
    unit_list = []
    for number in range(units):
        name, language = UNIT_NAMES[number % len(UNIT_NAMES)]
        unit_id = f"{1000 + number}"
        if units > len(UNIT_NAMES):
            name = f"{name} {number // len(UNIT_NAMES) + 1}"
        email = "" if number == unit_without_email else f"esihenkilo.{unit_id}@esimerkkila.fi"
        supervisor = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % 7]}"
        unit_list.append(Unit(unit_id, name, supervisor, email, language))
    people, employments, payments, absences = [], [], [], []
    for number in range(employees):
        employee_id = f"{100000 + number}"
        unit = unit_list[number % units]
        people.append(
            Employee(employee_id, rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES), unit.unit_id)
        )
        start = datetime.date(rng.randrange(2005, year), rng.randrange(1, 13), 1)
        end: datetime.date | None = None
        reason = ""
        kind = "permanent" if rng.random() < 0.8 else "fixed_term"
        if number % 17 == 5:  # started in the report month
            start = report_first + datetime.timedelta(days=rng.randrange(0, 10))
        if number % 19 == 7:  # ends in the report month
            end = report_last - datetime.timedelta(days=rng.randrange(0, 10))
            reason = rng.choice(("irtisanoutuminen", "määräaika päättyi", "eläkkeelle siirtyminen"))
        if kind == "fixed_term" and end is None:
            end = report_last + datetime.timedelta(days=rng.randrange(30, 300))
            reason = "määräaika päättyy"
        part_time = Decimal(rng.choice(("100.0", "100.0", "100.0", "80.0", "60.0")))
        employments.append(
            Employment(
                f"{employee_id}-1",
                employee_id,
                unit.unit_id,
                kind,
                rng.choice(TITLES),
                start,
                end,
                reason,
                part_time,
            )
        )
        monthly = rng.randrange(2400_00, 4600_00) * int(part_time) // 100
        for back in range(months_of_payments - 1, -1, -1):
            first = _month_start(year, month, back)
            last = _month_start(year, month, back - 1) - datetime.timedelta(days=1)
            if first < start.replace(day=1) or (end is not None and first > end):
                continue
            paid_on = first.replace(day=15)
            payments.append(Payment(employee_id, paid_on, first, last, "time_rate_pay", monthly))
            if rng.random() < 0.3:
                extra = rng.randrange(50_00, 400_00)
                payments.append(
                    Payment(employee_id, paid_on, first, last, "evening_work_compensation", extra)
                )
        window_first = _month_start(year, month, 11)
        heavy = heavy_sickness_every and number % heavy_sickness_every == 3
        spells = rng.randrange(6, 9) if heavy else rng.choice((0, 0, 1, 1, 2, 3))
        for _spell in range(spells):
            first_day = window_first + datetime.timedelta(
                days=rng.randrange(0, (report_last - window_first).days - 5)
            )
            length = rng.randrange(3, 8) if heavy else rng.randrange(1, 5)
            absences.append(
                Absence(
                    employee_id,
                    first_day,
                    first_day + datetime.timedelta(days=length - 1),
                    "sickness",
                    True,
                )
            )
        if rng.random() < 0.4:  # a week of annual leave in the report month
            leave = report_first + datetime.timedelta(days=rng.randrange(0, 20))
            absences.append(
                Absence(
                    employee_id, leave, leave + datetime.timedelta(days=6), "annual_leave", True
                )
            )
        if number % 23 == 11:
            absences.append(
                Absence(
                    employee_id,
                    report_first - datetime.timedelta(days=40),
                    None,
                    "family_leave",
                    False,
                )
            )
    return Dataset(
        units=tuple(unit_list),
        employees=tuple(people),
        employments=tuple(employments),
        payments=tuple(payments),
        absences=tuple(absences),
    )


def hr_inbox() -> Path:
    return demo_folder("esimerkkila", "hr_reports", HR_EXPORTS)


def write_hr_export(folder: Path, today: datetime.date) -> Path:
    """The demo export of the month before `today`, as the payroll system would leave it: in
    the payroll system's own names, which the HR robot's column mapping in the demo reads (the
    same mapping reads what the HR fetch robot downloads, `demo.hr_fetch_examples`)."""
    from kuntarobo.robots.hr_reports.exchange import write_export_xlsx

    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    data = hr_dataset(year=last_month.year, month=last_month.month)
    return payroll_export(folder, today, lambda path: write_export_xlsx(data, path))


@transaction.atomic
def load_demo() -> list[DemoUser]:
    municipalities = {}
    for slug, name_fi, name_sv, business_id in MUNICIPALITIES:
        municipalities[slug], _ = Municipality.objects.get_or_create(
            slug=slug, defaults={"name_fi": name_fi, "name_sv": name_sv, "business_id": business_id}
        )
    user_model = get_user_model()
    for demo in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@esimerkkila.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for role in demo.roles:
            Membership.objects.get_or_create(
                user=user, municipality=municipalities[demo.municipality], role=role
            )
    grant_parameter_permission(user_model.objects.get(username=DEMO_USERS[0].username))
    today = timezone.localdate()
    for slug in municipalities:
        write_invoice_file(demo_inbox(slug), today)
        deploy(
            municipalities[slug],
            "invoice_check",
            {"inbox_folder": INVOICE_INBOX, "approval_limit": "5000"},
        )
    write_hr_export(hr_inbox(), today)
    deploy(municipalities["esimerkkila"], "hr_reports", {"input_folder": HR_EXPORTS})
    load_hr_supervisors(municipalities["esimerkkila"], today)
    # The HR fetch robot takes the month from the practice system (run by `kuntarobo demo`)
    # and starts the HR reports robot with it.
    load_hr_fetch(
        municipalities["esimerkkila"],
        user_model.objects.get(username="koordinaattori"),
        user_model.objects.get(username="paakayttaja"),
        DEMO_PASSWORD,
        deploy,
    )
    load_file_archiver(municipalities["esimerkkila"], today)
    load_ecec_fees(municipalities["esimerkkila"], today)
    load_delegations(municipalities)
    # The Helmi programme (kuntarobo.portfolio.helmi): Esimerkkilä keeps its follow-up and runs
    # the bundled robots' ideas; Naapurila is a member.
    load_helmi(municipalities["esimerkkila"], members=[municipalities["naapurila"]])
    # The 49 analysed ideas scored, and the HR reports robot's result card and business case
    # (its realised side and the card's figures come from the demo's runs).
    load_portfolio_examples(municipalities["esimerkkila"], today.year)
    # The phone survey: one campaign played in simulated time, one calling (simulated) today.
    deploy(municipalities["esimerkkila"], "phone_survey", {})
    load_survey_examples(
        municipalities["esimerkkila"],
        user_model.objects.get(username=DEMO_USERS[1].username),
        today,
    )
    return list(DEMO_USERS)


def load_hr_supervisors(municipality: Municipality, today: datetime.date) -> None:
    """The HR reports go by secure link to the supervisor's account: each demo supervisor gets
    one (viewer, the demo password, the export's address), and the municipality allows its own
    mail domain in the HR robot's settings."""
    from kuntarobo.robots.hr_reports.robot import HrReportsRobot
    from kuntarobo.runtime.settings_actions import current_settings, save_robot_settings

    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    user_model = get_user_model()
    for unit in hr_dataset(year=last_month.year, month=last_month.month).units:
        if not unit.supervisor_email:
            continue
        first, _space, last = unit.supervisor_name.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=unit.supervisor_email.partition("@")[0],
            defaults={"first_name": first, "last_name": last, "email": unit.supervisor_email},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, municipality=municipality, role=Role.VIEWER)
    if not current_settings(municipality, HrReportsRobot).get("allowed_email_domains"):
        coordinator = user_model.objects.get(username="koordinaattori")
        save_robot_settings(
            coordinator,
            municipality,
            HrReportsRobot,
            {"allowed_email_domains": "esimerkkila.fi"},
            partial=True,
            via="cli",
        )


# Who may decide fee decisions in the demo, and under which (example) delegation decision: the
# title a decision prints after the official's name comes from here.
DEMO_DELEGATIONS = (
    ("tarkastaja", "esimerkkila"),
    ("paakayttaja", "esimerkkila"),
    ("naapuri", "naapurila"),
)


def load_delegations(municipalities: dict[str, Municipality]) -> None:
    for username, slug in DEMO_DELEGATIONS:
        municipality = municipalities[slug]
        if Delegation.objects.filter(
            user__username=username, municipality=municipality, matter="ecec_fees"
        ).exists():
            continue
        grant_delegation(
            "demo",
            municipality,
            username=username,
            matter="ecec_fees",
            title_fi="varhaiskasvatuspäällikkö",
            title_sv="chef för småbarnspedagogiken",
            title_en="Head of Early Childhood Education",
            basis=f"{municipality.name_fi}: sivistyslautakunta 14.1.2026 § 5 (esimerkki)",
            valid_from=datetime.date(2026, 1, 1),
            via="demo",
        )


ECEC_DEMO_FAMILIES = 60
DEMO_SETTINGS_UPDATE = datetime.date(2020, 1, 1)


def grant_parameter_permission(user: Any) -> None:
    """The demo's administrator may enter the national fee figures in the web UI (a platform
    administrator grants this permission to named users; the demo has no superuser)."""
    from django.contrib.auth.models import Permission as AuthPermission

    from kuntarobo.robots.ecec_fees.models import MANAGE_PARAMETERS

    permission = AuthPermission.objects.filter(
        codename=MANAGE_PARAMETERS, content_type__app_label="ecec_fees"
    ).first()
    if permission is not None:
        user.user_permissions.add(permission)


def ecec_demo_period(today: datetime.date) -> datetime.date:
    """The demo's decisions start on the 1st of next month, as the robot's own default does."""
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def complete_with_example_figures(today: datetime.date) -> list[datetime.date]:
    """Rows in force today or next month that lack the income thresholds (a notice's figures
    not yet entered) are completed for the demo with EXAMPLE figures: the last official
    thresholds repeated, never extrapolated, and the row flagged so that every page and letter
    computed with it says the figures are not official. Returns the dates of the rows completed.
    """
    from kuntarobo.robots.ecec_fees import actions as fee_actions
    from kuntarobo.robots.ecec_fees import calculator
    from kuntarobo.robots.ecec_fees.models import FeeParameterRow

    completed = []
    for day in (today, ecec_demo_period(today)):
        row = FeeParameterRow.objects.in_force_on(day)
        if row is None or row.complete:
            continue
        official = (
            FeeParameterRow.objects.filter(valid_from__lt=row.valid_from, example_figures=False)
            .order_by("-valid_from")
            .first()
        )
        if official is None or not official.complete:
            continue
        figures = calculator.parameters_to_json(official.as_parameters())
        figures.pop("valid_from", None)
        figures.update(
            {
                "income_percentage": str(row.income_percentage),
                "max_fee": row.max_fee,
                "min_fee": row.min_fee,
                "sibling_percentages": list(row.sibling_percentages),
            }
        )
        fee_actions.add_parameter_row(
            "demo",
            figures,
            valid_from=row.valid_from,
            source=(
                f"ESIMERKKILUVUT (demo), EIVÄT VIRALLISIA: tulorajat ja korotus ovat "
                f"{official.valid_from:%-d.%-m.%Y} alkaen voimassa olleet luvut toistettuina. "
                f"Enimmäis- ja vähimmäismaksu: {row.source}"
            ),
            via="demo",
            example_figures=True,
        )
        completed.append(row.valid_from)
    return completed


def ecec_inbox() -> Path:
    return demo_folder("esimerkkila", "ecec_fees", ECEC_FAMILIES)


def archiver_inbox() -> Path:
    return demo_folder("esimerkkila", "file_archiver", ARCHIVER_INBOX)


def load_file_archiver(municipality: Municipality, today: datetime.date) -> None:
    """The archiver in Esimerkkilä, with two processed exports waiting in its inbox."""
    inbox = archiver_inbox()
    inbox.mkdir(parents=True, exist_ok=True)
    for name in (f"siirto-{today:%Y%m%d}-1.csv", f"siirto-{today:%Y%m%d}-2.csv"):
        target = inbox / name
        if not target.exists():
            target.write_text("tunniste;summa\n1;100\n2;250\n", encoding="utf-8")
    deploy(
        municipality,
        "file_archiver",
        {"inbox_folder": ARCHIVER_INBOX, "archive_folder": ARCHIVER_ARCHIVE, "pattern": "*.csv"},
    )


def load_ecec_fees(municipality: Municipality, today: datetime.date) -> None:
    """The fee robot in Esimerkkilä: its settings, the act's figures for today and next month
    (example figures where the official ones are not entered), and an export of 60 families
    whose decisions start on the 1st of next month."""
    from kuntarobo.robots.ecec_fees.generate import generate_families, write_jsonl
    from kuntarobo.robots.ecec_fees.municipal import example_settings
    from kuntarobo.robots.ecec_fees.municipal_settings import settings_of
    from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
    from kuntarobo.runtime.models import RobotSettings
    from kuntarobo.runtime.settings_actions import save_robot_settings

    rows = RobotSettings.objects.filter(municipality=municipality, robot_slug=EcecFeeRobot.slug)
    newest = rows.order_by("-valid_from").first()
    # A demo made before letters cited the municipal decision and had Swedish addresses gets a
    # row completing them (from 2020, before the demo's periods); a new demo gets it from 2018.
    outdated = newest is not None and any(
        settings_of(newest).missing_texts(language) for language in ("fi", "sv")
    )
    if newest is None or (outdated and not rows.filter(valid_from=DEMO_SETTINGS_UPDATE).exists()):
        settings_json = example_settings(municipality.name_fi, municipality.name_sv)
        settings_json["authority"] = {
            "fi": "Esimerkkilän kunta, varhaiskasvatuspalvelut",
            "sv": f"{municipality.name_in('sv')} kommun, småbarnspedagogiska tjänster",
        }
        settings_json["contact"]["name"] = "Aino Asiakasmaksu"
        save_robot_settings(
            "demo",
            municipality,
            EcecFeeRobot,
            settings_json,
            valid_from=datetime.date(2018, 1, 1) if newest is None else DEMO_SETTINGS_UPDATE,
            via="demo",
        )
    complete_with_example_figures(today)
    period = ecec_demo_period(today)
    folder = ecec_inbox()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"varhaiskasvatus-perheet-{period:%Y-%m}.jsonl"
    if not target.exists():
        write_jsonl(
            target,
            generate_families(ECEC_DEMO_FAMILIES, seed=2026, period_start=period),
        )
    # No fixed period_start: a run started by hand decides from the 1st of next month, the
    # robot's default, whatever day the demo is used.
    deploy(municipality, "ecec_fees", {"input_folder": ECEC_FAMILIES})
