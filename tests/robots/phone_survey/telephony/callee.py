"""A scripted callee for the telephony tests: a real PJSUA2 user agent in its own process (one
Endpoint per process) that answers every call on 127.0.0.1:<port> and, per call, follows a
script of steps counted from the answer:

    ["wait", seconds]            pause
    ["dtmf", "12#"]              keys as RFC 2833 events, 0.3 s apart
    ["inband", "12#"]            keys as audio tones (in-band DTMF)
    ["play", "/path.wav", secs]  play a WAV into the call (an open answer)
    ["hangup"]                   end the call (BYE)

Give one callee process at most 4 calls (the wheel's PJSUA_MAX_CALLS) and no more in total:
after a call slot is reused, the callee's RFC 2833 keys after the first were lost on this
machine (PJSUA2 2.15.1), so tests and the benchmark start a callee per 4 calls.

Usage: python callee.py '{"port": 5070, "answer_after": 0.2, "script": [...]}'
Prints "READY" when listening, "FROM <uri>" for each incoming call and "ENDED <calls>" when
its stdin closes.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

import pjsua2 as pj


def say(line: str) -> None:
    """One line to the test that started this callee."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Callee(pj.Call):  # type: ignore[misc]
    def __init__(self, agent: Agent, account: Any, call_id: int) -> None:
        super().__init__(account, call_id)
        self.agent = agent
        self.audio: Any = None
        self.player: Any = None
        self.tones: Any = None
        self.steps: list[list[Any]] = list(agent.script)
        self.next_at: float | None = None
        self.answer_at = time.time() + agent.answer_after
        self.answered = False
        self.ended = False

    def onCallState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.next_at = time.time()
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.ended = True

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.audio = self.getAudioMedia(index)
                if self.player is not None:
                    self.player.startTransmit(self.audio)
                if self.tones is not None:
                    self.tones.startTransmit(self.audio)

    def tick(self, now: float) -> None:
        if self.ended:
            return
        if not self.answered and now >= self.answer_at:
            self.answered = True
            param = pj.CallOpParam()
            param.statusCode = 200
            self.answer(param)
        if self.next_at is None or now < self.next_at or not self.steps:
            return
        step = self.steps.pop(0)
        kind = step[0]
        self.next_at = now
        if kind == "wait":
            self.next_at = now + float(step[1])
        elif kind == "dtmf":
            keys = str(step[1])
            self.dialDtmf(keys[0])
            if len(keys) > 1:
                self.steps.insert(0, ["dtmf", keys[1:]])
                self.next_at = now + 0.3
        elif kind == "inband":
            self.tones = pj.ToneGenerator()
            self.tones.createToneGenerator(8000, 1)
            digits = pj.ToneDigitVector()
            for key in str(step[1]):
                digit = pj.ToneDigit()
                digit.digit = key
                digit.on_msec = 120
                digit.off_msec = 120
                digit.volume = 0
                digits.append(digit)
            self.tones.playDigits(digits)
            if self.audio is not None:
                self.tones.startTransmit(self.audio)
            self.next_at = now + 0.24 * len(str(step[1])) + 0.1
        elif kind == "play":
            self.player = pj.AudioMediaPlayer()
            self.player.createPlayer(str(step[1]), pj.PJMEDIA_FILE_NO_LOOP)
            if self.audio is not None:
                self.player.startTransmit(self.audio)
            self.next_at = now + float(step[2])
        elif kind == "hangup":
            self.hangup(pj.CallOpParam(True))


class Agent(pj.Account):  # type: ignore[misc]
    def __init__(self, script: list[list[Any]], answer_after: float) -> None:
        super().__init__()
        self.script = script
        self.answer_after = answer_after
        self.calls: list[Callee] = []
        self.finished: list[Callee] = []
        self.count = 0

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        call = Callee(self, self, prm.callId)
        param = pj.CallOpParam()
        param.statusCode = 180
        call.answer(param)
        say(f"FROM {call.getInfo().remoteUri}")
        self.calls.append(call)
        self.count += 1


def main() -> None:
    options = json.loads(sys.argv[1])
    endpoint = pj.Endpoint()
    endpoint.libCreate()
    config = pj.EpConfig()
    config.uaConfig.threadCnt = 0
    config.uaConfig.maxCalls = 128
    config.logConfig.level = 0
    config.logConfig.consoleLevel = 0
    config.medConfig.clockRate = 8000
    config.medConfig.sndClockRate = 8000
    config.medConfig.channelCount = 1
    config.medConfig.noVad = True
    config.medConfig.maxMediaPorts = 1024
    endpoint.libInit(config)
    transport = pj.TransportConfig()
    transport.port = int(options["port"])
    transport.boundAddress = "127.0.0.1"
    endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    endpoint.libStart()
    endpoint.audDevManager().setNullDev()
    account_config = pj.AccountConfig()
    account_config.idUri = f"sip:callee@127.0.0.1:{options['port']}"
    account_config.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    agent = Agent(options.get("script", []), float(options.get("answer_after", 0.2)))
    agent.create(account_config)
    stop = threading.Event()

    def wait_for_stdin_to_close() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=wait_for_stdin_to_close, daemon=True).start()
    say("READY")
    while not stop.is_set():
        endpoint.libHandleEvents(10)
        now = time.time()
        for call in list(agent.calls):
            call.tick(now)
            if call.ended:
                # Kept, not deleted: deleting a PJSUA2 Call whose slot a new call already
                # reuses clears the new call's callbacks (or trips an assertion).
                agent.calls.remove(call)
                agent.finished.append(call)
                call.player = None
                call.tones = None
    for call in agent.calls:
        call.player = None
        call.tones = None
        call.hangup(pj.CallOpParam(True))
    agent.calls.clear()
    say(f"ENDED {agent.count}")
    # Exit without PJSUA2's teardown: destroying a Call object after the library asserts, and
    # this process has nothing left to save.
    os._exit(0)


if __name__ == "__main__":
    main()
