"""Sending an approved fee decision: the final letter carries the official's name and the
date; it goes to each guardian's Suomi.fi mailbox when the service is configured, otherwise
into the next print batch. Every sent decision is archived as its PDF.

Both guardians are parties and each is notified. The letter is addressed to both at the first
guardian's address; a second guardian it does not reach (living elsewhere, or left without a
mailbox when the first was reached electronically) gets a printed copy addressed to them.

A retried delivery renders the same letters, overwrites the same archive files and gives
Suomi.fi the same external ids, so a decision is never sent twice.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from pathlib import Path

from django.conf import settings as django_settings
from django.utils import timezone

from kuntarobo.robots.ecec_fees import families, fees, letters
from kuntarobo.robots.ecec_fees.decision_content import build_letter, decision_start, family_input
from kuntarobo.robots.ecec_fees.models import (
    Channel,
    FeeDecision,
    FeeParameterRow,
    GuardianCopy,
)
from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings
from kuntarobo.robots.ecec_fees.municipal_settings import row_from, settings_of
from kuntarobo.sdk import ApplicationException, BusinessException, ItemView, RunContext
from kuntarobo.sdk.channels import suomifi_messages as suomifi
from kuntarobo.sdk.decisions import DecisionStatus
from kuntarobo.sdk.files import write_file_atomically

TITLES = {
    "fi": "Varhaiskasvatuksen asiakasmaksupäätös",
    "sv": "Beslut om klientavgift för småbarnspedagogik",
}
BODIES = {
    "fi": (
        "Hei, liitteenä on varhaiskasvatuksen asiakasmaksupäätöksenne {number}, voimassa "
        "{valid_from} alkaen. Päätöksen lopussa on ohje oikaisuvaatimuksen tekemiseen."
    ),
    "sv": (
        "Hej, som bilaga finns ert beslut om klientavgift för småbarnspedagogik {number}, "
        "i kraft från {valid_from}. I slutet av beslutet finns en anvisning för begäran om "
        "omprövning."
    ),
}


def archive_path(decision: FeeDecision, suffix: str = "") -> str:
    """Relative to MEDIA_ROOT: one file per decision, named by its number (a guardian's copy
    with the guardian's suffix, e.g. -2)."""
    return (
        f"ecec_fees/decisions/{decision.municipality.slug}/{decision.valid_from.year}/"
        f"{decision.decision_number}{suffix}.pdf"
    )


def final_letter(decision: FeeDecision, addressee: int = 0) -> letters.DecisionLetter:
    """The approved decision: the same content as the reviewed draft, with the official;
    addressed to the second guardian alone when `addressee` is 1."""
    record_ = decision_start(
        families.parse_family(decision.inputs, default_period_start=decision.valid_from)
    )
    settings = settings_for(decision)
    row = FeeParameterRow.objects.get(valid_from=decision.parameters_valid_from)
    fee = fees.calculate_fees(row.as_parameters(), family_input(record_, settings))
    if fee.total_fee != decision.total_fee:
        # The rules are versioned and the inputs stored: a mismatch means the code changed
        # under an approved decision. Stop rather than send a letter that differs from it.
        raise BusinessException(
            f"{decision.decision_number}: the fee recomputed at sending ({fee.total_fee} cents) "
            f"differs from the approved one ({decision.total_fee} cents); not sent."
        )
    decided_at = timezone.localtime(decision.decided_at).date() if decision.decided_at else None
    try:
        return _letter(decision, record_, fee, settings, row, decided_at, addressee)
    except ValueError as error:  # a settings text missing in the letter's language, no title
        raise BusinessException(f"{decision.decision_number}: {error}; not sent") from None


def _letter(
    decision: FeeDecision,
    record_: families.FamilyRecord,
    fee: fees.FamilyFee,
    settings: MunicipalFeeSettings,
    row: FeeParameterRow,
    decided_at: datetime.date | None,
    addressee: int,
) -> letters.DecisionLetter:
    return build_letter(
        record=record_,
        fee=fee,
        settings=settings,
        number=decision.decision_number,
        parameters=row.as_parameters(),
        change_lines=list(decision.letter_changes or []),
        supersedes=decision.letter_supersedes or None,
        decided_by=decision.decided_by,
        decided_by_title=decision.decided_by_title,
        decided_at=decided_at,
        valid_until=decision.letter_valid_until,
        addressee=addressee,
    )


def settings_for(decision: FeeDecision) -> MunicipalFeeSettings:
    if decision.settings_valid_from is None:
        raise ValueError(f"decision {decision.decision_number} names no municipal settings")
    row = row_from(decision.municipality_id, decision.settings_valid_from)
    if row is None:
        raise ValueError(
            f"decision {decision.decision_number}: no municipal settings from "
            f"{decision.settings_valid_from}"
        )
    return settings_of(row)


def write_atomically(relative: str, content: bytes) -> None:
    """A failed write (a full disk) leaves neither half a PDF nor its temporary file; a PDF no
    decision came to name (the delivery failed after it) is removed by the files sweep."""
    write_file_atomically(Path(django_settings.MEDIA_ROOT) / relative, content)


def deliver_decision(item: ItemView, context: RunContext) -> None:
    decision = FeeDecision.objects.select_related("municipality", "work_item").get(
        work_item_id=item.id
    )
    if decision.status not in (DecisionStatus.APPROVED, DecisionStatus.SENT):
        raise BusinessException(f"{decision.decision_number} is {decision.status}, not approved")
    pdf = letters.render_pdf(final_letter(decision))
    relative = archive_path(decision)
    write_atomically(relative, pdf)
    config = suomifi_config()
    guardians = decision.inputs["guardians"][:2]
    sent: list[str] = []
    on_paper: list[int] = []  # the guardians (by index) the decision reaches only on paper
    for index, guardian in enumerate(guardians):
        if config is not None and guardian.get("identity_code"):
            suffix = "" if index == 0 else f"-{index + 1}"
            home = guardian.get("address") or guardians[0].get("address") or {}
            one, refusal = send_by_suomifi(
                config, decision, {**guardian, "address": home}, pdf, suffix
            )
            if one:
                sent.append(one)
                continue
            context.log(f"{decision.decision_number}{suffix}: Suomi.fi: {refusal}; to print")
        on_paper.append(index)
    copy_needed = 1 in on_paper and not (0 in on_paper and same_home(guardians[0], guardians[1]))
    if copy_needed:
        print_copy(decision, 1)
    channel = Channel.PRINT if 0 in on_paper else Channel.SUOMIFI
    # Only the delivery fields: the database refuses any change to an approved decision's content.
    FeeDecision.objects.filter(pk=decision.pk).update(
        document=relative, channel=channel, message_id=",".join(sent)[:100]
    )
    copy = " and a printed copy for the second guardian" if copy_needed else ""
    context.log(f"{decision.decision_number}: sent ({channel}){copy}")


def same_home(first: dict[str, object], second: dict[str, object]) -> bool:
    """Whether one letter to the first guardian's address reaches the second guardian too:
    they gave no address of their own, or the same one (spacing and case aside)."""
    if not second.get("address"):
        return True

    def normalised(guardian: dict[str, object]) -> tuple[str, ...]:
        address = guardian.get("address") or {}
        assert isinstance(address, dict)
        return tuple(
            " ".join(str(address.get(key, "")).split()).casefold()
            for key in ("street", "postal_code", "city", "country")
        )

    return normalised(first) == normalised(second)


def print_copy(decision: FeeDecision, addressee: int) -> None:
    """The decision addressed to one guardian alone, archived and waiting for a print batch.
    A retry rewrites the same file; a copy already printed is left as it is."""
    suffix = f"-{addressee + 1}"
    existing = decision.copies.filter(guardian=addressee + 1).first()
    if existing is not None and existing.print_batch_id is not None:
        return
    relative = archive_path(decision, suffix)
    write_atomically(relative, letters.render_pdf(final_letter(decision, addressee)))
    name = str(decision.inputs["guardians"][addressee]["name"])[:200]
    GuardianCopy.objects.update_or_create(
        decision=decision,
        guardian=addressee + 1,
        defaults={"recipient_name": name, "document": relative},
    )


def suomifi_config() -> suomifi.MessagesConfig | None:
    try:
        return suomifi.MessagesConfig.from_environment(os.environ)
    except ValueError as error:
        raise ApplicationException(f"Suomi.fi Messages configuration: {error}") from None


def external_id(decision: FeeDecision, own_service_id: str, suffix: str = "") -> str:
    """The message's id at Suomi.fi: the same on a retry, so it is sent once, and unique within
    the service. Running numbers are the municipality's own (two municipalities may both have
    VAKA-2026-00001), so on the installation's shared service the municipality qualifies it."""
    number = decision.decision_number + suffix
    return number if own_service_id else f"{decision.municipality.slug}:{number}"


def send_by_suomifi(
    config: suomifi.MessagesConfig,
    decision: FeeDecision,
    guardian: dict[str, object],
    pdf: bytes,
    suffix: str = "",
) -> tuple[str, str]:
    """(message id, ""), or ("", why) when Suomi.fi could not take it electronically and no
    paper channel is configured there (e.g. no mailbox): then the letter goes to print."""
    language = decision.language if decision.language in TITLES else "fi"
    address = guardian.get("address") or {}
    assert isinstance(address, dict)
    settings = settings_for(decision)
    paper = None
    sender = None
    if config.paper_mail_enabled and all(settings.sender_address):
        paper = suomifi.PostalAddress(
            name=str(guardian["name"]),
            street=str(address.get("street", "")),
            postal_code=str(address.get("postal_code", "")),
            city=str(address.get("city", "")),
        )
        street, code, city = settings.sender_address
        sender = suomifi.PostalAddress(
            name=settings.authority.get(language), street=street, postal_code=code, city=city
        )
    message = suomifi.Message(
        external_id=external_id(decision, settings.suomifi_service_id, suffix),
        recipient_id=str(guardian["identity_code"]),
        title=TITLES[language],
        body=BODIES[language].format(
            number=decision.decision_number,
            valid_from=letters.format_date(decision.valid_from, language),
        ),
        attachment_name=f"{decision.decision_number}.pdf",
        attachment=pdf,
        paper_mail_address=paper,
        sender_address=sender,
    )
    if settings.suomifi_service_id:
        config = dataclasses.replace(config, service_id=settings.suomifi_service_id)
    try:
        return suomifi.MessagesClient(config).send(message).message_id, ""
    except suomifi.MessagesError as error:
        if error.retryable:
            raise ApplicationException(f"Suomi.fi Messages: {error}") from None
        if paper is None and error.status in (400, 404, 422):
            return "", str(error)
        raise BusinessException(f"Suomi.fi Messages refused the decision: {error}") from None
    except ValueError as error:
        raise BusinessException(f"the decision cannot be sent by Suomi.fi: {error}") from None
