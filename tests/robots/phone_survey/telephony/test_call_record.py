"""A call's record: its interim AAPOR code from the interview or the SIP outcome, its talk time,
and phone numbers masked in what it logs."""

from __future__ import annotations

import pytest

from kuntarobo.core import aapor
from kuntarobo.robots.phone_survey.telephony.caller import CallRecord, Trunk, mask_uri


@pytest.mark.parametrize(
    ("disposition", "code"),
    [
        ("completed", aapor.COMPLETE),
        ("partial", aapor.PARTIAL),
        ("refused", aapor.REFUSAL),
        ("do_not_call", aapor.REFUSAL),
        ("ineligible", aapor.NO_ELIGIBLE_RESPONDENT),
        ("no_input", aapor.NO_INPUT),
    ],
)
def test_an_answered_call_is_coded_by_its_interview(disposition: str, code: str) -> None:
    record = CallRecord("sip:1@x", sip_status=200, answered=True, disposition=disposition)
    assert record.code == code


@pytest.mark.parametrize(
    ("status", "cancelled", "code"),
    [
        (486, False, aapor.ALWAYS_BUSY),
        (600, False, aapor.ALWAYS_BUSY),
        (603, False, aapor.CALL_BLOCKING),
        (404, False, aapor.NON_WORKING),
        (480, False, aapor.NO_ANSWER),
        (487, True, aapor.NO_ANSWER),
        (502, False, aapor.TECHNICAL),
        (None, False, aapor.TECHNICAL),
        (407, False, aapor.OTHER_UNKNOWN),
    ],
)
def test_an_unanswered_call_is_coded_by_its_sip_outcome(
    status: int | None, cancelled: bool, code: str
) -> None:
    record = CallRecord("sip:1@x", sip_status=status, cancelled_after_ring_timeout=cancelled)
    assert record.code == code
    assert record.duration_seconds == 0.0


def test_a_machine_is_coded_as_one_whatever_the_interview_said() -> None:
    record = CallRecord("sip:1@x", 200, answered=True, machine=True, disposition="no_input")
    assert record.code == aapor.ANSWERING_MACHINE


def test_talk_time_runs_from_the_answer_to_the_end() -> None:
    record = CallRecord("sip:1@x", 200, answered=True, started_at=10.0, answered_at=14.5)
    record.ended_at = 74.5
    assert record.duration_seconds == 60.0


def test_the_number_in_a_uri_is_masked_and_the_host_kept() -> None:
    assert mask_uri("sip:+358401234567@sip.operator.fi") == "sip:+*********567@sip.operator.fi"
    assert mask_uri("0401234567") == "*******567"


def test_the_caller_id_is_always_in_the_from_header() -> None:
    trunk = Trunk(caller_id="+35821234567", display_name='Kaupunki "X"', domain="op.fi")
    assert trunk.from_uri("127.0.0.1:5060") == '"Kaupunki X" <sip:+35821234567@op.fi>'
    assert Trunk().from_uri("127.0.0.1:5060") == "sip:kuntarobo@127.0.0.1:5060"
