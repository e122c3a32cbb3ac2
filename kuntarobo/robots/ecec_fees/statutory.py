"""The act's figures from 1 August 2018 (1503/2016, its 2021 and 2023 amendments and the
Ministry of Education and Culture's index notices), in euros a month.

The row from 1 August 2026 carries the maximum (335 €) and minimum (32 €) fees of the Ministry
of Education and Culture's notice 1028/2025 but not yet its income thresholds: they were not
found quoted in a source that could be cited (see docs/robots/ecec-fees.md, "The 2026 income
thresholds"), and a figure is never guessed or extrapolated. Until an administrator enters them
(the robot's page "The act's fee figures", or `kuntarobo ecec-fees parameters --add`), no fee
is computed for a period from that date, rather than one computed with old figures. The demo
alone completes the row with the 2024 thresholds repeated, flagged as example figures.
Seeded by migration 0002; kept here so that a test database emptied between tests, or a new
installation's check, can restore exactly the same rows.
"""

from __future__ import annotations

import datetime
from typing import Any

SOURCE = "Laki varhaiskasvatuksen asiakasmaksuista 1503/2016 ja OKM:n indeksitarkistukset"
# The 2026 maximum and minimum fees as a municipal agenda quotes the notice (the agenda's text
# breaks off before the thresholds): https://tornio.oncloudos.com/cgi/DREQUEST.PHP?id=2026892-7
# &page=meetingitem (Tornio, sivistyslautakunta 18.3.2026, asia 32).
SOURCE_2026 = (
    "OKM:n ilmoitus 1028/2025: enimmäismaksu 335 €, pienin maksu 32 € 1.8.2026 alkaen "
    "(Tornion sivistyslautakunta 18.3.2026, asia 32); tulorajat vielä syöttämättä"
)

# valid_from, thresholds for 2..6 persons, per further child, max fee, min fee, siblings
ROWS: tuple[tuple[str, tuple[int, ...] | None, int | None, int, int, tuple[int, ...]], ...] = (
    ("2018-08-01", (2102, 2713, 3080, 3447, 3813), 142, 289, 27, (100, 50, 20)),
    ("2020-08-01", (2136, 2756, 3129, 3502, 3874), 144, 288, 27, (100, 50, 20)),
    ("2021-08-01", (2798, 3610, 4099, 4588, 5075), 189, 288, 27, (100, 40, 20)),
    ("2022-08-01", (2913, 3758, 4267, 4777, 5284), 197, 295, 28, (100, 40, 20)),
    ("2023-03-01", (3874, 4998, 5675, 6353, 7028), 262, 295, 28, (100, 40, 20)),
    ("2024-08-01", (4066, 5245, 5956, 6667, 7376), 275, 311, 30, (100, 40, 20)),
    ("2026-08-01", None, None, 335, 32, (100, 40, 20)),
)


def row_values() -> list[dict[str, Any]]:
    """The rows as model field values (cents), each ending the day before the next begins."""
    starts = [datetime.date.fromisoformat(row[0]) for row in ROWS]
    values = []
    for index, (_start, thresholds, increase, max_fee, min_fee, siblings) in enumerate(ROWS):
        following = starts[index + 1] if index + 1 < len(starts) else None
        values.append(
            {
                "valid_from": starts[index],
                "valid_to": following - datetime.timedelta(days=1) if following else None,
                "income_percentage": "10.70",
                "income_thresholds": (
                    {
                        str(size): euros * 100
                        for size, euros in zip(range(2, 7), thresholds, strict=True)
                    }
                    if thresholds
                    else None
                ),
                "threshold_increase_per_further_child": increase * 100 if increase else None,
                "max_fee": max_fee * 100,
                "min_fee": min_fee * 100,
                "sibling_percentages": list(siblings),
                "source": SOURCE if thresholds else SOURCE_2026,
            }
        )
    return values
