"""The `kuntarobo` command: the project's manage.py, so every operator task has one entry point.

It names no robot: a command that can be answered without Django (a new process then takes
tens of milliseconds instead of half a second) is answered by the `fast_cli` module of the app
that owns the command, and `kuntarobo help` groups the commands by platform and robot
(kuntarobo.runtime.command_index)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kuntarobo.deployment import PRIVATE_UMASK, installed_apps

FAST_MODULE = "fast_cli"


def command_app(apps: Sequence[str], name: str) -> tuple[str, Path] | None:
    """The app whose management/commands/<name>.py Django would run, and its folder: the first
    in INSTALLED_APPS that has one, as Django picks. Found by file name, without importing an
    app (only the packages above it); None when no app has it or an entry cannot be read."""
    if not name or name.startswith(("-", ".", "_")) or not name.replace("-", "_").isidentifier():
        return None
    for app in apps:
        try:
            spec = importlib.util.find_spec(app)
        except (ImportError, ValueError):
            return None  # Django reports a missing app better
        if spec is None or not spec.submodule_search_locations:
            continue  # an AppConfig's dotted path, or a module that is not a package
        for folder in map(Path, spec.submodule_search_locations):
            if (folder / "management" / "commands" / f"{name}.py").is_file():
                return app, folder
    return None


def answer_without_django(argv: Sequence[str]) -> int | None:
    """The exit code of a command its app's fast_cli answered, or None: Django answers."""
    if not argv:
        return None
    owner = command_app(installed_apps(os.environ), argv[0])
    if owner is None or not (owner[1] / f"{FAST_MODULE}.py").is_file():
        return None
    module = importlib.import_module(f"{owner[0]}.{FAST_MODULE}")
    code: int | None = module.answer(list(argv))
    return code


def main() -> None:
    os.umask(PRIVATE_UMASK)  # before anything is written: var/ holds personal data
    if sys.argv[1:2] == ["demo"]:
        # The one signal of the embedded demo, read by the settings of this process and of
        # the web, worker and scheduler processes it starts (kuntarobo/deployment.py).
        os.environ.setdefault("KUNTAROBO_DEMO", "1")
    code = answer_without_django(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntarobo.settings")
    from kuntarobo.runtime.command_index import Utility

    Utility(["kuntarobo", *sys.argv[1:]]).execute()


if __name__ == "__main__":
    main()
