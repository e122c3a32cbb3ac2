"""Real survey calls over SIP with PJSUA2: one process-wide engine places calls (several at once)
and runs the pure interview state machine (kuntarobo.core.questionnaire.Interview) over each.

Why the shape (lessons in the domain notes, verified on this machine):
- PJSUA2 allows one Endpoint per process, and its objects must be created, used and destroyed
  from a thread it knows. So one engine thread owns the Endpoint, polls SIP events itself
  (threadCnt=0) and is the only thread that touches PJSUA2 objects; callbacks from the media
  threads (RFC 2833 digits, audio frames) only queue events for it.
- Players, recorders and the in-band DTMF port are (re)connected on every onCallMediaState: a
  re-INVITE rebuilds the stream and silently drops older connections.
- RTP binds to the configured address (127.0.0.1 in tests), and media ports are destroyed before
  the library is.
- The caller ID is always sent (Traficom M28: never hide it; calls leave through a Finnish
  operator's trunk with the city's call-back-able number).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import sys
import threading
import time
import uuid
import wave
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pjsua2 as pj

from kuntarobo.core import aapor
from kuntarobo.core.questionnaire import (
    CONFIRM,
    Action,
    Answer,
    HangUp,
    Interview,
    Play,
    Questionnaire,
    Record,
)
from kuntarobo.core.respondents import mask_phone
from kuntarobo.robots.phone_survey.telephony.dtmf import DtmfDetector
from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache, read_pcm16_mono

logger = logging.getLogger(__name__)

CLOCK_RATE: Final = 8000
# The pjsua2-python wheel is built with PJSUA_MAX_CALLS = 4 (measured: a fifth makeCall fails
# with PJ_ETOOMANY whatever maxCalls says), so one process holds at most 4 calls; more calls
# wait in the engine for a free slot, and more parallel calls need more processes (workers).
MAX_CALLS_PER_PROCESS: Final = 4
PJ_ETOOMANY: Final = 70010
POLL_MS: Final = 10
SPEECH_RMS: Final = 200.0  # a recording quieter than this (about -44 dBFS) is no answer
RECORDING_FLUSH_SECONDS: Final = 2.0  # at most, for the bridge to close a recorder's file
# A disconnected media port lives this long before it is freed (the bridge drops it lazily).
PORT_RETIRE_SECONDS: Final = 1.0
SAME_KEY_SECONDS: Final = 0.3  # one key seen both as RFC 2833 and in-band counts once
SETUP_GRACE_SECONDS: Final = 40.0  # INVITE transaction timer B plus margin


class TelephonyError(RuntimeError):
    """The SIP stack could not start or place the call at all (bad URI, port in use)."""


@dataclass(frozen=True)
class Trunk:
    """Where calls leave and who they say they are from. `caller_id` is the From user (the
    city's number, e.g. "+35821234567") and is always shown; `proxy` is the operator's SIP
    proxy ("sip:sip.operator.fi;lr"), empty for direct calls; `username`/`password` answer
    the trunk's digest challenge; `domain` is the From host (the trunk's domain)."""

    caller_id: str = "kuntarobo"
    display_name: str = ""
    domain: str = ""
    proxy: str = ""
    username: str = ""
    password: str = ""
    realm: str = "*"

    def from_uri(self, host: str) -> str:
        uri = f"sip:{self.caller_id}@{self.domain or host}"
        if self.display_name:
            name = self.display_name.replace("\\", "").replace('"', "")
            return f'"{name}" <{uri}>'
        return uri


@dataclass(frozen=True)
class Timing:
    """Waits of one call, seconds. Tests shorten them; the defaults suit people."""

    ring_timeout: float = 30.0
    input_timeout: float = 7.0
    max_record_seconds: float = 60.0
    max_call_seconds: float = 900.0


@dataclass
class CallRecord:
    """The outcome of one attempt, plain data for the campaign and the CLI."""

    to: str
    sip_status: int | None = None
    answered: bool = False
    machine: bool = False  # no detector yet: the consent gate keeps machines out
    got_input: bool = False
    cancelled_after_ring_timeout: bool = False
    started_at: float = 0.0
    answered_at: float | None = None
    ended_at: float = 0.0
    disposition: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    recordings: list[str] = field(default_factory=list)
    digits: str = ""
    events: list[tuple[float, str, str]] = field(default_factory=list)

    @property
    def duration_seconds(self) -> float:
        """Talk time: from the answer to the end (0 when not answered)."""
        if self.answered_at is None:
            return 0.0
        return max(0.0, self.ended_at - self.answered_at)

    @property
    def code(self) -> str:
        """The interim AAPOR code of this attempt."""
        disposition = self.disposition
        if self.answered and not self.machine and disposition is not None:
            return aapor.DISPOSITION_CODE[disposition]
        status = self.sip_status if self.sip_status is None or self.sip_status >= 300 else None
        return aapor.interim_code(
            None if self.answered else status,
            answered=self.answered,
            machine=self.machine,
            got_input=self.got_input,
            cancelled_after_ring_timeout=self.cancelled_after_ring_timeout,
        )

    def log(self, kind: str, detail: str = "") -> None:
        self.events.append((round(time.time() - self.started_at, 3), kind, detail))


def mask_uri(uri: str) -> str:
    """A SIP URI for the log: the user part (a phone number) masked, the host kept."""
    scheme, colon, rest = uri.partition(":")
    user, at, host = rest.partition("@")
    if not colon or not at:
        return mask_phone(uri)
    return f"{scheme}:{mask_phone(user)}@{host}"


def rms_of_wav(path: Path) -> float:
    """The root-mean-square level of a WAV file (0 for an empty or unreadable one)."""
    try:
        samples, _rate = read_pcm16_mono(path)
    except ValueError:
        return 0.0
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def wav_seconds_or_zero(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as source:
            return source.getnframes() / float(source.getframerate())
    except (OSError, wave.Error, EOFError):
        return 0.0


# --- PJSUA2 subclasses: callbacks only queue events --------------------------------------------


class _DtmfPort(pj.AudioMediaPort):  # type: ignore[misc]
    """Receives the callee's audio frames and reads in-band keypad tones from them."""

    def __init__(self, post: Callable[[str], None]) -> None:
        super().__init__()
        self._post = post
        self._detector = DtmfDetector(CLOCK_RATE)

    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802 - PJSUA2's name
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO or not frame.size:
            return
        keys = self._detector.feed_pcm16(bytes(frame.buf))
        for key in keys:
            self._post(key)


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, account: Any, session: _Session) -> None:
        super().__init__(account)
        self._session = session

    def onCallState(self, prm: Any) -> None:  # noqa: N802
        self._note_response(prm.e)
        info = self.getInfo()
        self._session.post(("state", info.state, info.lastStatusCode, info.lastReason))

    def onCallTsxState(self, prm: Any) -> None:  # noqa: N802
        self._note_response(prm.e)

    def _note_response(self, event: Any) -> None:
        """Whether the far end ever answered anything (100 Trying counts): a status pjsip
        makes up itself (timeout, transport error) is not a SIP answer. SIP events run on the
        engine thread (threadCnt=0), so the flag is set directly, before the state is queued."""
        if event.type == pj.PJSIP_EVENT_TSX_STATE and (
            event.body.tsxState.type == pj.PJSIP_EVENT_RX_MSG
        ):
            self._session.got_response = True

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        self._session.post(("media", 0, 0, ""))

    def onDtmfDigit(self, prm: Any) -> None:  # noqa: N802
        self._session.post(("rfc2833", 0, 0, str(prm.digit)))


class _Account(pj.Account):  # type: ignore[misc]
    pass


# --- one call ----------------------------------------------------------------------------------


class _Session:
    """One call's state, touched only on the engine thread (events arrive through `post`)."""

    def __init__(
        self,
        engine: Engine,
        to: str,
        questionnaire: Questionnaire,
        language: str,
        prompts: PromptCache,
        recordings_dir: Path,
        timing: Timing,
        future: Future[CallRecord],
    ) -> None:
        self.engine = engine
        self.to = to
        self.interview = Interview(questionnaire, language)
        self.prompts = prompts
        self.recordings_dir = recordings_dir
        self.timing = timing
        self.future = future
        self.record = CallRecord(to=to, started_at=time.time())
        self.events: queue.SimpleQueue[tuple[str, int, int, str]] = queue.SimpleQueue()
        self.call: Any = None
        self.audio: Any = None
        self.dtmf_port: Any = None
        self.player: Any = None
        self.recorder: Any = None
        self.recording_path: Path | None = None
        self.action: Action | None = None
        self.prompt_ends = 0.0
        self.deadline: float | None = None  # input timeout
        self.record_at: float | None = None
        self.record_until: float | None = None
        self.hangup_at: float | None = None
        self.hung_up = False
        self.hung_up_at = 0.0
        self.judging: tuple[Path, float] | None = None
        self.got_response = False
        self.last_key: tuple[str, float] = ("", 0.0)
        self.done = False

    def post(self, event: tuple[str, int, int, str]) -> None:
        self.events.put(event)

    # --- life cycle ----------------------------------------------------------------------------

    def start(self, account: Any) -> bool:
        """Dial; False when the stack has no free call slot (try again a moment later)."""
        self.call = _Call(account, self)
        param = pj.CallOpParam(True)
        param.opt.audioCount = 1
        param.opt.videoCount = 0
        try:
            self.call.makeCall(self.to, param)
        except pj.Error as error:
            if error.status == PJ_ETOOMANY:
                self.call = None
                return False
            self.record.log("dial", mask_uri(self.to))
            self.record.log("dial_failed", str(error.reason))
            self.finish()
            return True
        self.record.log("dial", mask_uri(self.to))
        return True

    def handle_events(self) -> None:
        while not self.done:
            try:
                kind, state, status, detail = self.events.get_nowait()
            except queue.Empty:
                return
            if kind == "state":
                self.on_state(state, status, detail)
            elif kind == "media":
                self.on_media()
            elif kind in ("rfc2833", "inband"):
                self.on_key(detail, kind)

    def on_state(self, state: int, status: int, reason: str) -> None:
        if state == pj.PJSIP_INV_STATE_EARLY:
            self.record.log("ringing", str(status))
        elif state == pj.PJSIP_INV_STATE_CONFIRMED and not self.record.answered:
            self.record.answered = True
            self.record.answered_at = time.time()
            self.record.sip_status = status or 200
            self.record.log("answered", str(status))
            self.perform(self.interview.start())
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.record.log("disconnected", f"{status} {reason}")
            if not self.record.answered and self.got_response:
                self.record.sip_status = status
            elif not self.record.answered:
                # Nothing ever came back (not even 100 Trying): a technical failure, whatever
                # status pjsip made up, and not a phone that rang unanswered.
                self.record.log("no_sip_response")
                self.record.cancelled_after_ring_timeout = False
            self.stop_media()
            if self.record.answered and self.interview.result is None:
                self.record.log("callee_hung_up")
                self.interview.on_hangup()
            self.finish()

    def on_media(self) -> None:
        info = self.call.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.audio = self.call.getAudioMedia(index)
                self.record.log("media", "active")
                self.connect()
                return

    def connect(self) -> None:
        """(Re)connect every port to the call's current audio stream."""
        if self.audio is None:
            return
        if self.dtmf_port is None:
            self.dtmf_port = _DtmfPort(lambda key: self.post(("inband", 0, 0, key)))
            fmt = pj.MediaFormatAudio()
            fmt.init(pj.PJMEDIA_FORMAT_PCM, CLOCK_RATE, 1, 20000, 16)
            self.dtmf_port.createPort(f"dtmf-{id(self)}", fmt)
        self.audio.startTransmit(self.dtmf_port)
        if self.player is not None:
            self.player.startTransmit(self.audio)
        if self.recorder is not None:
            self.audio.startTransmit(self.recorder)

    # --- the interview ---------------------------------------------------------------------------

    def on_key(self, key: str, how: str) -> None:
        now = time.time()
        last_key, last_at = self.last_key
        if key == last_key and now - last_at < SAME_KEY_SECONDS:
            return
        self.last_key = (key, now)
        if not self.record.answered or self.interview.result is not None or self.hung_up:
            return
        self.record.got_input = True
        self.record.digits += key
        self.record.log("key", f"{key} {how}")
        current = self.action
        if isinstance(current, Record) and key != self.interview.questionnaire.stop_key:
            if self.recorder is not None:
                self.end_recording()  # a key ends the open answer
            return  # other keys during its prompt are typed ahead: ignored
        if self.recorder is not None:
            self.close_recording()
        following = self.interview.on_digits(key)
        if (
            following is current
            and isinstance(current, Play)
            and key != CONFIRM
            and self._is_numeric(current.step_id)
        ):
            self.deadline = max(self.prompt_ends, now) + self.timing.input_timeout
            return  # a numeric entry goes on: no re-ask
        self.perform(following)

    def _is_numeric(self, step_id: str) -> bool:
        steps = self.interview.questionnaire.steps
        return any(step.id == step_id and step.type == "numeric" for step in steps)

    def perform(self, action: Action) -> None:
        self.action = action
        self.deadline = self.record_at = self.record_until = self.hangup_at = None
        self.judging = None
        self.stop_player()
        now = time.time()
        if isinstance(action, HangUp):
            self.record.disposition = action.disposition
            self.record.log("hangup", action.disposition)
            if action.text:
                self.play(action.text, action.language, "")
                self.hangup_at = self.prompt_ends + 0.3
            else:
                self.hangup_at = now
            return
        self.play(action.text, action.language, action.step_id)
        if isinstance(action, Record):
            self.record_at = self.prompt_ends
        else:
            self.deadline = self.prompt_ends + self.timing.input_timeout

    def play(self, text: str, language: str, step_id: str) -> None:
        path = self.prompts.path_for(text, language, step_id)
        self.player = pj.AudioMediaPlayer()
        self.player.createPlayer(str(path), pj.PJMEDIA_FILE_NO_LOOP)
        seconds = wav_seconds_or_zero(path)
        self.prompt_ends = time.time() + seconds
        self.record.log("play", f"{step_id or 'goodbye'} {seconds:.1f}s")
        if self.audio is not None:
            self.player.startTransmit(self.audio)

    def start_recording(self) -> None:
        assert isinstance(self.action, Record)
        self.stop_player()
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        name = f"{self.action.step_id}-{uuid.uuid4().hex[:12]}.wav"
        self.recording_path = self.recordings_dir / name
        self.recorder = pj.AudioMediaRecorder()
        self.recorder.createRecorder(str(self.recording_path))
        if self.audio is not None:
            self.audio.startTransmit(self.recorder)
        limit = min(float(self.action.max_seconds), self.timing.max_record_seconds)
        self.record_until = time.time() + limit
        self.record_at = None
        self.record.log("record", f"{self.action.step_id} max {limit:.0f}s")

    def close_recording(self) -> Path | None:
        """Stop the recorder. The conference bridge removes ports asynchronously (PJSIP 2.14+),
        so the file is complete only a moment later: see `judge_recording`."""
        path = self.recording_path
        self.recorder = None  # destroyed here, on the engine thread
        self.recording_path = None
        self.record_until = None
        if path is not None:
            self.record.recordings.append(str(path))
        return path

    def end_recording(self) -> None:
        path = self.close_recording()
        if path is None:
            self.perform(self.interview.on_recording(0.0))
            return
        self.judging = (path, time.time() + RECORDING_FLUSH_SECONDS)

    def judge_recording(self, now: float) -> None:
        """Once the recorder has written its file: its seconds if it holds speech, else 0."""
        assert self.judging is not None
        path, give_up_at = self.judging
        seconds = wav_seconds_or_zero(path)
        if seconds <= 0 and now < give_up_at:
            return
        self.judging = None
        level = rms_of_wav(path)
        self.record.log("recorded", f"{seconds:.1f}s rms {level:.0f}")
        if level < SPEECH_RMS:
            seconds = 0.0
        else:
            self.record.got_input = True
        self.perform(self.interview.on_recording(seconds))

    def stop_player(self) -> None:
        self.player = None  # the SWIG destructor disconnects and destroys it

    def stop_media(self) -> None:
        self.stop_player()
        if self.recorder is not None:
            self.close_recording()
        if self.dtmf_port is not None:
            # The conference bridge removes ports in the background (PJSIP 2.14+) and may still
            # hand this one a frame: disconnect it now, destroy it only a moment later.
            if self.audio is not None:
                with contextlib.suppress(pj.Error):
                    self.audio.stopTransmit(self.dtmf_port)
            self.engine.retire(self.dtmf_port)
        self.dtmf_port = None
        self.audio = None

    def tick(self, now: float) -> None:
        record = self.record
        if self.done:
            return
        if not record.answered:
            if not record.cancelled_after_ring_timeout and (
                now - record.started_at > self.timing.ring_timeout
            ):
                record.cancelled_after_ring_timeout = True
                record.log("ring_timeout")
                self._hangup()
            elif now - record.started_at > self.timing.ring_timeout + SETUP_GRACE_SECONDS:
                record.log("gave_up")
                self.finish()
            return
        if self.hung_up:
            if now - self.hung_up_at > SETUP_GRACE_SECONDS:
                record.log("bye_unanswered")  # the far end never confirmed our BYE
                self.finish()
            return
        if now - (record.answered_at or now) > self.timing.max_call_seconds:
            record.log("max_call_seconds")
            if self.interview.result is None:
                self.interview.on_hangup()
                record.disposition = (
                    self.interview.result.disposition if self.interview.result else None
                )
            self._hangup()
            return
        if self.judging is not None:
            self.judge_recording(now)
        elif self.record_at is not None and now >= self.record_at:
            self.start_recording()
        elif self.record_until is not None and now >= self.record_until:
            self.end_recording()
        elif self.deadline is not None and now >= self.deadline:
            self.record.log("timeout")
            self.perform(self.interview.on_timeout())
        elif self.hangup_at is not None and now >= self.hangup_at:
            self._hangup()

    def _hangup(self) -> None:
        self.hung_up = True
        self.hung_up_at = time.time()
        self.hangup_at = None
        try:
            self.call.hangup(pj.CallOpParam(True))
        except pj.Error as error:
            self.record.log("hangup_failed", str(error.reason))
            self.finish()

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        self.stop_media()
        result = self.interview.result
        if result is not None:
            self.record.disposition = result.disposition
            self.record.answers = dict(result.answers)
        else:
            self.record.answers = dict(self.interview.answers)
        self.record.ended_at = time.time()
        self.record.log("end", self.record.code)
        self.future.set_result(self.record)


# --- the engine --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineConfig:
    """The local side: the address SIP and RTP bind to, and the SIP port (0: any free one)."""

    bind_address: str = "127.0.0.1"
    sip_port: int = 0
    rtp_port: int = 0  # first RTP port; 0 lets the stack choose
    max_calls: int = MAX_CALLS_PER_PROCESS
    log_level: int = 0


class Engine:
    """The process's one PJSUA2 endpoint and the thread that owns it."""

    _instance: Engine | None = None
    _instance_lock = threading.Lock()

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._sessions: list[_Session] = []
        self._waiting: deque[Callable[[], bool]] = deque()  # calls beyond max_calls wait
        self._retired: deque[tuple[float, Any]] = deque()  # media ports kept until then
        self._no_slot_until = 0.0
        self._accounts: dict[Trunk, Any] = {}
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.sip_port = 0
        self._thread = threading.Thread(target=self._run, name="sip-engine", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise TelephonyError(f"the SIP stack did not start: {self._error}")

    @classmethod
    def shared(cls, config: EngineConfig | None = None) -> Engine:
        """The process-wide engine, started on first use (later configs are ignored)."""
        with cls._instance_lock:
            if cls._instance is None or not cls._instance._thread.is_alive():
                cls._instance = cls(config or EngineConfig())
            return cls._instance

    def place_call(
        self,
        to: str,
        questionnaire: Questionnaire,
        *,
        language: str,
        prompts: PromptCache,
        recordings_dir: Path,
        trunk: Trunk | None = None,
        timing: Timing | None = None,
    ) -> Future[CallRecord]:
        """Start one call; the future gives its CallRecord when it has ended."""
        future: Future[CallRecord] = Future()

        def begin() -> bool:
            """Start the call now; False when no line is free yet."""
            try:
                valid = self._endpoint.utilVerifySipUri(to) == 0
            except pj.Error:
                valid = False
            if not valid:
                future.set_exception(TelephonyError(f"{to!r} is not a SIP URI"))
                return True
            try:
                account = self._account(trunk or Trunk())
            except pj.Error as error:
                future.set_exception(TelephonyError(f"the trunk is not usable: {error.reason}"))
                return True
            session = _Session(
                self,
                to,
                questionnaire,
                language,
                prompts,
                recordings_dir,
                timing or Timing(),
                future,
            )
            if not session.start(account):
                return False
            self._sessions.append(session)
            return True

        self._commands.put(lambda: self._waiting.append(begin))
        return future

    def retire(self, port: Any) -> None:
        """Keep a disconnected media port alive a moment (see `_Session.stop_media`)."""
        self._retired.append((time.time() + PORT_RETIRE_SECONDS, port))

    def _release_retired(self, now: float) -> None:
        while self._retired and self._retired[0][0] <= now:
            self._retired.popleft()

    def call(self, to: str, questionnaire: Questionnaire, **options: Any) -> CallRecord:
        """Place one call and wait for its end."""
        return self.place_call(to, questionnaire, **options).result()

    def shutdown(self) -> None:
        self._stop.set()
        self._thread.join(30)
        with Engine._instance_lock:
            if Engine._instance is self:
                Engine._instance = None

    # --- the engine thread -----------------------------------------------------------------------

    def _account(self, trunk: Trunk) -> Any:
        account = self._accounts.get(trunk)
        if account is not None:
            return account
        config = pj.AccountConfig()
        host = self.config.bind_address if self._specific_address else "localhost"
        config.idUri = trunk.from_uri(f"{host}:{self.sip_port}")
        config.regConfig.registrarUri = ""
        config.regConfig.registerOnAdd = False
        if trunk.proxy:
            config.sipConfig.proxies.append(trunk.proxy)
        if trunk.username:
            config.sipConfig.authCreds.append(
                pj.AuthCredInfo("digest", trunk.realm, trunk.username, 0, trunk.password)
            )
        if self._specific_address:
            config.mediaConfig.transportConfig.boundAddress = self.config.bind_address
            config.mediaConfig.transportConfig.publicAddress = self.config.bind_address
        config.mediaConfig.transportConfig.port = self.config.rtp_port
        account = _Account()
        account.create(config)
        self._accounts[trunk] = account
        return account

    @property
    def _specific_address(self) -> bool:
        """0.0.0.0 (or empty) binds every interface and lets the stack pick the address
        it announces; a specific address is both bound and announced."""
        return self.config.bind_address not in ("", "0.0.0.0")  # noqa: S104

    def _run(self) -> None:
        try:
            self._start_endpoint()
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        try:
            while not self._stop.is_set():
                self._endpoint.libHandleEvents(POLL_MS)
                while True:
                    try:
                        command = self._commands.get_nowait()
                    except queue.Empty:
                        break
                    command()
                now = time.time()
                self._release_retired(now)
                for session in list(self._sessions):
                    try:
                        session.handle_events()
                        session.tick(now)
                    except Exception as error:
                        logger.exception("call failed")
                        session.record.log("error", repr(error))
                        if session.call is not None and not session.hung_up:
                            session.hung_up = True
                            with contextlib.suppress(pj.Error):
                                session.call.hangup(pj.CallOpParam(True))
                        session.finish()
                    if session.done:
                        self._sessions.remove(session)
                        session.call = None
                # New calls only once ended ones are cleaned up: a new call may reuse the
                # slot of a call whose PJSUA2 object is deleted just above.
                while (
                    self._waiting
                    and len(self._sessions) < self.config.max_calls
                    and now >= self._no_slot_until
                ):
                    if self._waiting[0]():
                        self._waiting.popleft()
                    else:
                        # A call that got no answer at all holds its slot until the INVITE
                        # transaction times out (about 32 s), even after we gave up on it.
                        self._no_slot_until = now + 0.25
        finally:
            self._stop_endpoint()

    def _start_endpoint(self) -> None:
        # pjlib prints its banner on stdout before any log setting applies; stdout is the
        # CLI's JSON, so the banner goes to stderr.
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
        try:
            self._create_endpoint()
        finally:
            os.dup2(saved, 1)
            os.close(saved)

    def _create_endpoint(self) -> None:
        self._endpoint = pj.Endpoint()
        self._endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = False
        config.uaConfig.maxCalls = self.config.max_calls
        config.uaConfig.userAgent = "kuntarobo-phone-survey"
        config.logConfig.level = self.config.log_level
        config.logConfig.consoleLevel = self.config.log_level
        config.medConfig.clockRate = CLOCK_RATE
        config.medConfig.sndClockRate = CLOCK_RATE
        config.medConfig.channelCount = 1
        config.medConfig.noVad = True
        config.medConfig.ecTailLen = 0
        config.medConfig.maxMediaPorts = 254
        self._endpoint.libInit(config)
        transport = pj.TransportConfig()
        transport.port = self.config.sip_port
        if self._specific_address:
            transport.boundAddress = self.config.bind_address
            transport.publicAddress = self.config.bind_address
        self._endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self._endpoint.libStart()
        self._endpoint.audDevManager().setNullDev()
        for codec in self._endpoint.codecEnum2():
            priority = 255 if codec.codecId.startswith(("PCMA/", "PCMU/")) else 0
            if codec.codecId.startswith("telephone-event"):
                continue
            self._endpoint.codecSetPriority(codec.codecId, priority)
        info = self._endpoint.transportGetInfo(self._endpoint.transportEnum()[0])
        self.sip_port = int(str(info.localName).rsplit(":", 1)[1])

    def _stop_endpoint(self) -> None:
        for session in self._sessions:
            session.stop_media()
            if session.call is not None and not session.hung_up:
                with contextlib.suppress(pj.Error):
                    session.call.hangup(pj.CallOpParam(True))
            if not session.future.done():
                session.record.log("engine_stopped")
                session.finish()
            session.call = None
        self._sessions.clear()
        if self._retired:
            time.sleep(PORT_RETIRE_SECONDS)  # let the bridge drop them before they are freed
            self._retired.clear()
        for account in self._accounts.values():
            account.shutdown()
        self._accounts.clear()
        self._endpoint.libDestroy()
        del self._endpoint
