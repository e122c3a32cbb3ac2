"""Who answered compared with who lives in the town, and post-stratification weights.

Pure Python (no Django). The Uusikaupunki phone survey (2023) is the reason: 18–29-year-olds were
5.3 % of the respondents and 65+ were 54 % (domain notes, phone-survey.md). Against a population
share of, say, 15 % for the young, comparing the shares shows the bias; weighting each cell
by population share / sample share corrects the estimates for the cells that have respondents.
A cell without respondents cannot be weighted (it would divide by zero): it is reported
instead, and its part of the population stays unrepresented.
Shares are fractions (0..1) as exact-as-possible Decimals; callers round when they show them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, TypeVar

from kuntarobo.core.explanation import Line

Cell = TypeVar("Cell", bound=Hashable)
HUNDRED: Final = Decimal(100)


class SurveyWeightsError(ValueError):
    """Counts that cannot be compared; `field` names where ("population_counts[young]")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Share:
    """One category in the sample and in the population; the difference in percentage points
    (positive: over-represented among the respondents)."""

    category: str
    respondents: int
    respondents_share: Decimal
    population: int
    population_share: Decimal
    difference_points: Decimal


def _checked_total(counts: Mapping[Cell, int], name: str) -> int:
    for key, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SurveyWeightsError(f"{name}[{key}]", "a count must be a whole number ≥ 0")
    total = sum(counts.values())
    if total == 0:
        raise SurveyWeightsError(name, "the counts add up to zero")
    return total


def compare(
    respondents_counts: Mapping[str, int], population_counts: Mapping[str, int]
) -> list[Share]:
    """Each category's share among the respondents and in the population, in the population's
    order, then categories only the respondents have (e.g. "unknown")."""
    sample_total = _checked_total(respondents_counts, "respondents_counts")
    population_total = _checked_total(population_counts, "population_counts")
    categories = list(population_counts) + [
        category for category in respondents_counts if category not in population_counts
    ]
    shares: list[Share] = []
    for category in categories:
        respondents = respondents_counts.get(category, 0)
        population = population_counts.get(category, 0)
        respondents_share = Decimal(respondents) / Decimal(sample_total)
        population_share = Decimal(population) / Decimal(population_total)
        shares.append(
            Share(
                category=category,
                respondents=respondents,
                respondents_share=respondents_share,
                population=population,
                population_share=population_share,
                difference_points=(respondents_share - population_share) * HUNDRED,
            )
        )
    return shares


def post_stratification_weights(
    sample_cells: Mapping[tuple[str, ...], int], population_cells: Mapping[tuple[str, ...], int]
) -> dict[tuple[str, ...], Decimal]:
    """weight = population share / sample share, for every cell that has respondents.

    A cell with respondents but no population gets weight 0 (they are outside the target
    population). Population cells without respondents get no weight: see
    `cells_without_respondents`. Weighted, each cell's share of the sample equals its share of
    the population."""
    sample_total = _checked_total(sample_cells, "sample_cells")
    population_total = _checked_total(population_cells, "population_cells")
    weights: dict[tuple[str, ...], Decimal] = {}
    for cell, respondents in sample_cells.items():
        if respondents == 0:
            continue
        population_share = Decimal(population_cells.get(cell, 0)) / Decimal(population_total)
        sample_share = Decimal(respondents) / Decimal(sample_total)
        weights[cell] = population_share / sample_share
    return weights


def cells_without_respondents(
    sample_cells: Mapping[tuple[str, ...], int], population_cells: Mapping[tuple[str, ...], int]
) -> list[tuple[str, ...]]:
    """Population cells (with people) that no respondent represents, in the population's order."""
    return [
        cell
        for cell, population in population_cells.items()
        if population > 0 and sample_cells.get(cell, 0) == 0
    ]


def _percent(share: Decimal) -> str:
    return f"{share * HUNDRED:.1f}"


def explain_comparison(shares: list[Share]) -> list[Line]:
    """One line per category, shares in percent with one decimal."""
    return [
        Line(
            "%(category)s: %(respondents_share)s %% of respondents, %(population_share)s %% of "
            "the population (%(difference)s percentage points).",
            {
                "category": share.category,
                "respondents_share": _percent(share.respondents_share),
                "population_share": _percent(share.population_share),
                "difference": f"{share.difference_points:+.1f}",
            },
        )
        for share in shares
    ]


def explain_weights(
    sample_cells: Mapping[tuple[str, ...], int], population_cells: Mapping[tuple[str, ...], int]
) -> list[Line]:
    """Why each weight is what it is, then the cells that could not be weighted."""
    sample_total = _checked_total(sample_cells, "sample_cells")
    population_total = _checked_total(population_cells, "population_cells")
    lines: list[Line] = []
    for cell, weight in post_stratification_weights(sample_cells, population_cells).items():
        lines.append(
            Line(
                "%(cell)s: population %(population_share)s %% / respondents "
                "%(sample_share)s %% = weight %(weight)s.",
                {
                    "cell": " / ".join(cell),
                    "population_share": _percent(
                        Decimal(population_cells.get(cell, 0)) / Decimal(population_total)
                    ),
                    "sample_share": _percent(Decimal(sample_cells[cell]) / Decimal(sample_total)),
                    "weight": f"{weight:.2f}",
                },
            )
        )
    for cell in cells_without_respondents(sample_cells, population_cells):
        lines.append(
            Line(
                "%(cell)s: no respondents, so this %(population_share)s %% of the population "
                "cannot be weighted; merge it with a neighbouring cell or call more people.",
                {
                    "cell": " / ".join(cell),
                    "population_share": _percent(
                        Decimal(population_cells[cell]) / Decimal(population_total)
                    ),
                },
            )
        )
    return lines
