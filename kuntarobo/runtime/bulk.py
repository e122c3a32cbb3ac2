"""Inserting thousands of rows of one model that differ in a few fields only.

A run's start creates a work item and a queue entry per family, 14,000 of each for a large
municipality, in one transaction, before any worker can begin. Django's bulk_create() prepares
every field of every instance (a dozen JSON encodings and date conversions per row for values
that are the same in all of them). Here the shared values are prepared once, from a template;
PostgreSQL then takes the rows by COPY, SQLite 500 rows an INSERT.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

_ROWS_PER_STATEMENT = 500  # a VALUES INSERT (SQLite's, not COPY): within its 32,766 parameters


def insert_rows(
    template: Model, rows: Sequence[Mapping[str, Any]], *, returning_ids: bool = False
) -> list[Any]:
    """INSERT a row per mapping: its values for the fields it names, the template's for the rest.

    Field names are attribute names (`run_id`, not `run`). With `returning_ids` the primary key
    is left to the database and the new keys are returned in the order of `rows`; otherwise
    each mapping or the template gives it. Values are prepared by their fields, as the ORM
    would; signals and `save()` are not run, as with bulk_create().
    """
    if not rows:
        return []
    meta = template._meta
    fields = [f for f in meta.concrete_fields if not (returning_ids and f.primary_key)]
    names = {f.attname for f in fields}
    for row in rows:
        unknown = set(row) - names
        if unknown:
            raise ValueError(f"{meta.label} has no insertable field {sorted(unknown)}")
    base = {f.attname: getattr(template, f.attname) for f in fields}
    if returning_ids and not connection.features.can_return_rows_from_bulk_insert:
        # A database without RETURNING (SQLite before 3.35): one INSERT a row tells its key.
        keys = []
        for row in rows:
            instance = type(template)(**{**base, **row})
            instance.save(force_insert=True)
            keys.append(instance.pk)
        return keys
    shared = {f.attname: f.get_db_prep_save(base[f.attname], connection) for f in fields}
    if connection.vendor == "postgresql":
        # A JSON value shared by all rows is encoded once, not by COPY for every row.
        shared = {name: _json_text(value) for name, value in shared.items()}
    prepared = [
        [
            f.get_db_prep_save(row[f.attname], connection)
            if f.attname in row
            else shared[f.attname]
            for f in fields
        ]
        for row in rows
    ]
    if connection.vendor == "postgresql":
        return _copy(template, fields, prepared, returning_ids=returning_ids)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    one_row = f"({', '.join(['%s'] * len(fields))})"
    returning = f" RETURNING {quote(meta.pk.column)}" if returning_ids else ""
    ids: list[Any] = []
    # Many rows a statement: as many single-row INSERTs (executemany) cost far more.
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), _ROWS_PER_STATEMENT):
            chunk = prepared[start : start + _ROWS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
                f"{', '.join([one_row] * len(chunk))}{returning}",
                [value for values in chunk for value in values],
            )
            if returning_ids:
                ids.extend(found for (found,) in cursor.fetchall())
    return ids


def _copy(
    template: Model, fields: list[Any], prepared: list[list[Any]], *, returning_ids: bool
) -> list[Any]:
    """PostgreSQL: COPY, with the keys taken from the table's sequence beforehand.

    An array a column (the ORM's UNNEST) has every quote of every JSON value escaped by a
    regular expression in Python: 14,000 items' payloads cost more than five seconds that way.
    COPY's text format escapes in C, and only tabs, newlines and backslashes.
    """
    meta = template._meta
    quote = connection.ops.quote_name
    ids: list[Any] = []
    with connection.cursor() as cursor:
        if returning_ids:
            pk = meta.pk
            assert pk is not None
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(prepared)],
            )
            ids = sorted(found for (found,) in cursor.fetchall())
            fields = [pk, *fields]
            prepared = [[key, *values] for key, values in zip(ids, prepared, strict=True)]
        columns = ", ".join(quote(f.column) for f in fields)
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        # The driver's own cursor: its errors become Django's (IntegrityError) only through this.
        started = time.monotonic()
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for values in prepared:
                copy.write_row(values)
        if connection.queries_logged:  # as Django's debug cursor would, which COPY bypasses
            connection.queries_log.append(
                {
                    "sql": f"{sql} ({len(prepared)} rows)",
                    "time": f"{time.monotonic() - started:.3f}",
                }
            )
    return ids


def _json_text(value: Any) -> Any:
    """A psycopg JSON parameter as the text PostgreSQL reads from COPY; anything else as is."""
    from psycopg.types.json import Json, Jsonb

    if isinstance(value, Json | Jsonb):
        return (value.dumps or json.dumps)(value.obj)
    return value
