"""A robot's folder parameters cannot reach another municipality's files, nor anything else on
the server: every registered robot × every folder parameter × every way out of the storage root
× every role of municipality B × every entry point is refused, and nothing is read or written.

The attacks aim only at decoys this test creates in its own temporary directory (municipality
A's root and a folder outside all roots), filled with input the robot would gladly use: a robot
that obeyed would create work items from them or move them, and the test would see it. The
totals are reported at the end of the module ("N attempts, N refusals, 0 leaks").
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from kuntarobo.accounts.models import Municipality, Permission, Role, has_permission
from kuntarobo.demo.data import hr_dataset, write_invoice_file
from kuntarobo.robots.ecec_fees.generate import generate_families, write_jsonl
from kuntarobo.robots.hr_reports.exchange import write_export_xlsx
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError, all_robots
from kuntarobo.runtime.models import RobotDeployment, Run, RunStatus, WorkItem
from kuntarobo.runtime.storage_roots import folder_parameters, refusal, robot_root
from tests.factories import MunicipalityFactory, user_with_role
from tests.runtime.helpers import read_inputs

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.REVIEWER, Role.DEVELOPER, Role.VIEWER)
HOME, VICTIM = "kotikunta", "naapurikunta"  # B attacks, A is attacked

# What each robot reads, as its inputs look: a decoy of these is worth stealing.
INPUT_SUFFIX = {
    "invoice_check": ".csv",
    "hr_reports": ".xlsx",
    "ecec_fees": ".jsonl",
    "file_archiver": ".csv",
}


def folder_cases() -> list[tuple[str, str]]:
    return [(robot.slug, name) for robot in all_robots() for name in folder_parameters(robot)]


CASES = folder_cases()
ATTACKS = (
    "other_root_absolute",
    "other_root_traversal",
    "absolute",
    "dotdot",
    "symlinked_folder",
    "symlinked_file",
)
ENTRIES = ("action", "api", "configure")


@dataclass
class Tally:
    attempts: int = 0
    refusals: int = 0
    leaks: list[str] = field(default_factory=list)


TALLY = Tally()


def test_the_matrix_covers_every_folder_parameter_of_every_robot():
    assert ("invoice_check", "inbox_folder") in CASES
    assert ("hr_reports", "input_folder") in CASES
    assert ("ecec_fees", "input_folder") in CASES
    assert ("file_archiver", "inbox_folder") in CASES
    assert ("file_archiver", "archive_folder") in CASES
    assert {slug for slug, _ in CASES} >= set(INPUT_SUFFIX)


def test_no_robot_parameter_that_names_a_place_on_disk_is_free_text():
    """The class of the bug: a path given as text. A new parameter named like a folder, a file
    or a path must be of kind "folder", or this test names it."""
    suspicious = ("folder", "dir", "path", "file", "inbox", "outbox", "archive")
    free = [
        f"{robot.slug}.{parameter.name}"
        for robot in all_robots()
        for parameter in robot.parameters
        if any(word in parameter.name for word in suspicious) and parameter.kind != "folder"
    ]
    assert free == []


def plant_inputs(folder: Path, robot_slug: str) -> Path:
    """Input the robot would use, in `folder`; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    day = datetime.date(2030, 1, 2)
    if robot_slug == "invoice_check":
        return write_invoice_file(folder, day, count=3, seed=5)
    if robot_slug == "hr_reports":
        target = folder / "hr-export-2029-12.xlsx"
        write_export_xlsx(hr_dataset(year=2029, month=12), target)
        return target
    if robot_slug == "ecec_fees":
        target = folder / "perheet.jsonl"
        write_jsonl(target, generate_families(3, seed=5, period_start=datetime.date(2026, 7, 1)))
        return target
    target = folder / "siirto-1.csv"
    target.write_text("tunniste;henkilötunnus\n1;131052-308T\n", encoding="utf-8")
    return target


def snapshot(*folders: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry below the folders, without following symlinks: kind, content hash, mtime."""
    seen: dict[str, tuple[Any, ...]] = {}
    for top in folders:
        for directory, names, files in os.walk(top):
            for name in [*names, *files]:
                path = Path(directory) / name
                info = path.lstat()
                digest = ""
                if path.is_file() and not path.is_symlink():
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                link = os.readlink(path) if path.is_symlink() else ""
                seen[str(path)] = (info.st_mode, info.st_size, info.st_mtime_ns, digest, link)
    return seen


@dataclass
class Scene:
    home: Municipality
    users: dict[str, Any]
    decoys: Path
    victim_root: Path
    value: str
    valid: dict[str, str]


def build_scene(tmp_path: Path, robot_slug: str, parameter: str, attack: str) -> Scene:
    home = MunicipalityFactory(slug=HOME)
    MunicipalityFactory(slug=VICTIM)
    users = {str(role): user_with_role(role, home, username=f"b-{role}") for role in ROLES}
    home_root = robot_root(HOME, robot_slug)
    victim_root = robot_root(VICTIM, robot_slug)
    # A's own folder with A's data, and a decoy outside every root.
    plant_inputs(victim_root / "inbox", robot_slug)
    decoys = tmp_path / "decoys"
    decoy_file = plant_inputs(decoys / "outside", robot_slug)
    (decoys / "outside" / "marker.txt").write_text("must stay")
    # B's own folders, as a legitimate configuration has them.
    (home_root / "inbox").mkdir(parents=True)
    (home_root / "archive").mkdir()
    if parameter == "archive_folder":
        plant_inputs(home_root / "inbox", robot_slug)  # what would be moved out to the decoy
    value = {
        "other_root_absolute": str(victim_root / "inbox"),
        "other_root_traversal": f"../../{VICTIM}/{robot_slug}/inbox",
        "absolute": str(decoys / "outside"),
        "dotdot": "../../../decoys/outside",
        "symlinked_folder": "linked",
        "symlinked_file": "planted",
    }[attack]
    if attack == "symlinked_folder":
        (home_root / "linked").symlink_to(decoys / "outside", target_is_directory=True)
    if attack == "symlinked_file":
        (home_root / "planted").mkdir()
        (home_root / "planted" / f"export{INPUT_SUFFIX[robot_slug]}").symlink_to(decoy_file)
        # The archive's manifest planted as a link to the decoy: the archiver must not append.
        today = datetime.date.today().isoformat()
        (home_root / "planted" / today).mkdir()
        manifest = home_root / "planted" / today / "manifest.txt"
        manifest.symlink_to(decoys / "outside" / "marker.txt")
    assert (
        (tmp_path / "municipalities" / HOME / robot_slug / value).resolve().is_relative_to(tmp_path)
    )  # every attack aims inside this test's directory, never at a real system path
    valid = {"inbox_folder": "inbox", "archive_folder": "archive", "input_folder": "inbox"}
    return Scene(home, users, decoys, victim_root, value, valid)


def database_state() -> tuple[Any, ...]:
    return (
        # A refused run is the record of a refusal, not something read.
        Run.objects.exclude(status=RunStatus.REFUSED).count(),
        WorkItem.objects.count(),
        sorted(RobotDeployment.objects.values_list("pk", "parameters").order_by("pk")),
    )


def attempt(scene: Scene, robot_slug: str, parameter: str, role: str, entry: str) -> str:
    """Try the attack; return "refused" with the expected answer, or a description."""
    user = scene.users[role]
    robot_parameters = {
        name: scene.valid[name] for name in folder_parameters_of(robot_slug) if name != parameter
    }
    robot_parameters[parameter] = scene.value
    needed = Permission.CONFIGURE if entry == "configure" else Permission.RUN
    allowed = has_permission(user, scene.home, needed)
    if entry == "api":
        client = Client()
        client.force_login(user)
        body = {"municipality": HOME, "robot": robot_slug, "parameters": robot_parameters}
        response = client.post("/api/v1/runs", json.dumps(body), content_type="application/json")
        if response.status_code == 202:  # the input is read by a worker: refused there
            read_inputs()
            run = Run.objects.get(pk=response.json()["id"])
            if run.status != RunStatus.REFUSED:
                return "accepted"
            if run.error.get("field") != parameter:
                return f"refused naming {run.error.get('field')}"
            return tells_nothing(scene, parameter, run.error["en"])
        expected = 400 if allowed else 403
        if response.status_code != expected:
            return f"answered {response.status_code}: {response.content[:300]!r}"
        if not allowed:
            return "refused"
        error = response.json()["error"]
        if error["field"] != f"parameters.{parameter}":
            return f"named {error['field']}"
        return tells_nothing(scene, parameter, error["message"])
    try:
        if entry == "action":
            actions.start_run(user, scene.home, robot_slug, parameters=robot_parameters)
        else:
            actions.configure_deployment(
                user,
                scene.home,
                robot_slug,
                enabled=True,
                schedule_enabled=False,
                parameters=robot_parameters,
            )
    except actions.PermissionDeniedError:
        return "refused" if not allowed else "refused permission it has"
    except InputError as error:
        if not allowed:
            return "checked input before permission"
        if error.field != parameter:
            return f"named {error.field}: {error}"
        return tells_nothing(scene, parameter, str(error))
    return "accepted"


def tells_nothing(scene: Scene, parameter: str, message: str) -> str:
    """A refusal is the same sentence whatever lies (or not) at the path: it echoes what the
    person gave and names nothing the server has."""
    if scene.value == "planted":  # the folder is B's own; only the planted link is refused
        leaked = str(scene.decoys) in message or "marker" in message
        return f"revealed: {message}" if leaked else "refused"
    with translation.override("en"):
        expected = str(refusal(parameter, scene.value))
    return "refused" if message == expected else f"said: {message}"


def folder_parameters_of(robot_slug: str) -> list[str]:
    return next(folder_parameters(r) for r in all_robots() if r.slug == robot_slug)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize(("robot_slug", "parameter"), CASES)
def test_a_folder_outside_the_municipalitys_root_is_refused_at_every_entry_for_every_role(
    tmp_path, robot_slug, parameter, attack
):
    scene = build_scene(tmp_path, robot_slug, parameter, attack)
    outside = (scene.decoys, scene.victim_root)
    before_files, before_db = snapshot(*outside), database_state()
    entries = ENTRIES
    if attack == "symlinked_file":
        # "planted" is a folder inside the root: configuring it is legitimate; reading the
        # link planted in it is what must not happen.
        entries = ("action", "api")
    failures = []
    read_something = False
    for role in ROLES:
        for entry in entries:
            TALLY.attempts += 1
            with translation.override("en"):  # the API answers in English; so do the actions
                result = attempt(scene, robot_slug, parameter, str(role), entry)
            if attack == "symlinked_file" and robot_slug == "file_archiver":
                result = worker_leaves_the_link_alone(scene, result, role, entry)
            elif database_state() != before_db:
                result = f"{result}, but wrote to the database"
                read_something = True
            if result == "refused":
                TALLY.refusals += 1
            else:
                failures.append(f"{role} via {entry}: {result}")
    if robot_slug == "file_archiver":  # what a run let through would do now
        call_command("worker", batch=True, interval=0, verbosity=0)
    leaked = read_something or snapshot(*outside) != before_files
    if leaked:
        TALLY.leaks.append(f"{robot_slug}.{parameter} {attack}")
    assert failures == []
    assert not leaked, "a decoy outside the root was read or changed"
    assert (scene.decoys / "outside" / "marker.txt").read_text() == "must stay"


def worker_leaves_the_link_alone(scene: Scene, result: str, role: Any, entry: str) -> str:
    """The archiver's run starts (its folders are inside the root); its worker must then move
    neither the planted link nor what it points at, and append nothing through a planted
    manifest link."""
    allowed = has_permission(scene.users[str(role)], scene.home, Permission.RUN)
    if not allowed:
        return result
    if result != "accepted":
        return result
    call_command("worker", batch=True, interval=0, verbosity=0)
    home_root = robot_root(HOME, "file_archiver")
    planted = home_root / "planted" / "export.csv"
    if not planted.is_symlink():
        return "the planted link was moved"
    return "refused"
