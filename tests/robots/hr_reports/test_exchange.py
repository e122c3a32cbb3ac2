"""Import of the HR exchange format: the three inputs, round trips, a municipality's own
names and codes, and every problem code a bad file produces."""

from __future__ import annotations

import datetime
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuntarobo.robots.hr_reports.dataset import (
    ABSENCE_TYPES,
    EMPLOYMENT_TYPES,
    LANGUAGES,
    Absence,
    Dataset,
    Employee,
    Employment,
    ExportError,
    Payment,
    RowError,
    Unit,
)
from kuntarobo.robots.hr_reports.exchange import (
    COLUMNS,
    MAX_ERRORS,
    PROBLEMS,
    ColumnMapping,
    is_valid_email,
    read_export,
    write_export_csv_folder,
    write_export_xlsx,
)

SAMPLE = Dataset(
    units=(
        Unit("U1", "Päiväkoti Vekara", "Maija Esimies", "maija.esimies@kunta.fi", "fi"),
        Unit("U2", "Biblioteket", "Kalle Chef", "", "sv"),  # no e-mail: not an import error
        Unit("U3", "IT", "Ann Boss", "not an address", "en"),
    ),
    employees=(
        Employee("1001", "Virtanen", "Aino", "U1"),
        Employee("1002", "Åström", "Eero", "U2"),
    ),
    employments=(
        Employment(
            "T1",
            "1001",
            "U1",
            "permanent",
            "lastentarhanopettaja",
            date(2020, 8, 1),
            None,
            "",
            Decimal(100),
        ),
        Employment(
            "T2",
            "1002",
            "U2",
            "fixed_term",
            "kirjastovirkailija",
            date(2025, 1, 1),
            date(2025, 6, 30),
            "määräaika päättyi",
            Decimal("80.5"),
        ),
    ),
    payments=(
        Payment("1001", date(2025, 4, 15), date(2025, 4, 1), date(2025, 4, 30), "101", 312345),
        Payment("1002", date(2025, 4, 15), date(2025, 3, 1), date(2025, 3, 31), "201", -1050),
    ),
    absences=(
        Absence("1001", date(2025, 3, 28), date(2025, 4, 2), "sickness", True),
        Absence("1002", date(2025, 4, 20), None, "unpaid", False),
    ),
)

HEADERS = {sheet: ";".join(columns) for sheet, columns in COLUMNS.items()}
GOOD_ROWS = {
    "units": ["U1;Päiväkoti;Maija;maija@kunta.fi;fi"],
    "employees": ["E1;Virtanen;Aino;U1"],
    "employments": ["T1;E1;U1;permanent;opettaja;2020-01-01;;;"],
    "payments": ["E1;2025-04-15;2025-04-01;2025-04-30;101;1 234,50"],
    "absences": ["E1;2025-04-01;2025-04-03;sickness;kyllä"],
}


def write_folder(folder: Path, rows: dict[str, list[str]], encoding: str = "utf-8") -> Path:
    """A CSV folder from the good rows, with some sheets' rows replaced."""
    folder.mkdir(exist_ok=True)
    for sheet in COLUMNS:
        lines = [HEADERS[sheet], *rows.get(sheet, GOOD_ROWS[sheet])]
        (folder / f"{sheet}.csv").write_text("\n".join(lines) + "\n", encoding=encoding)
    return folder


def errors_of(path: Path, mapping: ColumnMapping | None = None) -> list[RowError]:
    with pytest.raises(ExportError) as caught:
        read_export(path, mapping)
    return caught.value.errors


def brief(errors: list[RowError]) -> list[tuple[str, int, str, str]]:
    return [(e.sheet, e.row, e.column, e.problem) for e in errors]


# --- inputs and round trips ---------------------------------------------------------------


def test_a_written_workbook_reads_back_as_the_same_dataset(tmp_path):
    path = tmp_path / "export.xlsx"
    write_export_xlsx(SAMPLE, path)
    assert read_export(path) == SAMPLE


def test_a_written_csv_folder_reads_back_as_the_same_dataset(tmp_path):
    write_export_csv_folder(SAMPLE, tmp_path / "export")
    assert read_export(tmp_path / "export") == SAMPLE
    assert (tmp_path / "export" / "units.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_zip_of_csv_files_in_a_subfolder_reads_back(tmp_path):
    write_export_csv_folder(SAMPLE, tmp_path / "export")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for csv_file in (tmp_path / "export").iterdir():
            zipped.write(csv_file, f"hr-2025-04/{csv_file.name}")
    assert read_export(archive) == SAMPLE


def test_a_zip_holding_one_workbook_reads_back(tmp_path):
    write_export_xlsx(SAMPLE, tmp_path / "export.xlsx")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(tmp_path / "export.xlsx", "Populus export.xlsx")
    assert read_export(archive) == SAMPLE


def test_comma_delimited_csv_without_bom_with_crlf_and_extra_columns_is_read(tmp_path):
    folder = write_folder(tmp_path / "x", {})
    (folder / "payments.csv").write_bytes(
        b"note,amount,employee_id,payment_date,period_start,period_end,income_type\r\n"
        b'x,"1 234,56",E1,2025-04-15,2025-04-01,2025-04-30,101\r\n'
        b",,,,,,\r\n"
        b"y,99.9,E1,2025-05-15,2025-05-01,2025-05-31,101\r\n"
    )
    data = read_export(folder)
    assert [p.amount_cents for p in data.payments] == [123456, 9990]


def test_workbook_cells_typed_as_numbers_dates_and_booleans_are_understood(tmp_path):
    book = openpyxl.Workbook()
    book.remove(book.active)
    values = {
        "units": [["U1", "Koulu", "Rehtori", "r@kunta.fi", "FI"]],
        "employees": [[1001, "Virtanen", "Aino", "U1"], [], [1002.0, "Lahti", "Eino", "U1"]],
        "employments": [
            ["T1", 1001, "U1", "permanent", "", datetime.datetime(2020, 1, 1), None, "", 0.8]
        ],
        "payments": [[1001, date(2025, 4, 15), "2025-04-01", "2025-04-30", 101, 1234.5]],
        "absences": [[1002, "2025-04-01", None, "sickness", True]],
    }
    for sheet, rows in values.items():
        worksheet = book.create_sheet(sheet)
        worksheet.append(list(COLUMNS[sheet]))
        for row in rows:
            worksheet.append(row)
    book["employments"]["I2"].number_format = "0%"
    book.save(tmp_path / "typed.xlsx")
    data = read_export(tmp_path / "typed.xlsx")
    assert [e.employee_id for e in data.employees] == ["1001", "1002"]
    assert data.units[0].language == "fi"
    assert data.employments[0].start_date == date(2020, 1, 1)
    assert data.employments[0].part_time_percent == Decimal(80)
    assert data.payments[0].amount_cents == 123450
    assert data.payments[0].income_type == "101"
    assert data.absences[0] == Absence("1002", date(2025, 4, 1), None, "sickness", True)


@pytest.mark.parametrize(
    ("text", "paid"),
    [("yes", True), ("No", False), ("KYLLÄ", True), ("ei", False), ("ja", True),
     ("nej", False), ("true", True), ("False", False), ("1", True), ("0", False)],
)  # fmt: skip
def test_paid_is_read_in_finnish_swedish_and_english(tmp_path, text, paid):
    folder = write_folder(tmp_path / "x", {"absences": [f"E1;2025-04-01;;annual_leave;{text}"]})
    (absence,) = read_export(folder).absences
    assert absence.paid is paid
    assert absence.end_date is None


def test_amounts_are_exact_cents_with_comma_or_dot_and_spaces(tmp_path):
    amounts = ["1 234,50", "1234.5", "-10,00", "0", "12\u00a0345,67", "7"]
    rows = [f"E1;2025-04-15;2025-04-01;2025-04-30;101;{a}" for a in amounts]
    data = read_export(write_folder(tmp_path / "x", {"payments": rows}))
    assert [p.amount_cents for p in data.payments] == [123450, 123450, -1000, 0, 1234567, 700]


# --- a municipality's own export ------------------------------------------------------------

POPULUS = {
    "sheets": {"units": "Yksiköt", "employees": "Henkilöt", "absences": "Poissaolot"},
    "columns": {
        "units": {"unit_id": "Kustannuspaikka", "language": "Kieli"},
        "employees": {"employee_id": "Henkilönumero", "unit_id": "Kustannuspaikka"},
        "absences": {"employee_id": "Henkilönumero", "type": "Poissaolon syy", "paid": "Palkka"},
    },
    "codes": {
        "absences.type": {"SA": "sickness", "VL": "annual_leave"},
        "absences.paid": {"P": "yes", "PL": "no"},
        "units.language": {"suomi": "fi"},
    },
}


def write_populus(folder: Path, absence_rows: list[str]) -> Path:
    folder.mkdir()
    files = {
        "Yksiköt": "Kustannuspaikka;unit_name;supervisor_name;supervisor_email;Kieli\n"
        "K100;Koulu;Rehtori;rehtori@kunta.fi;suomi\n",
        "Henkilöt": "Henkilönumero;last_name;first_name;Kustannuspaikka\nH1;Virtanen;Aino;K100\n",
        "employments": HEADERS["employments"] + "\nT1;H1;K100;permanent;;2020-01-01;;;\n",
        "payments": HEADERS["payments"] + "\n",
        "Poissaolot": "Henkilönumero;start_date;end_date;Poissaolon syy;Palkka\n"
        + "".join(row + "\n" for row in absence_rows),
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_a_municipality_mapping_reads_its_own_names_and_codes(tmp_path):
    mapping = ColumnMapping.from_json(POPULUS)
    folder = write_populus(
        tmp_path / "p", ["H1;2025-04-01;2025-04-05;SA;P", "H1;2025-05-02;;vl;PL"]
    )
    data = read_export(folder, mapping)
    assert data.units[0].language == "fi"
    assert data.absences == (
        Absence("H1", date(2025, 4, 1), date(2025, 4, 5), "sickness", True),
        Absence("H1", date(2025, 5, 2), None, "annual_leave", False),
    )


def test_problems_are_reported_in_the_municipalitys_own_sheet_and_column_names(tmp_path):
    mapping = ColumnMapping.from_json(POPULUS)
    folder = write_populus(tmp_path / "p", ["H1;2025-04-01;2025-04-05;XX;P", "H9;2025-04-01;;SA;?"])
    errors = errors_of(folder, mapping)
    assert brief(errors) == [
        ("Poissaolot", 2, "Poissaolon syy", "bad_type"),
        ("Poissaolot", 3, "Palkka", "bad_boolean"),
        ("Poissaolot", 3, "Henkilönumero", "unknown_employee"),
    ]
    assert errors[0].value == "XX"


def test_a_mapping_round_trips_through_json():
    mapping = ColumnMapping.from_json(POPULUS)
    assert ColumnMapping.from_json(mapping.to_json()) == mapping
    assert ColumnMapping.from_json({}) == ColumnMapping()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("x", "JSON object"),
        ({"sheet": {}}, "unknown keys in the column mapping: sheet"),
        ({"sheets": {"people": "Henkilöt"}}, "unknown sheets in the column mapping: people"),
        ({"columns": {"units": {"unit": "Yksikkö"}}}, "unknown column units.unit"),
        ({"columns": {"staff": {}}}, "unknown sheet 'staff'"),
        ({"codes": {"absences.reason": {}}}, "unknown coded field 'absences.reason'"),
        ({"codes": {"absences.type": {"SA": "sick"}}}, "unknown code 'sick' for absences.type"),
        ({"sheets": {"units": 5}}, "'sheets' must map names to non-empty strings"),
    ],
)
def test_an_invalid_mapping_is_refused_naming_what_is_wrong(data, message):
    with pytest.raises(ValueError, match=message):
        ColumnMapping.from_json(data)


# --- problems -----------------------------------------------------------------------------


def test_a_bad_file_lists_every_problem_with_its_row_and_column(tmp_path):
    folder = write_folder(
        tmp_path / "bad",
        {
            "units": [
                "U1;Päiväkoti;Maija;;fi",  # no e-mail: the robot's business, not the import's
                "U2;Koulu;Rehtori;not-an-address;de",
                "U1;Kirjasto;Kalle;k@kunta.fi;sv",
                ";;;;",  # empty row: skipped
                "U3;;Anna;a@kunta.fi;en",
            ],
            "employees": ["E1;Virtanen;Aino;U1", "E2;Lahti;Eino;U9", "E1;Toinen;Taina;U1"],
            "employments": [
                "T1;E1;U1;permanent;opettaja;2020-01-01;2019-12-31;;",
                "T1;E9;U1;seasonal;;2020-13-01;;;120",
                "T3;E1;U8;fixed_term;;01.02.2020;;;abc",
            ],
            "payments": [
                "E1;2025-04-15;2025-04-30;2025-04-01;101;1.234,50",
                "E1;2025-04-15;2025-04-01;2025-04-30;101;12,345",
                "E7;;2025-04-01;2025-04-30;;100",
            ],
            "absences": [
                "E1;2025-04-05;2025-04-01;sickness;yes",
                "E1;2025-04-01;;flu;maybe",
                "E5;2025-02-30;;sickness;no",
            ],
        },
    )
    errors = errors_of(folder)
    sheets = list(COLUMNS)
    assert [(sheets.index(e.sheet), e.row) for e in errors] == sorted(
        (sheets.index(e.sheet), e.row) for e in errors
    )
    assert sorted(brief(errors)) == sorted(
        [
            ("units", 3, "language", "bad_language"),
            ("units", 4, "unit_id", "duplicate_id"),
            ("units", 6, "unit_name", "empty"),
            ("employees", 3, "unit_id", "unknown_unit"),
            ("employees", 4, "employee_id", "duplicate_id"),
            ("employments", 2, "end_date", "end_before_start"),
            ("employments", 3, "type", "bad_type"),
            ("employments", 3, "start_date", "bad_date"),
            ("employments", 3, "part_time_percent", "bad_percent"),
            ("employments", 3, "employment_id", "duplicate_id"),
            ("employments", 3, "employee_id", "unknown_employee"),
            ("employments", 4, "start_date", "bad_date"),
            ("employments", 4, "part_time_percent", "bad_percent"),
            ("employments", 4, "unit_id", "unknown_unit"),
            ("payments", 2, "period_end", "period_end_before_start"),
            ("payments", 3, "amount", "bad_amount"),
            ("payments", 4, "payment_date", "empty"),
            ("payments", 4, "income_type", "empty"),
            ("payments", 4, "employee_id", "unknown_employee"),
            ("payments", 2, "amount", "bad_amount"),
            ("absences", 2, "end_date", "end_before_start"),
            ("absences", 3, "type", "bad_type"),
            ("absences", 3, "paid", "bad_boolean"),
            ("absences", 4, "start_date", "bad_date"),
            ("absences", 4, "employee_id", "unknown_employee"),
        ]
    )


def test_errors_carry_the_value_found_and_where_the_first_duplicate_was(tmp_path):
    folder = write_folder(tmp_path / "bad", {"units": ["U1;A;;;fi", "U1;B;;;xx"]})
    language, duplicate = sorted(errors_of(folder), key=lambda e: e.problem)
    assert (duplicate.problem, duplicate.detail) == ("duplicate_id", {"first_row": "2"})
    assert (language.problem, language.value) == ("bad_language", "xx")
    assert str(language) == "units, row 3, column 'language': bad_language ('xx')"


def test_missing_sheets_and_columns_are_reported_without_cascading(tmp_path):
    folder = write_folder(tmp_path / "x", {})
    (folder / "units.csv").unlink()
    (folder / "absences.csv").write_text("employee_id;start_date;type\nE1;2025-01-01;sickness\n")
    assert brief(errors_of(folder)) == [
        ("units", 0, "", "missing_sheet"),
        ("absences", 1, "end_date", "missing_column"),
        ("absences", 1, "paid", "missing_column"),
    ]


def test_a_workbook_without_a_sheet_is_refused(tmp_path):
    path = tmp_path / "export.xlsx"
    write_export_xlsx(SAMPLE, path)
    book = openpyxl.load_workbook(path)
    del book["payments"]
    book.save(path)
    assert brief(errors_of(path)) == [("payments", 0, "", "missing_sheet")]


def test_a_csv_file_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    folder = write_folder(tmp_path / "x", {"employees": ["E1;Virtanen;Aino;U1", "E2;Ääliö;B;U1"]})
    (folder / "employees.csv").write_bytes(
        (HEADERS["employees"] + "\nE1;Virtanen;Aino;U1\nE2;Ääliö;B;U1\n").encode("cp1252")
    )
    (error,) = errors_of(folder)
    assert (error.sheet, error.row, error.problem) == ("employees", 3, "bad_encoding")
    assert error.detail["file"] == "employees.csv"


def test_files_that_are_not_exports_are_unreadable(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    for name in ("report.pdf", "broken.xlsx", "broken.zip", "missing.xlsx"):
        assert [e.problem for e in errors_of(tmp_path / name)] == ["unreadable_file"]


def test_every_problem_code_is_one_the_module_declares(tmp_path):
    folder = write_folder(tmp_path / "bad", {"units": ["U1;;;;de"], "absences": ["E1;x;;a;b"]})
    assert {e.problem for e in errors_of(folder)} <= set(PROBLEMS)


def test_the_error_list_stops_at_the_cap(tmp_path):
    rows = [f"E1;2025-04-15;2025-04-01;2025-04-30;101;bad{i}" for i in range(MAX_ERRORS + 50)]
    errors = errors_of(write_folder(tmp_path / "x", {"payments": rows}))
    assert len(errors) == MAX_ERRORS
    assert errors[0].row == 2


@pytest.mark.parametrize("amount", [1234.567, 0.005, "1,2,3", "12.345", "abc", "1e5", "€", True])
def test_amounts_with_fractions_of_a_cent_or_not_numbers_are_errors(tmp_path, amount):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in COLUMNS:
        book.create_sheet(sheet).append(list(COLUMNS[sheet]))
    book["units"].append(["U1", "Koulu", "", "", "fi"])
    book["employees"].append(["E1", "V", "A", "U1"])
    book["payments"].append(["E1", "2025-04-15", "2025-04-01", "2025-04-30", "101", amount])
    book.save(tmp_path / "x.xlsx")
    assert brief(errors_of(tmp_path / "x.xlsx")) == [("payments", 2, "amount", "bad_amount")]


# --- e-mail --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["maija.esimies@uusikaupunki.fi", "first+tag@sub.kunta.fi", " a.b@kunta.ax ",
     "kirjasto@åland.ax", "o'brien@example.com"],
)  # fmt: skip
def test_ordinary_addresses_are_valid(address):
    assert is_valid_email(address)


@pytest.mark.parametrize(
    "address",
    ["", "maija", "maija@", "@kunta.fi", "maija@kunta", "maija@@kunta.fi", "maija@kunta..fi",
     ".maija@kunta.fi", "maija.@kunta.fi", "maija esimies@kunta.fi", "a@kunta.fi; b@kunta.fi",
     "Maija <maija@kunta.fi>", "maija@-kunta.fi", "maija@kunta.f1"],
)  # fmt: skip
def test_typos_and_lists_are_not_valid_addresses(address):
    assert not is_valid_email(address)


def test_a_zip_with_a_damaged_member_is_unreadable_not_a_crash(tmp_path):
    write_export_csv_folder(SAMPLE, tmp_path / "export")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:  # stored: the damage reaches the CRC check
        for csv_file in sorted((tmp_path / "export").iterdir()):
            zipped.write(csv_file, csv_file.name)
    data = bytearray(archive.read_bytes())
    position = data.index(b"Virtanen")
    data[position : position + 8] = b"Xirtanen"
    archive.write_bytes(bytes(data))
    (error,) = errors_of(archive)
    assert (error.problem, error.value) == ("unreadable_file", "export.zip")


# --- round trip of any dataset ------------------------------------------------------------

texts = st.text(alphabet="abcåäöÅÄÖ -;,.\"'=\n0", max_size=12).map(str.strip)
names = texts.filter(bool)
days = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    """Valid datasets with awkward text (delimiters, quotes, newlines, a leading "=")."""
    unit_ids = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    units = tuple(
        Unit(uid, draw(names), draw(texts), draw(texts), draw(st.sampled_from(LANGUAGES)))
        for uid in unit_ids
    )
    employee_ids = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    employees = tuple(
        Employee(eid, draw(names), draw(names), draw(st.sampled_from(unit_ids)))
        for eid in employee_ids
    )
    employee = st.sampled_from(employee_ids)

    def period() -> tuple[date, date | None]:
        start = draw(days)
        length = draw(st.none() | st.integers(0, 400))
        return start, None if length is None else start + datetime.timedelta(days=length)

    employments = []
    for number in range(draw(st.integers(0, 3))):
        start, end = period()
        percent = draw(st.decimals(min_value=1, max_value=100, places=1))
        employments.append(
            Employment(f"T{number}", draw(employee), draw(st.sampled_from(unit_ids)),
                       draw(st.sampled_from(EMPLOYMENT_TYPES)), draw(texts), start, end,
                       draw(texts), percent)
        )  # fmt: skip
    payments = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(days)
        payments.append(
            Payment(draw(employee), draw(days), start, start + datetime.timedelta(days=30),
                    draw(names), draw(st.integers(-10**9, 10**9)))
        )  # fmt: skip
    absences = []
    for _ in range(draw(st.integers(0, 3))):
        start, end = period()
        absences.append(
            Absence(draw(employee), start, end, draw(st.sampled_from(ABSENCE_TYPES)),
                    draw(st.booleans()))
        )  # fmt: skip
    return Dataset(units, employees, tuple(employments), tuple(payments), tuple(absences))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=datasets())
def test_any_dataset_survives_a_round_trip_through_csv_files(tmp_path, data):
    folder = tmp_path / "round"
    write_export_csv_folder(data, folder)
    assert read_export(folder) == data


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=datasets())
def test_any_dataset_survives_a_round_trip_through_a_workbook(tmp_path, data):
    path = tmp_path / "round.xlsx"
    write_export_xlsx(data, path)
    assert read_export(path) == data


def test_text_starting_with_an_equals_sign_is_written_as_text_not_a_formula(tmp_path):
    units = (Unit("U1", '=HYPERLINK("http://x")', "", "", "fi"),)
    data = Dataset(units=units, employees=(Employee("E1", "=1+1", "A", "U1"),))
    write_export_xlsx(data, tmp_path / "x.xlsx")
    assert read_export(tmp_path / "x.xlsx") == data


def test_a_mapping_renames_workbook_sheets_and_columns_too(tmp_path):
    path = tmp_path / "populus.xlsx"
    write_export_xlsx(SAMPLE, path)
    book = openpyxl.load_workbook(path)
    book["units"].title = "Yksiköt"
    book["absences"].title = "Poissaolot"
    book["Poissaolot"]["A1"] = "Henkilönumero"
    book["Poissaolot"]["E1"] = "Palkka"
    for row in range(2, book["Poissaolot"].max_row + 1):
        cell = book["Poissaolot"].cell(row, 5)
        cell.value = {"yes": "P", "no": "PL"}[cell.value]
    book.save(path)
    mapping = ColumnMapping(
        sheets={"units": "Yksiköt", "absences": "Poissaolot"},
        columns={"absences": {"employee_id": "Henkilönumero", "paid": "Palkka"}},
        codes={"absences.paid": {"P": "yes", "PL": "no"}},
    )
    assert read_export(path, mapping) == SAMPLE
    assert brief(errors_of(path)) == [("units", 0, "", "missing_sheet"),
                                      ("absences", 0, "", "missing_sheet")]  # fmt: skip
