"""`kuntarobo portfolio business-case` as a user runs it: the real executable in a new process,
JSON on standard input. Good input gives the contract's JSON and exit 0; every kind of bad
input gives exit 2 and one line on standard error naming the field (or the line and column of
text that is not JSON), and nothing on standard output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kuntarobo.portfolio import fast_cli

KUNTAROBO = str(Path(sys.executable).with_name("kuntarobo"))
CONTRACT_KEYS = {
    "payback_years",
    "benefit_ratio_6y",
    "cumulative_net_benefit",
    "meets_payback_rule",
    "meets_ratio_rule",
    "meets_rules",
}


def run(text: str, *options: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SECRET_KEY": "x", "KUNTAROBO_DEMO": "1"}
    return subprocess.run(
        [KUNTAROBO, "portfolio", *options, "business-case"],
        input=text,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def year(y: int, dev: Any = 0, running: Any = 0, gross: Any = 0) -> dict[str, Any]:
    return {"year": y, "development_cost": dev, "running_cost": running, "gross_benefit": gross}


# Development 100 000 in 2021; gross 50 000 − running 10 000 = 40 000 a year 2021–2026.
# Cumulative net benefits 40 000, 80 000, 120 000: payback = 2 + 20 000 / 40 000 = 2.50.
# Ratio = 240 000 / 100 000 = 2.40. Cumulative net benefit 2021 = 40 000 − 100 000 = −60 000.
GOOD = {
    "start_year": 2021,
    "horizon_year": 2026,
    "years": [year(2021, dev=100000, running=10000, gross=50000)]
    + [year(y, running=10000, gross=50000) for y in range(2022, 2027)],
}


def test_good_input_gives_the_contracts_json_on_standard_output():
    done = run(json.dumps(GOOD))
    assert (done.returncode, done.stderr) == (0, "")
    answer = json.loads(done.stdout)
    assert set(answer) >= CONTRACT_KEYS
    assert answer["payback_years"] == 2.5
    assert answer["benefit_ratio_6y"] == 2.4
    assert answer["cumulative_net_benefit"] == {
        "2021": -60000,
        "2022": -20000,
        "2023": 20000,
        "2024": 60000,
        "2025": 100000,
        "2026": 140000,
    }
    assert (answer["meets_payback_rule"], answer["meets_ratio_rule"], answer["meets_rules"]) == (
        True,
        True,
        True,
    )


def test_the_django_command_gives_the_same_answer_when_the_fast_path_declines():
    # An option the fast path does not know sends the call on to Django's command.
    fast = run(json.dumps(GOOD))
    slow = run(json.dumps(GOOD), "--verbosity", "1")
    assert slow.returncode == 0, slow.stderr
    assert json.loads(slow.stdout) == json.loads(fast.stdout)
    bad = run('{"start_year": 2021}', "--verbosity", "1")
    assert bad.returncode == 2
    assert "horizon_year: is required" in bad.stderr
    assert bad.stdout == ""


def test_the_fast_path_answers_only_its_own_command():
    assert fast_cli.answer(["portfolio", "--verbosity", "1", "business-case"]) is None
    assert fast_cli.answer(["portfolio", "ideas"]) is None
    assert fast_cli.answer(["ecec-fees", "calculate"]) is None


def with_year(index: int, **changes: Any) -> dict[str, Any]:
    years = [dict(y) for y in GOOD["years"]]
    years[index].update(changes)
    return {**GOOD, "years": years}


BAD: dict[str, tuple[str, str]] = {
    "not JSON": (
        '{"start_year": 2021,\n  "horizon_year": }',
        "not JSON: Expecting value at line 2 column 19",
    ),
    "NaN": ('{"start_year": NaN}', "not JSON: NaN"),
    "not an object": ("[2021, 2026]", "input: must be an object, got [2021, 2026]"),
    "missing start_year": (
        json.dumps({"horizon_year": 2026, "years": GOOD["years"]}),
        "start_year: is required",
    ),
    "year before start": (
        json.dumps(with_year(1, year=2019)),
        "years[1].year: year 2019 is before start_year 2021",
    ),
    "duplicate year": (
        json.dumps(with_year(2, year=2022)),
        "years[2].year: year 2022 is given twice",
    ),
    "negative cost": (
        json.dumps(with_year(1, running_cost=-5)),
        "years[1].running_cost: must not be negative, got -5",
    ),
    "string where number": (
        json.dumps(with_year(0, development_cost="100000")),
        "years[0].development_cost: must be a number of euros, got '100000'",
    ),
    "string year": (
        json.dumps({**GOOD, "start_year": "2021"}),
        "start_year: must be a whole number, got '2021'",
    ),
    "horizon before start": (
        json.dumps({**GOOD, "horizon_year": 2020}),
        "horizon_year: horizon_year 2020 is before start_year 2021",
    ),
    "unknown key": (
        json.dumps(with_year(3, gross_benefits=1)),
        "years[3].gross_benefits: unknown key 'gross_benefits'",
    ),
    "unknown top-level key": (
        json.dumps({**GOOD, "horizon": 2029}),
        "horizon: unknown key 'horizon'",
    ),
    "zero investment": (
        json.dumps(with_year(0, development_cost=0)),
        "years: the investment (the sum of development costs to the horizon year) must be "
        "more than 0",
    ),
    "years not a list": (
        json.dumps({**GOOD, "years": {"2021": 1}}),
        "years: must be a list, got {'2021': 1}",
    ),
    "no years": (json.dumps({**GOOD, "years": []}), "years: must have at least 1 items"),
    "too big": (
        json.dumps(with_year(0, gross_benefit=10**12)),
        "years[0].gross_benefit: must be less than 1000000000, got 1000000000000",
    ),
    "benefit given twice": (
        json.dumps(with_year(0, volume=10, minutes_saved=2, hourly_cost=30)),
        "years[0].volume: give either gross_benefit or volume, minutes_saved and hourly_cost",
    ),
    "derived benefit incomplete": (
        json.dumps(
            {
                **GOOD,
                "years": [{"year": 2021, "development_cost": 1, "volume": 10, "minutes_saved": 2}],
            }
        ),
        "years[0].hourly_cost: hourly_cost is required to derive the gross benefit",
    ),
    "rule threshold negative": (
        json.dumps({**GOOD, "rules": {"payback_max_years": -1}}),
        "rules.payback_max_years: must not be negative, got -1",
    ),
    "ratio years beyond horizon": (
        json.dumps({**GOOD, "rules": {"ratio_years": 7}}),
        "horizon_year: ratio_years 7 reaches beyond horizon_year 2026",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_exits_with_2_and_names_the_field_on_standard_error(kind):
    text, message = BAD[kind]
    done = run(text)
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert done.stderr.strip().startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
