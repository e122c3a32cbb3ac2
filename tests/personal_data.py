"""Personal data planted in work items, runs and documents, and the strings to search every
response for: an identity code used as a family id, and people's names."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.base import ContentFile

from kuntarobo.audit.trail import record
from kuntarobo.runtime.models import ItemDocument, Run, RunLogEntry, WorkItem

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def identity_code(birth: str, sign: str, individual: str) -> str:
    """A Finnish personal identity code with its check character computed."""
    return f"{birth}{sign}{individual}{CHECK_CHARACTERS[int(birth + individual) % 31]}"


IDENTITY_CODE = identity_code("150490", "-", "926")
GUARDIAN = "Aino Mäkelä-Koskinen"
SECOND_GUARDIAN = "Pekka Lindqvist"
# What must never reach a response for a role without the right to personal data: the code,
# its birth date alone, and the names (their ASCII parts too, as JSON escapes the rest).
SECRETS = (IDENTITY_CODE, "150490", GUARDIAN, SECOND_GUARDIAN, "Koskinen", "Lindqvist")
MASKED_REFERENCE = "******-****:2030-01-01:9f2c"
# The robot's own data for its records (`Outcome.record`): shown to no one, not even to those
# who see the item's personal data.
RECORD_ONLY = "Record-only Virtanen 9f2c"


def plant(item: WorkItem, document: ItemDocument | None = None) -> WorkItem:
    """Fill every personal field of `item` with the planted data, as a fee robot would."""
    item.reference = f"{IDENTITY_CODE}:2030-01-01:9f2c"
    item.title = f"{GUARDIAN} {IDENTITY_CODE}"
    item.attention = [f"Guardian {SECOND_GUARDIAN} has no income information"]
    item.review_note = f"Called {GUARDIAN} about the income"
    item.payload = {**(item.payload or {}), "guardian": GUARDIAN, "identity_code": IDENTITY_CODE}
    item.output = {**(item.output or {}), "addressee": SECOND_GUARDIAN}
    item.explanation = [f"{GUARDIAN} and {SECOND_GUARDIAN} form one family"]
    item.record = {"basis": RECORD_ONLY}
    item.save()
    if document is not None:
        document.name = f"{GUARDIAN}.txt"
        document.save(update_fields=["name"])
    else:
        document = ItemDocument(item=item, name=f"{GUARDIAN}.txt", content_type="text/plain")
        document.file.save("letter.txt", ContentFile(GUARDIAN.encode()), save=True)
    record(
        "item.retry",
        actor="test set-up",
        municipality=item.municipality,
        obj=item,
        via="web",
        details={"note": f"asked {SECOND_GUARDIAN} for the payslip"},
    )
    return item


def plant_failure(item: WorkItem) -> WorkItem:
    """A failed item whose error names the family by its identity code (stored unmasked, as an
    older version or a careless robot might have)."""
    item.error_message = f"no income information for family {IDENTITY_CODE}"
    item.save(update_fields=["error_message"])
    return item


def plant_run(run: Run, item: WorkItem) -> Run:
    run.input_name = f"perhe_{IDENTITY_CODE}.jsonl"
    run.save(update_fields=["input_name"])
    RunLogEntry.objects.create(
        run=run, item=item, level="warning", message=f"{IDENTITY_CODE}: family re-read"
    )
    return run


def texts_of(response: Any) -> list[str]:
    """The body as sent, and for JSON also decoded (JSON escapes the letters ä and ö)."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content).decode(errors="replace")
    else:
        raw = response.content.decode(errors="replace")
    texts = [raw]
    if response.get("Content-Type", "").startswith("application/json"):
        texts.append(json.dumps(json.loads(raw), ensure_ascii=False))
    return texts


def leaks(response: Any) -> list[str]:
    """The planted secrets found anywhere in the response."""
    return sorted({s for text in texts_of(response) for s in SECRETS if s in text})
