"""A robot's management commands: who acts, bad input as exit code 2, runs started and
processed here and now, JSON out."""

from kuntarobo.runtime.cli import (
    BAD_INPUT,
    acting_user,
    fail,
    input_path,
    run_here_and_now,
    start_run,
    to_json,
    write_table,
)
from kuntarobo.runtime.execution import process_run_inline

__all__ = [
    "BAD_INPUT",
    "acting_user",
    "fail",
    "input_path",
    "process_run_inline",
    "run_here_and_now",
    "start_run",
    "to_json",
    "write_table",
]
