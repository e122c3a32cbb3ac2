"""Real calls on loopback: the PJSUA2 caller against a scripted PJSUA2 callee, SIPp answering
busy / declined / not found / ringing forever, and Kamailio as a password-protected proxy."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import wait
from pathlib import Path

import pytest

from kuntarobo.core import aapor
from kuntarobo.core.questionnaire import Questionnaire
from kuntarobo.robots.phone_survey.telephony.caller import (
    CallRecord,
    Engine,
    TelephonyError,
    Timing,
    Trunk,
    rms_of_wav,
)
from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache

from .conftest import FAST, Peer

pytestmark = pytest.mark.slow

SPEECH = (
    "I think the town should build more cycle paths, keep the library open in the evenings "
    "and repair the roads in the countryside before next winter."
)


def _call(
    engine: Engine,
    to: str,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    tmp_path: Path,
    *,
    trunk: Trunk | None = None,
    timing: Timing = FAST,
    language: str = "en",
) -> CallRecord:
    future = engine.place_call(
        to,
        questionnaire,
        language=language,
        prompts=prompts,
        recordings_dir=tmp_path / "recordings",
        trunk=trunk,
        timing=timing,
    )
    return future.result(timeout=90)


def _speech_wav(prompts: PromptCache) -> Path:
    return prompts.path_for(SPEECH, "en")


def test_a_callee_who_keys_every_answer_completes_the_interview_with_a_recorded_open_answer(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    tmp_path: Path,
) -> None:
    speech = _speech_wav(prompts)
    peer = callee(
        [
            ["wait", 0.6],
            ["dtmf", "1"],  # consent, RFC 2833
            ["wait", 0.5],
            ["inband", "3"],  # rural, as an audio tone
            ["wait", 0.4],
            ["dtmf", "42#"],
            ["wait", 0.3],
            ["play", str(speech), 8.0],
        ]
    )
    record = _call(engine, f"sip:survey@127.0.0.1:{peer.port}", questionnaire, prompts, tmp_path)

    assert record.answered
    assert record.sip_status == 200
    assert record.disposition == "completed"
    assert record.code == aapor.COMPLETE
    assert record.answers["area"] == "rural"
    assert record.answers["score"] == 42
    assert isinstance(record.answers["open"], float)
    assert record.answers["open"] > 1.0
    assert ("key", "3 inband") in [(kind, detail) for _t, kind, detail in record.events]
    assert len(record.recordings) == 1
    assert rms_of_wav(Path(record.recordings[0])) > 500
    assert record.duration_seconds > 3
    assert record.got_input
    assert not record.machine


def test_a_silent_open_answer_is_no_answer_and_the_recording_is_quiet(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    tmp_path: Path,
) -> None:
    peer = callee(
        [
            ["wait", 0.6],
            ["dtmf", "1"],
            ["wait", 0.5],
            ["dtmf", "2"],
            ["wait", 0.5],
            ["dtmf", "7#"],
            ["wait", 20],
        ]
    )
    record = _call(engine, f"sip:survey@127.0.0.1:{peer.port}", questionnaire, prompts, tmp_path)

    assert record.disposition == "completed"
    assert record.answers["open"] is None  # asked twice (max_retries 1), silence both times
    assert len(record.recordings) == 2
    assert all(rms_of_wav(Path(path)) < 200 for path in record.recordings)


def test_a_callee_who_hangs_up_after_one_answer_is_a_partial(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    tmp_path: Path,
) -> None:
    peer = callee(
        [["wait", 0.6], ["dtmf", "1"], ["wait", 0.5], ["dtmf", "2"], ["wait", 0.5], ["hangup"]]
    )
    record = _call(engine, f"sip:survey@127.0.0.1:{peer.port}", questionnaire, prompts, tmp_path)

    assert record.answered
    assert record.disposition == "partial"
    assert record.code == aapor.PARTIAL
    assert record.answers == {"area": "centre"}
    assert "callee_hung_up" in [kind for _t, kind, _d in record.events]


def test_a_callee_who_never_presses_a_key_is_answered_without_input(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    tmp_path: Path,
) -> None:
    peer = callee([["wait", 30]])
    record = _call(
        engine,
        f"sip:survey@127.0.0.1:{peer.port}",
        questionnaire,
        prompts,
        tmp_path,
        timing=Timing(ring_timeout=4, input_timeout=0.5),
    )

    assert record.answered
    assert not record.got_input
    assert record.disposition == "no_input"
    assert record.code == aapor.NO_INPUT
    assert [kind for _t, kind, _d in record.events].count("timeout") == 2


def test_the_stop_key_ends_the_call_at_once_as_do_not_call(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    tmp_path: Path,
) -> None:
    peer = callee([["wait", 0.6], ["inband", "9"], ["wait", 20]])
    record = _call(
        engine,
        f"sip:survey@127.0.0.1:{peer.port}",
        questionnaire,
        prompts,
        tmp_path,
        language="fi",
    )

    assert record.disposition == "do_not_call"
    assert record.code == aapor.REFUSAL
    assert record.digits == "9"


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        (486, "Busy Here", aapor.ALWAYS_BUSY),
        (603, "Decline", aapor.CALL_BLOCKING),
        (404, "Not Found", aapor.NON_WORKING),
        (503, "Service Unavailable", aapor.TECHNICAL),
    ],
)
def test_a_call_refused_by_the_network_gets_the_code_of_its_sip_status(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    sipp: Callable[[int, str], Peer],
    tmp_path: Path,
    status: int,
    reason: str,
    code: str,
) -> None:
    peer = sipp(status, reason)
    record = _call(engine, f"sip:survey@127.0.0.1:{peer.port}", questionnaire, prompts, tmp_path)

    assert record.sip_status == status
    assert not record.answered
    assert record.answered_at is None
    assert record.code == code
    assert record.duration_seconds == 0.0
    assert peer.process.wait(10) == 0  # SIPp saw the whole dialogue (our ACK included)


def test_a_phone_that_only_rings_is_cancelled_after_the_ring_timeout_as_no_answer(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    sipp: Callable[[int, str], Peer],
    tmp_path: Path,
) -> None:
    peer = sipp(180, "Ringing")
    record = _call(
        engine,
        f"sip:survey@127.0.0.1:{peer.port}",
        questionnaire,
        prompts,
        tmp_path,
        timing=Timing(ring_timeout=1.5),
    )

    assert record.cancelled_after_ring_timeout
    assert record.sip_status == 487
    assert record.code == aapor.NO_ANSWER
    assert 1.4 < record.ended_at - record.started_at < 6
    assert peer.process.wait(10) == 0  # CANCEL, 487 and ACK as SIPp expected


def test_a_call_through_the_operators_proxy_answers_its_challenge_and_shows_the_caller_id(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    kamailio: Callable[[str], Peer],
    tmp_path: Path,
) -> None:
    proxy = kamailio("s3cret")
    peer = callee(
        [["wait", 0.6], ["dtmf", "1"], ["wait", 0.5], ["dtmf", "3"], ["wait", 0.5], ["dtmf", "9"]]
    )
    trunk = Trunk(
        caller_id="+35821000000",
        display_name="Esimerkkikaupunki",
        domain="trunk.test",
        proxy=f"sip:127.0.0.1:{proxy.port};lr",
        username="city",
        password="s3cret",
        realm="trunk.test",
    )
    record = _call(
        engine,
        f"sip:survey@127.0.0.1:{peer.port}",
        questionnaire,
        prompts,
        tmp_path,
        trunk=trunk,
    )

    assert record.answered
    assert record.answers["area"] == "rural"
    # 9 in the numeric step is a digit until confirmed; the timeout makes it the stop key.
    assert record.disposition == "do_not_call"
    lines = peer.stop()
    assert any(
        line.startswith("FROM ")
        and "+35821000000@trunk.test" in line
        and "Esimerkkikaupunki" in line
        for line in lines
    ), lines


def test_a_wrong_trunk_password_is_not_an_answered_call(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    kamailio: Callable[[str], Peer],
    tmp_path: Path,
) -> None:
    proxy = kamailio("right")
    peer = callee([["wait", 5]])
    trunk = Trunk(
        domain="trunk.test",
        proxy=f"sip:127.0.0.1:{proxy.port};lr",
        username="city",
        password="wrong",
        realm="trunk.test",
    )
    record = _call(
        engine,
        f"sip:survey@127.0.0.1:{peer.port}",
        questionnaire,
        prompts,
        tmp_path,
        trunk=trunk,
    )

    assert not record.answered
    assert record.sip_status == 407
    assert record.code == aapor.OTHER_UNKNOWN
    assert not any(line.startswith("FROM ") for line in peer.stop())


def test_four_calls_run_at_once_on_the_one_engine_and_a_fifth_waits_for_a_free_line(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    callee: Callable[..., Peer],
    tmp_path: Path,
) -> None:
    peers = [
        callee(
            [
                ["wait", 0.6],
                ["dtmf", "1"],
                ["wait", 0.5],
                ["dtmf", "2"],
                ["wait", 0.5],
                ["dtmf", f"{n}#"],
                ["wait", 0.3],
                ["dtmf", "9"],
            ]
        )
        for n in range(5)
    ]
    # One callee per call (callee.py: a callee process answers each call in a fresh slot).
    futures = [
        engine.place_call(
            f"sip:survey{n}@127.0.0.1:{peer.port}",
            questionnaire,
            language="en",
            prompts=prompts,
            recordings_dir=tmp_path,
            timing=FAST,
        )
        for n, peer in enumerate(peers)
    ]
    done, _pending = wait(futures, timeout=120)
    records = [future.result() for future in futures]

    assert len(done) == 5
    assert [(r.answers.get("score"), r.disposition) for r in records] == [
        (n, "do_not_call") for n in range(5)
    ], [[e for e in r.events if e[1] != "play"] for r in records]
    first_four = records[:4]
    assert max(r.answered_at or 0 for r in first_four) < min(r.ended_at for r in first_four)
    assert (records[4].answered_at or 0) >= min(r.ended_at for r in first_four)


def test_a_uri_that_is_not_sip_is_refused_before_dialling(
    engine: Engine, questionnaire: Questionnaire, prompts: PromptCache, tmp_path: Path
) -> None:
    with pytest.raises(TelephonyError, match="not a SIP URI"):
        _call(engine, "tel:+358401234567 x", questionnaire, prompts, tmp_path)


# Last in the file: a call that got no answer at all keeps its line in the stack until the
# INVITE transaction times out (32 s), which would make the four-at-once test wait.
def test_nobody_listening_is_a_technical_failure_without_a_sip_status(
    engine: Engine,
    questionnaire: Questionnaire,
    prompts: PromptCache,
    tmp_path: Path,
) -> None:
    from tests.loopback import free_port

    record = _call(engine, f"sip:survey@127.0.0.1:{free_port()}", questionnaire, prompts, tmp_path)

    assert record.sip_status is None
    assert record.code == aapor.TECHNICAL
