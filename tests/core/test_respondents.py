"""Reading the respondents list of a phone survey and honouring the do-not-call list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.respondents import (
    DoNotCall,
    RespondentsError,
    mask_phone,
    normalise_phone,
    read_respondents,
)


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("+358 40 1234567", "+358401234567"),
        ("00358401234567", "+358401234567"),
        ("(09) 123 4567", "+35891234567"),
    ],
)
def test_finnish_ways_of_writing_a_number_become_e164(written, e164):
    assert normalise_phone(written) == e164


@pytest.mark.parametrize("written", ["123", "040", "abc", "+358 40 12", "999999999999999999"])
def test_impossible_numbers_are_not_normalised(written):
    assert normalise_phone(written) is None


def test_a_plain_csv_with_english_headers_is_read():
    text = "phone,age_group,gender,area,language\n040 123 4567,18-29,f,Keskusta,sv\n"
    read = read_respondents(text)
    (respondent,) = read.respondents
    assert respondent.row == 2  # the header is row 1
    assert respondent.phone_e164 == "+358401234567"
    assert (respondent.age_group, respondent.gender, respondent.area) == ("18-29", "f", "Keskusta")
    assert respondent.language == "sv"
    assert read.invalid == ()
    assert read.duplicates == ()


def test_finnish_headers_and_a_semicolon_separator_are_understood():
    text = "Puhelin;Ikäryhmä;Sukupuoli;Alue;Kieli\n0401234567;65+;mies;Kalanti;suomi\n"
    (respondent,) = read_respondents(text).respondents
    assert respondent.age_group == "65+"
    assert respondent.area == "Kalanti"
    assert respondent.language == "fi"


def test_swedish_headers_are_understood():
    text = "Telefon,Åldersgrupp,Kön,Område,Språk\n+358401234567,30-44,kvinna,Centrum,svenska\n"
    (respondent,) = read_respondents(text).respondents
    assert (respondent.gender, respondent.language) == ("kvinna", "sv")


def test_only_a_phone_column_is_needed_and_an_empty_language_means_finnish():
    read = read_respondents("phone\n0401234567\n")
    assert read.respondents[0].language == "fi"
    assert read.respondents[0].age_group == ""


def test_an_invalid_number_is_reported_masked_and_the_rest_are_read():
    text = "phone\n040 123 4567\n12345\n050 765 4321\n"
    read = read_respondents(text)
    assert [r.row for r in read.respondents] == [2, 4]
    (problem,) = read.invalid
    assert (problem.row, problem.column) == (3, "phone")
    assert problem.value_shown_masked == "**345"  # only the last three digits are shown
    assert "12345" not in problem.message.english()


def test_a_missing_number_on_a_row_is_reported():
    read = read_respondents("phone,area\n,Keskusta\n0401234567,Keskusta\n")
    assert [(p.row, p.column) for p in read.invalid] == [(2, "phone")]
    assert len(read.respondents) == 1


def test_an_unknown_language_is_reported_naming_row_and_column():
    read = read_respondents("phone,language\n0401234567,klingon\n")
    assert read.respondents == ()
    (problem,) = read.invalid
    assert (problem.row, problem.column, problem.value_shown_masked) == (2, "language", "klingon")
    assert "Row 2, column language" in problem.message.english()


def test_the_same_number_written_twice_keeps_the_first_and_reports_the_later():
    text = "phone\n040 123 4567\n+358401234567\n00358401234567\n"
    read = read_respondents(text)
    assert [r.row for r in read.respondents] == [2]
    assert [(d.row, d.first_row) for d in read.duplicates] == [(3, 2), (4, 2)]
    assert read.duplicates[0].value_shown_masked == "+*********567"  # 12 digits: 9 hidden, 3 shown


def test_blank_lines_are_skipped_and_row_numbers_stay_the_files():
    read = read_respondents("phone\n\n0401234567\n")
    assert read.respondents[0].row == 3


def test_a_byte_order_mark_does_not_hide_the_phone_header():
    assert len(read_respondents("\ufeffpuhelin\n0401234567\n").respondents) == 1


def test_a_file_without_a_phone_column_is_fatal():
    with pytest.raises(RespondentsError) as error:
        read_respondents("name,area\nMatti,Keskusta\n")
    assert error.value.field == "header"


def test_two_columns_meaning_phone_are_fatal():
    with pytest.raises(RespondentsError) as error:
        read_respondents("phone,puhelin\n0401234567,0401234567\n")
    assert error.value.field == "header"


@pytest.mark.parametrize("text", ["", "  \n", "phone\n", "phone\n\n\n"])
def test_an_empty_file_is_fatal(text):
    with pytest.raises(RespondentsError) as error:
        read_respondents(text)
    assert error.value.field == "file"


def test_too_many_rows_are_fatal():
    text = "phone\n" + "0401234567\n" * 3
    assert len(read_respondents(text, max_rows=3).duplicates) == 2
    with pytest.raises(RespondentsError) as error:
        read_respondents(text, max_rows=2)
    assert error.value.field == "rows"


def test_masking_keeps_the_last_three_digits_and_the_separators():
    assert mask_phone("040 123 4567") == "*** *** *567"
    assert mask_phone("12") == "12"


@given(st.text(alphabet="0123456789 +-()", max_size=30))
def test_a_masked_number_never_shows_more_than_three_digits(value):
    assert sum(char.isdigit() for char in mask_phone(value)) <= 3


def test_the_do_not_call_list_excludes_its_numbers_in_any_written_form():
    read = read_respondents("phone\n040 123 4567\n050 765 4321\n")
    do_not_call = DoNotCall.of(["+358 40 123 4567"])
    kept, excluded = do_not_call.filter(read.respondents)
    assert [r.phone_e164 for r in kept] == ["+358507654321"]
    assert [r.phone_e164 for r in excluded] == ["+358401234567"]
    assert "+358401234567" in do_not_call


def test_an_invalid_do_not_call_number_names_its_position():
    with pytest.raises(RespondentsError) as error:
        DoNotCall.of(["0401234567", "12"])
    assert error.value.field == "do_not_call[1]"
