"""`kuntarobo survey simulate`'s contract: the output's fields and formats, counts and rates
that agree, the same bytes for the same seed, and bad input refused with one line naming the
field and nothing written."""

from __future__ import annotations

import copy
import datetime
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import blocked_days
from kuntarobo.core.questionnaire import DEMO_QUESTIONNAIRE
from kuntarobo.robots.phone_survey.simulate_cli import simulate_main

MODULE = "kuntarobo.robots.phone_survey.simulate_cli"
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
SIP_LIKE = re.compile(r"[1-6][0-9]{2} [A-Z][A-Za-z ]+")
AGE_GROUPS = ("18-29", "30-44", "45-64", "65+")

CAMPAIGN: dict[str, Any] = {
    "schedule": {
        "start_date": "2026-12-07",
        "end_date": "2026-12-18",
        "weekdays": [1, 2, 3, 4, 5],
        "from": "10:00",
        "to": "20:00",
        "timezone": "Europe/Helsinki",
    },
    "max_attempts": 3,
    "lines": 4,
    "price_per_minute_cents": 9,
}


def _csv(count: int, extra_rows: tuple[str, ...] = ()) -> str:
    rows = ["phone,age_group,gender,area"]
    rows += [
        f"040 {i:07d},{AGE_GROUPS[i % 4]},{'fm'[i % 2]},{('north', 'south')[i % 3 % 2]}"
        for i in range(count)
    ]
    return "\n".join([*rows, *extra_rows]) + "\n"


def _files(
    folder: Path, campaign: dict[str, Any] | None = None, *, count: int = 120, fmt: str = "json"
) -> tuple[Path, Path]:
    data = CAMPAIGN if campaign is None else campaign
    path = folder / f"campaign.{fmt}"
    text = json.dumps(data) if fmt == "json" else yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")
    respondents = folder / "respondents.csv"
    respondents.write_text(_csv(count), encoding="utf-8")
    return path, respondents


def _arguments(campaign: Path, respondents: Path, out: Path, seed: str = "7") -> list[str]:
    return [
        "--campaign",
        str(campaign),
        "--respondents",
        str(respondents),
        "--seed",
        seed,
        "--out",
        str(out),
    ]


def _process(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", MODULE, "simulate", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _output(tmp_path: Path, campaign: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    paths = _files(tmp_path, campaign, **kwargs)
    out = tmp_path / "out.json"
    assert simulate_main(_arguments(*paths, out)) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_a_real_process_writes_the_contracts_fields_in_their_formats(tmp_path: Path) -> None:
    campaign, respondents = _files(tmp_path, fmt="yaml")
    out = tmp_path / "out.json"
    done = _process(_arguments(campaign, respondents, out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"respondents", "counts", "rates", "calls", "minutes", "cost_cents"} <= set(data)
    assert set(data["counts"]) == {"I", "P", "R", "NC", "O", "UH", "UO", "NE"}
    assert set(data["rates"]) == set(aapor.RATE_NAMES)
    assert len(data["respondents"]) == 120
    for respondent in data["respondents"]:
        assert E164.fullmatch(respondent["phone"])
        assert respondent["final_code"] in aapor.CODES
        assert len(respondent["attempts"]) <= 3
        for attempt in respondent["attempts"]:
            assert OFFSET.fullmatch(attempt["at"]), attempt["at"]
            moment = datetime.datetime.fromisoformat(attempt["at"])
            assert moment.utcoffset() == datetime.timedelta(hours=2)  # EET in December
            assert SIP_LIKE.fullmatch(attempt["outcome"])
            assert attempt["code"] in aapor.CODES
    assert done.stdout.startswith("120 numbers, ")


def test_each_number_is_counted_once_and_the_counts_sum_to_the_respondents(
    tmp_path: Path,
) -> None:
    data = _output(tmp_path)
    phones = [r["phone"] for r in data["respondents"]]
    assert len(set(phones)) == len(phones) == 120
    assert sum(data["counts"].values()) == 120
    counts = aapor.Counts.from_final_codes(r["final_code"] for r in data["respondents"])
    assert data["counts"] == {name: getattr(counts, name) for name in data["counts"]}


def test_the_rates_are_aapors_rates_of_the_counts(tmp_path: Path) -> None:
    data = _output(tmp_path)
    counts = aapor.Counts(**data["counts"])
    expected = {k: None if v is None else float(v) for k, v in aapor.rates(counts).items()}
    assert data["rates"] == expected
    assert data["rates"]["RR1"] == pytest.approx(
        counts.I / (counts.eligible + counts.UH + counts.UO), abs=0.00005
    )


def test_calls_minutes_and_cost_follow_the_attempts(tmp_path: Path) -> None:
    data = _output(tmp_path)
    attempts = [a for r in data["respondents"] for a in r["attempts"]]
    billed = sum(a["billed_seconds"] for a in attempts)
    assert data["calls"] == len(attempts) > 120
    assert data["minutes"] == round(billed / 60, 2)
    assert data["cost_cents"] == -(-billed * 9 // 60)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path: Path) -> None:
    campaign, respondents = _files(tmp_path)
    first, second, third = (tmp_path / f"{n}.json" for n in ("a", "b", "c"))
    assert _process(_arguments(campaign, respondents, first)).returncode == 0
    assert _process(_arguments(campaign, respondents, second)).returncode == 0
    assert simulate_main(_arguments(campaign, respondents, third, seed="8")) == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != third.read_bytes()


def test_a_yaml_campaign_with_unquoted_dates_and_times_equals_the_json_one(
    tmp_path: Path,
) -> None:
    json_campaign, respondents = _files(tmp_path)
    yaml_campaign = tmp_path / "campaign.yaml"
    yaml_campaign.write_text(
        "schedule:\n  start_date: 2026-12-07\n  end_date: 2026-12-18\n"
        "  weekdays: [1, 2, 3, 4, 5]\n  from: 10:00\n  to: 20:00\n  timezone: Europe/Helsinki\n"
        "max_attempts: 3\nlines: 4\nprice_per_minute_cents: 9\n",
        encoding="utf-8",
    )
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert simulate_main(_arguments(json_campaign, respondents, a)) == 0
    assert simulate_main(_arguments(yaml_campaign, respondents, b)) == 0
    assert a.read_bytes() == b.read_bytes()


def test_a_questionnaire_file_next_to_the_campaign_equals_the_same_one_inline(
    tmp_path: Path,
) -> None:
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "survey.yaml").write_text(yaml.safe_dump(dict(DEMO_QUESTIONNAIRE)))
    inline = _output(tmp_path, {**CAMPAIGN, "questionnaire": dict(DEMO_QUESTIONNAIRE)})
    by_path = _output(tmp_path, {**CAMPAIGN, "questionnaire": "q/survey.yaml"})
    default = _output(tmp_path)
    assert inline == by_path == default


def test_a_shorter_questionnaire_gives_shorter_completes(tmp_path: Path) -> None:
    short = copy.deepcopy(dict(DEMO_QUESTIONNAIRE))
    # Only the area question and the thanks: no age, rating, target or recorded answer.
    short["steps"] = [s for s in short["steps"] if s["id"] in ("area", "thanks")]  # type: ignore[attr-defined]
    demo = _output(tmp_path)
    brief = _output(tmp_path, {**CAMPAIGN, "questionnaire": short})

    def longest(data: Any) -> int:
        attempts = [a for r in data["respondents"] for a in r["attempts"]]
        return max(int(a["billed_seconds"]) for a in attempts if a["code"] == aapor.COMPLETE)

    assert longest(brief) < longest(demo)


def test_a_do_not_call_number_is_never_called(tmp_path: Path) -> None:
    data = _output(tmp_path, {**CAMPAIGN, "do_not_call": ["040 0000005", "+358400000007"]})
    by_phone = {r["phone"]: r for r in data["respondents"]}
    for phone in ("+358400000005", "+358400000007"):
        assert by_phone[phone]["attempts"] == []
        assert by_phone[phone]["final_code"] == aapor.NOT_ATTEMPTED


def test_simulation_overrides_change_the_population(tmp_path: Path) -> None:
    dead = _output(tmp_path, {**CAMPAIGN, "simulation": {"non_working": 1}})
    assert data_codes(dead) == {aapor.NON_WORKING}
    eager = {
        "non_working": 0,
        "busy": 0,
        "technical": 0,
        "answer_by_part": {"morning": 1, "afternoon": 1, "evening": 1},
        "age_factor": dict.fromkeys(AGE_GROUPS, 1),
        "consent": 1,
        "break_off": 0,
    }
    everybody = _output(tmp_path, {**CAMPAIGN, "simulation": eager})
    assert data_codes(everybody) == {aapor.COMPLETE}


def data_codes(data: Any) -> set[str]:
    return {r["final_code"] for r in data["respondents"]}


def test_quotas_are_reported_with_their_completes_and_full_buckets_end_quota_filled(
    tmp_path: Path,
) -> None:
    quotas = [{"age_group": "65+", "gender": "m", "target": 2}, {"area": "south", "target": 500}]
    data = _output(tmp_path, {**CAMPAIGN, "quotas": quotas}, count=200)
    assert [(q["target"], q["age_group"], q["area"]) for q in data["quotas"]] == [
        (2, "65+", None),
        (500, None, "south"),
    ]
    assert data["quotas"][0]["completes"] >= 2
    assert aapor.QUOTA_FILLED in data_codes(data)


def test_invalid_numbers_are_left_out_and_shown_masked(tmp_path: Path) -> None:
    campaign, respondents = _files(tmp_path)
    respondents.write_text(_csv(10, ("04012,65+,f,north", "999 888 7776 5555,30-44,m,south")))
    out = tmp_path / "out.json"
    done = _process(_arguments(campaign, respondents, out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    assert len(data["respondents"]) == 10
    assert [(r["row"], r["value"]) for r in data["left_out_rows"]] == [
        (12, "**012"),
        (13, "*** *** **** *555"),
    ]
    assert "04012" not in text + done.stdout + done.stderr
    assert "7776" not in text + done.stdout + done.stderr
    assert "2 rows left out" in done.stdout


def _schedule(**changes: Any) -> dict[str, Any]:
    return {**CAMPAIGN, "schedule": {**CAMPAIGN["schedule"], **changes}}


BAD_CAMPAIGNS: list[tuple[dict[str, Any], str]] = [
    (_schedule(weekdays=[1, 2, 8]), "campaign.schedule.weekdays[2]: must be at most 7, got 8"),
    (_schedule(weekdays=[1, 1]), "campaign.schedule.weekdays[1]: "),
    (_schedule(**{"from": "25:00"}), "campaign.schedule.from: "),
    (_schedule(timezone="Europe/Uusikaupunki"), "campaign.schedule.timezone: "),
    (_schedule(end_date="2026-12-01"), "campaign.schedule.end_date: "),
    ({**CAMPAIGN, "colour": "red"}, "campaign.colour: unknown key"),
    ({k: v for k, v in CAMPAIGN.items() if k != "lines"}, "campaign.lines: is required"),
    ({k: v for k, v in CAMPAIGN.items() if k != "schedule"}, "campaign.schedule: is required"),
    ({**CAMPAIGN, "lines": 0}, "campaign.lines: must be at least 1"),
    ({**CAMPAIGN, "max_attempts": 2.5}, "campaign.max_attempts: "),
    ({**CAMPAIGN, "price_per_minute_cents": "9"}, "campaign.price_per_minute_cents: "),
    ({**CAMPAIGN, "do_not_call": ["040 000", "123"]}, "campaign.do_not_call[0]: "),
    (
        {**CAMPAIGN, "do_not_call": ["+358401234567", 401234567]},
        "campaign.do_not_call[1]: must be a phone number in quotes, got ******567",
    ),
    ({**CAMPAIGN, "simulation": {"answer_rate": 0.5}}, "campaign.simulation.answer_rate: "),
    ({**CAMPAIGN, "simulation": {"busy": 1.5}}, "campaign.simulation.busy: "),
    (
        {**CAMPAIGN, "simulation": {"answer_by_part": {"night": 0.1}}},
        "campaign.simulation.answer_by_part.night: ",
    ),
    ({**CAMPAIGN, "simulation": {"ring_seconds": 2}}, "campaign.simulation.ring_seconds: "),
    (
        {**CAMPAIGN, "simulation": {"busy": 0.7, "technical": 0.5}},
        "campaign.simulation.technical: ",
    ),
    ({**CAMPAIGN, "quotas": [{"target": 0, "area": "north"}]}, "campaign.quotas[0].target: "),
    ({**CAMPAIGN, "quotas": [{"target": 3}]}, "campaign.quotas[0]: "),
    ({**CAMPAIGN, "quotas": [{"target": 3, "region": "x"}]}, "campaign.quotas[0].region: "),
    (
        {**CAMPAIGN, "questionnaire": {**DEMO_QUESTIONNAIRE, "steps": []}},
        "campaign.questionnaire.steps: ",
    ),
    ({**CAMPAIGN, "questionnaire": "missing.yaml"}, "campaign.questionnaire: cannot read"),
]


def _refused(tmp_path: Path, arguments: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    given = Path(arguments[arguments.index("--out") + 1]) if "--out" in arguments else None
    out = given if given is not None and not given.is_dir() else tmp_path / "out.json"
    existed = out.read_bytes() if out.exists() else None
    assert simulate_main(arguments) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.endswith("\n")
    assert captured.err.count("\n") == 1
    assert (out.read_bytes() if out.exists() else None) == existed
    assert [p.name for p in tmp_path.glob(".*.tmp")] == []
    return captured.err


@pytest.mark.parametrize(("campaign", "expected"), BAD_CAMPAIGNS)
def test_a_bad_campaign_is_refused_with_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], campaign: dict[str, Any], expected: str
) -> None:
    paths = _files(tmp_path, campaign)
    out = tmp_path / "out.json"
    out.write_text("the previous result")
    assert _refused(tmp_path, _arguments(*paths, out), capsys).startswith(expected)


def test_bad_files_and_options_are_refused_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, respondents = _files(tmp_path)
    out = tmp_path / "out.json"
    broken = tmp_path / "broken.yaml"
    broken.write_text("schedule: [1, 2\nlines: 3\n")
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('{"lines": 3,}')
    no_phone = tmp_path / "no_phone.csv"
    no_phone.write_text("name,age\nMatti,45\n")
    all_bad = tmp_path / "all_bad.csv"
    all_bad.write_text("phone\n123\n")
    cases = [
        (_arguments(broken, respondents, out), "campaign: not valid YAML at line"),
        (_arguments(broken_json, respondents, out), "campaign: not valid JSON at line 1"),
        (_arguments(tmp_path / "nope.json", respondents, out), "campaign: cannot read"),
        (_arguments(campaign, no_phone, out), "respondents.header: "),
        (_arguments(campaign, all_bad, out), "respondents.phone: "),
        (_arguments(campaign, tmp_path / "nope.csv", out), "respondents: cannot read"),
        (_arguments(campaign, respondents, out, seed="abc"), "--seed: "),
        (_arguments(campaign, respondents, tmp_path / "no" / "out.json"), "--out: "),
        (_arguments(campaign, respondents, tmp_path), "--out: "),
        (["--campaign", str(campaign)], "arguments: "),
    ]
    for arguments, expected in cases:
        out.write_text("the previous result")
        assert _refused(tmp_path, arguments, capsys).startswith(expected), arguments


def test_a_real_process_refuses_bad_input_with_exit_2_and_one_stderr_line(
    tmp_path: Path,
) -> None:
    campaign, respondents = _files(tmp_path, _schedule(weekdays=[1, 2, 8]))
    out = tmp_path / "out.json"
    done = _process(_arguments(campaign, respondents, out))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "campaign.schedule.weekdays[2]: must be at most 7, got 8\n"
    assert not out.exists()


def test_the_uusikaupunki_sized_campaign_runs_in_seconds_and_adds_up(tmp_path: Path) -> None:
    campaign = {
        **CAMPAIGN,
        "schedule": _schedule(start_date="2021-12-01", end_date="2021-12-31")["schedule"],
        "lines": 5,
    }
    paths = _files(tmp_path, campaign, count=7759)
    out = tmp_path / "out.json"
    started = time.perf_counter()
    assert simulate_main(_arguments(*paths, out)) == 0
    elapsed = time.perf_counter() - started
    data = json.loads(out.read_text(encoding="utf-8"))
    assert elapsed < 20
    assert len(data["respondents"]) == 7759 == sum(data["counts"].values())
    attempts = [a for r in data["respondents"] for a in r["attempts"]]
    assert data["calls"] == len(attempts) > 7759
    assert max(len(r["attempts"]) for r in data["respondents"]) == 3
    counts = aapor.Counts(**data["counts"])
    assert counts == aapor.Counts.from_final_codes(r["final_code"] for r in data["respondents"])
    assert data["rates"] == {
        k: None if v is None else float(v) for k, v in aapor.rates(counts).items()
    }
    assert 0 < data["rates"]["RR1"] < 1
    # Every call on a weekday of December 2021 that is not blocked (6.12. Independence Day,
    # 24.12. Christmas Eve; New Year's Day 2022 is a Saturday, so 31.12. stays open).
    days = {datetime.datetime.fromisoformat(a["at"]).date() for a in attempts}
    assert {datetime.date(2021, 12, 6), datetime.date(2021, 12, 24)} <= set(blocked_days(2021))
    assert not days & set(blocked_days(2021))
    assert all(day.isoweekday() <= 5 and day.month == 12 for day in days)


def test_help_is_printed_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_main(["--help"]) == 0
    assert "--campaign" in capsys.readouterr().out


def test_the_plan_gives_the_first_and_last_call_the_days_and_the_cost_of_a_complete(
    tmp_path: Path,
) -> None:
    data = _output(tmp_path)
    moments = sorted(
        datetime.datetime.fromisoformat(a["at"]) for r in data["respondents"] for a in r["attempts"]
    )
    plan = data["plan"]
    assert plan["first_call_at"] == "2026-12-07T10:00:00+02:00" == moments[0].isoformat()
    assert plan["last_call_at"] == moments[-1].isoformat()
    assert plan["call_days"] == len({m.date() for m in moments})
    assert plan["cost_per_complete_cents"] == -(-data["cost_cents"] // data["counts"]["I"])


def test_a_campaign_without_any_window_calls_nobody_and_says_so(tmp_path: Path) -> None:
    weekend = _schedule(start_date="2026-12-12", end_date="2026-12-13")
    data = _output(tmp_path, weekend)
    assert data["calls"] == 0
    assert data["plan"] == {
        "first_call_at": None,
        "last_call_at": None,
        "call_days": 0,
        "cost_per_complete_cents": None,
    }
    assert data["counts"]["UH"] == 120
