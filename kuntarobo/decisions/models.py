"""The abstract decision record, its statuses and the running numbers of decisions."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntarobo.accounts.models import Municipality
from kuntarobo.runtime.models import WorkItem


class DecisionStatus(models.TextChoices):
    """A decision's life: drafted by a robot, decided by an official (or, class C, by the
    rules), notified by message or by post, and in the end perhaps replaced by a later one."""

    DRAFT = "draft", _("draft, waiting for review")
    APPROVED = "approved", _("approved, being sent")
    SENT = "sent", _("sent")
    POSTED = "posted", _("posted")
    SUPERSEDED = "superseded", _("superseded")
    DISCARDED = "discarded", _("draft discarded")

    @classmethod
    def allowed(cls, current: str, new: str) -> bool:
        return new in DECISION_TRANSITIONS.get(cls(current), ())


# The one place that says which status may follow which. A superseded decision may be
# superseded again from an earlier day (a correction further back in time).
DECISION_TRANSITIONS: dict[DecisionStatus, tuple[DecisionStatus, ...]] = {
    DecisionStatus.DRAFT: (DecisionStatus.APPROVED, DecisionStatus.DISCARDED),
    DecisionStatus.APPROVED: (
        DecisionStatus.SENT,
        DecisionStatus.POSTED,
        DecisionStatus.SUPERSEDED,
    ),
    # A letter is sent to the print room, then posted.
    DecisionStatus.SENT: (DecisionStatus.POSTED, DecisionStatus.SUPERSEDED),
    DecisionStatus.POSTED: (DecisionStatus.SUPERSEDED,),
    DecisionStatus.SUPERSEDED: (DecisionStatus.SUPERSEDED,),
    DecisionStatus.DISCARDED: (),
}
DECIDED = (
    DecisionStatus.APPROVED,
    DecisionStatus.SENT,
    DecisionStatus.POSTED,
    DecisionStatus.SUPERSEDED,
)


class DecisionRecord(models.Model):
    """An administrative decision a robot prepared (class B) or made (class C).

    Its content is fixed once it leaves the draft status: the database refuses any change to a
    guarded column and any deletion outside the audited retention purge (kuntarobo/decisions/
    guards.py makes the triggers from the model). Every concrete field is guarded except those
    that record what happens to the decision afterwards (`MUTABLE_AFTER_DECISION` and the
    subclass's `mutable_fields`); `write_once_fields` may be filled once (the PDF)."""

    MUTABLE_AFTER_DECISION: ClassVar[tuple[str, ...]] = (
        "id",
        "status",
        "channel",
        "sent_at",
        "posted_on",
        "notified_on",
        "superseded_from",
        "created_at",
    )
    mutable_fields: ClassVar[tuple[str, ...]] = ()
    write_once_fields: ClassVar[tuple[str, ...]] = ()

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="%(app_label)s_%(class)s"
    )
    decision_number = models.CharField(_("decision number"), max_length=40)
    work_item = models.OneToOneField(
        WorkItem, on_delete=models.PROTECT, related_name="%(app_label)s_%(class)s"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    language = models.CharField(_("language"), max_length=2)
    rule_version = models.CharField(_("rule version"), max_length=20)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by_set",
        verbose_name=_("replaces"),
    )
    decided_by = models.CharField(_("decision maker"), max_length=150, blank=True)
    decided_by_title = models.CharField(_("decision maker's title"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    channel = models.CharField(_("sent by"), max_length=10, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    posted_on = models.DateField(_("posted"), null=True, blank=True)
    notified_on = models.DateField(_("deemed received"), null=True, blank=True)
    superseded_from = models.DateField(_("replaced from"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @classmethod
    def guarded_fields(cls) -> list[str]:
        """The columns no one may change once the record is decided."""
        mutable = {*cls.MUTABLE_AFTER_DECISION, *cls.mutable_fields, *cls.write_once_fields}
        return [
            field.column
            for field in cls._meta.concrete_fields
            if field.name not in mutable and field.attname not in mutable
        ]

    @classmethod
    def write_once_columns(cls) -> list[str]:
        return [cls._meta.get_field(name).column for name in cls.write_once_fields]  # type: ignore[union-attr]


class DecisionSeries(models.Model):
    """The last running number given to a robot's decisions in a municipality in a year."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    robot_slug = models.CharField(_("robot"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "robot_slug", "year"], name="decision_series_unique"
            )
        ]
        verbose_name = _("decision number series")
        verbose_name_plural = _("decision number series")

    def __str__(self) -> str:
        return f"{self.robot_slug} @ {self.municipality_id} {self.year}: {self.last_number}"
