"""Reading a person's file within limits, and refusing it with a message that names the limit."""

from kuntarobo.core.inputs import (
    MAX_DATE,
    MIN_DATE,
    CsvDecodeError,
    InputLimits,
    LimitExceeded,
    bounded_lines,
    check_archive,
    check_file_size,
    csv_rows,
    format_size,
    open_member,
)
from kuntarobo.runtime.limit_errors import DATE_VALIDATORS, input_limits, limit_input_error

__all__ = [
    "DATE_VALIDATORS",
    "MAX_DATE",
    "MIN_DATE",
    "CsvDecodeError",
    "InputLimits",
    "LimitExceeded",
    "bounded_lines",
    "check_archive",
    "check_file_size",
    "csv_rows",
    "format_size",
    "input_limits",
    "limit_input_error",
    "open_member",
]
