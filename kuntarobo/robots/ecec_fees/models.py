"""The ECEC fee robot's records: the act's parameters as dated rows, each municipality's dated
settings, and the fee decisions themselves.

A decision is written once, as a draft, when the robot has computed it; an official approves it
and it is sent. After approval its content never changes (database triggers refuse it): a
correction is a new decision that supersedes it from a date.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.ecec_fees.fees import FeeParameters
from kuntarobo.sdk.decisions import DECIDED, DecisionRecord, DecisionStatus
from kuntarobo.sdk.models import Municipality, ScopedQuerySet, WorkItem

MANAGE_PARAMETERS = "manage_fee_parameters"
MANAGE_PARAMETERS_PERMISSION = f"ecec_fees.{MANAGE_PARAMETERS}"


def may_manage_parameters(user: Any) -> bool:
    """Superusers, and users granted the permission (directly or through a group)."""
    return bool(getattr(user, "is_active", False) and user.has_perm(MANAGE_PARAMETERS_PERMISSION))


def used_parameter_dates() -> set[datetime.date]:
    """The rows a fee decision names: they are never changed again, only followed by new rows."""
    return set(FeeDecision.objects.values_list("parameters_valid_from", flat=True).distinct())


class FeeParameterRowQuerySet(models.QuerySet["FeeParameterRow"]):
    def in_force_on(self, day: datetime.date) -> FeeParameterRow | None:
        return (
            self.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .order_by("-valid_from")
            .first()
        )


class FeeParameterRow(models.Model):
    """The figures of 1503/2016 and its index notices in force from a date (euros as cents).

    Income thresholds may be missing while a decree is not yet published: no fee is computed
    for a date such a row covers until an administrator enters them."""

    valid_from = models.DateField(_("valid from"), unique=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    income_percentage = models.DecimalField(_("income percentage"), max_digits=5, decimal_places=2)
    income_thresholds = models.JSONField(
        _("income thresholds by family size (cents)"), null=True, blank=True
    )
    threshold_increase_per_further_child = models.PositiveIntegerField(
        _("threshold increase per further child (cents)"), null=True, blank=True
    )
    max_fee = models.PositiveIntegerField(_("maximum fee (cents)"))
    min_fee = models.PositiveIntegerField(_("minimum fee (cents)"))
    sibling_percentages = models.JSONField(_("sibling percentages"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    # Set only by the demo (kuntarobo.demo), never by an administrator: the figures are not
    # official, and every page and letter computed with them says so.
    example_figures = models.BooleanField(_("example figures, not official"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeeParameterRowQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("ECEC fee parameters")
        verbose_name_plural = _("ECEC fee parameters")
        # National figures, the same for every municipality of the platform: not a municipal
        # role's permission but one a platform administrator grants to named users.
        permissions = [(MANAGE_PARAMETERS, _("Can enter the national ECEC fee parameters"))]

    def __str__(self) -> str:
        return f"ECEC fee parameters from {self.valid_from}"

    @property
    def missing_fields(self) -> list[str]:
        """The figures the row lacks, by field name (empty when complete)."""
        missing = []
        if not self.income_thresholds:
            missing.append("income_thresholds")
        if self.threshold_increase_per_further_child is None:
            missing.append("threshold_increase_per_further_child")
        return missing

    @property
    def complete(self) -> bool:
        return (
            bool(self.income_thresholds) and self.threshold_increase_per_further_child is not None
        )

    def as_parameters(self) -> FeeParameters:
        if not self.complete:
            missing = " and the ".join(
                {
                    "income_thresholds": "income thresholds",
                    "threshold_increase_per_further_child": "threshold increase per further child",
                }[name]
                for name in self.missing_fields
            )
            raise ValueError(
                f"the fee parameters from {self.valid_from:%d.%m.%Y} lack the {missing}; an "
                "administrator must enter them (the robot's page \"The act's fee figures\", or "
                "kuntarobo ecec-fees parameters --add FILE --valid-from DATE --source TEXT "
                "--user USER)"
            )
        thresholds = self.income_thresholds or {}
        return FeeParameters(
            income_percentage=Decimal(self.income_percentage).normalize(),
            income_thresholds={int(size): int(cents) for size, cents in thresholds.items()},
            threshold_increase_per_further_child=int(
                self.threshold_increase_per_further_child or 0
            ),
            max_fee=self.max_fee,
            min_fee=self.min_fee,
            sibling_percentages=tuple(int(p) for p in self.sibling_percentages),
            valid_from=self.valid_from,
            example_figures=self.example_figures,
        )


class Channel(models.TextChoices):
    SUOMIFI = "suomifi", _("Suomi.fi Messages")
    PRINT = "print", _("letter (print batch)")


class PrintBatch(models.Model):
    """Approved decisions gathered into one PDF for the print room, as the robot made them
    before its letters went through the print channel (kuntarobo.sdk.channels): kept as the
    history the decisions of that time name; new batches are the channel's."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="ecec_print_batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(_("made by"), max_length=150)
    decisions = models.PositiveIntegerField(_("decisions"))
    pages = models.PositiveIntegerField(_("pages"))
    file = models.FileField(upload_to="ecec_fees/print/%Y/%m/")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")

    def __str__(self) -> str:
        return f"print batch {self.pk} ({self.decisions} decisions)"


class FeeDecisionQuerySet(ScopedQuerySet["FeeDecision"]):
    def in_force(self) -> FeeDecisionQuerySet:
        """Decided and not replaced by a later decision (the family's current decisions)."""
        return self.filter(status__in=[DecisionStatus.APPROVED, DecisionStatus.SENT])

    def of_family(self, municipality_id: int, family_id: str) -> FeeDecisionQuerySet:
        return self.filter(municipality_id=municipality_id, family_id=family_id, status__in=DECIDED)

    def previous_for(
        self, municipality_id: int, family_id: str, period_start: datetime.date
    ) -> FeeDecision | None:
        """The decision that covers the day the new one starts: the one it will replace."""
        return (
            self.of_family(municipality_id, family_id)
            .filter(valid_from__lte=period_start)
            .filter(Q(superseded_from__isnull=True) | Q(superseded_from__gt=period_start))
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period_start))
            .order_by("-valid_from", "-pk")
            .only("pk", "decision_number", "valid_from", "snapshot")
            .first()
        )

    def following(
        self, municipality_id: int, family_id: str, period_start: datetime.date
    ) -> FeeDecision | None:
        """A decision from a later date: a correction back in time ends where it begins."""
        return (
            self.of_family(municipality_id, family_id)
            .filter(valid_from__gt=period_start)
            .order_by("valid_from", "pk")
            .only("pk", "valid_from")
            .first()
        )


class FeeDecision(DecisionRecord):
    """One family's client fee decision from a date (until further notice).

    A decision record of the platform (kuntarobo.decisions): once approved, its content never
    changes — the database triggers are made from this model, guarding every field but those
    that record delivery and supersession (the record's own and `mutable_fields` here); the PDF
    may be stored once."""

    mutable_fields = ("message_id", "print_batch")
    write_once_fields = ("document",)

    # Indexed by the constraints and the index below, which begin with it.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="ecec_fee_decisions", db_index=False
    )
    family_id = models.CharField(_("family"), max_length=64)
    # Unique by a constraint: unique=True would add a second, pattern-matching index on
    # PostgreSQL that no query uses but every new decision writes.
    work_item = models.OneToOneField(
        WorkItem, on_delete=models.PROTECT, related_name="ecec_fee_decision"
    )
    valid_from = models.DateField(_("valid from"))
    inputs = models.JSONField(_("family data as used"))
    result = models.JSONField(_("computation"))
    snapshot = models.JSONField(_("basis for comparison"))
    total_fee = models.PositiveIntegerField(_("total monthly fee (cents)"))
    fingerprint = models.CharField(max_length=64)
    # What decided the fee, without the period's start: an unchanged family needs no new decision.
    basis = models.CharField(max_length=64, blank=True)
    parameters_valid_from = models.DateField(_("parameters from"))
    settings_valid_from = models.DateField(_("municipal settings from"), null=True)
    # What may still happen after approval: delivery, and being superseded by a later decision.
    channel = models.CharField(_("sent by"), max_length=10, choices=Channel.choices, blank=True)
    message_id = models.CharField(_("message ID"), max_length=100, blank=True)
    document = models.FileField(_("decision (PDF)"), upload_to="ecec_fees/decisions/", blank=True)
    print_batch = models.ForeignKey(
        PrintBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions_in"
    )
    # The last day, when known as the decision is made: a charged child's placement ends, or the
    # same family line's next decision begins the day after.
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # What the letter says as decided (guarded like the rest): its last day (the day before the
    # next decision known then, or `ends_on`), the decision it replaces, and the changes since.
    letter_valid_until = models.DateField(_("valid until (in the letter)"), null=True, blank=True)
    letter_supersedes = models.CharField(
        _("supersedes (in the letter)"), max_length=200, blank=True
    )
    letter_changes = models.JSONField(_("changes (in the letter)"), default=list, blank=True)

    objects = FeeDecisionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "family_id", "valid_from", "fingerprint"],
                name="ecec_decision_once_per_input",
            ),
            # Each municipality numbers its own series: the default prefix VAKA is shared.
            models.UniqueConstraint(
                fields=["municipality", "decision_number"], name="ecec_decision_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "family_id", "valid_from"])]
        verbose_name = _("ECEC fee decision")
        verbose_name_plural = _("ECEC fee decisions")

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.family_id} from {self.valid_from})"

    def valid_until(self) -> datetime.date | None:
        ends = [self.ends_on] if self.ends_on else []
        if self.superseded_from is not None:
            ends.append(self.superseded_from - datetime.timedelta(days=1))
        return min(ends) if ends else None

    def summary(self) -> dict[str, Any]:
        return {
            "decision_number": self.decision_number,
            "family_id": self.family_id,
            "status": self.status,
            "valid_from": self.valid_from.isoformat(),
            "total_fee": self.total_fee,
        }


class GuardianCopyQuerySet(models.QuerySet["GuardianCopy"]):
    pass


class GuardianCopy(models.Model):
    """A printed copy of a sent decision for the second guardian, addressed to them, as the
    robot kept them before the print channel (history only: a copy is now the channel's
    Delivery with the reference NUMBER-2).

    Both guardians are parties and each must be notified in writing. The decision's own letter
    goes to the first guardian's address with both names on it; a copy is needed when the second
    guardian lives elsewhere, or when the first got the decision electronically and the second
    could not (no identity code, no Suomi.fi mailbox). Hallintolaki 54 §: the decision is
    notified to every party."""

    decision = models.ForeignKey(FeeDecision, on_delete=models.PROTECT, related_name="copies")
    # The guardian's position in the family data (1 is the first): the copy's number suffix.
    guardian = models.PositiveSmallIntegerField(_("guardian"))
    recipient_name = models.CharField(_("recipient"), max_length=200)
    document = models.FileField(_("copy (PDF)"), upload_to="ecec_fees/decisions/")
    print_batch = models.ForeignKey(
        PrintBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="copies_in"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GuardianCopyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "guardian"], name="ecec_one_copy_each")
        ]
        verbose_name = _("printed copy for a guardian")
        verbose_name_plural = _("printed copies for guardians")

    def __str__(self) -> str:
        return f"{self.decision.decision_number}-{self.guardian}"
