"""Running decision numbers: one series per municipality, robot and year, without gaps from
concurrent workers (the series row is locked while numbers are taken)."""

from __future__ import annotations

from django.db import connections, router, transaction

from kuntarobo.decisions.models import DecisionSeries


def take_numbers(municipality_id: int, robot_slug: str, year: int, count: int = 1) -> range:
    """`count` consecutive numbers of the series, in the caller's transaction: a rollback
    gives them back, so the series has no gaps from failed batches."""
    if count < 1:
        raise ValueError("count must be at least 1")
    database = router.db_for_write(DecisionSeries)
    # One statement: in the caller's transaction, or (outside one) a transaction of its own.
    last = _advance(database, municipality_id, robot_slug, year, count)
    if last is None:  # the series' first numbers
        with transaction.atomic(using=database):
            series, _created = DecisionSeries.objects.select_for_update().get_or_create(
                municipality_id=municipality_id, robot_slug=robot_slug, year=year
            )
            series.last_number += count
            series.save(update_fields=["last_number"])
            last = series.last_number
    return range(last - count + 1, last + 1)


def _advance(
    database: str, municipality_id: int, robot_slug: str, year: int, count: int
) -> int | None:
    """The series' new last number, by one UPDATE … RETURNING that locks the row until the
    transaction ends (instead of a transaction with a SELECT … FOR UPDATE, a model and a save()
    each time: the fee robot takes a number per decision); None when the series has no row
    yet."""
    connection = connections[database]
    quote = connection.ops.quote_name
    meta = DecisionSeries._meta
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    last = column["last_number"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {last} = {last} + %s "  # noqa: S608  (names)
            f"WHERE {column['municipality']} = %s AND {column['robot_slug']} = %s "
            f"AND {column['year']} = %s RETURNING {last}",
            [count, municipality_id, robot_slug, year],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def format_number(prefix: str, year: int, number: int) -> str:
    """E.g. VAKA-2026-00042: the prefix each municipality sets, the year, the running number."""
    return f"{prefix}-{year}-{number:05d}"
