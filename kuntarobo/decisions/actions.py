"""The state changes of a decision record, one function each, all checking the declared
transitions. They run inside the transaction that changes the decision's work item (the item's
status change is what the audit trail records), so the two never disagree."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.notification import NoticeKind, deemed_received
from kuntarobo.decisions.models import DecisionRecord, DecisionStatus
from kuntarobo.runtime.declarations import InputError


def _move(decision: DecisionRecord, new: DecisionStatus) -> None:
    if not DecisionStatus.allowed(decision.status, new):
        raise InputError(
            _("decision %(number)s is %(status)s and cannot become %(new)s"),
            field="status",
            number=decision.decision_number,
            status=DecisionStatus(decision.status).label,
            new=new.label,
        )
    decision.status = new


def approve(
    decision: DecisionRecord,
    *,
    official: str,
    title: str,
    at: datetime.datetime | None = None,
) -> None:
    """The official who approved is the decision maker, printed with their delegated title."""
    if not official.strip():
        raise InputError(_("a decision needs the name of the official who made it"))
    _move(decision, DecisionStatus.APPROVED)
    decision.decided_by = official
    decision.decided_by_title = title
    decision.decided_at = at or timezone.now()
    decision.save(update_fields=["status", "decided_by", "decided_by_title", "decided_at"])


def mark_sent(
    decision: DecisionRecord,
    *,
    channel: str,
    at: datetime.datetime | None = None,
    electronic: bool = True,
) -> None:
    """Sent: an electronic notice is deemed received on the third day (13/2003, 19 §); a
    letter handed to the print room is not yet posted (`mark_posted` then dates it)."""
    _move(decision, DecisionStatus.SENT)
    decision.channel = channel
    decision.sent_at = at or timezone.now()
    decision.notified_on = (
        deemed_received(NoticeKind.ELECTRONIC, timezone.localdate(decision.sent_at))
        if electronic
        else None
    )
    decision.save(update_fields=["status", "channel", "sent_at", "notified_on"])


def mark_posted(decision: DecisionRecord, *, channel: str, posted_on: datetime.date) -> None:
    """Posted as a letter (perhaps after being sent to the print room): deemed received on the
    seventh day (434/2003, 59 §)."""
    _move(decision, DecisionStatus.POSTED)
    decision.channel = channel
    decision.posted_on = posted_on
    decision.notified_on = deemed_received(NoticeKind.LETTER, posted_on)
    decision.save(update_fields=["status", "channel", "posted_on", "notified_on"])


def supersede(decision: DecisionRecord, *, from_day: datetime.date) -> None:
    """A later decision replaces this one from `from_day`; its content stays as decided."""
    _move(decision, DecisionStatus.SUPERSEDED)
    decision.superseded_from = from_day
    decision.save(update_fields=["status", "superseded_from"])


def discard(decision: DecisionRecord) -> None:
    """A rejected or abandoned draft: kept, marked as never decided."""
    _move(decision, DecisionStatus.DISCARDED)
    decision.save(update_fields=["status"])
