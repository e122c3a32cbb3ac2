"""A small world for the web tests: two municipalities with runs, items in every state, audit
events and users of every role, built through the action functions as the real system would."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from stdnum import iban

from kuntarobo.accounts.models import Municipality, Role
from kuntarobo.robots.invoice_check.rules import INVOICE_COLUMNS, reference_check_digit
from kuntarobo.runtime import actions, execution
from kuntarobo.runtime.models import ItemDocument, ItemStatus, Run, WorkItem
from tests.factories import MunicipalityFactory, UserFactory, user_with_role

ROLES = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.REVIEWER, Role.DEVELOPER, Role.VIEWER)
OUTSIDER = "outsider"
ANONYMOUS = "anonymous"

# Strings that identify each municipality's data; a page for one must never show the other's.
MARKERS = {
    "esimerkkila": ("Esimerkkilä", "Exempelby", "ESIM-", "Esimerkin Siivous"),
    "naapurila": ("Naapurila", "Grannby", "NAAP-", "Naapurin Nosturi"),
}
BUSINESS_ID = "0737546-2"


def write_invoices(folder: Path, prefix: str, supplier: str) -> Path:
    """Five invoices: plain, no purchase order (attention), over the limit (attention), one
    with a broken IBAN that the robot must refuse (a business exception), and plain again."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{prefix.lower()}invoices.csv"
    today = timezone.localdate()
    due = today + datetime.timedelta(days=30)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(INVOICE_COLUMNS)
        for number, (amount, order, broken) in enumerate(
            [
                ("120,00", "PO-1", False),
                ("80,50", "", False),
                ("9000,00", "PO-3", False),
                ("50,00", "PO-4", True),
                ("45,00", "PO-5", False),
            ],
            start=1,
        ):
            account = f"{number:014d}"
            account_iban = f"FI{iban.calc_check_digits('FI00' + account)}{account}"
            if broken:
                account_iban = account_iban[:-1] + str((int(account_iban[-1]) + 1) % 10)
            base = f"1000{number}"
            writer.writerow(
                [
                    f"{prefix}{number:03d}",
                    supplier,
                    BUSINESS_ID,
                    account_iban,
                    f"{base}{reference_check_digit(base)}",
                    amount,
                    today.isoformat(),
                    due.isoformat(),
                    order,
                ]
            )
    return target


def process_all(run: Run) -> None:
    """Do what a worker does for each new item, without the queue (fast, same code path)."""
    for item_id in run.items.filter(status=ItemStatus.NEW).values_list("pk", flat=True):
        execution.execute(item_id, "test-worker", execution.PROCESS)
    execution.finish_run_if_done(run.pk)


@dataclass
class World:
    esimerkkila: Municipality
    naapurila: Municipality
    users: dict[str, object]
    run: Run
    review_item: WorkItem
    attention_item: WorkItem
    failed_item: WorkItem
    done_item: WorkItem
    document: ItemDocument
    neighbour_run: Run
    neighbour_item: WorkItem
    inbox_folder: Path
    extra: dict[str, object] = field(default_factory=dict)

    def client_for(self, role: str) -> Client:
        client = Client()
        if role != ANONYMOUS:
            client.force_login(self.users[role])
        return client


@pytest.fixture
def world(db, tmp_path: Path) -> World:
    esimerkkila = MunicipalityFactory(
        slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby"
    )
    naapurila = MunicipalityFactory(slug="naapurila", name_fi="Naapurila", name_sv="Grannby")
    users: dict[str, object] = {
        role: user_with_role(role, esimerkkila, username=role, first_name=role.capitalize())
        for role in ROLES
    }
    users[OUTSIDER] = user_with_role(
        Role.ADMINISTRATOR, naapurila, username="outsider", first_name="Olli", last_name="Ulkopuoli"
    )
    inbox_folder = tmp_path / "inbox"
    for municipality in (esimerkkila, naapurila):
        actions.configure_deployment(
            "test set-up",
            municipality,
            "invoice_check",
            enabled=True,
            schedule_enabled=True,
            parameters={"approval_limit": "5000"},
        )
    own = write_invoices(tmp_path / "own", "ESIM-", "Esimerkin Siivous Oy")
    run = actions.start_run(
        users[Role.COORDINATOR], esimerkkila, "invoice_check", input_file=own
    ).run
    process_all(run)
    items = {item.reference.split(":")[1]: item for item in run.items.all()}
    done_item = items["ESIM-001"]
    actions.approve_items(users[Role.REVIEWER], [done_item.pk], note="checked")
    execution.execute(done_item.pk, "test-worker", execution.DELIVER)
    document = ItemDocument(item=items["ESIM-002"], name="ESIM-002.txt", content_type="text/plain")
    document.file.save("ESIM-002.txt", ContentFile(b"invoice image ESIM-002"), save=True)

    neighbours = write_invoices(tmp_path / "neighbour", "NAAP-", "Naapurin Nosturi Oy")
    neighbour_run = actions.start_run(
        users[OUTSIDER], naapurila, "invoice_check", input_file=neighbours
    ).run
    process_all(neighbour_run)
    neighbour_item = neighbour_run.items.filter(status=ItemStatus.NEEDS_REVIEW).first()
    actions.record_personal_data_view(users[OUTSIDER], neighbour_item)

    for item in items.values():
        item.refresh_from_db()
    assert items["ESIM-002"].status == ItemStatus.NEEDS_REVIEW
    assert items["ESIM-002"].attention
    assert items["ESIM-004"].status == ItemStatus.FAILED_BUSINESS
    assert done_item.status == ItemStatus.DONE
    assert items["ESIM-005"].status == ItemStatus.NEEDS_REVIEW
    assert not items["ESIM-005"].attention
    return World(
        esimerkkila=esimerkkila,
        naapurila=naapurila,
        users=users,
        run=run,
        review_item=items["ESIM-005"],
        attention_item=items["ESIM-002"],
        failed_item=items["ESIM-004"],
        done_item=done_item,
        document=document,
        neighbour_run=neighbour_run,
        neighbour_item=neighbour_item,
        inbox_folder=inbox_folder,
    )


@pytest.fixture
def user_without_roles(db):
    return UserFactory(username="nobody")
