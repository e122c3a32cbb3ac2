"""Delivery records, documents behind secure links, and print batches.

A delivery row is the platform's memory of one message to one recipient through one channel.
Once it is sent or posted it is final: a later resend is a new row. The recipient is kept in
full (the channel needs it for a retry) and shown masked everywhere."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality
from kuntarobo.channels.addresses import AddressKind, mask_address
from kuntarobo.runtime.models import ScopedQuerySet, WorkItem


class DeliveryFinalError(Exception):
    """Raised when code tries to change a delivery that has been sent or posted."""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Not sent yet")
    QUEUED = (
        "queued",
        _("Waiting for the print batch"),
    )  # e.g. a letter waiting for the next print batch
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    POSTED = "posted", _("Posted")


FINAL_STATUSES = frozenset({DeliveryStatus.SENT, DeliveryStatus.POSTED})
# The allowed changes, declared once: the action functions check them.
TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryStatus.PENDING: frozenset(
        {DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.FAILED}
    ),
    DeliveryStatus.QUEUED: frozenset({DeliveryStatus.POSTED, DeliveryStatus.FAILED}),
    DeliveryStatus.FAILED: frozenset(
        {DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.FAILED}
    ),
    DeliveryStatus.SENT: frozenset(),
    DeliveryStatus.POSTED: frozenset(),
}


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


class PrintBatch(models.Model):
    """Letters gathered into one PDF for the municipality's print service."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="channel_print_batches"
    )
    robot_slug = models.CharField(_("robot"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    created_by = models.CharField(_("made by"), max_length=200)
    letters = models.PositiveIntegerField(_("letters"))
    pages = models.PositiveIntegerField(_("pages"))
    file = models.FileField(upload_to="channels/print/%Y/%m/")
    posted_on = models.DateField(_("posted on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")

    def __str__(self) -> str:
        return f"print batch {self.pk} ({self.letters} letters, {self.pages} pages)"


class SecureDocument(models.Model):
    """A document kept in the platform for one signed-in user until it expires; the link in
    the notice e-mail carries an unguessable token, and the page still checks who asks."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="secure_documents"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="secure_documents"
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    file = models.FileField(upload_to="channels/secure/%Y/%m/")
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("secure document")
        verbose_name_plural = _("secure documents")

    def __str__(self) -> str:
        return f"secure document {self.pk}"

    def is_expired(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class DeliveryQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        """A bulk update must not reach a final row (sent or posted)."""
        if self.filter(status__in=FINAL_STATUSES).exists():
            raise DeliveryFinalError("a sent or posted delivery cannot be changed: add a new one")
        return super().update(**kwargs)


class Delivery(models.Model):
    """One message to one recipient through one channel."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="deliveries"
    )
    robot_slug = models.CharField(_("robot"), max_length=50)
    item = models.ForeignKey(
        WorkItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("work item"),
    )
    channel = models.CharField(_("channel"), max_length=30)
    recipient_kind = models.CharField(
        _("address kind"), max_length=20, choices=[(k.value, k.value) for k in AddressKind]
    )
    recipient = models.TextField(_("recipient"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FINNISH
    )
    subject = models.CharField(_("subject"), max_length=300)
    # The robot's key for this message (e.g. a decision number): a retry finds the same row
    # and a sent message is never sent twice.
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What the channel calls the message: a Message-ID, a Suomi.fi message id, a document id.
    external_id = models.CharField(_("channel's identifier"), max_length=300, blank=True)
    # A letter waiting for its print batch.
    document = models.FileField(upload_to="channels/letters/%Y/%m/", blank=True)
    print_batch = models.ForeignKey(
        PrintBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("print batch"),
    )
    secure_document = models.ForeignKey(
        SecureDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("secure document"),
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "channel", "reference"],
                condition=~Q(reference=""),
                name="delivery_unique_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "channel"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.masked_recipient} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Delivery.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in FINAL_STATUSES:
                raise DeliveryFinalError(
                    "a sent or posted delivery cannot be changed: add a new one"
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_final:
            raise DeliveryFinalError("a sent or posted delivery cannot be removed")
        return super().delete(*args, **kwargs)

    @property
    def masked_recipient(self) -> str:
        return mask_address(self.recipient_kind, self.recipient)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES
