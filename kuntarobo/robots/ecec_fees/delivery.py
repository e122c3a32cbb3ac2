"""Sending an approved fee decision: the final letter carries the official's name and the
date; it goes through the platform's delivery channels (kuntarobo.sdk.channels) to each
guardian's Suomi.fi mailbox when the service is configured, otherwise into the next print batch
(docs/channels.md). Every sent decision is archived as its PDF.

Both guardians are parties and each is notified. The letter is addressed to both at the first
guardian's address; a second guardian it does not reach (living elsewhere, or left without a
mailbox when the first was reached electronically) gets a printed copy addressed to them.

A retried delivery renders the same letters, overwrites the same archive files and finds the
same Delivery records (the decision number is their reference), so a decision is never sent
twice.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from django.conf import settings as django_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.ecec_fees import families, fee_texts, fees, letters
from kuntarobo.robots.ecec_fees.decision_content import build_letter, decision_start, family_input
from kuntarobo.robots.ecec_fees.models import Channel, FeeDecision, FeeParameterRow
from kuntarobo.robots.ecec_fees.municipal import MunicipalFeeSettings
from kuntarobo.robots.ecec_fees.municipal_settings import SLUG, row_from, settings_of
from kuntarobo.sdk import (
    ApplicationException,
    BusinessException,
    InputError,
    ItemView,
    RunContext,
    channels,
    message,
)
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
            message(
                _(
                    "%(number)s: the fee recomputed at sending (%(recomputed)s) differs from the "
                    "approved one (%(approved)s); not sent."
                ),
                number=decision.decision_number,
                recomputed=letters.format_euros(fee.total_fee, "fi"),
                approved=letters.format_euros(decision.total_fee, "fi"),
            )
        )
    decided_at = timezone.localtime(decision.decided_at).date() if decision.decided_at else None
    try:
        return _letter(decision, record_, fee, settings, row, decided_at, addressee)
    except ValueError as error:  # a settings text missing in the letter's language, no title
        raise BusinessException(
            message(
                _("%(number)s: %(reason)s Not sent."),
                number=decision.decision_number,
                reason=fee_texts.reason(error),
            )
        ) from None


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
        example_figures=row.example_figures,
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
    """Each guardian is reached through the platform's channels, one Delivery record per
    guardian and channel: Suomi.fi Messages when configured and the guardian has an identity
    code, else a letter waiting (queued) for the next print batch. The decision's notification
    date follows from those records: the third day after sending electronically, the seventh
    after the print batch is posted."""
    decision = FeeDecision.objects.select_related("municipality", "work_item").get(
        work_item_id=item.id
    )
    if decision.status not in (DecisionStatus.APPROVED, DecisionStatus.SENT):
        raise BusinessException(
            message(
                _("%(number)s is %(status)s, not approved: it is not sent."),
                number=decision.decision_number,
                status=DecisionStatus(decision.status).label,
            )
        )
    pdf = letters.render_pdf(final_letter(decision))
    relative = archive_path(decision)
    write_atomically(relative, pdf)
    electronic = suomifi_configured()
    guardians = decision.inputs["guardians"][:2]
    sent: list[str] = []
    on_paper: list[int] = []  # the guardians (by index) the decision reaches only on paper
    for index, guardian in enumerate(guardians):
        if electronic and guardian.get("identity_code"):
            suffix = "" if index == 0 else f"-{index + 1}"
            home = guardian.get("address") or guardians[0].get("address") or {}
            one, refusal = send_by_suomifi(
                item, decision, {**guardian, "address": home}, pdf, suffix
            )
            if one:
                sent.append(one)
                continue
            context.log(
                message(
                    _("%(number)s: Suomi.fi Messages did not take it (%(reason)s): to print"),
                    number=f"{decision.decision_number}{suffix}",
                    reason=refusal,
                )
            )
        on_paper.append(index)
    if 0 in on_paper:
        send_to_print(item, decision, 0, pdf)
    copy_needed = 1 in on_paper and not (0 in on_paper and same_home(guardians[0], guardians[1]))
    if copy_needed:
        print_copy(item, decision, 1)
    channel = Channel.PRINT if 0 in on_paper else Channel.SUOMIFI
    # Only the delivery fields: the database refuses any change to an approved decision's content.
    FeeDecision.objects.filter(pk=decision.pk).update(
        document=relative, channel=channel, message_id=",".join(sent)[:100]
    )
    if channel == Channel.SUOMIFI:
        done = (
            _("%(number)s: sent by Suomi.fi Messages, and a printed copy for the second guardian")
            if copy_needed
            else _("%(number)s: sent by Suomi.fi Messages")
        )
    else:
        done = (
            _(
                "%(number)s: waiting for the print batch, with a printed copy for the second "
                "guardian"
            )
            if copy_needed
            else _("%(number)s: waiting for the print batch")
        )
    context.log(message(done, number=decision.decision_number))


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


def postal_address(name: str, address: dict[str, object]) -> str:
    """The envelope window's lines: name, street, postal code and city (and a foreign country)."""
    lines = [
        name,
        str(address.get("street", "")),
        f"{address.get('postal_code', '')} {address.get('city', '')}".strip(),
    ]
    if address.get("country"):
        lines.append(str(address["country"]).upper())
    return "\n".join(line for line in lines if line.strip())


def send_to_print(item: ItemView, decision: FeeDecision, addressee: int, pdf: bytes) -> None:
    """The letter waits in the print channel (its Delivery record `queued`) until a print batch
    takes it and is marked posted. The first guardian's letter names both guardians; a copy
    (`addressee` 1) goes to the second guardian's own address. A retry finds the same record."""
    guardians = decision.inputs["guardians"]
    if addressee:
        name = str(guardians[addressee]["name"])
        address = guardians[addressee].get("address") or guardians[0].get("address") or {}
    else:
        name = " / ".join(str(g["name"]) for g in guardians[:2])
        address = guardians[0].get("address") or {}
    suffix = f"-{addressee + 1}" if addressee else ""
    language = decision.language if decision.language in TITLES else "fi"
    try:
        channels.deliver(
            municipality=decision.municipality,
            robot=SLUG,
            channel="print",
            recipient=postal_address(name, address),
            subject=f"{TITLES[language]} {decision.decision_number}{suffix}",
            content=channels.Content(
                body="", document=channels.Document(f"{decision.decision_number}{suffix}.pdf", pdf)
            ),
            language=language,
            reference=f"{decision.decision_number}{suffix}",
            item=item,
        )
    except InputError as error:  # no postal address to print on the envelope
        raise BusinessException(
            message(
                _("%(number)s: the letter cannot be printed: %(reason)s"),
                number=f"{decision.decision_number}{suffix}",
                reason=message(error.message, **error.params),
            )
        ) from None
    except channels.ChannelError as error:
        raise BusinessException(
            message(
                _("%(number)s: the print channel did not take the letter: %(reason)s"),
                number=f"{decision.decision_number}{suffix}",
                reason=str(error),
            )
        ) from None


def print_copy(item: ItemView, decision: FeeDecision, addressee: int) -> None:
    """The decision addressed to one guardian alone, archived and waiting for a print batch.
    A retry rewrites the same file; a copy already in a batch is left as it is."""
    suffix = f"-{addressee + 1}"
    reference = f"{decision.decision_number}{suffix}"
    existing = channels.Delivery.objects.filter(
        municipality=decision.municipality, robot_slug=SLUG, channel="print", reference=reference
    ).first()
    if existing is not None and existing.print_batch_id is not None:
        return
    pdf = letters.render_pdf(final_letter(decision, addressee))
    write_atomically(archive_path(decision, suffix), pdf)
    send_to_print(item, decision, addressee, pdf)


def suomifi_configured() -> bool:
    try:
        return channels.suomifi_messages.MessagesConfig.from_environment(os.environ) is not None
    except ValueError as error:
        raise ApplicationException(
            message(_("The Suomi.fi Messages configuration is invalid: %(reason)s"), reason=error)
        ) from None


def external_id(decision: FeeDecision, own_service_id: str, suffix: str = "") -> str:
    """The message's id at Suomi.fi: the same on a retry, so it is sent once, and unique within
    the service. Running numbers are the municipality's own (two municipalities may both have
    VAKA-2026-00001), so on the installation's shared service the municipality qualifies it."""
    number = decision.decision_number + suffix
    return number if own_service_id else f"{decision.municipality.slug}:{number}"


def send_by_suomifi(
    item: ItemView,
    decision: FeeDecision,
    guardian: dict[str, object],
    pdf: bytes,
    suffix: str = "",
) -> tuple[str, str]:
    """(message id, ""), or ("", why) when Suomi.fi could not take it electronically and no
    paper channel is configured there (e.g. no mailbox): then the letter goes to print. The
    Delivery record of the suomifi channel says which."""
    language = decision.language if decision.language in TITLES else "fi"
    address = guardian.get("address") or {}
    assert isinstance(address, dict)
    settings = settings_for(decision)
    paper = None
    sender = None
    config = channels.suomifi_messages.MessagesConfig.from_environment(os.environ)
    if config is not None and config.paper_mail_enabled and all(settings.sender_address):
        paper = channels.PostalAddress(
            name=str(guardian["name"]),
            street=str(address.get("street", "")),
            postal_code=str(address.get("postal_code", "")),
            city=str(address.get("city", "")),
        )
        street, code, city = settings.sender_address
        sender = channels.PostalAddress(
            name=settings.authority.text(language), street=street, postal_code=code, city=city
        )
    try:
        delivery = channels.deliver(
            municipality=decision.municipality,
            robot=SLUG,
            channel="suomifi",
            recipient=str(guardian["identity_code"]),
            subject=TITLES[language],
            content=channels.Content(
                body=BODIES[language].format(
                    number=decision.decision_number,
                    valid_from=letters.format_date(decision.valid_from, language),
                ),
                document=channels.Document(f"{decision.decision_number}.pdf", pdf),
                postal_address=paper,
                sender_address=sender,
                service_id=settings.suomifi_service_id,
                external_id=external_id(decision, settings.suomifi_service_id, suffix),
            ),
            language=language,
            reference=f"{decision.decision_number}{suffix}",
            item=item,
        )
    except InputError as error:
        raise BusinessException(
            message(
                _("The decision cannot be sent by Suomi.fi Messages: %(reason)s"),
                reason=message(error.message, **error.params),
            )
        ) from None
    except channels.ChannelError as error:
        if error.retryable:
            raise ApplicationException(
                message(
                    _("Suomi.fi Messages could not be reached: %(reason)s; tried again later"),
                    reason=str(error),
                )
            ) from None
        if paper is None:
            return "", str(error)
        raise BusinessException(
            message(_("Suomi.fi Messages refused the decision: %(reason)s"), reason=str(error))
        ) from None
    return delivery.external_id, ""
