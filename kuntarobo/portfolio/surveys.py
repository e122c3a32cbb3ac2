"""Staff satisfaction surveys (Helmi's axis "staff satisfaction and motivation"): a coordinator
makes a round for a robot in a municipality, before or after its deployment, and sends it to
staff by e-mail; each recipient answers once through a personal link, anonymously.

What keeps the answers anonymous:
- the e-mail goes through the platform's e-mail channel, whose delivery record keeps the
  address (masked everywhere) under a reference made from the address's hash, never the token;
- an invitation keeps only the SHA-256 of its token and when it was used; invitations are
  made in a shuffled order, apart from the order of sending, so nothing pairs one with an
  address;
- a response has no link to its invitation and only the day of answering;
- results are shown only from MIN_RESPONSES answers on, and a round goes to MIN_RECIPIENTS
  addresses at least.
The price: nobody can tell who has not answered, so there are no reminders."""

from __future__ import annotations

import hashlib
import random
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import record
from kuntarobo.channels.actions import deliver
from kuntarobo.channels.addresses import AddressKind, mask_address, validate_address
from kuntarobo.channels.base import ChannelError, Content
from kuntarobo.channels.models import Delivery, DeliveryStatus
from kuntarobo.core import satisfaction
from kuntarobo.core.masking import IDENTITY_CODE, mask_identity_codes
from kuntarobo.portfolio.models import (
    SurveyInvitation,
    SurveyLanguage,
    SurveyPhase,
    SurveyResponse,
    SurveyRound,
    SurveySettings,
)
from kuntarobo.runtime.actions import require
from kuntarobo.runtime.declarations import InputError, get_robot

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor

# The delivery records' sender: the survey, not the robot it asks about.
SENDER: Final = "staff_survey"
MIN_RECIPIENTS: Final = 3
MIN_RESPONSES: Final = 3
MAX_ADDRESSES: Final = 500
_DOMAIN: Final = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
ROBOT_SLUG: Final = re.compile(r"[a-z0-9_-]{1,50}")

# The questionnaire: phase-neutral statements, so the same ones are asked before and after the
# robot and their means compare. Written for this platform; not a validated instrument.
STATEMENT_TEXTS: Final[Mapping[str, Any]] = {
    "meaningful_work": gettext_lazy("I can concentrate on meaningful work."),
    "less_routine": gettext_lazy("Routine tasks take only a small part of my working time."),
    "trust_results": gettext_lazy("I can trust that the cases of this work are handled right."),
    "workload": gettext_lazy("My workload is manageable."),
    "recommend": gettext_lazy("I would recommend this way of working to colleagues."),
}
SCALE_TEXTS: Final[Mapping[int, Any]] = {
    1: gettext_lazy("Strongly disagree"),
    2: gettext_lazy("Disagree"),
    3: gettext_lazy("Neither agree nor disagree"),
    4: gettext_lazy("Agree"),
    5: gettext_lazy("Strongly agree"),
}
assert tuple(STATEMENT_TEXTS) == satisfaction.STATEMENTS


class SurveyLinkRefused(Exception):
    """A link that cannot be answered: `reason` is "unknown" (no such token), "used" (answered
    already) or "closed" (the round is closed)."""

    def __init__(self, reason: str, survey: SurveyRound | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.survey = survey


@dataclass
class Sending:
    """What one sending did: how many got a link, how many had one already, and the masked
    addresses the mail server did not take (they got no invitation; send again later)."""

    sent: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)


def new_token(nbytes: int) -> str:
    """A random hex token that never looks like a personal identity code (a digit run and a
    letter can, by chance): the e-mail channel would refuse a message carrying it."""
    while True:
        token = secrets.token_hex(nbytes)
        if not IDENTITY_CODE.search(token):
            return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_url(token: str) -> str:
    return settings.SITE_ROOT.rstrip("/") + reverse("feedback:staff_survey", args=[token])


def robot_name(slug: str, language: str | None = None) -> str:
    """A bundled robot's name; a robot the platform does not run (a Helmi robot of another
    vendor) by its slug."""
    try:
        return get_robot(slug).name.get(language)
    except InputError:
        return slug


def allowed_domains(municipality: Municipality) -> tuple[str, ...]:
    row = SurveySettings.objects.filter(municipality=municipality).first()
    return parse_domains(row.allowed_email_domains if row else "")


def parse_domains(text: str) -> tuple[str, ...]:
    parts = (part.strip().lower().lstrip("@") for part in re.split(r"[,;\s]+", text))
    return tuple(dict.fromkeys(part for part in parts if part))


def set_allowed_domains(actor: Actor, municipality: Municipality, text: str, *, via: str) -> str:
    """The e-mail domains of the municipality's staff, the only ones invitations go to."""
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    domains = parse_domains(text)
    for domain in domains:
        if not _DOMAIN.fullmatch(domain):
            raise InputError(
                gettext_lazy("%(domain)s is not a domain name such as esimerkkila.fi"),
                field="allowed_email_domains",
                domain=repr(domain),
            )
    value = ", ".join(domains)
    with transaction.atomic():
        row, _created = SurveySettings.objects.get_or_create(municipality=municipality)
        before = row.allowed_email_domains
        row.allowed_email_domains = value
        row.save()
        record(
            "portfolio.survey_settings",
            actor=actor,
            municipality=municipality,
            obj=row,
            details={"before": before, "after": value},
            via=via,
        )
    return value


def _user_id(actor: Actor) -> int | None:
    if actor is None or isinstance(actor, str) or not actor.is_authenticated:
        return None
    return int(actor.pk)


def create_round(
    actor: Actor,
    municipality: Municipality,
    *,
    robot_slug: str,
    phase: str,
    language: str = "fi",
    title: str = "",
    via: str,
) -> SurveyRound:
    require(actor, municipality, Permission.MANAGE_PORTFOLIO)
    robot_slug = robot_slug.strip()
    if not ROBOT_SLUG.fullmatch(robot_slug):
        raise InputError(gettext_lazy("choose the robot the survey is about"), field="robot_slug")
    if phase not in SurveyPhase.values:
        raise InputError(gettext_lazy("choose before or after deployment"), field="phase")
    if language not in SurveyLanguage.values:
        raise InputError(gettext_lazy("choose Finnish, Swedish or English"), field="language")
    title = title.strip()
    if len(title) > 200:
        raise InputError(gettext_lazy("the title is longer than 200 characters"), field="title")
    with transaction.atomic():
        survey = SurveyRound.objects.create(
            municipality=municipality,
            robot_slug=robot_slug,
            phase=phase,
            language=language,
            title=title,
            created_by_id=_user_id(actor),
        )
        record(
            "portfolio.survey_round.created",
            actor=actor,
            municipality=municipality,
            obj=survey,
            details={"robot": robot_slug, "phase": phase, "language": language},
            via=via,
        )
    return survey


def close_round(actor: Actor, survey: SurveyRound, *, via: str) -> bool:
    """No more answers: the links of the round answer "closed". Returns whether it changed."""
    require(actor, survey.municipality, Permission.MANAGE_PORTFOLIO)
    if survey.closed_at is not None:
        return False
    with transaction.atomic():
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at"])
        record(
            "portfolio.survey_round.closed",
            actor=actor,
            municipality=survey.municipality,
            obj=survey,
            details={"responses": survey.responses.count()},
            via=via,
        )
    return True


def parse_addresses(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or lines; lower case, each once."""
    parts = (part.strip().lower() for part in re.split(r"[,;\s]+", text))
    return list(dict.fromkeys(part for part in parts if part))


def _reference(survey: SurveyRound, address: str) -> str:
    # The delivery's reference: the round and a hash of the address, so sending again to the
    # same address is recognised, and the token is nowhere near.
    return f"survey-{survey.pk}-{hashlib.sha256(address.encode()).hexdigest()[:24]}"


def _message(survey: SurveyRound, token: str) -> tuple[str, str]:
    """The invitation's subject and body in the round's language: the municipality, the
    robot, the link; nothing about the recipient."""
    with translation.override(survey.language):
        municipality = survey.municipality.name_in(survey.language)
        subject = _("%(municipality)s: a short survey on your work") % {
            "municipality": municipality
        }
        phase = (
            _("before the software robot is taken into use")
            if survey.phase == SurveyPhase.BEFORE
            else _("now that the software robot is in use")
        )
        body = "\n".join(
            [
                _(
                    "%(municipality)s asks how your work with %(robot)s feels %(phase)s. The "
                    "survey has five statements and takes about two minutes:"
                )
                % {
                    "municipality": municipality,
                    "robot": robot_name(survey.robot_slug, survey.language),
                    "phase": phase,
                },
                "",
                answer_url(token),
                "",
                _(
                    "Your answers are anonymous: they are stored without your address or name. "
                    "The link is yours and works once."
                ),
                "",
                _("This message was sent by Kuntarobo."),
            ]
        )
    return subject, body


def send_invitations(actor: Actor, survey: SurveyRound, addresses: str, *, via: str) -> Sending:
    """Send the round's link to each address (one-time, personal, by e-mail): only to the
    municipality's allowed domains, each address once per round, and the round to at least
    MIN_RECIPIENTS people in all. An address the mail server refuses gets no invitation."""
    require(actor, survey.municipality, Permission.MANAGE_PORTFOLIO)
    if not survey.is_open:
        raise InputError(gettext_lazy("the round is closed"), field="addresses")
    wanted = parse_addresses(addresses)
    if not wanted:
        raise InputError(gettext_lazy("enter at least one e-mail address"), field="addresses")
    if len(wanted) > MAX_ADDRESSES:
        raise InputError(
            gettext_lazy("at most %(max)d addresses at a time"),
            field="addresses",
            max=MAX_ADDRESSES,
        )
    for address in wanted:
        try:
            validate_address(AddressKind.EMAIL, address)
        except ValueError:
            raise InputError(
                gettext_lazy("%(address)s is not an e-mail address"),
                field="addresses",
                address=address,
            ) from None
    domains = allowed_domains(survey.municipality)
    if not domains:
        raise InputError(
            gettext_lazy(
                "no allowed e-mail domains are set for staff surveys: enter the "
                "municipality's domains first"
            ),
            field="addresses",
        )
    outside = [a for a in wanted if a.rpartition("@")[2] not in domains]
    if outside:
        raise InputError(
            gettext_lazy("%(address)s is outside the allowed e-mail domains (%(domains)s)"),
            field="addresses",
            address=outside[0],
            domains=", ".join(domains),
        )
    invited = set(
        Delivery.objects.filter(
            municipality=survey.municipality,
            robot_slug=SENDER,
            reference__startswith=f"survey-{survey.pk}-",
            status=DeliveryStatus.SENT,
        ).values_list("reference", flat=True)
    )
    new = [a for a in wanted if _reference(survey, a) not in invited]
    result = Sending(already=len(wanted) - len(new))
    if len(invited) + len(new) < MIN_RECIPIENTS:
        raise InputError(
            gettext_lazy(
                "a round goes to at least %(min)d people, so that no answer can be told apart"
            ),
            field="addresses",
            min=MIN_RECIPIENTS,
        )
    tokens = {address: new_token(24) for address in new}
    shuffled = list(new)
    random.SystemRandom().shuffle(shuffled)
    with transaction.atomic():
        made = SurveyInvitation.objects.bulk_create(
            [SurveyInvitation(round=survey, token_hash=token_hash(tokens[a])) for a in shuffled]
        )
    invitation_of = {a: made[i].token_hash for i, a in enumerate(shuffled)}
    for address in sorted(new):
        subject, body = _message(survey, tokens[address])
        try:
            deliver(
                municipality=survey.municipality,
                robot=SENDER,
                channel="email",
                recipient=address,
                subject=subject,
                content=Content(body=body, personal=False),
                language=survey.language,
                reference=_reference(survey, address),
                actor=actor,
                via=via,
            )
        except ChannelError:
            SurveyInvitation.objects.filter(token_hash=invitation_of[address]).delete()
            result.failed.append(mask_address(AddressKind.EMAIL, address))
        else:
            result.sent += 1
    record(
        "portfolio.survey_round.sent",
        actor=actor,
        municipality=survey.municipality,
        obj=survey,
        details={"sent": result.sent, "already": result.already, "failed": len(result.failed)},
        via=via,
    )
    return result


def invitation_for(token: str) -> SurveyInvitation:
    """The invitation behind a link that can still be answered; SurveyLinkRefused otherwise."""
    invitation = (
        SurveyInvitation.objects.select_related("round__municipality")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise SurveyLinkRefused("unknown")
    if invitation.used_at is not None:
        raise SurveyLinkRefused("used", invitation.round)
    if not invitation.round.is_open:
        raise SurveyLinkRefused("closed", invitation.round)
    return invitation


def answer(token: str, scores: Mapping[str, object], comment: str = "") -> SurveyResponse:
    """Store one anonymous answer and use the token up, in one transaction: a second answer
    with the same link is refused (SurveyLinkRefused "used"), even one sent at the same
    moment. Bad scores raise InputError naming the statement."""
    try:
        checked = satisfaction.check_scores(scores)
    except ValueError as error:
        raise InputError(
            gettext_lazy("answer every statement on the scale 1–5"), field=str(error)
        ) from None
    comment = comment.strip()
    if len(comment) > satisfaction.MAX_COMMENT:
        raise InputError(
            gettext_lazy("the comment is longer than %(max)d characters"),
            field="comment",
            max=satisfaction.MAX_COMMENT,
        )
    with transaction.atomic():
        found = invitation_for(token)
        invitation = SurveyInvitation.objects.select_for_update().get(pk=found.pk)
        if invitation.used_at is not None:
            raise SurveyLinkRefused("used", found.round)
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        survey = found.round
        response = SurveyResponse.objects.create(
            round=survey,
            phase=survey.phase,
            scores=checked,
            comment=mask_identity_codes(comment),
            answered_on=timezone.localdate(),
        )
        record(
            "portfolio.survey_round.answered",
            actor="anonymous respondent",
            municipality=survey.municipality,
            obj=survey,
            via="web",
        )
    return response
