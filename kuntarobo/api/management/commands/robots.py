"""`kuntarobo robots list | show SLUG | run SLUG ...`: the robot catalogue, and starting a run
from the command line (e.g. from a municipality's own job scheduler)."""

from __future__ import annotations

import datetime
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import timezone, translation

from kuntarobo.api.serializers import CLASS_MEANING, robot_data
from kuntarobo.runtime import execution
from kuntarobo.runtime.cli import acting_user, fail, input_path, start_run, to_json, write_table
from kuntarobo.runtime.declarations import InputError, Robot, Text, all_robots, get_robot
from kuntarobo.runtime.models import Run, RunStatus, WorkerProcess
from kuntarobo.runtime.statuses import failed_count, run_outcome

# Module-level so that a test can put the queue's work in place of waiting.
sleep = time.sleep
LANGUAGES = ("fi", "sv", "en")


def _robot(slug: str) -> type[Robot]:
    try:
        return get_robot(slug)
    except InputError as error:
        known = ", ".join(r.slug for r in all_robots())
        fail(f"{error} (known robots: {known})")


def _text(text: Text | None) -> str:
    return text.get() if text is not None else ""


def parse_params(pairs: list[str]) -> dict[str, str]:
    """`--param name=value`, each name once; the robot then checks names and values."""
    parameters: dict[str, str] = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        name = name.strip()
        if not separator or not name:
            fail(f"--param {pair!r}: write it as name=value")
        if name in parameters:
            fail(f"--param {name} is given more than once")
        parameters[name] = value
    return parameters


def workers_alive() -> bool:
    fresh = timezone.now() - datetime.timedelta(seconds=settings.KUNTAROBO_WORKER_STALE_SECONDS)
    # Command lines working inline beat too, but take nothing from the queue.
    return (
        WorkerProcess.objects.filter(heartbeat_at__gte=fresh)
        .exclude(worker_id__startswith="inline:")
        .exists()
    )


def wait_for_run(run_id: int, timeout: float | None, interval: float) -> tuple[Run, bool]:
    """Poll until the run leaves RUNNING; (run, False) if `timeout` seconds pass first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        run = Run.objects.select_related("municipality").get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return run, True
        if deadline is not None and time.monotonic() >= deadline:
            return run, False
        sleep(interval)


class Command(BaseCommand):
    help = "List and show the registered robots, and start a run of one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        nouns = parser.add_subparsers(dest="action", required=True, metavar="{list,show,run}")
        listing = nouns.add_parser("list", help="Table of the registered robots.")
        listing.add_argument("--language", choices=LANGUAGES, default=None)
        show = nouns.add_parser("show", help="A robot's description, parameters and path.")
        show.add_argument("slug")
        show.add_argument("--language", choices=LANGUAGES, default=None)
        show.add_argument("--json", action="store_true", help="Print JSON as the API does.")
        run = nouns.add_parser(
            "run",
            help="Start a run; prints a one-line JSON summary.",
            description="Start a run as --user (who needs the right to run robots there). "
            "Prints one line of JSON: the run id, items created (corrected: of them, corrections "
            "that replaced failed items) and duplicates (already_done: of them, done before).",
        )
        run.add_argument("slug", help="The robot.")
        run.add_argument("--municipality", required=True, help="The municipality's identifier.")
        run.add_argument("--input", default=None, help="Input file for robots that take one.")
        run.add_argument(
            "--param", action="append", default=[], metavar="NAME=VALUE", help="Repeatable."
        )
        run.add_argument("--user", required=True, help="Username whose roles are checked.")
        run.add_argument(
            "--wait",
            action="store_true",
            help="Wait until the run finishes (workers must be running), and add the counts.",
        )
        run.add_argument("--timeout", default=None, help="Stop waiting after this many seconds.")
        run.add_argument(
            "--poll-interval", default="1", help="Seconds between looks at the run (--wait)."
        )

    @no_translations  # operators' messages in English, like --help
    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            self.start(options)
            return
        robot = _robot(options["slug"]) if options["action"] == "show" else None
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            if robot is None:
                self.list()
            else:
                self.show(robot, as_json=options["json"])

    def list(self) -> None:
        rows = [
            (
                robot.slug,
                robot.robot_class,
                _text(robot.name),
                robot.schedule.cron if robot.schedule else "-",
                ", ".join(robot.upload_suffixes or ("yes",)) if robot.accepts_upload else "no",
                robot.manual_minutes_per_item,
            )
            for robot in all_robots()
        ]
        write_table(self.stdout, ("SLUG", "CLASS", "NAME", "SCHEDULE", "UPLOAD", "MIN/ITEM"), rows)

    def show(self, robot: type[Robot], *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(to_json(robot_data(robot, detail=True)))
            return
        out = self.stdout.write
        out(f"{robot.slug} — {_text(robot.name)}")
        out(_text(robot.description))
        out(f"Class: {robot.robot_class} ({CLASS_MEANING[robot.robot_class]})")
        out(f"Systems: {', '.join(str(system) for system in robot.systems) or '-'}")
        out(f"Manual work per item: {robot.manual_minutes_per_item} min")
        if robot.schedule:
            schedule = robot.schedule
            out(f"Schedule: {schedule.cron} ({schedule.calendar}) {_text(schedule.description)}")
        else:
            out("Schedule: none")
        upload = (
            "required" if robot.requires_upload else "accepted" if robot.accepts_upload else "no"
        )
        suffixes = f" ({', '.join(robot.upload_suffixes)})" if robot.upload_suffixes else ""
        out(f"Input file: {upload}{suffixes}")
        out("Parameters:" if robot.parameters else "Parameters: none")
        for parameter in robot.parameters:
            facts = [parameter.kind]
            if parameter.required:
                facts.append("required")
            if parameter.default not in (None, ""):
                facts.append(f"default {parameter.default}")
            if parameter.choices:
                facts.append(f"one of {', '.join(parameter.choices)}")
            out(f"  {parameter.name} ({', '.join(facts)}): {_text(parameter.label)}")
        out("Path:")
        out(f"  {_text(robot.path.summary)}")
        for number, step in enumerate(robot.path.steps, start=1):
            system = f" [{step.system}]" if step.system else ""
            out(f"  {number}. {step.actor}: {_text(step.name)}{system}")
        if robot.path.human_role:
            out(f"  Person: {_text(robot.path.human_role)}")

    def start(self, options: dict[str, Any]) -> None:
        timeout = _seconds(options["timeout"], "--timeout") if options["timeout"] else None
        interval = _seconds(options["poll_interval"], "--poll-interval")
        user = acting_user(options["user"])
        robot = _robot(options["slug"])
        parameters = parse_params(options["param"])
        path = input_path(options["input"]) if options["input"] else None
        started = start_run(user, options["municipality"], robot.slug, parameters, path)
        summary: dict[str, Any] = {
            "run": started.run.pk,
            "municipality": started.run.municipality.slug,
            "robot": robot.slug,
            "created": started.created,
            "duplicates": started.duplicates,
            "corrected": started.corrected,
            "already_done": started.already_done,
        }
        if not options["wait"]:
            summary["status"] = Run.objects.get(pk=started.run.pk).status
            self.stdout.write(to_json(summary))
            return
        if not workers_alive():
            self.stderr.write(
                "no worker is running: the run waits for one (start it with `kuntarobo worker`)"
            )
        run, finished = wait_for_run(started.run.pk, timeout, interval)
        counts = execution.run_counts(run)
        summary["status"] = run.status
        # A finished run with failed items is "finished_with_failures", never plain "finished".
        summary["outcome"] = run_outcome(run.status, failed_count(counts))
        summary["failed_items"] = failed_count(counts)
        summary["counts"] = {k: v for k, v in counts.items() if v}
        self.stdout.write(to_json(summary))
        if not finished:
            raise CommandError(
                f"run {run.pk} is still running after {options['timeout']} s", returncode=1
            )


def _seconds(raw: str, option: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        fail(f"{option} must be a number of seconds, not {raw!r}")
    if not 0 <= value < 10**7:
        fail(f"{option} must be zero or more seconds")
    return value
