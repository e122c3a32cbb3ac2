"""Shared by the command-line nouns (robots, items, tokens, audit): one way to refuse bad input
(exit code 2, a message on stderr, nothing changed), to find the acting user, and to print."""

from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, OutputWrapper
from django.core.serializers.json import DjangoJSONEncoder

from kuntarobo.core.masking import mask_identity_codes

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from kuntarobo.runtime.actions import StartedRun

BAD_INPUT = 2


def fail(message: str) -> NoReturn:
    """Refuse the command: Django prints the message to stderr and exits with code 2. Messages
    quote input rows, and stderr often ends up in a scheduler's log: identity codes are masked."""
    raise CommandError(mask_identity_codes(message), returncode=BAD_INPUT)


def acting_user(username: str) -> User:
    """The user named by --user, whose roles decide what the command may do."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        fail(f"unknown user '{username}'")
    if not user.is_active:
        fail(f"user '{username}' is deactivated")
    return user


def operator_label() -> str:
    """Who ran a command that acts for no platform user (export, purge): the OS account."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. an arbitrary container uid
        name = "unknown"
    return f"command line ({name})"


def input_path(value: str) -> Path:
    """The --input file, refused when it is not there."""
    path = Path(value).expanduser()
    if not path.is_file():
        fail(f"--input {path}: no such file")
    return path


def start_run(
    actor: Any,
    municipality_slug: str,
    robot_slug: str,
    parameters: dict[str, Any],
    input_file: Path | None,
) -> StartedRun:
    """A run started from the command line; bad input or a missing right refuses the command."""
    from kuntarobo.runtime import actions
    from kuntarobo.runtime.declarations import InputError
    from kuntarobo.runtime.models import Trigger

    try:
        municipality = actions.get_municipality(municipality_slug)
        return actions.start_run(
            actor,
            municipality,
            robot_slug,
            parameters=parameters,
            input_file=input_file,
            trigger=Trigger.CLI,
            via="cli",
        )
    except (InputError, actions.PermissionDeniedError) as error:
        fail(str(error))


def run_here_and_now(
    actor: Any,
    municipality_slug: str,
    robot_slug: str,
    parameters: dict[str, Any],
    input_file: Path | None,
) -> StartedRun:
    """A run started from the command line and all its items done in this process, through the
    code a worker runs (e.g. from a municipality's own job scheduler, with no worker waited
    for); bad input or a missing right refuses the command with exit code 2 and writes nothing.
    The robot's command then prints its own summary of `started.run`."""
    from kuntarobo.runtime.execution import process_run_inline

    started = start_run(actor, municipality_slug, robot_slug, parameters, input_file)
    process_run_inline(started.run.pk)
    return started


def to_json(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def write_table(out: OutputWrapper, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
