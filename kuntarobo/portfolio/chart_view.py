"""A chart and its data table for `portfolio/_chart.html`: the SVG drawn by
kuntarobo.core.charts (which escapes every text) and the same figures as rows, so a screen
reader user gets every number the picture shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ChartView:
    svg: str  # from kuntarobo.core.charts only: its output is escaped markup
    caption: StrOrPromise
    columns: Sequence[StrOrPromise]
    # One row per dot, bar group or category; the first cell heads the row (th scope="row").
    rows: Sequence[Sequence[object]]

    @property
    def safe_svg(self) -> SafeString:
        return mark_safe(self.svg)  # noqa: S308 - the charts module escapes every text
