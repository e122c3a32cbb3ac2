"""Purchase invoice checks: pure rules with an explanation line for every conclusion.

The robot checks an incoming invoice before payment: the supplier's business ID, the IBAN,
the payment reference (Finnish viitenumero or RF), the amount and the due date (moved to the
next working day). Nothing here imports Django.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from stdnum import iban as stdnum_iban
from stdnum import iso11649
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus

from kuntarobo.core import formatting
from kuntarobo.core.calendar import is_holiday, next_working_day
from kuntarobo.core.inputs import MAX_DATE, MIN_DATE

REQUIRED_COLUMNS = (
    "invoice_id",
    "supplier_name",
    "business_id",
    "iban",
    "reference",
    "amount",
    "invoice_date",
    "due_date",
)
OPTIONAL_COLUMNS = ("purchase_order",)
# The longest text of each column: the invoice id and business ID make the work item's reference
# (at most 200 characters); anything longer is a wrong column or a broken export.
MAX_LENGTHS = {
    "invoice_id": 100,
    "supplier_name": 200,
    "business_id": 20,
    "iban": 42,
    "reference": 40,
    "purchase_order": 100,
}
INVOICE_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)


class InvoiceRowError(ValueError):
    """A row of the input that cannot be read: which column, what kind of problem, the value.

    The problem is a code (empty, amount, date) so the caller can say it in the reader's
    language; str() gives the English text for logs and tests of the pure rules.
    """

    TEXTS = {
        "empty": "column '{column}' is empty",
        "amount": "column '{column}': {value!r} is not an amount in euros",
        "date": "column '{column}': {value!r} is not a date YYYY-MM-DD in 1900–2200",
        "too_long": "column '{column}' is longer than {maximum} characters",
    }

    def __init__(self, problem: str, column: str, value: str = "") -> None:
        self.problem = problem
        self.column = column
        self.value = value
        self.maximum = MAX_LENGTHS.get(column, 0)
        super().__init__(
            self.TEXTS[problem].format(column=column, value=value, maximum=self.maximum)
        )


def reference_check_digit(base: str) -> int:
    """The check digit of a Finnish reference number: weights 7, 3, 1 from the right."""
    if not base.isdigit():
        raise ValueError("a reference base has digits only")
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def is_valid_finnish_reference(reference: str) -> bool:
    digits = reference.replace(" ", "")
    if not digits.isdigit() or not 4 <= len(digits) <= 20:
        return False
    return reference_check_digit(digits[:-1]) == int(digits[-1])


def parse_amount_cents(text: str) -> int:
    """Euros with a comma or a dot as the decimal separator, spaces as thousand separators."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    # At most a hundred billion euros: more digits are a wrong column, not an invoice.
    if not re.fullmatch(r"-?\d{1,11}(\.\d{1,2})?", cleaned):
        raise InvalidOperation(text)
    return int((Decimal(cleaned) * 100).to_integral_value())


def format_euros(cents: int) -> str:
    """Finnish euros, "1 234,56 €" (non-breaking thousands), as the shared format writes them."""
    return formatting.format_euros(cents, "fi")


@dataclass(frozen=True)
class Invoice:
    invoice_id: str
    supplier_name: str
    business_id: str
    iban: str
    reference: str
    amount_cents: int
    invoice_date: datetime.date
    due_date: datetime.date
    purchase_order: str = ""


def parse_invoice_row(row: dict[str, str]) -> Invoice:
    """Read one CSV row; raise InvoiceRowError naming the column for anything unreadable."""
    missing = [c for c in REQUIRED_COLUMNS if not (row.get(c) or "").strip()]
    if missing:
        raise InvoiceRowError("empty", missing[0])
    values = {k: (row.get(k) or "").strip() for k in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    for column, maximum in MAX_LENGTHS.items():
        if len(values[column]) > maximum:
            raise InvoiceRowError("too_long", column, values[column][:100])
    try:
        amount = parse_amount_cents(values["amount"])
    except InvalidOperation:
        raise InvoiceRowError("amount", "amount", values["amount"]) from None
    dates: dict[str, datetime.date] = {}
    for column in ("invoice_date", "due_date"):
        try:
            dates[column] = datetime.date.fromisoformat(values[column])
        except ValueError:
            raise InvoiceRowError("date", column, values[column]) from None
        if not MIN_DATE <= dates[column] <= MAX_DATE:  # 9999-12-31 overflows the next working day
            raise InvoiceRowError("date", column, values[column])
    return Invoice(
        invoice_id=values["invoice_id"],
        supplier_name=values["supplier_name"],
        business_id=values["business_id"],
        iban=values["iban"].replace(" ", "").upper(),
        reference=values["reference"].replace(" ", ""),
        amount_cents=amount,
        invoice_date=dates["invoice_date"],
        due_date=dates["due_date"],
        purchase_order=values["purchase_order"],
    )


class Euros(int):
    """An amount in cents that a line shows as euros (in the reader's format, in the robot)."""

    def __str__(self) -> str:
        return format_euros(int(self))


class Line(str):
    """A line of the robot's reasoning: the English text (a `str`, for logs and the pure rules'
    tests), with its template and values so the robot can say it in the reader's language."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Line:
        line = super().__new__(cls, template % {key: str(v) for key, v in values.items()})
        line.template = template
        line.values = values
        return line


@dataclass
class CheckResult:
    """The proposal for one invoice: pay (with a date) or not, and every reason."""

    payable: bool
    payment_date: datetime.date | None
    amount_cents: int
    explanation: list[Line] = field(default_factory=list)
    attention: list[Line] = field(default_factory=list)
    blocking: list[Line] = field(default_factory=list)


def check_invoice(
    invoice: Invoice, *, approval_limit_cents: int, today: datetime.date
) -> CheckResult:
    result = CheckResult(payable=True, payment_date=None, amount_cents=invoice.amount_cents)
    lines = result.explanation
    amount = Euros(invoice.amount_cents)

    try:
        ytunnus.validate(invoice.business_id)
        lines.append(
            Line(
                "Business ID %(business_id)s is valid (check digit, weights "
                "7-9-10-5-8-4-2, mod 11).",
                business_id=invoice.business_id,
            )
        )
    except ValidationError:
        result.blocking.append(
            Line("business ID %(business_id)s is not valid", business_id=repr(invoice.business_id))
        )

    try:
        stdnum_iban.validate(invoice.iban)
        lines.append(
            Line("IBAN %(iban)s is valid (mod 97).", iban=stdnum_iban.format(invoice.iban))
        )
    except ValidationError:
        result.blocking.append(Line("IBAN %(iban)s is not valid", iban=repr(invoice.iban)))

    if invoice.reference.upper().startswith("RF"):
        if iso11649.is_valid(invoice.reference):
            lines.append(
                Line(
                    "RF reference %(reference)s is valid (ISO 11649).", reference=invoice.reference
                )
            )
        else:
            result.blocking.append(
                Line("RF reference %(reference)s is not valid", reference=repr(invoice.reference))
            )
    elif is_valid_finnish_reference(invoice.reference):
        lines.append(
            Line(
                "Reference %(reference)s is valid (weights 7-3-1, check digit %(digit)s).",
                reference=invoice.reference,
                digit=invoice.reference[-1],
            )
        )
    else:
        result.blocking.append(
            Line(
                "reference %(reference)s is not a valid Finnish reference number",
                reference=repr(invoice.reference),
            )
        )

    if invoice.amount_cents <= 0:
        result.blocking.append(
            Line(
                "amount %(amount)s is not positive (credit notes are handled by hand)",
                amount=amount,
            )
        )
    else:
        lines.append(Line("Amount %(amount)s.", amount=amount))
        if invoice.amount_cents > approval_limit_cents:
            result.attention.append(
                Line(
                    "amount %(amount)s exceeds the approval limit %(limit)s",
                    amount=amount,
                    limit=Euros(approval_limit_cents),
                )
            )

    if invoice.due_date < invoice.invoice_date:
        result.blocking.append(
            Line(
                "due date %(due_date)s is before the invoice date %(invoice_date)s",
                due_date=invoice.due_date,
                invoice_date=invoice.invoice_date,
            )
        )
    payment_date = next_working_day(max(invoice.due_date, today))
    if payment_date != invoice.due_date and invoice.due_date < today:
        lines.append(
            Line(
                "Due date %(due_date)s is in the past; payment on the next working day "
                "%(payment_date)s.",
                due_date=invoice.due_date,
                payment_date=payment_date,
            )
        )
    elif payment_date != invoice.due_date:
        lines.append(
            Line(
                "Due date %(due_date)s is not a working day; payment on the next working day "
                "%(payment_date)s.",
                due_date=invoice.due_date,
                payment_date=payment_date,
            )
        )
    else:
        lines.append(Line("Payment on the due date %(payment_date)s.", payment_date=payment_date))
    if invoice.due_date < today:
        result.attention.append(Line("due date %(due_date)s has passed", due_date=invoice.due_date))
    if not invoice.purchase_order:
        result.attention.append(Line("no purchase order number"))

    if result.blocking:
        result.payable = False
        lines.append(Line("Not payable: %(reasons)s.", reasons=Reasons(result.blocking)))
    else:
        result.payment_date = payment_date
        lines.append(
            Line(
                "Proposal: pay %(amount)s on %(payment_date)s.",
                amount=amount,
                payment_date=payment_date,
            )
        )
    return result


def payment_date_problems(payment_date: datetime.date, *, today: datetime.date) -> list[str]:
    """Why a payment date a reviewer gives breaks the rule the robot's own dates follow (a
    payment is made on a working day, never in the past): "past", "weekend" or "holiday" (a
    Finnish public holiday, Midsummer Eve or Christmas Eve, `core.calendar`); none if it
    may stand."""
    problems = []
    if payment_date < today:
        problems.append("past")
    if payment_date.weekday() >= 5:
        problems.append("weekend")
    elif is_holiday(payment_date):
        problems.append("holiday")
    return problems


class Reasons(tuple[Line, ...]):
    """Lines joined by "; " (each said in the reader's language by the robot)."""

    def __str__(self) -> str:
        return "; ".join(self)
