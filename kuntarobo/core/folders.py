"""Folders a robot may use: a relative value checked for form, then resolved below the robot's
storage root with symlinks followed. Pure Python, so the rules are easy to read and to test.

Every refusal raises the same `FolderRefused` without any detail: the caller's message names the
parameter and the value the person gave, and never says what exists (or not) outside the root.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

MAX_LENGTH = 255
# Control characters (NUL among them) and backslashes have no place in a folder name here.
_BAD_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\\]")


class FolderRefused(ValueError):
    """The value is not a folder inside the root; deliberately without a reason."""


def clean_relative(value: str) -> str:
    """The value as a normalised relative path ("inbox", "archive/2026"), or FolderRefused."""
    text = value.strip()
    if not text or len(text) > MAX_LENGTH or _BAD_CHARACTERS.search(text):
        raise FolderRefused(value)
    if PurePosixPath(text).is_absolute() or text.startswith("~"):
        raise FolderRefused(value)
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        raise FolderRefused(value)
    return "/".join(parts)


def resolve_below(root: Path, value: str) -> Path:
    """The folder `value` names below `root`, with symlinks and `..` resolved, or FolderRefused
    if it is (or leads) anywhere else. The folder itself need not exist yet."""
    relative = clean_relative(value)
    try:
        base = root.resolve()
        target = (base / relative).resolve()
    except (OSError, RuntimeError):  # a symlink loop, an unreadable path component
        raise FolderRefused(value) from None
    if target == base or not target.is_relative_to(base):
        raise FolderRefused(value)
    return target


def is_inside(root: Path, path: Path) -> bool:
    """Whether `path` (symlinks followed) is strictly below `root`."""
    try:
        return path.resolve().is_relative_to(root.resolve()) and path.resolve() != root.resolve()
    except (OSError, RuntimeError):
        return False


def regular_files(folder: Path, suffixes: Iterable[str] = ()) -> list[Path]:
    """The regular files directly in `folder` (not symlinks, not folders, not devices), with one
    of the suffixes if any are given. A symlink planted in an inbox is never followed."""
    wanted = tuple(s.lower() for s in suffixes)
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.is_file(follow_symlinks=False):
                continue
            if wanted and not entry.name.lower().endswith(wanted):
                continue
            found.append(Path(entry.path))
    return sorted(found)


def is_regular_file(path: Path) -> bool:
    """A regular file itself, not a symlink to one."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def display(root: Path, path: Path) -> str:
    """How a person sees a folder: relative to the robot's root, never the server's path."""
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
