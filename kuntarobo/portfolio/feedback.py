"""Customer satisfaction (Helmi's axis "customer value and satisfaction"): one question, "how
satisfied were you with how your matter was handled?" (1–5, an optional comment), behind a
public link per municipality and robot that the robot's letters and e-mails carry
(`kuntarobo.sdk.feedback.feedback_url`), or imported from another survey's CSV.

The link is the same for every customer, so it identifies nobody; nothing about the person is
stored, and identity codes typed into a comment are masked before it is."""

from __future__ import annotations

import csv
import datetime
from typing import IO, TYPE_CHECKING, Final

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.core import satisfaction
from kuntarobo.core.inputs import CsvDecodeError, InputLimits, LimitExceeded, csv_rows
from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.portfolio.models import CustomerFeedback, CustomerFeedbackLink, FeedbackSource
from kuntarobo.portfolio.surveys import ROBOT_SLUG, new_token
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError, join_messages, message

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor

# An imported file is read in the request: a feedback export is small, so it is bounded hard.
IMPORT_LIMITS: Final = InputLimits(total_bytes=2 * 1024 * 1024, rows=20_000, line_bytes=10_000)


class FeedbackLinkRefused(Exception):
    """`reason` is "unknown" (no such link) or "off" (switched off by the municipality)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def link_url(link: CustomerFeedbackLink) -> str:
    return settings.SITE_ROOT.rstrip("/") + reverse("feedback:customer", args=[link.token])


def customer_feedback_url(municipality_id: int, robot_slug: str) -> str | None:
    """The public feedback link of the robot in the municipality, or None when the
    municipality has not switched customer feedback on for it."""
    link = CustomerFeedbackLink.objects.filter(
        municipality_id=municipality_id, robot_slug=robot_slug, enabled=True
    ).first()
    return link_url(link) if link is not None else None


def set_customer_feedback(
    actor: Actor, municipality: Municipality, robot_slug: str, *, enabled: bool, via: str
) -> CustomerFeedbackLink:
    """Switch the robot's feedback link on or off; the token is made once and kept."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    robot_slug = robot_slug.strip()
    if not ROBOT_SLUG.fullmatch(robot_slug):
        raise InputError(gettext_lazy("choose the robot"), field="robot_slug")
    with transaction.atomic():
        link = (
            CustomerFeedbackLink.objects.select_for_update()
            .filter(municipality=municipality, robot_slug=robot_slug)
            .first()
        )
        if link is None:
            link = CustomerFeedbackLink.objects.create(
                municipality=municipality,
                robot_slug=robot_slug,
                token=new_token(16),
                enabled=enabled,
            )
        elif link.enabled != enabled:
            link.enabled = enabled
            link.save(update_fields=["enabled", "updated_at"])
        else:
            return link
        record(
            "portfolio.customer_feedback.on" if enabled else "portfolio.customer_feedback.off",
            actor=actor,
            municipality=municipality,
            obj=link,
            details={"robot": robot_slug},
            via=via,
        )
    return link


def link_for(token: str) -> CustomerFeedbackLink:
    link = CustomerFeedbackLink.objects.select_related("municipality").filter(token=token).first()
    if link is None:
        raise FeedbackLinkRefused("unknown")
    if not link.enabled:
        raise FeedbackLinkRefused("off")
    return link


def give_feedback(token: str, score: int, comment: str = "") -> CustomerFeedback:
    """One customer's answer through the public link, counted on today's date."""
    link = link_for(token)
    if isinstance(score, bool) or score not in satisfaction.SCALE:
        raise InputError(gettext_lazy("choose a score from 1 to 5"), field="score")
    comment = comment.strip()
    if len(comment) > satisfaction.MAX_COMMENT:
        raise InputError(
            gettext_lazy("the comment is longer than %(max)d characters"),
            field="comment",
            max=satisfaction.MAX_COMMENT,
        )
    return CustomerFeedback.objects.create(
        municipality=link.municipality,
        robot_slug=link.robot_slug,
        given_on=timezone.localdate(),
        score=score,
        comment=mask_identity_codes(comment),
        source=FeedbackSource.LINK,
    )


def import_feedback(
    actor: Actor,
    municipality: Municipality,
    robot_slug: str,
    binary: IO[bytes],
    *,
    via: str,
    today: datetime.date | None = None,
) -> int:
    """Customer scores from a CSV (columns date, score 1–5, optional comment; `;` or `,`;
    header names in English, Finnish or Swedish): all rows or none. A refusal lists the
    problems, each naming its row and column. Returns how many were imported."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    robot_slug = robot_slug.strip()
    if not ROBOT_SLUG.fullmatch(robot_slug):
        raise InputError(gettext_lazy("choose the robot"), field="robot_slug")
    try:
        rows = satisfaction.parse_feedback(
            csv_rows(binary, IMPORT_LIMITS), today or timezone.localdate()
        )
    except satisfaction.FeedbackImportError as error:
        parts = [message(gettext_lazy(line.text), **line.params) for line in error.lines]
        raise InputError(join_messages("; ", parts), field="file") from None
    except CsvDecodeError as error:
        raise InputError(
            gettext_lazy("row %(row)d is not UTF-8 text: save the file as CSV UTF-8"),
            field="file",
            row=error.line,
        ) from None
    except LimitExceeded as error:
        raise InputError(
            gettext_lazy("the file is too large: %(problem)s"), field="file", problem=error
        ) from None
    except (csv.Error, UnicodeError, ValueError):
        raise InputError(gettext_lazy("the file is not a CSV file"), field="file") from None
    with transaction.atomic():
        CustomerFeedback.objects.bulk_create(
            [
                CustomerFeedback(
                    municipality=municipality,
                    robot_slug=robot_slug,
                    given_on=row.given_on,
                    score=row.score,
                    comment=mask_identity_codes(row.comment),
                    source=FeedbackSource.IMPORT,
                )
                for row in rows
            ]
        )
        record(
            "portfolio.customer_feedback.imported",
            actor=actor,
            municipality=municipality,
            details={
                "robot": robot_slug,
                "rows": len(rows),
                "first": min(r.given_on for r in rows).isoformat(),
                "last": max(r.given_on for r in rows).isoformat(),
            },
            via=via,
        )
    return len(rows)
