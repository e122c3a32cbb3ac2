"""Running decision numbers: one series per municipality, robot and year, without gaps from
concurrent workers (the series row is locked while numbers are taken)."""

from __future__ import annotations

from django.db import transaction

from kuntarobo.decisions.models import DecisionSeries


def take_numbers(municipality_id: int, robot_slug: str, year: int, count: int = 1) -> range:
    """`count` consecutive numbers of the series, in the caller's transaction: a rollback
    gives them back, so the series has no gaps from failed batches."""
    if count < 1:
        raise ValueError("count must be at least 1")
    with transaction.atomic():
        series, _created = DecisionSeries.objects.select_for_update().get_or_create(
            municipality_id=municipality_id, robot_slug=robot_slug, year=year
        )
        first = series.last_number + 1
        series.last_number += count
        series.save(update_fields=["last_number"])
    return range(first, first + count)


def format_number(prefix: str, year: int, number: int) -> str:
    """E.g. VAKA-2026-00042: the prefix each municipality sets, the year, the running number."""
    return f"{prefix}-{year}-{number:05d}"
