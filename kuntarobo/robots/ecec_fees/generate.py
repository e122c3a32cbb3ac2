"""A synthetic municipality's ECEC client export (JSON Lines), for the demo, tests and benchmark.

Realistic enough to exercise every path of the robot: Finnish and Swedish families, valid and
unique identity codes, twins, families larger than six, every service-need band, missing
incomes, the accepted maximum fee, fee relief applications, municipal discounts, children whose
placement ended or starts later. Deterministic from the seed, so a benchmark run is repeatable:

    python -m kuntarobo.robots.ecec_fees.generate --families 14000 --seed 1 --out families.jsonl
"""

from __future__ import annotations

import argparse
import calendar
import json
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import TextIO
from zoneinfo import ZoneInfo

# Fixed, so that the same seed gives the same families in tests and benchmarks; the command line
# defaults to the 1st of next month instead (next_month_start), as the robot and the demo do.
DEFAULT_PERIOD_START = date(2026, 8, 1)


def next_month_start(today: date | None = None) -> date:
    """The first day of the month after `today` (the real date if not given)."""
    day = today or datetime.now(ZoneInfo("Europe/Helsinki")).date()
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Children in ECEC a family: 14,000 families give about 20,000 children (mean 1.43).
CHILDREN_WEIGHTS = (0.64, 0.30, 0.05, 0.01)
SWEDISH_SHARE = 0.10
MISSING_INCOME_SHARE = 0.03
ACCEPTS_MAX_FEE_SHARE = 0.01
FEE_RELIEF_SHARE = 0.005


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FI_GIRLS = _words(
    "Aino Eevi Olivia Aada Sofia Ellen Helmi Isla Lilja Emma Venla Pihla Linnea Enni Elsa "
    "Iida Ella Kerttu Hilla Siiri Vilja Lumi Minea Saimi Aurora Inkeri Nella Oona Selma "
    "Stella"
)
FI_BOYS = _words(
    "Eino Väinö Leo Onni Oliver Elias Toivo Eeli Veeti Noel Lenni Aapo Oiva Niilo Emil "
    "Lauri Joel Vilho Hugo Leevi Otto Alvar Akseli Valtteri Rasmus Eemil Benjamin Kasper "
    "Aatu Juho"
)
FI_WOMEN = _words(
    "Maija Anna Laura Johanna Sanna Elina Katja Heidi Jenni Riikka Noora Satu Hanna Tiina "
    "Emilia Kaisa Minna Paula Sari Veera Henna Marjo Susanna Pauliina"
)
FI_MEN = _words(
    "Matti Mikko Juha Antti Janne Jukka Ville Tuomas Sami Timo Petri Markus Jussi Teemu "
    "Olli Lauri Ari Marko Aleksi Henri Joonas Tommi Kalle Pekka"
)
FI_SURNAMES = _words(
    "Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen "
    "Järvinen Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen "
    "Salonen Turunen Salo Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila "
    "Savolainen Lahtinen Ahonen Hiltunen Leinonen Miettinen Pitkänen Aaltonen Manninen "
    "Hakala Väisänen Kettunen Räsänen"
)
SV_GIRLS = _words(
    "Ebba Elsa Alva Saga Ellen Wilma Stella Agnes Alma Signe Ella Vera Ida Linnea Klara "
    "Selma Freja Maja Olivia Astrid"
)
SV_BOYS = _words(
    "Elias Oliver William Anton Axel Hugo Isak Lucas Leo Theo Emil Alexander Noah Sixten "
    "Otto Viktor Albin Gustav Edvin Linus"
)
SV_WOMEN = _words(
    "Anna Sara Johanna Maria Emma Jenny Sofia Camilla Malin Linda Helena Karin Lotta Nina Eva"
)
SV_MEN = _words(
    "Johan Mikael Fredrik Andreas Daniel Erik Henrik Patrik Marcus Jonas Anders "
    "Christoffer Niklas Tobias Peter"
)
SV_SURNAMES = _words(
    "Johansson Nyström Lindqvist Lindholm Holmberg Sjöberg Karlsson Andersson Eriksson "
    "Lindström Backman Westerlund Granqvist Björkman Nordström Sundqvist Lindroos "
    "Wikström Forsman Åström Holmström Berg Blomqvist Grönroos Ekholm"
)
FI_STREETS = _words(
    "Koivutie Kuusitie Rantakatu Puistokatu Mäntytie Kirkkokatu Koulukatu Myllytie "
    "Pajatie Peltotie Metsäpolku Kalliokuja Niittykuja Vaahteratie Pihlajatie Rinnetie "
    "Harjutie Urheilutie Asematie Satamakatu"
)
SV_STREETS = _words(
    "Björkvägen Granvägen Strandgatan Parkgatan Tallvägen Kyrkogatan Skolgatan Kvarnvägen "
    "Smedjevägen Åkervägen Skogsstigen Bergsgränden Ängsgränden Lönnvägen Rönnvägen"
)
FI_UNIT_FIRST = _words(
    "Metsä Kivi Kuusi Tähti Sateen Kallio Niitty Ranta Koivu Pihlaja Aurinko Kuu Lumi "
    "Tuuli Meri Järvi Mänty Vaahtera Kaisla Kanerva"
)
FI_UNIT_SECOND = _words("tähti kallio polku pesä rinne mäki ranta metsä niitty harju lahti kaari")
SV_UNIT_FIRST = _words("Sol Skogs Ek Björk Sjö Strand Ängs Bergs Tall Lärk Måne Stjärn")
SV_UNIT_SECOND = _words("strålen backen gläntan stigen bo lunden hagen tuvan")
# Bilingual municipalities: Finnish name, Swedish name, postal codes.
MUNICIPALITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Porvoo", "Borgå", ("06100", "06150", "06200", "06400", "06450", "06500", "06650", "06750")),
    ("Vaasa", "Vasa", ("65100", "65130", "65200", "65230", "65280", "65300", "65320", "65350")),
    ("Kirkkonummi", "Kyrkslätt", ("02400", "02410", "02420", "02430", "02440", "02460", "02480")),
    ("Raasepori", "Raseborg", ("10300", "10320", "10330", "10600", "10650", "10660", "10900")),
    ("Sipoo", "Sibbo", ("04130", "04150", "01120", "01150", "04170")),
    ("Espoo", "Esbo", ("02100", "02120", "02140", "02200", "02230", "02250", "02600", "02650")),
)
# Service needs in hours a month, weighted so that every municipal band occurs.
HOURS = (60, 70, 80, 84, 90, 100, 110, 115, 120, 125, 130, 139, 140, 147, 150, 160, 170, 180, 200)
HOURS_WEIGHTS = (2, 2, 4, 4, 3, 6, 5, 3, 10, 4, 6, 3, 6, 4, 14, 9, 6, 5, 4)
COEFFICIENTS = ("0.6", "0.7", "0.8", "0.9", "1")
INCOME_SOURCES = ("tulorekisteri", "palkkalaskelma", "Kela", "verotus")
INCOME_SOURCE_WEIGHTS = (85, 8, 4, 3)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


def identity_code(born: date, individual: int) -> str:
    """A valid identity code: "-" for the 1900s, "A" for the 2000s, the check character computed."""
    sign = "-" if born.year < 2000 else "A"
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}{sign}{individual:03d}{CHECK_CHARACTERS[int(digits) % 31]}"


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch in ".-"))


class _Municipality:
    """The fixed parts of one synthetic municipality: its name, postal codes and units."""

    def __init__(self, rng: Random, families: int) -> None:
        self.name_fi, self.name_sv, self.postal_codes = rng.choice(MUNICIPALITIES)
        fi_names = [
            f"{first}{second}"
            for first in FI_UNIT_FIRST
            for second in FI_UNIT_SECOND
            if first.lower() != second
        ]
        sv_names = [f"{first}{second}" for first in SV_UNIT_FIRST for second in SV_UNIT_SECOND]
        rng.shuffle(fi_names)
        rng.shuffle(sv_names)
        # About 110 children a day-care centre and four in a family day-care home.
        self.fi_units = _names("Päiväkoti", fi_names, max(3, round(families * 1.3 / 110)))
        self.sv_units = _names("Daghemmet", sv_names, max(2, round(families * 0.16 / 110)))
        carers = [*FI_SURNAMES]
        rng.shuffle(carers)
        self.family_daycare = _names("Perhepäivähoito", carers, max(2, families // 40))
        self.codes: set[str] = set()

    def new_code(self, rng: Random, born: date, female: bool) -> str:
        """A code not used before; even individual numbers for women, odd for men."""
        while True:
            individual = rng.randrange(2, 900)
            if (individual % 2 == 0) != female:
                individual = individual + 1 if individual < 899 else individual - 1
            code = identity_code(born, individual)
            if code not in self.codes:
                self.codes.add(code)
                return code


def _names(prefix: str, words: Sequence[str], count: int) -> list[str]:
    names = [f"{prefix} {word}" for word in words[:count]]
    round_ = 2
    while len(names) < count:
        names += [f"{prefix} {word} {round_}" for word in words[: count - len(names)]]
        round_ += 1
    return names


def _birth_dates(rng: Random, count: int, period_start: date) -> list[date]:
    """Birth dates of siblings in ECEC (aged 9 months to 6 years), oldest first; twins sometimes."""
    while True:
        gaps = [0 if rng.random() < 0.03 else rng.randint(11, 30) for _ in range(count - 1)]
        if sum(gaps) <= 60:
            break
    youngest = rng.randint(9, 81 - sum(gaps) - 9)  # months old on period_start
    ages = [youngest + sum(gaps[index:]) for index in range(count)]
    dates: list[date] = []
    previous_age = -1
    for age in ages:
        if age == previous_age:
            dates.append(dates[-1])  # a twin
        else:
            dates.append(_add_months(period_start, -age) - timedelta(days=rng.randint(0, 27)))
        previous_age = age
    return dates


def _income(rng: Random, person: str, low: bool = False) -> dict[str, object]:
    euros = rng.lognormvariate(7.62 if low else 8.13, 0.38)  # medians about 2,000 and 3,400 €
    cents = round(min(max(euros, 1500.0), 9000.0) * 100)
    source = rng.choices(INCOME_SOURCES, INCOME_SOURCE_WEIGHTS)[0]
    return {"person": person, "amount": cents, "source": source}


def _family(rng: Random, town: _Municipality, number: int, period_start: date) -> dict[str, object]:
    swedish = rng.random() < SWEDISH_SHARE
    language = "sv" if swedish else "fi"
    girls, boys = (SV_GIRLS, SV_BOYS) if swedish else (FI_GIRLS, FI_BOYS)
    women, men = (SV_WOMEN, SV_MEN) if swedish else (FI_WOMEN, FI_MEN)
    surname = rng.choice(SV_SURNAMES if swedish else FI_SURNAMES)
    city = town.name_sv if swedish else town.name_fi
    streets = SV_STREETS if swedish else FI_STREETS

    def address() -> dict[str, object]:
        street = f"{rng.choice(streets)} {rng.randint(1, 60)}"
        if rng.random() < 0.55:
            street += f" {rng.choice('ABCDE')} {rng.randint(1, 40)}"
        return {"street": street, "postal_code": rng.choice(town.postal_codes), "city": city}

    def adult(female: bool, last_name: str) -> tuple[str, str]:
        first = rng.choice(women if female else men)
        youngest = max(24, period_start.year - 1999)  # parents of 2026 were born in the 1900s
        age = rng.randint(youngest, max(youngest, 50))
        born = date(period_start.year - age, 1, 1) + timedelta(rng.randint(0, 364))
        return f"{first} {last_name}", town.new_code(rng, born, female)

    def email(name: str) -> str:
        local = ".".join(_ascii(part) for part in name.split())
        return f"{local}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"

    # The household: one or two guardians, sometimes a partner who is not a guardian.
    two_guardians = rng.random() < 0.78
    separated = two_guardians and rng.random() < 0.12
    first_female = rng.random() < 0.85 if not two_guardians else rng.random() < 0.6
    home = address()
    guardians: list[dict[str, object]] = []
    adults: list[str] = []
    name, code = adult(first_female, surname)
    guardians.append({"name": name, "identity_code": code, "address": home})
    adults.append(name)
    if two_guardians:
        other_surname = surname if rng.random() < 0.8 else rng.choice(FI_SURNAMES + SV_SURNAMES)
        other_female = first_female if rng.random() < 0.03 else not first_female
        name, code = adult(other_female, other_surname)
        guardians.append(
            {"name": name, "identity_code": code, "address": address() if separated else home}
        )
        if not separated:
            adults.append(name)
    if len(adults) == 1 and rng.random() < 0.12:
        partner = f"{rng.choice(men if first_female else women)} {rng.choice(FI_SURNAMES)}"
        adults.append(partner)
    for guardian in guardians:
        if rng.random() < 0.9:
            guardian["email"] = email(str(guardian["name"]))

    # The children in ECEC, and older siblings at school who count in the family's size.
    count = rng.choices((1, 2, 3, 4), CHILDREN_WEIGHTS)[0]
    older = rng.choices((0, 1, 2, 3, 4), (60, 25, 10, 4, 1))[0]
    size = min(len(adults) + count + older, max(8, len(adults) + count))
    births = _birth_dates(rng, count, period_start)
    if rng.random() < 0.002:  # school start deferred: a seven-year-old still in ECEC
        births[0] = _add_months(period_start, -84) - timedelta(days=rng.randint(0, 60))
    home_unit = _unit(rng, town, swedish)
    children: list[dict[str, object]] = []
    for index, born in enumerate(births, start=1):
        female = rng.random() < 0.49
        first = rng.choice(girls if female else boys)
        child: dict[str, object] = {"id": f"C-{index}", "name": f"{first} {surname}"}
        if rng.random() < 0.98:
            child["identity_code"] = town.new_code(rng, born, female)
        child["birth_date"] = born.isoformat()
        unit = home_unit if rng.random() < 0.8 else _unit(rng, town, swedish)
        child["placement"] = _placement(rng, born, unit, period_start, ended_allowed=count > 1)
        need = rng.random()
        if need < 0.03:
            child["service_need"] = {"coefficient": rng.choice(COEFFICIENTS)}
        elif need >= 0.001 + 0.03:
            child["service_need"] = {"hours_per_month": rng.choices(HOURS, HOURS_WEIGHTS)[0]}
        alterations = _alterations(rng)
        if alterations:
            child["alterations"] = alterations
        children.append(child)

    incomes: list[dict[str, object]] = []
    accepts_max_fee = rng.random() < ACCEPTS_MAX_FEE_SHARE
    if not accepts_max_fee:
        for position, person in enumerate(adults):
            incomes.append(_income(rng, person, low=position > 0 and rng.random() < 0.2))
            if rng.random() < 0.08:  # capital income as a second line
                incomes.append(
                    {"person": person, "amount": rng.randint(2000, 60000), "source": "verotus"}
                )
        if rng.random() < MISSING_INCOME_SHARE:
            missing = rng.choice(adults)
            incomes = [income for income in incomes if income["person"] != missing]
            incomes.append({"person": missing, "missing": True})
    return {
        "family_id": f"F-{number:06d}",
        "language": language,
        "size": size,
        "period_start": period_start.isoformat(),
        "guardians": guardians,
        "incomes": incomes,
        "accepts_max_fee": accepts_max_fee,
        "fee_relief_requested": rng.random() < FEE_RELIEF_SHARE,
        "children": children,
    }


def _unit(rng: Random, town: _Municipality, swedish: bool) -> tuple[str, str]:
    if rng.random() < 0.07:
        return rng.choice(town.family_daycare), "family_daycare"
    if (swedish and rng.random() < 0.85) or (not swedish and rng.random() < 0.01):
        return rng.choice(town.sv_units), "daycare"
    return rng.choice(town.fi_units), "daycare"


def _placement(
    rng: Random, born: date, unit: tuple[str, str], period_start: date, *, ended_allowed: bool
) -> dict[str, object]:
    earliest = _add_months(born, 9)
    roll = rng.random()
    if roll < 0.01:  # starts during the period
        start = period_start + timedelta(days=rng.randint(1, 60))
    else:
        start = earliest + timedelta(days=rng.randint(0, max(0, (period_start - earliest).days)))
        if rng.random() < 0.7:
            start = start.replace(day=1) if start.replace(day=1) >= earliest else start
    end: date | None = None
    if ended_allowed and roll > 0.985 and start < period_start - timedelta(days=30):
        end = period_start - timedelta(days=rng.randint(1, min(90, (period_start - start).days)))
    elif roll > 0.96:
        end = date(period_start.year + 1, 7, 31)
    return {
        "unit": unit[0],
        "kind": unit[1],
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
    }


def _alterations(rng: Random) -> list[dict[str, object]]:
    roll = rng.random()
    if roll < 0.015:
        return [
            {
                "kind": "discount",
                "percent": rng.choice(("10", "20", "50")),
                "reason": rng.choice(
                    ("kunnan päätös", "sisarusalennus kunnan päätöksellä", "erityisen tuen päätös")
                ),
            }
        ]
    if roll < 0.02:
        return [
            {"kind": "discount", "amount": rng.randint(20, 50) * 100, "reason": "kunnan päätös"}
        ]
    if roll < 0.023:
        return [{"kind": "increase", "amount": rng.randint(5, 20) * 100, "reason": "kunnan päätös"}]
    return []


def generate_families(
    count: int, *, seed: int, period_start: date = DEFAULT_PERIOD_START
) -> Iterator[dict[str, object]]:
    """`count` families of one synthetic municipality as import lines (dicts), deterministic."""
    rng = Random(seed)  # noqa: S311 - synthetic data, nothing secret
    town = _Municipality(rng, count)
    for number in range(1, count + 1):
        yield _family(rng, town, number, period_start)


def write_jsonl(path: Path, families: Iterable[dict[str, object]]) -> int:
    """Write the families one a line (UTF-8); returns how many were written."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        return _write(handle, families)


def _write(handle: TextIO, families: Iterable[dict[str, object]]) -> int:
    written = 0
    for family in families:
        handle.write(json.dumps(family, ensure_ascii=False, separators=(",", ":")))
        handle.write("\n")
        written += 1
    return written


def _until_children(
    families: Iterable[dict[str, object]], children: int
) -> Iterator[dict[str, object]]:
    total = 0
    for family in families:
        if total >= children:
            return
        kids = family["children"]
        total += len(kids) if isinstance(kids, list) else 0
        yield family


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--families", type=int, help="how many families")
    size.add_argument("--children", type=int, help="about how many children (whole families)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--period-start",
        type=date.fromisoformat,
        default=None,
        help="the decisions' first day (default: the 1st of next month)",
    )
    parser.add_argument("--out", default="-", help="the .jsonl file to write; - for stdout")
    args = parser.parse_args(argv)
    if args.period_start is None:
        args.period_start = next_month_start()
    began = time.perf_counter()
    if args.families is not None:
        families = generate_families(args.families, seed=args.seed, period_start=args.period_start)
    else:
        estimate = round(args.children / 1.43 * 1.1) + 10
        families = _until_children(
            generate_families(estimate, seed=args.seed, period_start=args.period_start),
            args.children,
        )
    counted: list[int] = []

    def counting() -> Iterator[dict[str, object]]:
        for family in families:
            kids = family["children"]
            counted.append(len(kids) if isinstance(kids, list) else 0)
            yield family

    if args.out == "-":
        written = _write(sys.stdout, counting())
    else:
        written = write_jsonl(Path(args.out), counting())
    sys.stderr.write(
        f"{written} families, {sum(counted)} children in {time.perf_counter() - began:.2f} s\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
