"""`kuntarobo survey test-call`: one real call from the command line (a new process, as an
operator runs it), its JSON outcome and exit codes; bad input named on one stderr line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kuntarobo.robots.phone_survey import fast_cli
from tests.loopback import free_port

from .conftest import TEST_QUESTIONNAIRE, Peer


@pytest.fixture
def questionnaire_file(tmp_path: Path) -> Path:
    path = tmp_path / "questionnaire.json"
    path.write_text(json.dumps(TEST_QUESTIONNAIRE), encoding="utf-8")
    return path


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kuntarobo.robots.phone_survey.fast_cli",
            "survey",
            "test-call",
            "--prompts",
            str(tmp_path / "prompts"),
            "--recordings",
            str(tmp_path / "rec"),
            "--ring-timeout",
            "3",
            "--input-timeout",
            "1.5",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "KUNTAROBO_SIP_PASSWORD": ""},
    )


@pytest.mark.slow
def test_a_test_call_prints_the_outcome_as_json(
    tmp_path: Path, questionnaire_file: Path, callee: Callable[..., Peer]
) -> None:
    peer = callee(
        [
            ["wait", 0.6],
            ["dtmf", "1"],
            ["wait", 0.5],
            ["dtmf", "3"],
            ["wait", 0.5],
            ["dtmf", "12#"],
            ["wait", 0.3],
            ["dtmf", "9"],
        ]
    )
    to = f"sip:+358401234567@127.0.0.1:{peer.port}"
    result = _run(tmp_path, "--to", to, "--questionnaire", str(questionnaire_file), "--json")

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome == {
        "to": to,
        "sip_status": 200,
        "code": "2.11",
        "answered": True,
        "answers": {"area": "rural", "score": 12},
        "disposition": "do_not_call",
        "duration_seconds": outcome["duration_seconds"],
        "recordings": [],
    }
    assert 1.0 < outcome["duration_seconds"] < 30


@pytest.mark.slow
def test_a_busy_number_exits_1_and_still_prints_the_outcome(
    tmp_path: Path, questionnaire_file: Path, sipp: Callable[[int, str], Peer]
) -> None:
    peer = sipp(486, "Busy Here")
    to = f"sip:survey@127.0.0.1:{peer.port}"
    result = _run(tmp_path, "--to", to, "--questionnaire", str(questionnaire_file), "--json")

    assert result.returncode == 1
    outcome = json.loads(result.stdout)
    assert outcome["sip_status"] == 486
    assert outcome["code"] == "3.12"
    assert outcome["answered"] is False
    assert outcome["answers"] == {}


@pytest.mark.slow
def test_an_unreachable_number_exits_1_as_a_technical_failure(
    tmp_path: Path, questionnaire_file: Path
) -> None:
    to = f"sip:survey@127.0.0.1:{free_port()}"
    result = _run(tmp_path, "--to", to, "--questionnaire", str(questionnaire_file), "--json")

    assert result.returncode == 1
    outcome = json.loads(result.stdout)
    assert outcome["sip_status"] is None
    assert outcome["code"] == "3.16"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ([], "the following arguments are required: --to, --questionnaire"),
        (["--to", "040 1234567", "--questionnaire", "q.json"], "is not a SIP URI"),
        (["--to", "sip:x@127.0.0.1", "--questionnaire", "missing.json"], "No such file"),
        (["--to", "sip:x@127.0.0.1", "--questionnaire", "bad.json"], "not JSON: Expecting"),
        (["--to", "sip:x@127.0.0.1", "--questionnaire", "wrong.json"], "stop_key: must be one key"),
        (
            ["--to", "sip:x@127.0.0.1", "--questionnaire", "q.json", "--language", "de"],
            "--language de is not one of the questionnaire's languages (en, fi)",
        ),
        (
            ["--to", "sip:x@127.0.0.1", "--questionnaire", "q.json", "--ring-timeout", "0"],
            "argument --ring-timeout: 0 is not between 0 and 3600 seconds",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    problem: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.json").write_text(json.dumps(TEST_QUESTIONNAIRE), encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    (tmp_path / "wrong.json").write_text(
        json.dumps({**TEST_QUESTIONNAIRE, "stop_key": "x"}), encoding="utf-8"
    )

    assert fast_cli.answer(["survey", "test-call", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("kuntarobo survey test-call: ")
    assert problem in captured.err


def test_an_unknown_sub_command_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert fast_cli.answer(["survey", "frobnicate"]) == 2
    refusal = capsys.readouterr().err
    assert "unknown sub-command 'frobnicate' (known: simulate, test-call)" in refusal
    assert fast_cli.answer(["survey"]) == 2
    assert fast_cli.answer(["survey", "--help"]) == 0
    assert "test-call" in capsys.readouterr().out


def test_sub_commands_are_a_table_others_can_extend() -> None:
    assert fast_cli.SUBCOMMANDS["test-call"] is fast_cli.test_call_main


def test_the_django_command_hands_its_arguments_to_the_fast_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kuntarobo.robots.phone_survey.management.commands.survey import Command

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["kuntarobo", "survey", "test-call", "--to", "tel:1"])
    assert exit_info.value.code == 2
    assert "the following arguments are required: --questionnaire" in capsys.readouterr().err
