"""Runs `kuntarobo ...` in this process, as the console script would: parsed from argv, with
the exit code and what went to stdout and stderr."""

from __future__ import annotations

import json
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core.management import ManagementUtility
from django.db import connections

from tests.api.helpers import World, build_world


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out.strip().splitlines()[-1])


@pytest.fixture
def cli(capsys):
    def run(*argv: str) -> Outcome:
        capsys.readouterr()
        argv_full = ["kuntarobo", *argv]
        command = ManagementUtility(argv_full).fetch_command(argv[0])
        # run_from_argv closes the connections at the end, which would end the test's
        # transaction; a real process exits there anyway.
        with mock.patch.object(connections, "close_all"):
            try:
                command.run_from_argv(argv_full)
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


@pytest.fixture
def world(db, tmp_path) -> World:
    return build_world(tmp_path)
