"""The phone survey robot's test world: a municipality with the robot in use, a coordinator who
starts campaigns, the robot's clock moved by the test, a scripted dialler, and a driver that
runs a campaign to its end through the real worker and the platform's timers."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Min

from kuntarobo.accounts.models import Role
from kuntarobo.robots.phone_survey import calling, dialling
from kuntarobo.robots.phone_survey.dialling import CallRequest, CallResult, CampaignFacts
from kuntarobo.runtime import actions as runtime_actions
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.factories import MunicipalityFactory, user_with_role
from tests.runtime.helpers import drain

HELSINKI = ZoneInfo("Europe/Helsinki")
TOKEN = "gateway-secret-1"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of the test campaign's March 2099, Helsinki time."""
    return datetime.datetime(2099, 3, day, hour, minute, tzinfo=HELSINKI)


class Clock:
    """The robot's clock (`calling.now`), moved by the test."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime.datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moving = Clock(at(1, 9))  # the Sunday before the campaign's first day
    monkeypatch.setattr(calling, "now", moving)
    return moving


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="uusikaupunki", name_fi="Uusikaupunki", name_sv="Nystad")


@pytest.fixture
def coordinator(municipality):
    return user_with_role(Role.COORDINATOR, municipality)


@dataclass
class ScriptedDialler:
    """Answers each number as the test says (by phone: a function of the request giving a
    CallResult), counting the calls in progress at once."""

    script: dict[str, Callable[[CallRequest], CallResult]] = field(default_factory=dict)
    default: Callable[[CallRequest], CallResult] | None = None
    seconds: float = 0.0
    calls: list[CallRequest] = field(default_factory=list)
    in_progress: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def factory(self, facts: CampaignFacts) -> ScriptedDialler:
        return self

    def call(self, request: CallRequest) -> CallResult:
        with self.lock:
            self.calls.append(request)
            self.in_progress += 1
            self.most_at_once = max(self.most_at_once, self.in_progress)
        try:
            if self.seconds:
                threading.Event().wait(self.seconds)
            answer = self.script.get(request.phone, self.default)
            assert answer is not None, f"the test did not script {request.phone}"
            return answer(request)
        finally:
            with self.lock:
                self.in_progress -= 1


@pytest.fixture
def scripted() -> Iterator[ScriptedDialler]:
    dialler = ScriptedDialler()
    dialling.register_dialler("scripted", dialler.factory)
    yield dialler
    dialling.unregister_dialler("scripted")


def interview(disposition: str, answers: dict[str, Any] | None = None) -> Callable:
    """A person answers and the interview ends with `disposition`."""

    def result(request: CallRequest) -> CallResult:
        start = request.at or datetime.datetime.now(datetime.UTC)
        return CallResult(
            sip_status=200,
            outcome="200 OK",
            started_at=start,
            answered_at=start + datetime.timedelta(seconds=8),
            ended_at=start + datetime.timedelta(seconds=90),
            answered=True,
            got_input=disposition != "no_input",
            disposition=disposition,
            answers=answers or {},
            billed_seconds=82,
        )

    return result


def unanswered(status: int, text: str) -> Callable:
    def result(request: CallRequest) -> CallResult:
        start = request.at or datetime.datetime.now(datetime.UTC)
        return CallResult(
            sip_status=status,
            outcome=text,
            started_at=start,
            ended_at=start + datetime.timedelta(seconds=30),
        )

    return result


def run_to_the_end(clock: Clock, *, worker: str = "test-drain", rounds: int = 500) -> int:
    """Work the queue, then move the clock to the earliest waiting item's time and let the
    platform's timer pass resume what is due, until nothing waits; how many timer passes."""
    drain(worker)
    for passes in range(rounds):
        nearest = WorkItem.objects.filter(
            status=ItemStatus.WAITING, wait_until__isnull=False
        ).aggregate(Min("wait_until"))["wait_until__min"]
        if nearest is None:
            return passes
        clock.moment = max(clock.moment, nearest)
        runtime_actions.resume_due_items(now=clock.moment)
        drain(worker)
    raise AssertionError("the campaign did not end")


class Gateway:
    """A local SMS gateway: keeps every request; answers with `status` (or fails one number)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.failing: set[str] = set()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                data = json.loads(body)
                gateway.requests.append(
                    {"auth": self.headers.get("Authorization"), "path": self.path, **data}
                )
                status = 503 if data.get("to") in gateway.failing else gateway.status
                answer = json.dumps({"id": f"sms-{len(gateway.requests)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def sms_gateway(settings) -> Iterator[Gateway]:
    """A real HTTP SMS gateway on loopback, configured as the installation's."""
    server = Gateway()
    settings.KUNTAROBO_SMS_GATEWAY_URL = server.url
    settings.KUNTAROBO_SMS_GATEWAY_TOKEN = TOKEN
    settings.SITE_ROOT = "https://kuntarobo.example.fi"
    yield server
    server.close()
