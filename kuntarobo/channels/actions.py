"""The state changes of a delivery, one function each, every one writing the audit trail; the
robot's worker, the web, the API and the CLI all go through these."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import actor_label, record
from kuntarobo.channels.addresses import mask_text, validate_address
from kuntarobo.channels.base import ChannelError, Content, Outgoing, SendResult
from kuntarobo.channels.choice import Route
from kuntarobo.channels.models import (
    TRANSITIONS,
    Delivery,
    DeliveryFinalError,
    DeliveryStatus,
    Language,
    PrintBatch,
    SecureDocument,
)
from kuntarobo.channels.print_channel import combine, page_count
from kuntarobo.channels.registry import get_channel
from kuntarobo.runtime.actions import get_municipality, require
from kuntarobo.runtime.declarations import InputError, ItemView, get_robot
from kuntarobo.runtime.files import save_file
from kuntarobo.runtime.models import WorkItem

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor

logger = logging.getLogger(__name__)
MAX_SUBJECT = 300


class SecureDocumentRefused(Exception):
    """The link is not this user's, or it has expired (`expired` tells which)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "not found")
        self.expired = expired


def _details(delivery: Delivery, **extra: Any) -> dict[str, Any]:
    return {
        "robot": delivery.robot_slug,
        "channel": delivery.channel,
        "recipient": delivery.masked_recipient,
        "reference": delivery.reference,
        "attempts": delivery.attempts,
        **extra,
    }


def _change(delivery: Delivery, status: str) -> None:
    allowed = TRANSITIONS[delivery.status]
    if status not in allowed:
        raise DeliveryFinalError(
            f"delivery {delivery.pk} cannot go from {delivery.status} to {status}"
        )
    delivery.status = status


def record_queued(
    delivery: Delivery, result: SendResult, *, actor: Actor, via: str = "robot"
) -> Delivery:
    """The message waits (a letter for its print batch)."""
    _change(delivery, DeliveryStatus.QUEUED)
    delivery.error = ""
    delivery.save()
    record(
        "channels.delivery.queued",
        actor=actor,
        municipality=delivery.municipality,
        obj=delivery,
        via=via,
        details=_details(delivery, **result.details),
    )
    return delivery


def record_sent(
    delivery: Delivery, result: SendResult, *, actor: Actor, via: str = "robot"
) -> Delivery:
    """The channel took the message: from here on the row is final."""
    _change(delivery, DeliveryStatus.SENT)
    delivery.sent_at = timezone.now()
    delivery.external_id = result.external_id[:300]
    delivery.error = ""
    delivery.save()
    record(
        "channels.delivery.sent",
        actor=actor,
        municipality=delivery.municipality,
        obj=delivery,
        via=via,
        details=_details(delivery, external_id=delivery.external_id, **result.details),
    )
    return delivery


def record_failed(
    delivery: Delivery, error: str, *, retryable: bool, actor: Actor, via: str = "robot"
) -> Delivery:
    """The channel did not take it; the error is kept masked."""
    _change(delivery, DeliveryStatus.FAILED)
    delivery.failed_at = timezone.now()
    delivery.error = mask_text(error, delivery.recipient)[:2000]
    delivery.save()
    record(
        "channels.delivery.failed",
        actor=actor,
        municipality=delivery.municipality,
        obj=delivery,
        via=via,
        details=_details(delivery, error=delivery.error, retryable=retryable),
    )
    return delivery


def _municipality(value: Municipality | str) -> Municipality:
    """A robot knows its municipality by slug (RunContext.municipality_slug)."""
    return value if isinstance(value, Municipality) else get_municipality(value)


def _item_id(item: WorkItem | ItemView | int | None) -> int | None:
    """A work item, the robot's view of it, or its id."""
    if item is None or isinstance(item, int):
        return item
    return int(item.id) if isinstance(item, ItemView) else int(item.pk)


def _row_for(
    *,
    municipality: Municipality,
    robot: str,
    channel: str,
    kind: str,
    recipient: str,
    language: str,
    subject: str,
    reference: str,
    item_id: int | None,
) -> Delivery:
    """The row of this message: the earlier one when the robot retries the same reference."""
    if reference:
        existing = Delivery.objects.filter(
            municipality=municipality, robot_slug=robot, channel=channel, reference=reference
        ).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                municipality=municipality,
                robot_slug=robot,
                item_id=item_id,
                channel=channel,
                recipient_kind=kind,
                recipient=recipient,
                language=language,
                subject=subject,
                reference=reference,
            )
    except IntegrityError:
        # Another worker created it a moment ago.
        return Delivery.objects.get(
            municipality=municipality, robot_slug=robot, channel=channel, reference=reference
        )


def deliver(
    *,
    municipality: Municipality | str,
    robot: str,
    channel: str,
    recipient: str,
    subject: str,
    content: Content,
    language: str = "fi",
    reference: str = "",
    item: WorkItem | ItemView | int | None = None,
    actor: Actor = None,
    via: str = "robot",
) -> Delivery:
    """Send one message through one channel and record it.

    With a `reference`, a repeated call (a retried work item) finds the same row: a message
    already sent or queued is not sent again. Bad input raises InputError and writes nothing;
    a channel's refusal or failure is recorded as failed and raised as ChannelError."""
    try:
        plugin = get_channel(channel)
    except ValueError as error:
        raise InputError(str(error), field="channel") from None
    try:
        address = validate_address(plugin.address_kind, recipient)
    except ValueError as error:
        raise InputError(str(error), field="recipient") from None
    if language not in Language.values:
        raise InputError(
            _("unknown language %(language)s: use fi, sv or en"),
            field="language",
            language=language,
        )
    subject = subject.strip()
    if not subject or len(subject) > MAX_SUBJECT:
        raise InputError(
            _("the subject must be 1–%(max)d characters"), field="subject", max=MAX_SUBJECT
        )
    plugin.check(content, subject)  # refuses what the channel may not carry, before any row exists
    municipality = _municipality(municipality)
    who = actor if actor is not None else f"robot {robot}"
    delivery = _row_for(
        municipality=municipality,
        robot=robot,
        channel=channel,
        kind=plugin.address_kind,
        recipient=address,
        language=language,
        subject=subject,
        reference=reference,
        item_id=_item_id(item),
    )
    if delivery.is_final or delivery.status == DeliveryStatus.QUEUED:
        return delivery
    delivery.attempts += 1
    try:
        result = plugin.send(Outgoing(delivery, content))
    except ChannelError as error:
        record_failed(delivery, str(error), retryable=error.retryable, actor=who, via=via)
        raise
    except Exception as error:
        record_failed(
            delivery, f"{type(error).__name__}: {error}", retryable=True, actor=who, via=via
        )
        raise
    if result.queued:
        return record_queued(delivery, result, actor=who, via=via)
    return record_sent(delivery, result, actor=who, via=via)


def deliver_first(
    routes: Sequence[Route],
    *,
    municipality: Municipality | str,
    robot: str,
    subject: str,
    content: Content,
    language: str = "fi",
    reference: str = "",
    item: WorkItem | ItemView | int | None = None,
    actor: Actor = None,
    via: str = "robot",
) -> Delivery:
    """Try the routes in order (see `choice.choose_channels`): a route that refuses this
    message for good (no mailbox, no e-mail address) gives way to the next; a passing failure
    (a server down) is raised so the work item is retried later."""
    if not routes:
        raise InputError(_("the recipient has no channel that can take this message"))
    if reference:
        # A retried item whose message already went (or waits for print) by some route is not
        # sent again by another: a person who has since opened a mailbox gets no second copy.
        done = (
            Delivery.objects.filter(
                municipality=_municipality(municipality),
                robot_slug=robot,
                reference=reference,
                channel__in=[route.channel for route in routes],
                status__in=[DeliveryStatus.SENT, DeliveryStatus.QUEUED, DeliveryStatus.POSTED],
            )
            .order_by("pk")
            .first()
        )
        if done is not None:
            return done
    last: ChannelError | None = None
    for route in routes:
        try:
            return deliver(
                municipality=municipality,
                robot=robot,
                channel=route.channel,
                recipient=route.address,
                subject=subject,
                content=content,
                language=language,
                reference=reference,
                item=item,
                actor=actor,
                via=via,
            )
        except ChannelError as error:
            if error.retryable:
                raise
            last = error
    assert last is not None
    raise last


def make_print_batch(
    actor: Actor, municipality: Municipality, *, robot: str = "", via: str = "cli"
) -> PrintBatch | None:
    """Every letter waiting in the municipality (of one robot, if named) in one PDF for the
    print service; None when none waits."""
    require(actor, municipality, Permission.REVIEW)
    with transaction.atomic():
        waiting = Delivery.objects.select_for_update().filter(
            municipality=municipality,
            channel="print",
            status=DeliveryStatus.QUEUED,
            print_batch__isnull=True,
        )
        if robot:
            waiting = waiting.filter(robot_slug=robot)
        letters = list(waiting.order_by("created_at", "pk"))
        if not letters:
            return None
        pdfs = []
        for letter in letters:
            try:
                with letter.document.open("rb") as stored:
                    pdfs.append(stored.read())
            except (FileNotFoundError, ValueError):
                raise InputError(
                    _(
                        "the letter %(reference)s (delivery %(number)s) is missing from the file "
                        "store: restore it from the backup; no print batch was made"
                    ),
                    number=letter.pk,
                    reference=letter.reference or "-",
                ) from None
        combined = combine(pdfs)
        batch = PrintBatch(
            municipality=municipality,
            robot_slug=robot,
            created_by=actor_label(actor),
            letters=len(letters),
            pages=page_count(combined),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        save_file(batch.file, f"print-{municipality.slug}-{stamp}.pdf", ContentFile(combined))
        batch.save()
        Delivery.objects.filter(pk__in=[letter.pk for letter in letters]).update(print_batch=batch)
        record(
            "channels.print_batch",
            actor=actor,
            municipality=municipality,
            obj=batch,
            via=via,
            details={
                "robot": robot,
                "deliveries": [letter.pk for letter in letters],
                "pages": batch.pages,
            },
        )
    return batch


def record_posted(
    actor: Actor, batch: PrintBatch, posted_on: datetime.date, *, via: str = "cli"
) -> PrintBatch:
    """The print service posted the batch: each of its letters is posted on that date."""
    require(actor, batch.municipality, Permission.REVIEW)
    if posted_on > timezone.localdate():
        raise InputError(_("the posting date cannot be in the future"), field="posted_on")
    with transaction.atomic():
        batch = PrintBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.posted_on is not None:
            raise InputError(
                _("print batch %(number)s was already posted on %(date)s"),
                number=batch.pk,
                date=batch.posted_on.isoformat(),
            )
        letters = list(batch.deliveries.select_for_update().filter(status=DeliveryStatus.QUEUED))
        for letter in letters:
            _change(letter, DeliveryStatus.POSTED)
            letter.posted_on = posted_on
            letter.sent_at = timezone.now()
            letter.save()
        batch.posted_on = posted_on
        batch.save(update_fields=["posted_on"])
        _tell_robots(batch.municipality_id, letters, posted_on)
        record(
            "channels.print_batch.posted",
            actor=actor,
            municipality=batch.municipality,
            obj=batch,
            via=via,
            details={"posted_on": posted_on.isoformat(), "deliveries": [d.pk for d in letters]},
        )
    return batch


def _tell_robots(
    municipality_id: int, letters: Sequence[Delivery], posted_on: datetime.date
) -> None:
    """Each robot hears which of its letters were posted (a decision is notified from then)."""
    by_robot: dict[str, list[str]] = {}
    for letter in letters:
        if letter.reference:
            by_robot.setdefault(letter.robot_slug, []).append(letter.reference)
    for slug, references in by_robot.items():
        try:
            robot = get_robot(slug)
        except InputError:  # a robot no longer installed: its letters are posted all the same
            continue
        robot.on_letters_posted(municipality_id, references, posted_on)


def open_secure_document(user: Any, token: str, *, via: str = "web") -> SecureDocument:
    """The document behind a link, for its recipient only and until it expires; each
    download is recorded. Anyone else gets the same answer as for a link that does not exist."""
    document = SecureDocument.objects.select_related("municipality").filter(token=token).first()
    if document is None or not user.is_authenticated or document.recipient_id != user.pk:
        if document is not None:
            record(
                "channels.secure_document.refused",
                actor=user,
                municipality=document.municipality,
                obj=document,
                via=via,
                details={"reason": "not the recipient"},
            )
        raise SecureDocumentRefused(expired=False)
    if document.is_expired():
        record(
            "channels.secure_document.refused",
            actor=user,
            municipality=document.municipality,
            obj=document,
            via=via,
            details={"reason": "expired", "expired_at": document.expires_at.isoformat()},
        )
        raise SecureDocumentRefused(expired=True)
    SecureDocument.objects.filter(pk=document.pk).update(downloads=F("downloads") + 1)
    record(
        "channels.secure_document.download",
        actor=user,
        municipality=document.municipality,
        obj=document,
        via=via,
        details={"deliveries": list(document.deliveries.values_list("pk", flat=True))},
    )
    return document


def purge_expired_documents(
    actor: Actor = "system", *, now: datetime.datetime | None = None, via: str = "cli"
) -> int:
    """Remove the files of secure documents whose link has expired: nobody can fetch them
    any more, so the personal data they hold need not stay. The rows stay (the audit trail
    refers to them). Returns how many files were removed."""
    cutoff = now or timezone.now()
    expired = list(SecureDocument.objects.filter(expires_at__lte=cutoff).exclude(file=""))
    for document in expired:
        document.file.delete(save=False)
        SecureDocument.objects.filter(pk=document.pk).update(file="")
    if expired:
        record(
            "channels.secure_document.purged",
            actor=actor,
            via=via,
            details={"documents": [document.pk for document in expired]},
        )
    return len(expired)


def usernames_for_email(municipality: Municipality | str, email: str) -> list[str]:
    """The active users of the municipality (any role) whose e-mail address is `email`, for a
    robot that knows a member of staff only by address (a supervisor in a payroll export) and
    sends them a secure link. More than one means the address does not say who it is."""
    from django.contrib.auth import get_user_model

    address = email.strip()
    if not address:
        return []
    users = (
        get_user_model()
        .objects.filter(
            email__iexact=address,
            is_active=True,
            memberships__municipality=_municipality(municipality),
        )
        .distinct()
        .order_by("username")
    )
    return [str(name) for name in users.values_list("username", flat=True)]
