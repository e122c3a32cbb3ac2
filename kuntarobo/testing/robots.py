"""Robots that exist only to exercise the runtime: a no-op robot for the benchmark, a counting
robot for the kill test, a scripted robot whose items succeed or fail on command, and a class C
robot. They are not decorated with `@register`, so importing this module changes nothing;
`register_all` makes them known (the test app's `ready`, or a test fixture)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntarobo.runtime.declarations import (
    _REGISTRY,
    ApplicationException,
    BusinessException,
    Chain,
    Document,
    InputError,
    ItemSpec,
    ItemView,
    Outcome,
    Parameter,
    PathDescription,
    Robot,
    RobotClass,
    RunContext,
    Text,
    Wait,
    register,
)
from kuntarobo.runtime.models import RunLogEntry, WorkItem

COMPLETION = "completion"
_PATH = PathDescription(summary=Text(fi="Testirobotti", en="Test robot"), steps=())


def _numbered(context: RunContext) -> Iterator[ItemSpec]:
    prefix = str(context.parameters.get("prefix") or "item-")
    for number in range(int(context.parameters.get("count") or 0)):
        yield ItemSpec(reference=f"{prefix}{number:05d}", payload={"number": number})


_COUNT = Parameter("count", Text(fi="Määrä"), kind="integer", default=0)
_PREFIX = Parameter("prefix", Text(fi="Etuliite"), kind="text", default="item-")


class NoopRobot(Robot):
    """Does nothing per item: what is measured is the queue and the runtime around it."""

    slug = "test_noop"
    name = Text(fi="Tyhjä testirobotti", en="No-op test robot")
    description = Text(fi="Ei tee mitään.", en="Does nothing.")
    robot_class = RobotClass.ASSISTS
    path = _PATH
    parameters = (_COUNT, _PREFIX)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        return _numbered(context)

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        return Outcome(output={})


class CountingRobot(Robot):
    """Sleeps a little per item and writes a completion record inside the completion transaction,
    so a test can count how many times each item was completed. The item whose reference is
    `hold_reference` sleeps `hold_seconds` on its first attempt: the kill test kills the worker
    holding it, in the middle of the item."""

    slug = "test_counting"
    name = Text(fi="Laskeva testirobotti", en="Counting test robot")
    description = Text(fi="Laskee valmistumiset.", en="Counts completions.")
    robot_class = RobotClass.ASSISTS
    path = _PATH
    parameters = (
        _COUNT,
        _PREFIX,
        Parameter("sleep_ms", Text(fi="Viive (ms)"), kind="integer", default=2),
        Parameter("hold_reference", Text(fi="Pidettävä työ"), kind="text", default=""),
        Parameter("hold_seconds", Text(fi="Pitoaika (s)"), kind="integer", default=0),
    )

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        return _numbered(context)

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        held = item.reference == context.parameters.get("hold_reference") and item.attempt == 1
        seconds = (
            int(context.parameters.get("hold_seconds") or 0)
            if held
            else int(context.parameters.get("sleep_ms") or 0) / 1000
        )
        time.sleep(seconds)
        return Outcome(output={"pid": os.getpid()})

    @classmethod
    def on_status(cls, item: ItemView, status: str) -> None:
        run_id = WorkItem.objects.values_list("run_id", flat=True).get(pk=item.id)
        RunLogEntry.objects.create(
            run_id=run_id,
            item_id=item.id,
            message=f"{COMPLETION} status={status} pid={os.getpid()} attempt={item.attempt}",
        )


class ScriptedRobot(Robot):
    """Items do what the run's `script` parameter (JSON) says: succeed, raise a business or an
    application exception (for the first `fail_times` attempts, or always), with the given
    explanation, attention, record data and log lines. A test can also set
    `ScriptedRobot.status_hook`."""

    slug = "test_scripted"
    name = Text(fi="Käsikirjoitettu testirobotti", en="Scripted test robot")
    description = Text(fi="Tekee mitä käsketään.", en="Does as told.")
    robot_class = RobotClass.ASSISTS
    path = _PATH
    max_attempts = 3
    parameters = (Parameter("script", Text(fi="Käsikirjoitus"), kind="text", default="[]"),)
    status_hook: Any = None
    handle_hook: Any = None

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        for entry in json.loads(str(context.parameters.get("script") or "[]")):
            if entry.get("log"):
                context.log(str(entry["log"]))
            yield ItemSpec(
                reference=str(entry["reference"]),
                title=str(entry.get("title", "")),
                payload=entry,
                priority=int(entry.get("priority", 0)),
            )

    def handle(self, item: ItemView, context: RunContext) -> Outcome | Wait:
        script = item.payload
        if ScriptedRobot.handle_hook is not None:
            ScriptedRobot.handle_hook(item)
        if script.get("log"):
            context.log(str(script["log"]))
        behaviour = script.get("behaviour", "ok")
        if behaviour in ("wait", "raise_wait") and not item.resume_payload and not item.output:
            # Waits once (its output remembers that), for an event or `wait_seconds`.
            seconds = script.get("wait_seconds")
            until = None if seconds is None else timezone.now() + timedelta(seconds=seconds)
            wait = Wait(str(script.get("message", "a reply")), until=until, output={"asked": 1})
            if behaviour == "raise_wait":
                raise wait
            return wait
        failing = item.attempt <= int(script.get("fail_times", 10**6))
        if behaviour == "business":
            raise BusinessException(str(script.get("message", "business rule")))
        if behaviour == "application" and failing:
            raise ApplicationException(str(script.get("message", "system down")))
        if behaviour == "crash" and failing:
            raise RuntimeError(str(script.get("message", "unexpected")))
        return Outcome(
            output={
                "attempt": item.attempt,
                **({"reply": item.resume_payload} if item.resume_payload else {}),
            },
            explanation=[str(line) for line in script.get("explanation", [])],
            attention=[str(line) for line in script.get("attention", [])],
            record=dict(script.get("record") or {}),
        )

    @classmethod
    def on_status(cls, item: ItemView, status: str) -> None:
        if ScriptedRobot.status_hook is not None:
            ScriptedRobot.status_hook(item, status)


class DecidingRobot(Robot):
    """A class C robot: runs only under a recorded deployment decision (chapter 8 b)."""

    slug = "test_deciding"
    name = Text(fi="Päättävä testirobotti", en="Deciding test robot")
    description = Text(fi="Tekee päätöksiä.", en="Makes decisions.")
    robot_class = RobotClass.DECIDES
    rule_version = "2"
    path = _PATH
    parameters = (_COUNT, _PREFIX)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        return _numbered(context)

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        return Outcome(output={"decision": "granted"}, explanation=["rule 1 applies"])


class GatedRobot(Robot):
    """Reads an uploaded file of lines, one item each, but only once a test opens `gate`:
    `entered` tells that the producer is reading. A line `refuse` refuses the input (row and
    column named, translated), a line `crash ...` raises a technical error with that text."""

    slug = "test_gated"
    name = Text(fi="Odottava testirobotti", en="Gated test robot")
    description = Text(fi="Lukee syötteen, kun saa luvan.", en="Reads its input when let.")
    robot_class = RobotClass.ASSISTS
    path = _PATH
    accepts_upload = True
    requires_upload = True
    upload_suffixes = (".csv",)
    entered = threading.Event()
    gate = threading.Event()
    wait_seconds = 10.0

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        GatedRobot.entered.set()
        if not GatedRobot.gate.wait(GatedRobot.wait_seconds):
            raise RuntimeError("the gate was never opened")
        assert context.input_path is not None
        lines = context.input_path.read_text(encoding="utf-8").splitlines()
        specs = []
        for number, line in enumerate(lines, start=1):
            if line == "refuse":
                raise InputError(
                    _("row %(row)d: column '%(column)s' is empty"), row=number, column="line"
                )
            if line.startswith("crash"):
                raise RuntimeError(line)
            if line:
                specs.append(ItemSpec(reference=line, payload={"line": number}))
        return iter(specs)

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        return Outcome(output={})


class ExportingRobot(Robot):
    """The first robot of a chain: each item "fetches" a text file of the lines its run's
    `lines` parameter gives and keeps it as a document; when the item is done, the platform
    starts `test_importing` with the file (`chains`). A `fail` parameter makes the item fail
    for good (nothing is chained)."""

    slug = "test_exporting"
    name = Text(fi="Noutava testirobotti", en="Exporting test robot")
    description = Text(fi="Noutaa tiedoston.", en="Fetches a file.")
    robot_class = RobotClass.ASSISTS
    path = _PATH
    max_attempts = 1
    parameters = (
        Parameter("lines", Text(fi="Rivit"), kind="text", default="a,b"),
        Parameter("label", Text(fi="Nimi"), kind="text", default="first"),
        Parameter("fail", Text(fi="Epäonnistu"), kind="boolean", default=False),
    )
    chains = (Chain("test_importing", ".txt", (("label", "label"),)),)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        yield ItemSpec(reference=f"export-{context.run_id}", payload=dict(context.parameters))

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        if item.payload.get("fail"):
            raise BusinessException("the system had no data")
        lines = str(item.payload.get("lines") or "").split(",")
        content = "\n".join(lines).encode()
        return Outcome(
            output={"label": item.payload.get("label"), "lines": len(lines)},
            documents=[
                Document("notes.log", b"not the export", "text/plain"),
                Document("export.txt", content, "text/plain"),
            ],
        )


class ImportingRobot(Robot):
    """The second robot of a chain: one item per line of its input file."""

    slug = "test_importing"
    name = Text(fi="Lukeva testirobotti", en="Importing test robot")
    description = Text(fi="Lukee tiedoston.", en="Reads a file.")
    robot_class = RobotClass.ASSISTS
    path = _PATH
    accepts_upload = True
    requires_upload = True
    upload_suffixes = (".txt",)
    parameters = (Parameter("label", Text(fi="Nimi"), kind="text", default=""),)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        assert context.input_path is not None
        label = str(context.parameters.get("label") or "")
        for number, line in enumerate(context.input_path.read_text().splitlines()):
            yield ItemSpec(reference=f"{label}-{number}-{line}", payload={"line": line})

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        return Outcome(output={"line": item.payload["line"]})


TEST_ROBOTS: tuple[type[Robot], ...] = (
    NoopRobot,
    CountingRobot,
    ScriptedRobot,
    DecidingRobot,
    GatedRobot,
    ExportingRobot,
    ImportingRobot,
)
_lock = threading.Lock()


def register_all() -> None:
    with _lock:
        for robot in TEST_ROBOTS:
            register(robot)


def unregister_all() -> None:
    """Forget the test robots again, so tests of other areas see only the real robots."""
    with _lock:
        for robot in TEST_ROBOTS:
            if _REGISTRY.get(robot.slug) is robot:
                del _REGISTRY[robot.slug]
