"""The synthetic municipality: deterministic, valid line by line, and shaped like a real one."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from stdnum.fi import hetu

from kuntarobo.robots.ecec_fees.families import FamilyRecord, read_families, read_families_file
from kuntarobo.robots.ecec_fees.generate import (
    DEFAULT_PERIOD_START,
    generate_families,
    identity_code,
    main,
    next_month_start,
    write_jsonl,
)

PERIOD = date(2026, 8, 1)


@pytest.fixture(scope="module")
def sample() -> list[dict[str, object]]:
    return list(generate_families(3000, seed=7, period_start=PERIOD))


@pytest.fixture(scope="module")
def records(sample: list[dict[str, object]]) -> list[FamilyRecord]:
    families, errors = read_families(
        (json.dumps(family, ensure_ascii=False) for family in sample), default_period_start=PERIOD
    )
    assert errors == []
    return families


def test_the_same_seed_gives_the_same_municipality() -> None:
    first = list(generate_families(300, seed=1, period_start=PERIOD))
    again = list(generate_families(300, seed=1, period_start=PERIOD))
    other = list(generate_families(300, seed=2, period_start=PERIOD))
    assert json.dumps(first) == json.dumps(again)
    assert json.dumps(first) != json.dumps(other)


def test_every_generated_family_passes_the_import(records: list[FamilyRecord]) -> None:
    assert len(records) == 3000
    assert [record.family_id for record in records[:2]] == ["F-000001", "F-000002"]
    assert all(record.period_start == PERIOD for record in records)


def test_identity_codes_are_valid_and_unique(records: list[FamilyRecord]) -> None:
    codes = [guardian.identity_code for record in records for guardian in record.guardians]
    codes += [child.identity_code for record in records for child in record.children]
    codes = [code for code in codes if code]
    assert len(codes) > 7000
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert hetu.is_valid(code)
        assert 2 <= int(code[7:10]) <= 899
    children = [child for record in records for child in record.children if child.identity_code]
    assert {child.identity_code[6] for child in children} == {"A"}
    adults = [guardian for record in records for guardian in record.guardians]
    assert {guardian.identity_code[6] for guardian in adults} == {"-"}


def test_the_identity_code_helper_computes_the_check_character() -> None:
    assert identity_code(date(1952, 10, 13), 308) == "131052-308T"
    assert hetu.is_valid(identity_code(date(2022, 5, 1), 123))
    assert identity_code(date(2022, 5, 1), 123)[6] == "A"


def test_the_municipality_looks_like_a_real_one(records: list[FamilyRecord]) -> None:
    count = len(records)
    swedish = [record for record in records if record.language == "sv"]
    assert 0.06 * count < len(swedish) < 0.14 * count
    sizes = Counter(record.size for record in records)
    assert min(sizes) == 2
    assert max(sizes) <= 8
    assert sum(n for size, n in sizes.items() if size > 6) > 0
    assert Counter(len(record.guardians) for record in records).keys() == {1, 2}
    missing = sum(1 for record in records if record.missing_income_persons())
    assert 0.01 * count < missing < 0.06 * count
    assert 0 < sum(record.accepts_max_fee for record in records) < 0.03 * count
    assert 0 < sum(record.fee_relief_requested for record in records) < 0.02 * count
    children = [child for record in records for child in record.children]
    assert Counter(len(record.children) for record in records).keys() == {1, 2, 3, 4}
    hours = {child.hours_per_month for child in children if child.hours_per_month}
    assert min(hours) == 60
    assert max(hours) == 200
    assert len(hours) > 10
    assert any(child.alterations for child in children)
    assert any(child.coefficient is not None for child in children)
    twins = [r for r in records if len({c.birth_date for c in r.children}) < len(r.children)]
    assert twins
    units = {child.placement.unit.split()[0] for child in children}
    assert units == {"Päiväkoti", "Daghemmet", "Perhepäivähoito"}
    assert any(record.children_not_in_ecec() for record in records)
    later = [child for child in children if child.placement.start > PERIOD]
    assert 0 < len(later) < 0.03 * len(children)
    for record in records:
        address = record.guardians[0].address
        assert address is not None
        assert len(address.postal_code) == 5
        for child in record.children:
            assert child.birth_date <= PERIOD
            assert child.placement.start >= child.birth_date
    incomes = [income.amount for record in records for income in record.incomes]
    salaries = sorted(amount for amount in incomes if amount and amount >= 150000)
    assert 250000 < salaries[len(salaries) // 2] < 450000
    assert max(salaries) <= 900000


def test_swedish_families_have_swedish_names(
    sample: list[dict[str, object]], records: list[FamilyRecord]
) -> None:
    swedish_cities = {"Borgå", "Vasa", "Kyrkslätt", "Raseborg", "Sibbo", "Esbo"}
    for record in records:
        address = record.guardians[0].address
        assert address is not None
        assert (address.city in swedish_cities) == (record.language == "sv")


@pytest.mark.slow
def test_the_benchmark_size_gives_about_twenty_thousand_children() -> None:
    children = sum(
        len(family["children"])  # type: ignore[arg-type]
        for family in generate_families(14000, seed=1, period_start=DEFAULT_PERIOD_START)
    )
    assert 19500 <= children <= 20500


def test_write_jsonl_writes_one_family_a_line(tmp_path: Path) -> None:
    path = tmp_path / "families.jsonl"
    written = write_jsonl(path, generate_families(25, seed=3, period_start=PERIOD))
    assert written == 25
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25
    families, errors = read_families_file(path, default_period_start=PERIOD)
    assert (len(families), errors) == (25, [])


def test_the_command_line_writes_families_or_children(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["--families", "40", "--seed", "1", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    # without --period-start, the decisions start on the 1st of next month
    assert {json.loads(line)["period_start"] for line in lines} == {next_month_start().isoformat()}
    assert "40 families" in capsys.readouterr().err
    assert main(["--children", "100", "--seed", "1", "--period-start", "2027-01-01"]) == 0
    captured = capsys.readouterr()
    families = [json.loads(line) for line in captured.out.splitlines()]
    assert {family["period_start"] for family in families} == {"2027-01-01"}
    children = sum(len(family["children"]) for family in families)
    assert 100 <= children < 100 + 4


def test_next_month_starts_on_the_first_also_across_the_year_end() -> None:
    assert next_month_start(date(2026, 12, 6)) == date(2027, 1, 1)
    assert next_month_start(date(2027, 1, 31)) == date(2027, 2, 1)
