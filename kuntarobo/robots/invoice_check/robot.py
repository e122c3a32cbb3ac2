"""The example robot: checks purchase invoices before payment and proposes payment (class B)."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from kuntarobo.core import formatting
from kuntarobo.core.inputs import CsvDecodeError, LimitExceeded, check_file_size, csv_rows
from kuntarobo.robots.invoice_check import rules
from kuntarobo.sdk import (
    BusinessException,
    CorrectionError,
    InputError,
    ItemSpec,
    ItemView,
    Outcome,
    OutputField,
    Parameter,
    PathDescription,
    PathStep,
    Robot,
    RobotClass,
    RunContext,
    Schedule,
    Text,
    join_messages,
    message,
    register,
)
from kuntarobo.sdk.files import write_file_atomically
from kuntarobo.sdk.inputs import input_limits, limit_input_error

MAX_ERRORS_SHOWN = 20
# Why a corrected payment date is refused (`rules.payment_date_problems`).
PAYMENT_DATE_PROBLEMS = {
    "past": _("%(date)s is in the past"),
    "weekend": _("%(date)s falls on a weekend; payments are made on working days"),
    "holiday": _("%(date)s is a holiday; payments are made on working days"),
}


def _format_date(day: datetime.date) -> str:
    return formatting.format_date(day, (get_language() or "fi")[:2])


lazy_date = lazy(_format_date, str)
MAX_ROWS = 100_000


ROW_PROBLEMS = {
    "empty": _("row %(row)d: column '%(column)s' is empty"),
    "amount": _("row %(row)d: column '%(column)s': %(value)s is not an amount in euros"),
    "date": _("row %(row)d: column '%(column)s': %(value)s is not a date YYYY-MM-DD in 1900–2200"),
    "too_long": _("row %(row)d: column '%(column)s' is longer than %(maximum)d characters"),
}


def row_error_text(row: int, error: rules.InvoiceRowError) -> Any:
    return message(
        ROW_PROBLEMS[error.problem],
        row=row,
        column=error.column,
        value=repr(error.value),
        maximum=error.maximum,
    )


def _formatted(value: object) -> Any:
    """A line's value in the reader's format: dates and euros, said when the line is read."""
    if isinstance(value, rules.Reasons):
        return join_messages("; ", [said(line) for line in value])
    if isinstance(value, rules.Line):
        return said(value)
    if isinstance(value, rules.Euros):
        cents = int(value)
        return lazy(lambda: formatting.format_euros(cents, _language()), str)()
    if isinstance(value, datetime.date):
        day = value
        return lazy(lambda: formatting.format_date(day, _language()), str)()
    return value


def _language() -> str:
    language = (get_language() or "fi")[:2]
    return language if language in ("fi", "sv", "en") else "fi"


def said(line: rules.Line) -> Any:
    """A line of the rules as a translatable text: the platform keeps it in every language, so
    the reviewer reads the reasons and flags in their own (`kuntarobo.sdk.message`)."""
    values = {key: _formatted(value) for key, value in line.values.items()}
    return message(_(line.template), **values)


def read_invoice_file(path: Path, shown_name: str = "") -> list[dict[str, str]]:
    """Read the CSV (UTF-8, ; or , separated); raise InputError listing every bad row.

    `shown_name` is the name the person knows the file by (storage may rename uploads)."""
    name = shown_name or path.name
    limits = input_limits()
    limits = dataclasses.replace(limits, rows=min(limits.rows, MAX_ROWS))
    header: list[str] = []
    rows: list[dict[str, str]] = []
    errors: list[Any] = []
    try:
        with path.open("rb") as stream:
            check_file_size(stream, limits, name)
            for number, cells in csv_rows(stream, limits, name):
                if not header:
                    if any(cell.strip() for cell in cells):
                        header = [h.strip() for h in cells]
                        _check_header(header, name)
                    continue
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(header):
                    errors.append(message(_("row %(row)d: more fields than columns"), row=number))
                    continue
                row = dict(zip(header, cells, strict=False))
                try:
                    rules.parse_invoice_row(row)
                except rules.InvoiceRowError as error:
                    errors.append(row_error_text(number, error))
                    continue
                rows.append(row)
    except CsvDecodeError as error:
        raise InputError(
            _("%(file)s: line %(line)d is not UTF-8 text (or holds a NUL byte)"),
            field="file",
            file=name,
            line=error.line,
        ) from None
    except csv.Error as error:
        raise InputError(
            _("%(file)s: not a readable CSV file (%(reason)s)"),
            field="file",
            file=name,
            reason=str(error)[:200],
        ) from None
    except LimitExceeded as error:
        raise limit_input_error(error, name) from None
    if not header:
        raise InputError(_("%(file)s: the file is empty"), field="file", file=name)
    if errors:
        shown = join_messages("; ", errors[:MAX_ERRORS_SHOWN])
        if len(errors) > MAX_ERRORS_SHOWN:
            more = message(_("(and %(count)d more)"), count=len(errors) - MAX_ERRORS_SHOWN)
            shown = join_messages(" ", [shown, more])
        raise InputError(
            ngettext_lazy(
                "%(file)s: %(count)d row cannot be read: %(errors)s",
                "%(file)s: %(count)d rows cannot be read: %(errors)s",
                "count",
            ),
            field="file",
            file=name,
            count=len(errors),
            errors=shown,
        )
    if not rows:
        raise InputError(_("%(file)s: no invoice rows"), field="file", file=name)
    return rows


def _check_header(header: list[str], name: str) -> None:
    missing = [c for c in rules.REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            _("%(file)s: column '%(column)s' is missing from the header row"),
            field="file",
            file=name,
            column=missing[0],
        )


def outbox_dir(municipality_slug: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "outbox" / "invoice_check" / municipality_slug


@register
class InvoiceCheckRobot(Robot):
    slug = "invoice_check"
    name = Text(
        fi="Ostolaskujen tarkistus", sv="Granskning av inköpsfakturor", en="Purchase invoice check"
    )
    description = Text(
        fi="Tarkistaa saapuneet ostolaskut (Y-tunnus, IBAN, viitenumero, eräpäivä) ja laatii "
        "maksuehdotuksen. Laskentasihteeri hyväksyy ehdotukset ennen maksua.",
        sv="Granskar inkomna inköpsfakturor (FO-nummer, IBAN, referens, förfallodag) och "
        "gör ett betalningsförslag. Räkenskapssekreteraren godkänner förslagen före betalning.",
        en="Checks incoming purchase invoices (business ID, IBAN, reference, due date) and "
        "proposes payment. An accounts official approves each proposal before payment.",
    )
    robot_class = RobotClass.PREPARES
    systems = (
        Text(
            fi="ostoreskontran CSV-aineisto",
            sv="CSV-export från leverantörsreskontran",
            en="CSV export of the purchase ledger",
        ),
        Text(
            fi="maksujen lähtevä kansio (tiedostot)",
            sv="utkorgen för betalningar (filer)",
            en="payment outbox (files)",
        ),
    )
    manual_minutes_per_item = Decimal("3")
    accepts_upload = True
    upload_suffixes = (".csv",)
    schedule = Schedule(
        cron="0 7 * * *",
        calendar="working_days",
        description=Text(fi="Arkipäivisin klo 7", sv="Vardagar kl. 7", en="Working days at 07:00"),
    )
    parameters = (
        Parameter(
            "approval_limit",
            Text(fi="Hyväksymisraja (€)", sv="Godkännandegräns (€)", en="Approval limit (€)"),
            kind="decimal",
            default="5000",
        ),
        Parameter(
            "inbox_folder",
            Text(
                fi="Saapuvien laskujen kansio", sv="Mapp för inkommande fakturor", en="Inbox folder"
            ),
            kind="folder",
            default="",
        ),
    )
    output_fields = (
        OutputField("supplier_name", Text(fi="Toimittaja", sv="Leverantör", en="Supplier")),
        OutputField(
            "amount_cents", Text(fi="Maksettava", sv="Att betala", en="Amount"), kind="cents"
        ),
        OutputField(
            "payment_date",
            Text(fi="Maksupäivä", sv="Betalningsdag", en="Payment date"),
            kind="date",
        ),
        OutputField(
            "iban",
            Text(fi="Tilinumero (IBAN)", sv="Kontonummer (IBAN)", en="Account (IBAN)"),
            kind="iban",
        ),
        OutputField(
            "reference", Text(fi="Viitenumero", sv="Referensnummer", en="Reference number")
        ),
    )
    input_fields = (
        OutputField(
            "invoice_id", Text(fi="Laskun numero", sv="Fakturanummer", en="Invoice number")
        ),
        OutputField("supplier_name", Text(fi="Toimittaja", sv="Leverantör", en="Supplier")),
        OutputField("business_id", Text(fi="Y-tunnus", sv="FO-nummer", en="Business ID")),
        OutputField(
            "iban", Text(fi="Tilinumero (IBAN)", sv="Kontonummer (IBAN)", en="Account (IBAN)")
        ),
        OutputField(
            "reference", Text(fi="Viitenumero", sv="Referensnummer", en="Reference number")
        ),
        OutputField("amount", Text(fi="Summa", sv="Belopp", en="Amount")),
        OutputField(
            "invoice_date",
            Text(fi="Laskun päivä", sv="Fakturadatum", en="Invoice date"),
            kind="date",
        ),
        OutputField("due_date", Text(fi="Eräpäivä", sv="Förfallodag", en="Due date"), kind="date"),
        OutputField(
            "purchase_order", Text(fi="Tilausnumero", sv="Beställningsnummer", en="Purchase order")
        ),
    )
    correctable_fields = (
        Parameter(
            "payment_date",
            Text(fi="Maksupäivä", sv="Betalningsdag", en="Payment date"),
            kind="date",
            required=True,
        ),
    )
    path = PathDescription(
        summary=Text(
            fi="Laskut luetaan CSV-tiedostosta, jokainen tarkistetaan ja maksettavaksi "
            "kelpaavista tehdään maksuehdotus hyväksyttäväksi.",
            sv="Fakturorna läses från en CSV-fil, var och en granskas och för de "
            "betalbara görs ett betalningsförslag för godkännande.",
            en="Invoices are read from a CSV file, each is checked and payable ones "
            "get a payment proposal for approval.",
        ),
        steps=(
            PathStep(
                Text(fi="Lue laskutiedosto", sv="Läs fakturafilen", en="Read the file"),
                "robot",
                Text(fi="CSV-tiedosto", sv="CSV-fil", en="CSV file"),
            ),
            PathStep(
                Text(fi="Tarkista tunnisteet", sv="Granska identifierare", en="Check identifiers"),
                "robot",
            ),
            PathStep(
                Text(fi="Laske maksupäivä", sv="Beräkna betalningsdag", en="Compute payment date"),
                "robot",
            ),
            PathStep(
                Text(
                    fi="Hyväksy maksuehdotus",
                    sv="Godkänn betalningsförslaget",
                    en="Approve the proposal",
                ),
                "person",
            ),
            PathStep(
                Text(
                    fi="Kirjoita maksu lähtevään kansioon",
                    sv="Skriv betalningen till utkorgen",
                    en="Write the payment to the outbox",
                ),
                "robot",
                Text(
                    fi="maksujen lähtevä kansio", sv="utkorgen för betalningar", en="payment outbox"
                ),
            ),
        ),
        inputs=(
            Text(
                fi="Ostoreskontran CSV-tiedosto",
                sv="Reskontrans CSV-fil",
                en="Purchase ledger CSV file",
            ),
        ),
        outputs=(
            Text(
                fi="Hyväksytyt maksut (JSON)",
                sv="Godkända betalningar (JSON)",
                en="Approved payments (JSON)",
            ),
        ),
        rules=(
            Text(
                fi="Y-tunnuksen tarkiste (painot 7-9-10-5-8-4-2, mod 11)",
                sv="FO-numrets kontrollsiffra",
                en="Business ID check digit",
            ),
            Text(
                fi="Viitenumeron tarkiste (painot 7-3-1)",
                sv="Referensens kontrollsiffra (vikter 7-3-1)",
                en="Reference check digit (weights 7-3-1)",
            ),
            Text(
                fi="Eräpäivä siirtyy seuraavaan arkipäivään",
                sv="Förfallodagen flyttas till nästa vardag",
                en="A due date moves to the next working day",
            ),
        ),
        business_exceptions=(
            Text(
                fi="Virheellinen IBAN, Y-tunnus tai viite",
                sv="Felaktigt IBAN, FO-nummer eller referens",
                en="Invalid IBAN, business ID or reference",
            ),
        ),
        technical_exceptions=(
            Text(
                fi="Lähtevään kansioon ei voi kirjoittaa",
                sv="Utkorgen kan inte skrivas",
                en="The outbox cannot be written",
            ),
        ),
        human_role=Text(
            fi="Laskentasihteeri hyväksyy tai hylkää jokaisen ehdotuksen.",
            sv="Räkenskapssekreteraren godkänner eller avslår varje förslag.",
            en="The accounts official approves or rejects each proposal.",
        ),
    )

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        path, shown = context.input_or_newest(
            (".csv",),
            folder_parameter="inbox_folder",
            no_input=_("give an input file, or set the inbox folder parameter"),
            missing=_("inbox folder %(folder)s does not exist"),
            empty=_("inbox folder %(folder)s has no .csv files"),
        )
        rows = read_invoice_file(path, shown)
        context.log(
            message(
                ngettext_lazy(
                    "read %(count)d invoice from %(file)s",
                    "read %(count)d invoices from %(file)s",
                    "count",
                ),
                count=len(rows),
                file=shown,
            )
        )
        for row in rows:
            invoice = rules.parse_invoice_row(row)
            yield ItemSpec(
                reference=f"{invoice.business_id}:{invoice.invoice_id}",
                title=f"{invoice.supplier_name} {invoice.invoice_id}",
                payload={key: (row.get(key) or "").strip() for key in rules.INVOICE_COLUMNS},
                deadline=invoice.due_date,
            )

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        invoice = rules.parse_invoice_row(item.payload)
        limit = rules.parse_amount_cents(str(context.parameters.get("approval_limit") or "5000"))
        result = rules.check_invoice(
            invoice, approval_limit_cents=limit, today=timezone.localdate()
        )
        if not result.payable:
            raise BusinessException(join_messages("; ", [said(line) for line in result.blocking]))
        return Outcome(
            output={
                "payment_date": result.payment_date.isoformat() if result.payment_date else None,
                "amount_cents": result.amount_cents,
                "iban": invoice.iban,
                "reference": invoice.reference,
                "supplier_name": invoice.supplier_name,
            },
            explanation=[said(line) for line in result.explanation],
            attention=[said(line) for line in result.attention],
        )

    @classmethod
    def validate_correction(
        cls, item: ItemView, corrected: dict[str, Any]
    ) -> list[CorrectionError]:
        """A corrected payment date follows the robot's own rule: a working day of the Finnish
        calendar, not in the past."""
        if not corrected.get("payment_date"):
            return []
        day = datetime.date.fromisoformat(str(corrected["payment_date"]))
        return [
            CorrectionError(
                "payment_date", message(PAYMENT_DATE_PROBLEMS[problem], date=lazy_date(day))
            )
            for problem in rules.payment_date_problems(day, today=timezone.localdate())
        ]

    def deliver(self, item: ItemView, context: RunContext) -> None:
        payment_date = datetime.date.fromisoformat(str(item.output["payment_date"]))
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in item.reference)
        target = outbox_dir(context.municipality_slug) / f"{payment_date:%Y%m%d}-{safe}.json"
        payment = {**item.output, "invoice": item.reference}
        # Atomic: a retried delivery overwrites, never duplicates, and a failed one leaves
        # neither half a file nor a temporary one behind.
        write_file_atomically(
            target, json.dumps(payment, ensure_ascii=False, indent=2).encode("utf-8")
        )
        context.log(
            message(_("%(reference)s: payment written to the outbox"), reference=item.reference)
        )
