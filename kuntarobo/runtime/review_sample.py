"""The random sample a reviewer opens before approving all proposals without flags of a class B
robot (meaningful review, GDPR art. 22; the size: `kuntarobo.core.review_sample`).

The batch is what `actions.approve_unflagged` would approve: the reviewer's proposals without
flags up to the id they were shown, per municipality and robot. For each such group of a class B
robot, `draw` picks the sample at random once and stores it (`ReviewSample`), so reloading the
inbox shows the same items; when the batch has grown, only the missing items are drawn. A
sample item counts while it is still in the batch: one decided on its own leaves the batch, and
another is drawn if the sample falls below its size. `record_opening` marks an item opened when
its reviewer opens it (web page, API detail, `kuntarobo items show`), audited as
`review.sample_open`. Nothing here approves anything: `approve_unflagged` refuses while a
sample item is unopened.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from kuntarobo.accounts.models import Municipality
from kuntarobo.audit.trail import record
from kuntarobo.core.review_sample import sample_size
from kuntarobo.runtime.declarations import InputError, RobotClass, get_robot
from kuntarobo.runtime.models import ItemStatus, ReviewSample, WorkItem

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor


@dataclass
class SampleGroup:
    """One municipality's batch of one class B robot, and the reviewer's sample of it."""

    municipality: Municipality
    robot_slug: str
    batch: int
    size: int
    items: list[WorkItem] = field(default_factory=list)  # the sample, by id
    opened: set[int] = field(default_factory=set)

    @property
    def unopened(self) -> list[WorkItem]:
        return [item for item in self.items if item.pk not in self.opened]

    @property
    def municipality_name(self) -> MunicipalityName:
        return MunicipalityName(self.municipality)


@dataclass(frozen=True)
class MunicipalityName:
    """A municipality's name in the language active when the text is read (messages that are
    rendered later, e.g. an `InputError`'s)."""

    municipality: Municipality

    def __str__(self) -> str:
        return self.municipality.name_in((get_language() or "fi")[:2])


def _samples_anything(robot_slug: str) -> bool:
    try:
        return get_robot(robot_slug).robot_class == RobotClass.PREPARES
    except InputError:  # a robot no longer installed: its items are approved as before
        return False


def draw(actor: Actor, batch: QuerySet[WorkItem], *, via: str) -> list[SampleGroup]:
    """The reviewer's sample of each class B group in `batch`, drawn now where it is missing
    (at random, stored, audited as `review.sample_draw`). A non-person actor gets no sample."""
    if actor is None or isinstance(actor, str) or not actor.is_authenticated:
        return []
    members: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, municipality_id, robot_slug in batch.order_by("id").values_list(
        "id", "municipality_id", "robot_slug"
    ):
        members[(municipality_id, robot_slug)].append(pk)
    municipalities = Municipality.objects.in_bulk([key[0] for key in members])
    percent = settings.KUNTAROBO_REVIEW_SAMPLE_PERCENT
    minimum = settings.KUNTAROBO_REVIEW_SAMPLE_MINIMUM
    groups = []
    for (municipality_id, robot_slug), ids in sorted(members.items()):
        if not _samples_anything(robot_slug):
            continue
        size = sample_size(len(ids), percent, minimum)
        drawn = dict(
            ReviewSample.objects.filter(reviewer=actor, item_id__in=ids).values_list(
                "item_id", "opened_at"
            )
        )
        missing = size - len(drawn)
        if missing > 0:
            pool = [pk for pk in ids if pk not in drawn]
            chosen = secrets.SystemRandom().sample(pool, missing)
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        ReviewSample.objects.bulk_create(
                            [ReviewSample(reviewer=actor, item_id=pk) for pk in chosen]
                        )
                except IntegrityError:  # the same reviewer's other tab drew at the same moment
                    return draw(actor, batch, via=via)
                record(
                    "review.sample_draw",
                    actor=actor,
                    municipality=municipalities[municipality_id],
                    via=via,
                    details={
                        "robot": robot_slug,
                        "batch": len(ids),
                        "size": size,
                        "items": sorted(chosen),
                    },
                )
            drawn.update(dict.fromkeys(chosen))
        items = list(WorkItem.objects.filter(pk__in=drawn).order_by("id"))
        groups.append(
            SampleGroup(
                municipality=municipalities[municipality_id],
                robot_slug=robot_slug,
                batch=len(ids),
                size=size,
                items=items,
                opened={pk for pk, opened_at in drawn.items() if opened_at is not None},
            )
        )
    return groups


def record_opening(actor: Any, item: WorkItem, *, via: str) -> bool:
    """Mark `item` opened in its reviewer's sample and audit it; False when it is not in the
    actor's sample (or was opened before, or is no longer waiting for review)."""
    if actor is None or isinstance(actor, str) or not actor.is_authenticated:
        return False
    if item.status != ItemStatus.NEEDS_REVIEW:
        return False
    with transaction.atomic():
        changed = ReviewSample.objects.filter(
            reviewer=actor, item=item, opened_at__isnull=True
        ).update(opened_at=timezone.now())
        if changed:
            record(
                "review.sample_open",
                actor=actor,
                municipality=item.municipality,
                obj=item,
                via=via,
                details={"robot": item.robot_slug},
            )
    return bool(changed)
