"""Charts as SVG markup, drawn on the server: the pages need no script (the Content-Security-Policy
allows none inline), the same SVG goes into PDFs, and a page loads fast with many charts.

Every chart is an image with a title and a description for screen readers (`role="img"`,
`aria-labelledby`); the page shows the same figures in a data table beside it (the templates'
`_chart.html`). Every text is escaped here; callers pass plain text. Colours come from a fixed
palette whose neighbours differ in lightness too, and series are also told apart by marker shape
and dash, so colour is never the only signal. No Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import count
from typing import Final

# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES: Final = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "")
MARKERS: Final = ("circle", "square", "triangle", "diamond", "circle", "square", "triangle")
FONT: Final = "system-ui, sans-serif"
_ids = count(1)


@dataclass(frozen=True)
class Series:
    """One named line or set of bars: a value per category (None where there is no figure)."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Point:
    """One dot of a scatter chart; `href` links it to its page (e.g. the idea)."""

    label: str
    x: float
    y: float
    href: str = ""


@dataclass(frozen=True)
class Frame:
    width: int = 640
    height: int = 300
    left: int = 64
    right: int = 16
    top: int = 36
    bottom: int = 56

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def nice_ceiling(value: float) -> float:
    """The axis maximum: 1, 2, 2.5 or 5 × a power of ten at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return 10.0 * power  # pragma: no cover - the loop always returns


def tick_label(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open(
    title: str, description: str, frame: Frame, css: str, role: str = "img"
) -> tuple[str, list[str]]:
    ident = f"chart{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css)}" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" role="{role}" aria-labelledby="{ident}-t {ident}-d" '
        f'font-family="{FONT}" font-size="12">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#ffffff"/>',
    ]
    return ident, parts


def _y_axis(parts: list[str], frame: Frame, maximum: float, label: str) -> None:
    for step in range(5):
        value = maximum * step / 4
        y = frame.top + frame.plot_height - frame.plot_height * step / 4
        parts.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.width - frame.right}" '
            f'y2="{y:.1f}" stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333333">'
            f"{escape(tick_label(value))}</text>"
        )
    parts.append(
        f'<text x="14" y="{frame.top + frame.plot_height / 2:.1f}" text-anchor="middle" '
        f'fill="#333333" transform="rotate(-90 14 {frame.top + frame.plot_height / 2:.1f})">'
        f"{escape(label)}</text>"
    )


def _x_labels(
    parts: list[str], frame: Frame, categories: Sequence[str], centre: list[float]
) -> None:
    # At most about 12 labels fit: show every n-th.
    every = max(1, math.ceil(len(categories) / 12))
    for index, (name, x) in enumerate(zip(categories, centre, strict=True)):
        if index % every:
            continue
        parts.append(
            f'<text x="{x:.1f}" y="{frame.top + frame.plot_height + 16}" text-anchor="middle" '
            f'fill="#333333">{escape(name)}</text>'
        )


def _legend(parts: list[str], frame: Frame, series: Sequence[Series], kind: str) -> None:
    x = frame.left
    y = frame.height - 12
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        if kind == "bar":
            parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{colour}"/>')
        else:
            dash = DASHES[index % len(DASHES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}/>'
            )
        parts.append(f'<text x="{x + 22}" y="{y}" fill="#333333">{escape(one.label)}</text>')
        x += 34 + 7 * len(one.label)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"'
            f' fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _maximum(series: Sequence[Series]) -> float:
    values = [value for one in series for value in one.values if value is not None]
    return nice_ceiling(max(values, default=0.0))


def line_chart(
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    y_label: str,
    frame: Frame | None = None,
) -> str:
    """A trend: one line per series over the categories (months, years)."""
    frame = frame or Frame()
    _, parts = _open(title, description, frame, "chart-line")
    maximum = _maximum(series)
    _y_axis(parts, frame, maximum, y_label)
    slots = max(len(categories), 1)
    step = frame.plot_width / slots
    centre = [frame.left + step * (index + 0.5) for index in range(len(categories))]
    _x_labels(parts, frame, categories, centre)
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        dash = DASHES[index % len(DASHES)]
        shape = MARKERS[index % len(MARKERS)]
        points = [
            (centre[i], frame.top + frame.plot_height * (1 - value / maximum))
            for i, value in enumerate(one.values)
            if value is not None and i < len(centre)
        ]
        if len(points) > 1:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dash_attr}/>"
            )
        if len(points) <= 40:  # markers only where they stay readable
            parts.extend(_marker(shape, x, y, colour) for x, y in points)
    _legend(parts, frame, series, "line")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    y_label: str,
    frame: Frame | None = None,
) -> str:
    """Grouped bars: e.g. before and after deployment for each measure."""
    frame = frame or Frame()
    _, parts = _open(title, description, frame, "chart-bar")
    maximum = _maximum(series)
    _y_axis(parts, frame, maximum, y_label)
    slots = max(len(categories), 1)
    step = frame.plot_width / slots
    group = step * 0.8
    width = group / max(len(series), 1)
    centre = [frame.left + step * (index + 0.5) for index in range(len(categories))]
    _x_labels(parts, frame, categories, centre)
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        for position, value in enumerate(one.values):
            if value is None or position >= len(centre):
                continue
            height = frame.plot_height * value / maximum
            x = centre[position] - group / 2 + width * index
            y = frame.top + frame.plot_height - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width - 2, 1):.1f}" '
                f'height="{height:.1f}" fill="{colour}"/>'
            )
    _legend(parts, frame, series, "bar")
    parts.append("</svg>")
    return "".join(parts)


def scatter_chart(
    title: str,
    description: str,
    points: Sequence[Point],
    *,
    x_label: str,
    y_label: str,
    x_max: float | None = None,
    y_max: float | None = None,
    frame: Frame | None = None,
) -> str:
    """Dots on two axes, e.g. value (hours a year) against ease of implementation; a dot with
    an `href` is a link, so a keyboard user reaches each idea from the chart too."""
    frame = frame or Frame(height=360, bottom=48)
    # An image's content is presentational: with links inside, the chart is a figure instead.
    role = "figure" if any(point.href for point in points) else "img"
    _, parts = _open(title, description, frame, "chart-scatter", role)
    top_x = x_max or nice_ceiling(max((p.x for p in points), default=0.0))
    top_y = y_max or nice_ceiling(max((p.y for p in points), default=0.0))
    _y_axis(parts, frame, top_y, y_label)
    for step in range(5):
        value = top_x * step / 4
        x = frame.left + frame.plot_width * step / 4
        parts.append(
            f'<text x="{x:.1f}" y="{frame.top + frame.plot_height + 16}" text-anchor="middle" '
            f'fill="#333333">{escape(tick_label(value))}</text>'
        )
    parts.append(
        f'<text x="{frame.left + frame.plot_width / 2:.1f}" y="{frame.height - 8}" '
        f'text-anchor="middle" fill="#333333">{escape(x_label)}</text>'
    )
    for point in points:
        x = frame.left + frame.plot_width * min(max(point.x / top_x, 0.0), 1.0)
        y = frame.top + frame.plot_height * (1 - min(max(point.y / top_y, 0.0), 1.0))
        dot = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{PALETTE[0]}" fill-opacity="0.75" '
            f'stroke="#ffffff" stroke-width="1"><title>{escape(point.label)}</title></circle>'
        )
        if point.href:
            parts.append(
                f'<a href="{escape(point.href)}" aria-label="{escape(point.label)}">{dot}</a>'
            )
        else:
            parts.append(dot)
    parts.append("</svg>")
    return "".join(parts)
