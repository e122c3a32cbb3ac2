"""Database triggers that keep a decided record as it was decided, made from the model.

Hand-written triggers listed their columns in a migration, and every later migration that made
SQLite rebuild the table (which drops its triggers) had to remember to create them again. Here
they are made from `DecisionRecord.guarded_fields()` and (re)installed after every migrate, so
a new column is guarded from the moment it exists and a rebuilt table is guarded again."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from kuntarobo.decisions.models import DecisionRecord, DecisionStatus

MESSAGE = "a decided record is never edited: a new decision supersedes it"
DRAFT = DecisionStatus.DRAFT.value
# While a row of this table exists, the audited retention purge may delete decided records.
PURGE_PERMIT_TABLE = "audit_auditpurgepermit"


def trigger_names(table: str) -> tuple[str, str]:
    return f"{table}_immutable", f"{table}_no_delete"


def _changed(template: str, columns: list[str]) -> str:
    return " OR ".join(template.format(c=column) for column in columns) or "FALSE"


def sqlite_statements(table: str, guarded: list[str], write_once: list[str]) -> list[str]:
    immutable, no_delete = trigger_names(table)
    once = "".join(
        f" OR (OLD.{c} IS NOT NULL AND OLD.{c} <> '' AND NEW.{c} IS NOT OLD.{c})"
        for c in write_once
    )
    return [
        f"DROP TRIGGER IF EXISTS {immutable};",
        f"DROP TRIGGER IF EXISTS {no_delete};",
        f"""CREATE TRIGGER {immutable} BEFORE UPDATE ON {table}
        WHEN OLD.status <> '{DRAFT}'
         AND ({_changed("NEW.{c} IS NOT OLD.{c}", guarded)}{once} OR NEW.status = '{DRAFT}')
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER {no_delete} BEFORE DELETE ON {table}
        WHEN OLD.status <> '{DRAFT}' AND NOT EXISTS (SELECT 1 FROM {PURGE_PERMIT_TABLE})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    ]


def postgres_statements(table: str, guarded: list[str], write_once: list[str]) -> list[str]:
    immutable, _ = trigger_names(table)
    once = "".join(
        f" OR (OLD.{c} IS NOT NULL AND OLD.{c}::text <> '' AND NEW.{c} IS DISTINCT FROM OLD.{c})"
        for c in write_once
    )
    return [
        f"""CREATE OR REPLACE FUNCTION {immutable}() RETURNS trigger AS $$
        BEGIN
          IF OLD.status = '{DRAFT}' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
          END IF;
          IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM {PURGE_PERMIT_TABLE}) THEN
            RETURN OLD;
          END IF;
          IF TG_OP = 'DELETE'
             OR {_changed("NEW.{c} IS DISTINCT FROM OLD.{c}", guarded)}{once}
             OR NEW.status = '{DRAFT}' THEN
            RAISE EXCEPTION '{MESSAGE}';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;""",
        f"DROP TRIGGER IF EXISTS {immutable} ON {table};",
        f"""CREATE TRIGGER {immutable} BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {immutable}();""",
    ]


def statements(
    model: type[DecisionRecord], vendor: str, existing: set[str] | None = None
) -> list[str]:
    """The guards' SQL; with `existing` (the table's columns) only for columns that exist: after
    a migrate back the model has columns the table has not yet, and a trigger naming one would
    break every later rebuild of a table on SQLite (it checks the schema's triggers)."""
    table = model._meta.db_table
    guarded = model.guarded_fields()
    write_once = model.write_once_columns()
    if existing is not None:
        guarded = [c for c in guarded if c in existing]
        write_once = [c for c in write_once if c in existing]
    if vendor == "postgresql":
        return postgres_statements(table, guarded, write_once)
    if vendor == "sqlite":
        return sqlite_statements(table, guarded, write_once)
    raise NotImplementedError(f"no decision record guards for the {vendor} database")


def install(model: type[DecisionRecord], connection: BaseDatabaseWrapper) -> None:
    """(Re)create the guards of one model's table, for the columns it has; idempotent."""
    with connection.cursor() as cursor:
        existing = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, model._meta.db_table
            )
        }
        for statement in statements(model, connection.vendor, existing):
            cursor.execute(statement)


def decision_models(app_config: AppConfig) -> list[type[DecisionRecord]]:
    return [
        model
        for model in app_config.get_models()
        if issubclass(model, DecisionRecord) and not model._meta.abstract
    ]


def guard_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: guard the decision tables of the app just migrated."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    for model in decision_models(sender):
        if model._meta.db_table in tables:
            install(model, connection)
