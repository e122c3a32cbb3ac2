"""Decision records: subclass `DecisionRecord` for a robot's decisions; take running numbers,
and change a decision's status only through these actions; find the deciding official's
delegation (`delegation_for`), which gives the title a decision prints."""

from kuntarobo.core.notification import NoticeKind, deemed_received
from kuntarobo.decisions.actions import approve, discard, mark_posted, mark_sent, supersede
from kuntarobo.decisions.delegations import delegation_for
from kuntarobo.decisions.models import DECIDED, DecisionRecord, DecisionStatus
from kuntarobo.decisions.numbers import format_number, take_numbers

__all__ = [
    "DECIDED",
    "DecisionRecord",
    "DecisionStatus",
    "NoticeKind",
    "approve",
    "deemed_received",
    "delegation_for",
    "discard",
    "format_number",
    "mark_posted",
    "mark_sent",
    "supersede",
    "take_numbers",
]
