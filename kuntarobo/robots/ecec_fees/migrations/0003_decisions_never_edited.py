"""An approved fee decision is never edited, only superseded: the database refuses any change
to its content, and its deletion unless under the audited purge permit of the retention
purge, whoever asks. (A later migration that makes SQLite rebuild the table drops these
triggers: such a migration must create them again.) Delivery may still record how it was sent (once),
and a later decision may mark it superseded."""

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations
from django.db.migrations.state import StateApps

CONTENT = (
    "municipality_id",
    "family_id",
    "decision_number",
    "work_item_id",
    "valid_from",
    "language",
    "inputs",
    "result",
    "snapshot",
    "total_fee",
    "fingerprint",
    "parameters_valid_from",
    "settings_valid_from",
    "rule_version",
    "supersedes_id",
    "decided_by",
    "decided_by_title",
    "decided_at",
)
TABLE = "ecec_fees_feedecision"
MESSAGE = "an approved fee decision is never edited: a new decision supersedes it"


def _changed(null_safe_differs: str, content: tuple[str, ...]) -> str:
    return " OR ".join(null_safe_differs.format(c=column) for column in content)


def sqlite_statements(content: tuple[str, ...]) -> list[str]:
    return [
        f"""CREATE TRIGGER ecec_decision_immutable BEFORE UPDATE ON {TABLE}
        WHEN OLD.status NOT IN ('draft')
         AND ({_changed("NEW.{c} IS NOT OLD.{c}", content)}
              OR (OLD.document <> '' AND NEW.document IS NOT OLD.document)
              OR NEW.status = 'draft')
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER ecec_decision_no_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.status <> 'draft' AND NOT EXISTS (SELECT 1 FROM audit_auditpurgepermit)
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    ]


SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ecec_decision_immutable;",
    "DROP TRIGGER IF EXISTS ecec_decision_no_delete;",
]


def postgres_statements(content: tuple[str, ...]) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION ecec_decision_immutable() RETURNS trigger AS $$
        BEGIN
          IF OLD.status = 'draft' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
          END IF;
          IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_auditpurgepermit) THEN
            RETURN OLD;
          END IF;
          IF TG_OP = 'DELETE'
             OR {_changed("NEW.{c} IS DISTINCT FROM OLD.{c}", content)}
             OR (OLD.document <> '' AND NEW.document IS DISTINCT FROM OLD.document)
             OR NEW.status = 'draft' THEN
            RAISE EXCEPTION '{MESSAGE}';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;""",
        f"DROP TRIGGER IF EXISTS ecec_decision_immutable ON {TABLE};",
        f"""CREATE TRIGGER ecec_decision_immutable BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION ecec_decision_immutable();""",
    ]


POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS ecec_decision_immutable ON {TABLE};",
    "DROP FUNCTION IF EXISTS ecec_decision_immutable();",
]


def install(schema_editor: BaseDatabaseSchemaEditor, content: tuple[str, ...]) -> None:
    """(Re)create the triggers guarding `content`; also after SQLite rebuilt the table."""
    if schema_editor.connection.vendor == "postgresql":
        statements = postgres_statements(content)
    else:
        statements = [*SQLITE_REVERSE, *sqlite_statements(content)]
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install(schema_editor, CONTENT)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ecec_fees", "0002_parameter_rows"), ("audit", "0002_purge_permit")]

    operations = [migrations.RunPython(forwards, backwards)]
