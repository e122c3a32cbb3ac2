"""The fee decision follows its work item: written as a draft when the robot has computed it,
approved with the official's name when the item is approved, sent when delivered. Called in
the transaction that changes the item's status, so the two never disagree."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.robots.ecec_fees.models import (
    Channel,
    FeeDecision,
)
from kuntarobo.robots.ecec_fees.municipal_settings import SLUG
from kuntarobo.sdk import BusinessException, ItemStatus, ItemView, decisions, message
from kuntarobo.sdk.bulk import insert_rows
from kuntarobo.sdk.decisions import DecisionStatus


def on_item_status(item: ItemView, status: str) -> None:
    if status == ItemStatus.NEEDS_REVIEW:
        write_draft(item)
    elif status == ItemStatus.APPROVED:
        approve(item)
    elif status in (ItemStatus.REJECTED, ItemStatus.ABANDONED):
        FeeDecision.objects.filter(work_item_id=item.id, status=DecisionStatus.DRAFT).update(
            status=DecisionStatus.DISCARDED
        )
    elif status == ItemStatus.DONE:
        mark_sent(item)


def on_item_statuses(changes: Sequence[tuple[ItemView, str]]) -> None:
    """A worker's batch: the drafts of first attempts in one INSERT, the rest one by one."""
    first_drafts = [
        item for item, status in changes if status == ItemStatus.NEEDS_REVIEW and item.attempt <= 1
    ]
    # By COPY on PostgreSQL: bulk_create()'s arrays have every quote of the three JSON columns
    # escaped in Python, a twentieth of a worker's time.
    insert_rows(
        FeeDecision(created_at=timezone.now()),
        [{"work_item_id": item.id, **_draft_values(item)} for item in first_drafts],
        returning_ids=True,
    )
    done = {item.id for item in first_drafts}
    for item, status in changes:
        if item.id not in done:
            on_item_status(item, status)


def write_draft(item: ItemView) -> FeeDecision:
    """A re-done item (after a retry) replaces its own earlier draft, never an approved one."""
    values = _draft_values(item)
    # On the first attempt no draft can exist: drafts are written with the item's status.
    existing = (
        FeeDecision.objects.filter(work_item_id=item.id).first() if item.attempt > 1 else None
    )
    if existing is not None and existing.status == DecisionStatus.DRAFT:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        return existing
    return FeeDecision.objects.create(work_item_id=item.id, **values)


def _draft_values(item: ItemView) -> dict[str, Any]:
    record = item.record
    snapshot = record["snapshot"]
    return {
        "municipality_id": item.municipality_id,
        "family_id": record["family_id"],
        "decision_number": item.output["decision_number"],
        "status": DecisionStatus.DRAFT,
        "valid_from": datetime.date.fromisoformat(item.output["valid_from"]),
        "language": record["language"],
        "inputs": item.payload["family"],
        "result": record["result"],
        "snapshot": snapshot,
        "total_fee": int(item.output["total_fee"]),
        "fingerprint": record["fingerprint"],
        "basis": record.get("basis", ""),
        "ends_on": datetime.date.fromisoformat(record["ends_on"])
        if record.get("ends_on")
        else None,
        "parameters_valid_from": datetime.date.fromisoformat(record["parameters_valid_from"]),
        "settings_valid_from": datetime.date.fromisoformat(record["settings_valid_from"]),
        "rule_version": str(snapshot.get("rule_version") or "1"),
        "supersedes_id": record["supersedes"],
        "letter_valid_until": datetime.date.fromisoformat(record["valid_until"])
        if record.get("valid_until")
        else None,
        "letter_supersedes": record.get("supersedes_text") or "",
        "letter_changes": list(record.get("changes") or []),
    }


LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}


# The language named inside the sentence, so that it is inflected in the reader's language.
NO_TITLE_IN = {
    "fi": _("%(number)s: your delegation has no title in Finnish, the letter's language"),
    "sv": _("%(number)s: your delegation has no title in Swedish, the letter's language"),
}


def approval_refusal(item: ItemView, reviewer_id: int | None) -> str | None:
    """A fee decision is approved only by an official whose delegation covers the robot's
    decisions in the municipality today, with a title in the letter's language: the letter
    prints that title after the name. Anyone else is refused, naming what is missing."""
    found = (
        FeeDecision.objects.filter(work_item_id=item.id)
        .values_list("decision_number", "language")
        .first()
    )
    if found is None:
        return None  # no draft (the item failed before one was written): nothing to decide
    number, language = found
    delegation = decisions.delegation_for(reviewer_id, item.municipality_id, SLUG)
    if delegation is None:
        return str(
            _(
                "%(number)s: you have no delegation to decide ECEC fees in this municipality "
                "today; an administrator records it (kuntarobo delegations grant)"
            )
            % {"number": number}
        )
    if not delegation.title(language):
        template = NO_TITLE_IN.get(language)
        if template is None:
            return str(
                _("%(number)s: your delegation has no title in %(language)s, the letter's language")
                % {"number": number, "language": LANGUAGE_NAMES.get(language, language)}
            )
        return str(template % {"number": number})
    return None


def approve(item: ItemView) -> None:
    """The official who approved is the decision maker, with the title of their delegation
    (checked by `approval_refusal` before the item was approved)."""
    decision = FeeDecision.objects.select_for_update().get(work_item_id=item.id)
    at = item.reviewed_at or timezone.now()
    delegation = decisions.delegation_for(
        item.reviewed_by_id, decision.municipality_id, SLUG, timezone.localdate(at)
    )
    title = delegation.title(decision.language) if delegation is not None else ""
    if not item.reviewed_by_name.strip() or not title:
        raise BusinessException(
            message(
                _(
                    "%(number)s: approved without an official's name and delegated title; not "
                    "approved"
                ),
                number=decision.decision_number,
            )
        )
    decisions.approve(decision, official=item.reviewed_by_name, title=title, at=at)


def mark_sent(item: ItemView) -> None:
    """Delivered: sent electronically (notified on the third day), or a letter waiting for its
    print batch, which stays approved ("awaiting printing") until the batch is posted
    (`letters_posted`). Either way the decision is in force from now on, and the one it
    replaces ends the day before (or is replaced altogether when it started on the same day
    or later)."""
    decision = FeeDecision.objects.select_for_update().get(work_item_id=item.id)
    if decision.channel == Channel.SUOMIFI:
        decisions.mark_sent(
            decision, channel=decision.channel, at=decision.sent_at or timezone.now()
        )
    supersede_covered(decision)


def letters_posted(
    municipality_id: int, references: Sequence[str], posted_on: datetime.date
) -> None:
    """The print batch holding these letters was posted: each decision whose own letter was in
    it is posted on that day and deemed received on the seventh day after (434/2003, 59 §). A
    second guardian's copy (`-2`) is posted with its decision's letter or later; the decision's
    date follows its own letter."""
    for decision in FeeDecision.objects.select_for_update().filter(
        municipality_id=municipality_id, decision_number__in=references, channel=Channel.PRINT
    ):
        if decision.status == DecisionStatus.APPROVED:
            decisions.mark_posted(decision, channel=decision.channel, posted_on=posted_on)
        elif decision.posted_on is None:  # replaced meanwhile: still notified when posted
            decision.posted_on = posted_on
            decision.notified_on = decisions.deemed_received(decisions.NoticeKind.LETTER, posted_on)
            decision.save(update_fields=["posted_on", "notified_on"])


def supersede_covered(decision: FeeDecision) -> None:
    family = FeeDecision.objects.select_for_update().of_family(
        decision.municipality_id, decision.family_id
    )
    covering = (
        family.exclude(pk=decision.pk)
        .filter(valid_from__lte=decision.valid_from)
        .filter(Q(superseded_from__isnull=True) | Q(superseded_from__gt=decision.valid_from))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=decision.valid_from))
    )
    for old in covering:
        decisions.supersede(old, from_day=decision.valid_from)
    # A correction back in time ends where the family's next decision begins (unless it has
    # ended before then: a decision followed by the next period's of the same line).
    later = family.exclude(pk=decision.pk).filter(valid_from__gt=decision.valid_from)
    if decision.ends_on is not None:
        later = later.filter(valid_from__lte=decision.ends_on)
    following = later.order_by("valid_from").first()
    if following is not None:
        decisions.supersede(decision, from_day=following.valid_from)
