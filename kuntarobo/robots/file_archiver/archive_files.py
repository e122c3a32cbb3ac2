"""Keywords of the archiver's task suite that touch files. They work only below the robot's
storage root and never follow a symlink: a symlink planted in the inbox or the archive is left
where it is, so nothing outside the root is read, moved or written.

Folders are opened once (O_NOFOLLOW) and files moved by name relative to those open folders, so
a folder swapped for a symlink after the check does not redirect the move.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import stat
from pathlib import Path

from robot.api import logger
from robot.api.deco import keyword, library

from kuntarobo.core.folders import display, is_inside

BUSINESS = "BusinessException:"
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _open_folder(folder: str, root: str) -> int:
    path = Path(folder)
    if not is_inside(Path(root), path) or path.is_symlink():
        raise AssertionError(f"{BUSINESS} a folder is outside the robot's storage folder")
    return os.open(path, _DIRECTORY_FLAGS)


@library(scope="GLOBAL", auto_keywords=False)
class archive_files:  # noqa: N801  (Robot Framework imports the library by its module's name)
    @keyword
    def shown_path(self, path: str, root: str) -> str:
        """The folder as a person knows it: relative to the storage root."""
        return display(Path(root), Path(path))

    @keyword
    def folder_should_be_inside(self, folder: str, root: str, label: str) -> None:
        path = Path(folder)
        if not is_inside(Path(root), path) or path.is_symlink():
            raise AssertionError(f"{BUSINESS} the {label} is outside the robot's storage folder")
        if not path.is_dir():
            shown = display(Path(root), path)
            raise AssertionError(f"{BUSINESS} {label} {shown} does not exist")

    @keyword
    def day_folder(self, archive: str, root: str, day: str) -> str:
        """The archive's folder for the day, created if missing; refused if it is a symlink."""
        if os.sep in day or day in ("", ".", ".."):
            raise AssertionError(f"{BUSINESS} {day!r} is not a folder name")
        if not Path(archive).exists() and is_inside(Path(root), Path(archive)):
            Path(archive).mkdir(mode=0o750, parents=True, exist_ok=True)
        archive_fd = _open_folder(archive, root)
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(day, 0o750, dir_fd=archive_fd)
            mode = os.stat(day, dir_fd=archive_fd, follow_symlinks=False).st_mode
        finally:
            os.close(archive_fd)
        if not stat.S_ISDIR(mode):
            raise AssertionError(f"{BUSINESS} the archive's folder {day} is not a plain folder")
        return str(Path(archive) / day)

    @keyword
    def regular_files_in_folder(self, folder: str, root: str, pattern: str) -> list[str]:
        """Names of the regular files matching the pattern; symlinks and the rest are skipped."""
        folder_fd = _open_folder(folder, root)
        try:
            names = []
            skipped = 0
            for name in sorted(os.listdir(folder_fd)):
                if not fnmatch.fnmatchcase(name, pattern):
                    continue
                mode = os.stat(name, dir_fd=folder_fd, follow_symlinks=False).st_mode
                if stat.S_ISREG(mode):
                    names.append(name)
                else:
                    skipped += 1
        finally:
            os.close(folder_fd)
        if skipped:
            logger.warn(f"{skipped} entries matching {pattern} are not regular files; left alone")
        return names

    @keyword
    def archive_file(self, name: str, inbox: str, target: str, root: str) -> int:
        """Move the regular file `name` from the inbox to the target folder and append it to
        the target's manifest; return its size. Never follows a symlink."""
        if os.sep in name or name in (".", ".."):
            raise AssertionError(f"{BUSINESS} {name!r} is not a file name")
        inbox_fd = _open_folder(inbox, root)
        target_fd = _open_folder(target, root)
        try:
            status = os.stat(name, dir_fd=inbox_fd, follow_symlinks=False)
            if not stat.S_ISREG(status.st_mode):
                raise AssertionError(f"{BUSINESS} {name} is not a regular file; left alone")
            # The manifest first: one planted as a symlink stops the task before any move.
            try:
                manifest = os.open(
                    "manifest.txt",
                    os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW,
                    0o640,
                    dir_fd=target_fd,
                )
            except OSError as error:
                if error.errno != errno.ELOOP:
                    raise
                raise AssertionError(
                    f"{BUSINESS} the archive's manifest.txt is not a regular file"
                ) from None
            try:
                try:
                    os.rename(name, name, src_dir_fd=inbox_fd, dst_dir_fd=target_fd)
                except OSError as error:
                    if error.errno != errno.EXDEV:
                        raise
                    _copy_then_remove(name, inbox_fd, target_fd)
                os.write(manifest, f"{name}\t{status.st_size}\n".encode())
            finally:
                os.close(manifest)
        finally:
            os.close(inbox_fd)
            os.close(target_fd)
        return status.st_size


def _copy_then_remove(name: str, inbox_fd: int, target_fd: int) -> None:
    """The archive on another file system: copy without following symlinks, then remove."""
    source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=inbox_fd)
    temporary = f".{name}.part"
    try:
        if not stat.S_ISREG(os.fstat(source).st_mode):
            raise AssertionError(f"{BUSINESS} {name} is not a regular file; left alone")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        destination = os.open(temporary, flags, 0o640, dir_fd=target_fd)
        try:
            while chunk := os.read(source, 1 << 20):
                os.write(destination, chunk)
            os.fsync(destination)
        finally:
            os.close(destination)
    finally:
        os.close(source)
    os.rename(temporary, name, src_dir_fd=target_fd, dst_dir_fd=target_fd)
    os.unlink(name, dir_fd=inbox_fd)
