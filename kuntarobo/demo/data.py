"""The demo municipality Esimerkkilä: users for every role, a neighbour to prove separation, and
an inbox of invoices for the example robot. Loading twice changes nothing already there."""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum import iban

from kuntarobo.accounts.models import Membership, Municipality, Role
from kuntarobo.robots.invoice_check.rules import INVOICE_COLUMNS, reference_check_digit
from kuntarobo.runtime.models import RobotDeployment

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


def demo_inbox() -> Path:
    return Path(settings.VAR_DIR) / "demo-inbox"


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
    inbox = demo_inbox()
    write_invoice_file(inbox, timezone.localdate())
    for slug in municipalities:
        RobotDeployment.objects.get_or_create(
            municipality=municipalities[slug],
            robot_slug="invoice_check",
            defaults={"parameters": {"inbox_folder": str(inbox), "approval_limit": "5000"}},
        )
    return list(DEMO_USERS)
