"""Where a municipality's robots may read and write files: below their storage root,
`<KUNTAROBO_MUNICIPALITY_ROOT>/<municipality>/<robot>/` (or a municipality's own root from
KUNTAROBO_MUNICIPALITY_ROOTS). A robot's folder parameters are paths relative to that root and
are resolved here only, at every entry and again when a robot uses them: one municipality can
never point a robot at another's files, nor anywhere else on the server.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

from kuntarobo.runtime.declarations import InputError, Robot, folder_refusal, resolve_folder

logger = logging.getLogger(__name__)

FOLDER_KIND = "folder"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,99}")


def base_root() -> Path:
    configured = str(getattr(settings, "KUNTAROBO_MUNICIPALITY_ROOT", "") or "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "municipalities"


def overrides() -> dict[str, Path]:
    configured: Mapping[str, Any] = getattr(settings, "KUNTAROBO_MUNICIPALITY_ROOTS", {}) or {}
    return {str(slug): Path(str(path)) for slug, path in configured.items()}


def municipality_root(municipality_slug: str) -> Path:
    own = overrides().get(municipality_slug)
    return own if own is not None else base_root() / municipality_slug


def robot_root(municipality_slug: str, robot_slug: str) -> Path:
    """The robot's storage root in the municipality; InputError if it cannot be trusted."""
    problems = configuration_problems()
    if problems or not _NAME.fullmatch(municipality_slug) or not _NAME.fullmatch(robot_slug):
        logger.error("storage roots refused: %s", "; ".join(problems) or "bad slug")
        raise InputError(
            _(
                "the storage folders of %(municipality)s are not configured correctly; ask the "
                "operator"
            ),
            municipality=municipality_slug,
        )
    return municipality_root(municipality_slug) / robot_slug


# The refusal and the check live in the SDK, which robots use; the roots are found here.
refusal = folder_refusal
resolve = resolve_folder


def folder_parameters(robot: type[Robot]) -> list[str]:
    return [p.name for p in robot.parameters if p.kind == FOLDER_KIND]


def check_folders(robot: type[Robot], municipality_slug: str, parameters: dict[str, Any]) -> None:
    """Every folder parameter given resolves inside the robot's root here: the check of each
    entry point (run start, deployment settings) before anything is written."""
    names = [n for n in folder_parameters(robot) if parameters.get(n) not in (None, "")]
    if not names:
        return
    root = robot_root(municipality_slug, robot.slug)
    for name in names:
        resolve(root, name, parameters[name])


def configuration_problems() -> list[str]:
    """What makes the configured roots unsafe: relative paths, one municipality's root inside
    another's, or a root that holds the platform's own files (database, media, static)."""
    problems: list[str] = []
    base = base_root()
    own = overrides()
    roots = {"KUNTAROBO_MUNICIPALITY_ROOT": base}
    roots.update({f"KUNTAROBO_MUNICIPALITY_ROOTS[{slug}]": path for slug, path in own.items()})
    for label, path in roots.items():
        if not path.is_absolute():
            problems.append(f"{label} must be an absolute path")
    for slug in own:
        if not _NAME.fullmatch(slug):
            problems.append(f"KUNTAROBO_MUNICIPALITY_ROOTS: {slug!r} is not a municipality slug")
    if problems:
        return problems
    resolved = {label: path.resolve() for label, path in roots.items()}
    platform = {
        "VAR_DIR": Path(settings.VAR_DIR).resolve(),
        "MEDIA_ROOT": Path(settings.MEDIA_ROOT).resolve(),
        "STATIC_ROOT": Path(settings.STATIC_ROOT).resolve(),
    }
    for label, path in resolved.items():
        for name, platform_path in platform.items():
            if platform_path.is_relative_to(path):
                problems.append(f"{label} holds {name}")
            elif name != "VAR_DIR" and path.is_relative_to(platform_path):
                problems.append(f"{label} is inside {name}")
    common = resolved["KUNTAROBO_MUNICIPALITY_ROOT"]
    for slug in own:
        path = resolved[f"KUNTAROBO_MUNICIPALITY_ROOTS[{slug}]"]
        # A municipality's own root may be its default place under the common root, no other.
        if (path.is_relative_to(common) and path != common / slug) or common.is_relative_to(path):
            problems.append(f"KUNTAROBO_MUNICIPALITY_ROOTS[{slug}] overlaps the common root")
        for other in own:
            other_path = resolved[f"KUNTAROBO_MUNICIPALITY_ROOTS[{other}]"]
            if other != slug and path.is_relative_to(other_path):
                problems.append(f"KUNTAROBO_MUNICIPALITY_ROOTS[{slug}] is inside {other}'s root")
    return problems


@checks.register(checks.Tags.security)
def check_storage_roots(**_kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(problem, hint="see docs/operations.md, storage roots", id="kuntarobo.E101")
        for problem in configuration_problems()
    ]
