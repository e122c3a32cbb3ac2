"""Bounded input reading: a zip bomb is refused quickly in bounded memory, whatever its header
declares; an .xlsx (a zip) is checked the same way; limits come from the environment."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from kuntarobo.core.inputs import MIB, InputLimits, LimitExceeded, csv_rows
from kuntarobo.robots.hr_reports.exchange import COLUMNS, read_export

UNIT_ROW = b"U00001;Yksikko;Esihenkilo Nimi;esihenkilo@example.fi;fi\n"


def bomb(path, size: int = 100 * MIB, name: str = "units.csv"):
    """A small zip whose member inflates to `size` bytes of unit rows, beside the other sheets
    of an export (headers only): a complete export, so every sheet is read."""
    block = UNIT_ROW * (MIB // len(UNIT_ROW))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for sheet, columns in COLUMNS.items():
            if f"{sheet}.csv" != name:
                archive.writestr(f"{sheet}.csv", ";".join(columns) + "\n")
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(b"unit_id;unit_name;supervisor_name;supervisor_email;language\n")
            written = 0
            while written < size:
                member.write(block)
                written += len(block)
    return path


def test_a_zip_bomb_is_refused_naming_the_member_in_bounded_memory(tmp_path):
    archive = bomb(tmp_path / "export.zip")
    assert archive.stat().st_size < 1 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as refused:
            read_export(archive, limits=InputLimits())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.limit == "rows"
    assert "units.csv" in str(refused.value)
    assert peak < 50 * MIB, peak


def test_a_member_inflating_past_the_member_limit_is_refused_whatever_it_declares(tmp_path):
    archive = bomb(tmp_path / "export.zip", size=8 * MIB, name="payments.csv")
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as refused:
            read_export(archive, limits=InputLimits(member_bytes=2 * MIB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (refused.value.limit, refused.value.member) == ("member_bytes", "payments.csv")
    assert "2 MiB" in str(refused.value)
    assert peak < 20 * MIB, peak


def test_an_xlsx_bomb_is_refused_before_the_workbook_parser_sees_it(tmp_path):
    workbook = bomb(tmp_path / "export.xlsx", size=8 * MIB, name="xl/worksheets/sheet1.xml")
    with pytest.raises(LimitExceeded) as refused:
        read_export(workbook, limits=InputLimits(member_bytes=2 * MIB))
    assert refused.value.member == "xl/worksheets/sheet1.xml"


def test_the_total_unpacked_size_is_limited_across_members(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(4):
            archive.writestr(f"extra-{number}.csv", b"x" * MIB)
    with pytest.raises(LimitExceeded) as refused:
        read_export(path, limits=InputLimits(total_bytes=3 * MIB))
    assert refused.value.limit == "total_bytes"


def test_too_many_members_are_refused(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(6):
            archive.writestr(f"file-{number}.csv", b"a")
    with pytest.raises(LimitExceeded) as refused:
        read_export(path, limits=InputLimits(members=5))
    assert refused.value.limit == "members"


def test_a_csv_line_longer_than_the_limit_is_refused_after_reading_at_most_the_limit():
    stream = io.BytesIO(b"a;b\n" + b"x" * 10_000 + b"\n")
    with pytest.raises(LimitExceeded) as refused:
        list(csv_rows(stream, InputLimits(line_bytes=1000), "units.csv"))
    assert (refused.value.limit, refused.value.line) == ("line_bytes", 2)
    assert stream.tell() < 2000


def test_limits_come_from_the_environment_and_a_bad_value_names_the_variable():
    limits = InputLimits.from_env(
        {"KUNTAROBO_INPUT_MAX_ROWS": "10", "KUNTAROBO_INPUT_MAX_MEMBERS": ""}
    )
    assert (limits.rows, limits.members) == (10, InputLimits().members)
    with pytest.raises(ValueError, match="KUNTAROBO_INPUT_MAX_BYTES"):
        InputLimits.from_env({"KUNTAROBO_INPUT_MAX_BYTES": "lots"})
    with pytest.raises(ValueError, match="KUNTAROBO_INPUT_MAX_LINE_BYTES"):
        InputLimits.from_env({"KUNTAROBO_INPUT_MAX_LINE_BYTES": "0"})
