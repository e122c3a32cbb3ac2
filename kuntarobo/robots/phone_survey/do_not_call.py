"""The municipality's do-not-call list of the phone survey robot: honoured by every campaign
at once. Its own module (re-exported by `actions`) because the web form and the notices use it
and `actions.start_campaign` uses them, and the package has no import circles."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kuntarobo.core.respondents import mask_phone
from kuntarobo.robots.phone_survey.models import DoNotCallEntry
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.models import Municipality

ROBOT_ACTOR = "robot:phone_survey"


def add_do_not_call(
    municipality: Municipality, phone_e164: str, *, source: str, actor: Any = ROBOT_ACTOR
) -> bool:
    """Put a number on the municipality's do-not-call list at once (the stop key, the web
    form's refusal, or staff): True if it was not there before. The audit trail keeps only the
    masked number."""
    with transaction.atomic():
        _, created = DoNotCallEntry.objects.get_or_create(
            municipality=municipality, phone=phone_e164, defaults={"source": source}
        )
        if created:
            record(
                "phone_survey.do_not_call_added",
                actor=actor,
                municipality=municipality,
                details={"phone": mask_phone(phone_e164), "source": source},
            )
    return created


def remove_do_not_call(municipality: Municipality, phone_e164: str, *, actor: Any) -> bool:
    """Take a number off the list (staff only, e.g. the person asked to be called after all)."""
    with transaction.atomic():
        deleted, _ = DoNotCallEntry.objects.filter(
            municipality=municipality, phone=phone_e164
        ).delete()
        if deleted:
            record(
                "phone_survey.do_not_call_removed",
                actor=actor,
                municipality=municipality,
                details={"phone": mask_phone(phone_e164)},
            )
    return bool(deleted)


def is_on_do_not_call(municipality_id: int, phone_e164: str) -> bool:
    return DoNotCallEntry.objects.filter(municipality_id=municipality_id, phone=phone_e164).exists()
