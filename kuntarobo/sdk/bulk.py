"""Inserting thousands of rows at once (COPY on PostgreSQL, multi-row INSERT on SQLite)."""

from kuntarobo.runtime.bulk import insert_rows

__all__ = ["insert_rows"]
