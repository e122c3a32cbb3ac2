"""Advance notice of a campaign's calls, and the personal web link by text message.

The message holds the campaign's notice (or a plain default: who calls, when, from which
number), and the person's own link, where they can answer on the web or refuse; never answers
or any other personal data. The audit trail keeps counts only."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.call_windows import parse_schedule
from kuntarobo.core.respondents import mask_phone
from kuntarobo.robots.phone_survey import do_not_call, web_mode
from kuntarobo.robots.phone_survey.models import Campaign, CampaignStatus, Respondent
from kuntarobo.robots.phone_survey.sms_channel import SmsError, SmsGateway, configured_gateway
from kuntarobo.sdk import InputError
from kuntarobo.sdk.audit import record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticeResult:
    sent: int
    failed: int
    skipped: int


def notice_day(campaign: Campaign) -> datetime.date | None:
    """The day the advance notice is due: `notice_days_before` the schedule's first day (None
    when the schedule does not parse). The robot's rules decide when to call
    `send_advance_notices`; this is the day they aim for."""
    try:
        schedule = parse_schedule(campaign.schedule)
    except ValueError:
        return None
    return schedule.start_date - datetime.timedelta(days=campaign.notice_days_before)


def personal_link(respondent: Respondent) -> str:
    """The absolute address of the person's web form."""
    root = str(getattr(settings, "SITE_ROOT", "")).rstrip("/")
    return root + reverse("phone_survey_public:survey", args=[respondent.token])


def _default_notice(campaign: Campaign, language: str) -> str:
    name = campaign.municipality.name_in(language)
    try:
        schedule = parse_schedule(campaign.schedule)
    except ValueError:
        return gettext("%(name)s will call you for a survey.") % {"name": name}
    text = gettext("%(name)s will call you for a survey from %(start)s to %(end)s.") % {
        "name": name,
        "start": formats.date_format(schedule.start_date, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(schedule.end_date, "SHORT_DATE_FORMAT"),
    }
    if campaign.caller_id:
        text += " " + gettext("The calls come from %(number)s.") % {"number": campaign.caller_id}
    return text


def notice_message(respondent: Respondent) -> str:
    """The notice text in the person's language, and their link."""
    campaign = respondent.campaign
    language = respondent.language if respondent.language in ("fi", "sv", "en") else "fi"
    with translation.override(language):
        texts = campaign.notice_text if isinstance(campaign.notice_text, dict) else {}
        body = str(texts.get(language) or "").strip() or _default_notice(campaign, language)
        if campaign.offer_web:
            lead = gettext("Answer on the web instead, or refuse the call:")
        else:
            lead = gettext("To refuse the call:")
        return f"{body}\n{lead} {personal_link(respondent)}"


def web_link_message(respondent: Respondent) -> str:
    language = respondent.language if respondent.language in ("fi", "sv", "en") else "fi"
    with translation.override(language):
        name = respondent.campaign.municipality.name_in(language)
        lead = gettext("%(name)s: you can answer the survey on the web when it suits you:") % {
            "name": name
        }
        return f"{lead} {personal_link(respondent)}"


def _due(campaign: Campaign) -> Any:
    """Those to notify: not notified, not yet called, without a final code, not refused."""
    refused = set(campaign.municipality.survey_do_not_call.values_list("phone", flat=True))
    rows = campaign.respondents.filter(
        notified_at__isnull=True, attempts_made=0, final_code=""
    ).order_by("pk")
    return [row for row in rows if row.phone not in refused]


# A notice tried for one number is not tried again sooner (the robot's turns, a second start).
NOTICE_RETRY: Final = datetime.timedelta(hours=1)
# After this many failed tries the robot calls without a notice (the call introduces itself).
MAX_NOTICE_TRIES: Final = 3


def notice_pending(respondent: Respondent) -> bool:
    """Whether the robot must not make this respondent's first call yet: the campaign sends an
    advance notice, it has not reached this number, and its tries are not used up."""
    return (
        respondent.campaign.sms_notice
        and respondent.notified_at is None
        and respondent.notice_tries < MAX_NOTICE_TRIES
    )


def send_notice(
    respondent: Respondent, gateway: SmsGateway, *, now: datetime.datetime
) -> bool | None:
    """Send one respondent's notice: True sent, False failed (tried again later), None when it
    was not this caller's to send (already sent, or tried less than NOTICE_RETRY ago, e.g. by
    the robot's turn meanwhile). The try is claimed by one conditional UPDATE first, so two
    senders never send the same notice twice."""
    claimed = (
        Respondent.objects.filter(pk=respondent.pk, notified_at__isnull=True)
        .filter(Q(notice_tried_at__isnull=True) | Q(notice_tried_at__lte=now - NOTICE_RETRY))
        .update(notice_tried_at=now, notice_tries=F("notice_tries") + 1)
    )
    if not claimed:
        return None
    try:
        gateway.send(
            respondent.phone,
            notice_message(respondent),
            reference=f"notice-{respondent.campaign_id}-{respondent.pk}",
        )
    except SmsError as error:
        logger.warning("advance notice to %s failed: %s", mask_phone(respondent.phone), error)
        return False
    Respondent.objects.filter(pk=respondent.pk, notified_at__isnull=True).update(notified_at=now)
    return True


def send_advance_notices(campaign: Campaign, *, now: datetime.datetime) -> NoticeResult:
    """Send the advance notice by SMS to everyone due, marking each `notified_at` as it goes
    (so a repeat sends to no one twice). Refuses with InputError, sending nothing, when the
    gateway is not configured or the campaign has ended. A gateway failure for one number is
    counted and the rest are still sent; the failed ones stay due: the robot's turn for that
    respondent tries again (`NOTICE_RETRY` later), and a later run of this too."""
    if campaign.status == CampaignStatus.ENDED:
        raise InputError(_("The campaign has ended: no notices are sent."), field="status")
    if not campaign.sms_notice:
        return NoticeResult(0, 0, campaign.respondents.count())
    gateway = configured_gateway()
    due = _due(campaign)
    sent = failed = passed = 0
    for respondent in due:
        outcome = send_notice(respondent, gateway, now=now)
        if outcome is None:
            passed += 1
        elif outcome:
            sent += 1
        else:
            failed += 1
    result = NoticeResult(sent, failed, campaign.respondents.count() - len(due) + passed)
    record(
        "phone_survey.advance_notices_sent",
        actor=do_not_call.ROBOT_ACTOR,
        municipality=campaign.municipality,
        obj=campaign,
        details={"sent": sent, "failed": failed, "skipped": result.skipped},
    )
    return result


def resend_notice(respondent: Respondent, *, now: datetime.datetime) -> bool | None:
    """The robot's turn for a respondent whose notice has not gone yet: try it again (None
    when it is not due again yet or no gateway is configured any more, which is logged)."""
    try:
        gateway = configured_gateway()
    except InputError:
        _log_no_gateway()
        Respondent.objects.filter(pk=respondent.pk).update(
            notice_tried_at=now, notice_tries=F("notice_tries") + 1
        )
        return False
    outcome = send_notice(respondent, gateway, now=now)
    if outcome is not None:
        record(
            "phone_survey.advance_notices_sent",
            actor=do_not_call.ROBOT_ACTOR,
            municipality=respondent.campaign.municipality,
            obj=respondent.campaign,
            details={"sent": int(outcome), "failed": int(not outcome), "skipped": 0},
        )
    return outcome


def start_by_text(campaign: Campaign) -> str | None:
    """For the campaign's page: the day to start it by, since its notices go out when it
    starts (None without `sms_notice` or a readable schedule)."""
    day = notice_day(campaign)
    if not campaign.sms_notice or day is None:
        return None
    return gettext(
        "Start the campaign on %(day)s at the latest: the advance notices are sent when it "
        "starts, %(days)s days before the first calls."
    ) % {"day": formats.date_format(day, "SHORT_DATE_FORMAT"), "days": campaign.notice_days_before}


_no_gateway_logged = False


def _log_no_gateway() -> None:
    """No SMS gateway: said once in the log (a process), not for every respondent."""
    global _no_gateway_logged
    if not _no_gateway_logged:
        _no_gateway_logged = True
        logger.warning(
            "phone survey: no SMS gateway is configured (KUNTAROBO_SMS_GATEWAY_URL, "
            "KUNTAROBO_SMS_GATEWAY_TOKEN): no web links or notices are sent by SMS"
        )


# The phone dispositions after which the personal web link is offered by SMS (not the stop
# key's do_not_call: that person is never contacted again).
WEB_LINK_AFTER: Final = frozenset({"refused", "partial"})


def offer_web_after_call(respondent: Respondent, *, now: datetime.datetime) -> bool:
    """After a call that ended refused or broken off: send the personal web link by SMS, once
    a person, when the campaign offers the web form and a gateway is configured. Never fails
    the robot's item: a gateway failure is logged (masked number), a missing gateway said once
    in the log. Whether a message went. Call it outside any transaction (an HTTP request)."""
    campaign = respondent.campaign
    if (
        respondent.disposition not in WEB_LINK_AFTER
        or respondent.completed_via
        or respondent.web_link_sent_at is not None
        or not campaign.offer_web
        or not web_mode.is_open(respondent)
    ):
        return False
    try:
        gateway = configured_gateway()
    except InputError:
        _log_no_gateway()
        return False
    claimed = Respondent.objects.filter(pk=respondent.pk, web_link_sent_at__isnull=True).update(
        web_link_sent_at=now
    )
    if not claimed:
        return False
    try:
        offer_web_link(respondent, gateway=gateway)
    except (SmsError, InputError):  # logged by offer_web_link (masked); the item goes on
        Respondent.objects.filter(pk=respondent.pk).update(web_link_sent_at=None)
        return False
    respondent.web_link_sent_at = now
    return True


def offer_web_link(respondent: Respondent, *, gateway: SmsGateway | None = None) -> str:
    """Send the personal web link by SMS (after a refused or broken-off call); the gateway's
    id of the message. Refuses with InputError when the campaign does not offer the web form,
    the form is closed for the person, or no gateway is configured."""
    campaign = respondent.campaign
    if not campaign.offer_web:
        raise InputError(_("The campaign does not offer the web form."), field="offer_web")
    if not web_mode.is_open(respondent):
        raise InputError(_("The web form is closed for this respondent."), field="respondent")
    gateway = gateway or configured_gateway()
    try:
        ident = gateway.send(
            respondent.phone,
            web_link_message(respondent),
            reference=f"weblink-{campaign.pk}-{respondent.pk}",
        )
    except SmsError as error:
        logger.warning("web link to %s failed: %s", mask_phone(respondent.phone), error)
        raise
    record(
        "phone_survey.web_link_sent",
        actor=do_not_call.ROBOT_ACTOR,
        municipality=campaign.municipality,
        obj=campaign,
        details={"sent": 1},
    )
    return ident
