"""The `kuntarobo` command names no robot: `help` groups the platform's and each robot's
commands from the registry, and a command's own app may answer it without Django."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from kuntarobo import __main__ as entry
from kuntarobo.deployment import PLATFORM_APPS, installed_apps
from kuntarobo.runtime import command_index

ROOT = Path(__file__).resolve().parents[2]


def help_text(capsys, *argv: str) -> str:
    capsys.readouterr()
    command_index.Utility(["kuntarobo", *argv]).execute()
    return capsys.readouterr().out


def sections(text: str) -> dict[str, list[str]]:
    """Heading → the command names listed under it."""
    found: dict[str, list[str]] = {}
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and lines[0].endswith(":") and not lines[0].startswith("Usage"):
            found[lines[0].removesuffix(":")] = [line.split()[0] for line in lines[1:]]
    return found


@pytest.mark.parametrize("argv", [("help",), ("--help",), ()])
def test_help_lists_the_platforms_commands_and_each_robots_in_groups(capsys, argv):
    groups = sections(help_text(capsys, *argv))
    assert {"robots", "items", "tokens", "audit", "worker", "web", "demo"} <= set(
        groups["Platform"]
    )
    assert groups["Robot: ECEC fee decisions (ecec_fees)"] == ["ecec-fees"]
    assert groups["Robot: HR reports to supervisors (hr_reports)"] == ["hr-reports"]
    assert {"migrate", "createsuperuser", "changepassword", "check"} <= set(
        groups["Django (for operators)"]
    )


def test_help_leaves_out_djangos_dangerous_commands_and_the_robots_module_aliases(capsys):
    listed = [name for names in sections(help_text(capsys, "help")).values() for name in names]
    for hidden in ("flush", "dbshell", "sqlflush", "startapp", "ecec_fees", "hr_reports"):
        assert hidden not in listed
    assert len(listed) == len(set(listed))


def test_each_listed_command_has_its_summary(capsys):
    text = help_text(capsys, "help")
    line = next(line for line in text.splitlines() if line.strip().startswith("ecec-fees "))
    assert "calculator" in line
    assert all(len(line) <= command_index.LINE_WIDTH for line in text.splitlines())


def test_help_all_gives_djangos_whole_list_and_the_hidden_commands_still_run(capsys):
    text = help_text(capsys, "help", "--all")
    assert "flush" in text.split()
    assert "ecec_fees" in text.split()
    commands = get_commands()
    assert commands["ecec_fees"] == commands["ecec-fees"] == "kuntarobo.robots.ecec_fees"
    utility = command_index.Utility(["kuntarobo", "ecec_fees"])
    assert utility.fetch_command("ecec_fees").help == utility.fetch_command("ecec-fees").help


def test_a_command_module_beside_its_hyphenated_name_is_an_alias():
    commands = {"ecec-fees": "a", "ecec_fees": "a", "load_demo": "b", "other_name": "c"}
    assert command_index.is_alias("ecec_fees", "a", commands)
    assert not command_index.is_alias("ecec-fees", "a", commands)
    assert not command_index.is_alias("load_demo", "b", commands)
    assert not command_index.is_alias("other_name", "c", {**commands, "other-name": "d"})


def test_the_installed_apps_are_the_platforms_then_the_extra_ones_each_once(settings):
    assert settings.INSTALLED_APPS[: len(PLATFORM_APPS)] == list(PLATFORM_APPS)
    extra = {"KUNTAROBO_EXTRA_APPS": " my_robot, ,kuntarobo.api,their_robot,my_robot"}
    assert installed_apps(extra) == [*PLATFORM_APPS, "my_robot", "their_robot"]


def test_a_command_belongs_to_the_first_app_that_has_it_as_django_decides():
    apps = installed_apps({})
    for name in ("ecec-fees", "ecec_fees", "robots", "runserver", "createsuperuser"):
        owner = entry.command_app(apps, name)
        assert owner is not None, name
        assert owner[0] == get_commands()[name], name
    for name in ("migrate", "no-such-command", "", "--help", "../etc", "a.b"):
        assert entry.command_app(apps, name) is None, name


def test_only_an_app_with_a_fast_module_answers_without_django(monkeypatch, capsys):
    assert entry.answer_without_django(["robots", "list"]) is None
    assert entry.answer_without_django([]) is None
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"family": {}}'))
    assert entry.answer_without_django(["ecec-fees", "calculate"]) == 2
    assert '"error"' in capsys.readouterr().out


def test_the_fee_robots_fast_module_leaves_other_subcommands_and_dated_requests_to_django(
    monkeypatch,
):
    from kuntarobo.robots.ecec_fees import fast_cli

    assert fast_cli.answer(["ecec-fees", "run"]) is None
    assert fast_cli.answer(["ecec-fees", "calculate", "--lines"]) is None
    family = {
        "size": 2,
        "incomes": [{"amount": 300000}],
        "children": [{"id": "a", "birth_date": "2022-05-01"}],
    }
    request = json.dumps({"date": "2025-01-15", "family": family})
    monkeypatch.setattr(sys, "stdin", io.StringIO(request))
    assert fast_cli.answer(["ecec-fees", "calculate"]) is None
    assert sys.stdin.read() == request  # kept for the Django command


def test_the_entry_point_the_core_url_conf_and_the_api_name_no_robot():
    for path in ("kuntarobo/__main__.py", "kuntarobo/urls.py", "kuntarobo/api/urls.py"):
        text = (ROOT / path).read_text()
        assert "robots." not in text, path
        for robot in ("ecec", "hr_reports", "invoice", "archiver", "varhaiskasvatus"):
            assert robot not in text, (path, robot)
