"""Files that belong to database rows. A file written for a row inside a transaction is removed
again when that transaction (or the savepoint it was written in) rolls back, so a refused or
failed write leaves no personal data on disk; the sweep (`kuntarobo files sweep`) takes what a
killed process could not remove.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)


def save_file(
    field_file: FieldFile, name: str, content: File[Any], *, using: str = DEFAULT_DB_ALIAS
) -> str:
    """Store `content` in the row's file field (the row itself is not saved) and remove the file
    again if the current transaction does not commit. Returns the stored name."""
    field_file.save(name, content, save=False)
    stored = str(field_file.name)
    remove_on_rollback(field_file.storage, stored, using=using)
    return stored


def remove_on_rollback(storage: Storage, name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove the stored file unless the transaction it was written in commits.

    Django has no on_rollback hook, but it keeps an on_commit callback until the transaction
    commits and drops it when the transaction, or the savepoint the callback was registered in,
    rolls back (or the connection closes mid-transaction). The callback here only notes the
    commit; a finalizer on it removes the file when it is dropped without having run. Outside a
    transaction nothing can roll back: the file is kept.
    """
    if not transaction.get_connection(using).in_atomic_block:
        return
    committed = [False]

    def note_commit() -> None:
        committed[0] = True

    weakref.finalize(note_commit, _remove_unless_committed, committed, storage, name)
    transaction.on_commit(note_commit, using=using)


def _remove_unless_committed(committed: list[bool], storage: Storage, name: str) -> None:
    if committed[0]:
        return
    try:
        storage.delete(name)
    except Exception:  # a finalizer must not raise; the sweep takes the file later
        logger.exception("could not remove %s after a rollback", name)


def write_file_atomically(target: Path, content: bytes) -> None:
    """Write beside the target and rename: a failed write (a full disk) leaves neither half a
    file nor the temporary one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def managed_prefixes() -> dict[str, list[tuple[type[Any], str]]]:
    """The folders (relative to MEDIA_ROOT) that the models' file fields write into, each with
    the (model, field name) pairs that may reference a file there."""
    from django.apps import apps
    from django.db.models import FileField

    prefixes: dict[str, list[tuple[type[Any], str]]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and isinstance(field.upload_to, str):
                prefix = field.upload_to.split("%", 1)[0].rstrip("/")
                if prefix:
                    prefixes.setdefault(prefix, []).append((model, field.name))
    return prefixes


def referenced_names() -> set[str]:
    """Every file name some row's file field holds."""
    names: set[str] = set()
    seen: set[tuple[type[Any], str]] = set()
    for pairs in managed_prefixes().values():
        for model, field_name in pairs:
            if (model, field_name) in seen:
                continue
            seen.add((model, field_name))
            names.update(
                str(name)
                for name in model._default_manager.exclude(**{field_name: ""})
                .values_list(field_name, flat=True)
                .iterator(chunk_size=2000)
                if name
            )
    return names


def stored_files(root: Path, prefixes: list[str]) -> Iterator[tuple[str, float]]:
    """(name relative to root, modification time) of every file under the prefixes."""
    for prefix in prefixes:
        folder = root / prefix
        if not folder.is_dir():
            continue
        for directory, _subdirectories, files in os.walk(folder):
            for file_name in files:
                path = Path(directory) / file_name
                try:
                    modified = path.stat().st_mtime
                except FileNotFoundError:  # removed meanwhile
                    continue
                yield path.relative_to(root).as_posix(), modified
