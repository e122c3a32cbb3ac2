"""Real SIP peers on loopback for the telephony tests: a scripted PJSUA2 callee in a subprocess,
SIPp answering with a chosen status (or ringing until cancelled), and Kamailio as the operator's
proxy asking for credentials. Every peer gets a free random port."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kuntarobo.core.questionnaire import Questionnaire, parse_questionnaire
from kuntarobo.robots.phone_survey.telephony.caller import Engine, EngineConfig, Timing
from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache
from kuntarobo.testing.sip_peers import start_kamailio, wait_for_udp_listener
from tests.loopback import free_port

CALLEE = Path(__file__).with_name("callee.py")

TEST_QUESTIONNAIRE: dict[str, Any] = {
    "id": "loopback-test",
    "languages": ["en", "fi"],
    "introduction": {
        "en": "Test call from the town. Press 9 to stop.",
        "fi": "Kaupungin testipuhelu. Lopettaaksesi paina 9.",
    },
    "consent": {"prompt": {"en": "Press 1.", "fi": "Paina 1."}, "key": "1"},
    "stop_key": "9",
    "max_retries": 1,
    "steps": [
        {
            "id": "area",
            "type": "single_choice",
            "prompt": {"en": "Centre 2, rural 3.", "fi": "Keskusta 2, maaseutu 3."},
            "choices": [
                {"key": "2", "value": "centre", "label": {"en": "centre", "fi": "keskusta"}},
                {"key": "3", "value": "rural", "label": {"en": "rural", "fi": "maaseutu"}},
            ],
        },
        {
            "id": "score",
            "type": "numeric",
            "prompt": {"en": "A number, then hash.", "fi": "Luku ja risuaita."},
            "min": 0,
            "max": 99,
        },
        {
            "id": "open",
            "type": "open_answer",
            "prompt": {"en": "Speak now.", "fi": "Puhu nyt."},
            "max_seconds": 3,
        },
        {
            "id": "thanks",
            "type": "flag",
            "disposition": "completed",
            "prompt": {"en": "Thanks.", "fi": "Kiitos."},
        },
    ],
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here is `sip`: the Makefile runs them in a pytest process of their own, so
    the SIP engine's thread (PJSUA2, once started it lives as long as the process) is not
    alive while the rest of the suite runs (a segfault was seen there once)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.sip)


FAST = Timing(ring_timeout=4.0, input_timeout=1.5, max_record_seconds=3.0, max_call_seconds=60)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The process's one SIP engine (PJSUA2 allows one Endpoint per process)."""
    shared = Engine.shared(EngineConfig(bind_address="127.0.0.1"))
    yield shared
    shared.shutdown()


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return parse_questionnaire(TEST_QUESTIONNAIRE)


@pytest.fixture(scope="session")
def prompts(tmp_path_factory: pytest.TempPathFactory) -> PromptCache:
    return PromptCache(tmp_path_factory.mktemp("prompts"))


@dataclass
class Peer:
    """A running peer process and what it printed."""

    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    def stop(self) -> list[str]:
        if self.process.poll() is None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout is not None:
            self.lines += self.process.stdout.read().splitlines()
        return self.lines


@pytest.fixture
def callee() -> Iterator[Callable[..., Peer]]:
    """Start a scripted PJSUA2 callee: callee(script, answer_after=0.2) -> Peer."""
    peers: list[Peer] = []

    def start(script: list[list[Any]], answer_after: float = 0.2) -> Peer:
        port = free_port()
        options = {"port": port, "script": script, "answer_after": answer_after}
        process = subprocess.Popen(
            [sys.executable, str(CALLEE), json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        peer = Peer(process, port)
        peers.append(peer)
        assert process.stdout is not None
        for line in process.stdout:  # pjlib's banner comes first
            if line.strip() == "READY":
                break
        else:
            raise AssertionError("the callee did not start")
        return peer

    yield start
    for peer in peers:
        peer.stop()


_SIPP_HEAD = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="{name}">
"""

_RESPONSE = """  <send><![CDATA[
SIP/2.0 {status} {reason}
[last_Via:]
[last_From:]
[last_To:]{tag}
[last_Call-ID:]
{cseq}
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

  ]]></send>
"""


def sipp_scenario(status: int, reason: str) -> str:
    """A UAS that answers an INVITE with `status`; 180 means: ring until cancelled."""
    tag = ";tag=[pid]SIPpTag[call_number]"
    parts = [_SIPP_HEAD.format(name=f"answer-{status}")]
    parts.append('  <recv request="INVITE" />\n')
    parts.append(_RESPONSE.format(status=100, reason="Trying", tag="", cseq="[last_CSeq:]"))
    if status == 180:
        parts.append(_RESPONSE.format(status=180, reason="Ringing", tag=tag, cseq="[last_CSeq:]"))
        parts.append(
            '  <recv request="CANCEL">\n'
            '    <action><ereg regexp="([0-9]+) CANCEL" search_in="hdr" header="CSeq:" '
            'assign_to="whole,seq" /></action>\n  </recv>\n'
            '  <Reference variables="whole" />\n'
        )
        parts.append(_RESPONSE.format(status=200, reason="OK", tag=tag, cseq="[last_CSeq:]"))
        parts.append(
            _RESPONSE.format(
                status=487, reason="Request Terminated", tag=tag, cseq="CSeq: [$seq] INVITE"
            )
        )
    else:
        parts.append(_RESPONSE.format(status=status, reason=reason, tag=tag, cseq="[last_CSeq:]"))
    parts.append('  <recv request="ACK" />\n</scenario>\n')
    return "".join(parts)


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[Callable[[int, str], Peer]]:
    """Start SIPp as a UAS answering one INVITE: sipp(486, "Busy Here") -> Peer."""
    peers: list[Peer] = []

    def start(status: int, reason: str) -> Peer:
        port = free_port()
        scenario = tmp_path / f"uas-{status}.xml"
        scenario.write_text(sipp_scenario(status, reason), encoding="ascii")
        process = subprocess.Popen(
            [
                "sipp",
                "-sf",
                str(scenario),
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "-m",
                "1",
                "-nostdin",
                "-trace_err",
                "-error_file",
                str(tmp_path / "sipp-errors.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        peer = Peer(process, port)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        if peer.process.poll() is None:
            peer.process.kill()
        peer.process.wait(5)


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[Callable[[str], Peer]]:
    """Start Kamailio as a proxy that asks every INVITE for a password: kamailio(pw) -> Peer."""
    peers: list[Peer] = []

    def start(password: str) -> Peer:
        port = free_port()
        process = start_kamailio(tmp_path, port, password, stderr=subprocess.PIPE)
        peer = Peer(process, port)
        peers.append(peer)
        wait_for_udp_listener(port, process, "the peer")
        return peer

    yield start
    for peer in peers:
        if peer.process.poll() is None:
            peer.process.terminate()
        try:
            peer.process.wait(10)
        except subprocess.TimeoutExpired:
            peer.process.kill()
            peer.process.wait(5)
