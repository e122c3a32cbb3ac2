"""The "sip" dialler: a campaign's calls placed for real through the configured SIP trunk by
the process's PJSUA2 engine (telephony/caller.py), the interview run over the call, and its
CallRecord turned into the robot's CallResult. Registered when the app starts; a worker places
its calls one at a time per item, and the engine queues calls beyond its own line limit.

Settings (kuntarobo/settings.py, from the environment): KUNTAROBO_SIP_DOMAIN, _PROXY,
_USERNAME, _PASSWORD, _BIND, _PORT, _RING_SECONDS, _INPUT_SECONDS, _RECORD_SECONDS."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings

from kuntarobo.robots.phone_survey.dialling import (
    CallRequest,
    CallResult,
    CampaignFacts,
    register_dialler,
)

OUTCOME_TEXTS = {
    200: "200 OK",
    404: "404 Not Found",
    408: "408 Request Timeout",
    480: "480 Temporarily Unavailable",
    486: "486 Busy Here",
    487: "487 Request Terminated",
    603: "603 Decline",
}


def _moment(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def target_uri(phone: str, domain: str) -> str:
    """The number as a SIP URI at the trunk's domain (the number stays E.164, with its +)."""
    return f"sip:{phone}@{domain}"


def outcome_text(status: int | None, *, rang_out: bool) -> str:
    if rang_out:
        return "cancelled after ring timeout"
    if status is None:
        return "no SIP answer"
    return OUTCOME_TEXTS.get(status, str(status))


def recordings_by_step(paths: list[str]) -> dict[str, str]:
    """The caller names a recording "<step id>-<12 hex>.wav": the step is what comes before."""
    found: dict[str, str] = {}
    for path in paths:
        stem = Path(path).stem
        step, _, tail = stem.rpartition("-")
        if step and len(tail) == 12:
            found[step] = path
    return found


class SipDialler:
    """Places the request's call through the trunk and waits for its end."""

    def __init__(self, facts: CampaignFacts) -> None:
        self.facts = facts

    def call(self, request: CallRequest) -> CallResult:
        from kuntarobo.robots.phone_survey.telephony.caller import (
            Engine,
            EngineConfig,
            Timing,
            Trunk,
        )
        from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache

        if not settings.KUNTAROBO_SIP_DOMAIN:
            raise RuntimeError("KUNTAROBO_SIP_DOMAIN is not set: no trunk to call through")
        media = Path(settings.MEDIA_ROOT) / "phone_survey"
        engine = Engine.shared(
            EngineConfig(
                bind_address=settings.KUNTAROBO_SIP_BIND, sip_port=settings.KUNTAROBO_SIP_PORT
            )
        )
        record = engine.call(
            target_uri(request.phone, settings.KUNTAROBO_SIP_DOMAIN),
            request.questionnaire,
            language=request.language,
            prompts=PromptCache(media / "prompt-cache"),
            recordings_dir=media / "call-recordings",
            trunk=Trunk(
                caller_id=request.caller_id or "kuntarobo",
                domain=settings.KUNTAROBO_SIP_DOMAIN,
                proxy=settings.KUNTAROBO_SIP_PROXY,
                username=settings.KUNTAROBO_SIP_USERNAME,
                password=settings.KUNTAROBO_SIP_PASSWORD,
            ),
            timing=Timing(
                ring_timeout=float(settings.KUNTAROBO_SIP_RING_SECONDS),
                input_timeout=float(settings.KUNTAROBO_SIP_INPUT_SECONDS),
                max_record_seconds=float(settings.KUNTAROBO_SIP_RECORD_SECONDS),
            ),
        )
        status = record.sip_status
        return CallResult(
            sip_status=status,
            outcome=outcome_text(status, rang_out=record.cancelled_after_ring_timeout),
            started_at=_moment(record.started_at),
            answered_at=_moment(record.answered_at) if record.answered_at else None,
            ended_at=_moment(max(record.ended_at, record.started_at)),
            answered=record.answered,
            machine=record.machine,
            got_input=record.got_input,
            rang_out=record.cancelled_after_ring_timeout,
            disposition=record.disposition or "",
            answers=dict(record.answers),
            recordings=recordings_by_step(record.recordings),
            billed_seconds=round(record.duration_seconds),
        )


register_dialler("sip", SipDialler)
