"""The client fee decision letter: contents, layout, tagging, drafts, odd names, print batches."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pypdf
import pytest

from kuntarobo.robots.ecec_fees import letters as letters_module
from kuntarobo.robots.ecec_fees.letters import (
    Address,
    ForkedAfterRenderingError,
    IncomeLine,
    format_date,
    format_euros,
    letter_data,
    print_batch,
    render_pdf,
)
from tests.robots.ecec_fees.letter_samples import child, sample_letter
from tests.robots.ecec_fees.pdf_helpers import (
    Box,
    all_text,
    find_text_box,
    page_texts,
    render_page,
)

# A C5/DL window envelope shows 20–105 mm from the left edge and 45–85 mm from the top.
WINDOW = Box(left=19.0, top=45.0, right=105.0, bottom=85.0)


@pytest.fixture(scope="module")
def finnish_pdf() -> bytes:
    return render_pdf(sample_letter("fi"))


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_money_is_written_the_finnish_swedish_or_english_way():
    assert format_euros(123450, "fi") == "1 234,50 €"
    assert format_euros(11300, "sv") == "113,00 €"
    assert format_euros(123450, "en") == "€1,234.50"
    assert format_euros(0, "fi") == "0,00 €"
    assert format_euros(123456789, "fi") == "1 234 567,89 €"
    assert format_euros(-1205, "fi") == "-12,05 €"
    assert format_euros(-1205, "en") == "-€12.05"


def test_dates_are_day_month_year_without_leading_zeros():
    assert format_date(datetime.date(2026, 8, 1), "fi") == "1.8.2026"
    assert format_date(datetime.date(2026, 12, 31), "sv") == "31.12.2026"
    assert format_date(datetime.date(2026, 8, 1), "en") == "1 August 2026"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        format_date(datetime.date(2026, 8, 1), "de")
    with pytest.raises(ValueError, match="language"):
        letter_data(dataclasses.replace(sample_letter("fi"), language="de"))


def test_letter_data_is_json_with_labels_in_the_letters_language():
    data = letter_data(sample_letter("sv"))
    text = json.dumps(data, ensure_ascii=False)
    assert data["lang"] == "sv"
    assert data["title"] == "Beslut om klientavgift för småbarnspedagogik"
    assert "Anvisning för begäran om omprövning" in text
    assert "Oikaisuvaatimusohje" not in text
    # amounts are kept on one line when typeset
    assert "408,00\u00a0€" in text


def test_a_finnish_letter_shows_the_authority_parties_fees_and_review_instructions(finnish_pdf):
    text = all_text(finnish_pdf)
    for expected in (
        "Esimerkkilän kunta, varhaiskasvatus",
        "VAKA-2026-000123",
        "Varhaiskasvatuksen asiakasmaksupäätös",
        "PÄÄTÖS",
        "Päätöspäivä 15.7.2026",
        "Anna ja Mikko Virtanen",
        "Koivukuja 3 B 12",
        "00100 Esimerkkilä",
        "Aino Virtanen",
        "Eero Virtanen, s. 2.9.2023",
        "1.8.2026 alkaen",
        "voimassa toistaiseksi",
        "Perheen koko 4 henkilöä",
        "Anna Virtanen 3 210,50 € / kk (Tulorekisteri)",
        "2 899,00 € / kk (Palkkatodistus)",
        "Tulot yhteensä 6 109,50 € / kk",
        "Tuloraja 4 752,00 € / kk",
        "Maksuprosentti 10,7 %",
        "84 0,60 2. lapsi, 40 % 118,00 € 113,00 €",
        "Perheen maksut yhteensä 408,00 €",
        "Eero Virtanen: Maksu pyöristetty alaspäin",
        "1 357,50 € × 10,7 % = 145,25 €",
        "Tämä päätös korvaa päätöksen VAKA-2026-000042 (1.3.2026).",
        "Eeron palvelutarve muuttui 120 h/kk → 84 h/kk.",
        "Muutoksista ilmoittaminen",
        "vähintään 10 prosenttia",
        "enintään vuoden ajalta",
        "Laki varhaiskasvatuksen asiakasmaksuista (1503/2016) 5 §, 7 §, 11 §",
        "Päätöksentekijä Maija Päättäjä, varhaiskasvatusjohtaja",
        "Valmistelija Pekka Valmistelija, maksusihteeri",
        "Lisätietoja antaa Pekka Valmistelija, maksusihteeri 040 123 4567",
        "vakamaksut@esimerkkila.fi",
        "Oikaisuvaatimusohje",
        "30 päivän kuluessa",
        "Esimerkkilän kunnan varhaiskasvatusjaosto, PL 100, 00101 Esimerkkilä",
        "kirjaamo@esimerkkila.fi",
        "seitsemäntenä päivänä",
        "kolmantena päivänä",
        "allekirjoitus",
        "maksutonta",
        "Laskentasäännöt v1, maksuperusteet 1.8.2024 alkaen",
    ):
        assert expected in text, expected
    assert "LUONNOS" not in text


def test_a_swedish_letter_reads_as_a_swedish_decision():
    text = all_text(render_pdf(sample_letter("sv")))
    for expected in (
        "Exempelby kommun, småbarnspedagogik",
        "Beslut om klientavgift för småbarnspedagogik",
        "BESLUT",
        "Familjens storlek 4 personer",
        "Inkomstgräns 4 752,00 € / mån",
        "Avgiftsprocent 10,7 %",
        "Beslutet gäller tills vidare.",
        "Familjens avgifter sammanlagt 408,00 €",
        "113,00 €",
        "Beslutsfattare Maria Beslutsfattare",
        "Ytterligare information ger Per Beredare",
        "Anvisning för begäran om omprövning",
        "inom 30 dagar",
        "sjunde dagen",
        "tredje dagen",
        "avgiftsfri",
    ):
        assert expected in text, expected


def test_an_english_letter_uses_english_dates_and_money():
    note = "This decision was made automatically under the municipality's approved rules."
    text = all_text(render_pdf(sample_letter("en", automated_note=note)))
    assert note in text
    for expected in (
        "Early childhood education client fee decision",
        "€408.00 per month in total from 1 August 2026",
        "until further notice",
        "€113.00",
        "Instructions for requesting a review",
        "within 30 days",
    ):
        assert expected in text, expected
    # the previous decision is mentioned only when there is one
    assert "Changes since the previous decision" not in text


def test_unreported_income_the_maximum_fee_and_a_fixed_period_are_explained():
    letter = sample_letter(
        "fi",
        incomes=(IncomeLine("Anna Virtanen", None, "Ei ilmoitettu → korkein maksu"),),
        income_total_cents=None,
        maximum_fee_used=True,
        valid_until=datetime.date(2027, 7, 31),
        children=(child("Aino Virtanen", hours_per_month=None),),
        changes=(),
        supersedes=None,
    )
    text = all_text(render_pdf(letter))
    assert "Anna Virtanen Ei ilmoitettu (Ei ilmoitettu → korkein maksu)" in text
    assert "Tuloja ei ole selvitetty" in text
    assert "korkeimman maksun suuruisena" in text
    assert "ajalla 1.8.2026–31.7.2027" in text
    assert "toistaiseksi" not in text
    assert "Aino Virtanen s. 14.3.2021 Päiväkoti Satakieli – 1,00" in text
    assert "Muutokset edelliseen päätökseen" not in text


def test_the_recipient_address_lies_inside_the_envelope_window(finnish_pdf):
    for line in ("Anna ja Mikko Virtanen", "Koivukuja 3 B 12", "00100 Esimerkkilä"):
        box = find_text_box(finnish_pdf, line)
        assert box is not None, line
        assert box.inside(WINDOW), (line, box)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("fi", ("Päätösnumero", "Päätöspäivä")),
        ("sv", ("Beslutsnummer", "Beslutsdatum")),
        ("en", ("Decision number", "Date of decision")),
    ],
)
def test_each_label_beside_the_address_stays_on_one_line_in_every_language(language, labels):
    pdf = render_pdf(sample_letter(language))
    for label in labels:
        box = find_text_box(pdf, label)
        assert box is not None, label
        assert box.bottom - box.top < 5, (label, box)  # one line of 9.5 pt text is about 3.5 mm


def test_the_first_page_has_ink_and_the_header_at_the_top(finnish_pdf, tmp_path):
    raster = render_page(finnish_pdf, scale=1.0)
    raster.save_png(tmp_path / "decision-page-1.png")
    assert (tmp_path / "decision-page-1.png").stat().st_size > 10_000
    assert raster.ink_ratio() > 0.005
    first_ink_mm = raster.dark_rows()[0] / raster.scale * 25.4 / 72
    assert 5 < first_ink_mm < 15
    page_number = find_text_box(finnish_pdf, "1 (2)")
    assert page_number is not None
    assert page_number.top < 15
    assert page_number.left > 150
    title = find_text_box(finnish_pdf, "Varhaiskasvatuksen asiakasmaksupäätös")
    assert title is not None
    assert title.top > WINDOW.bottom


def test_the_pdf_is_tagged_pdf_ua_with_language_and_title(finnish_pdf):
    reader = pypdf.PdfReader(io.BytesIO(finnish_pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) in {"fi", "fi-FI"}
    assert reader.metadata is not None
    assert reader.metadata.title == "Varhaiskasvatuksen asiakasmaksupäätös VAKA-2026-000123"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", xmp)
    assert pypdf.PdfReader(io.BytesIO(render_pdf(sample_letter("sv")))).trailer["/Root"][
        "/Lang"
    ] in {"sv", "sv-FI"}


def test_a_draft_is_marked_and_names_no_decision_maker():
    pdf = render_pdf(sample_letter("fi", draft=True))
    text = all_text(pdf)
    assert "LUONNOS – päätöstä ei ole vielä tehty." in text
    assert "Päätöksentekijä ei vielä päätetty" in text
    assert "Maija Päättäjä" not in text
    assert "15.7.2026" not in text
    assert all("LUONNOS" in page for page in page_texts(pdf))
    title = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert title is not None
    assert str(title.title).startswith("LUONNOS")


def test_drafts_are_marked_in_swedish_and_english_too():
    assert "UTKAST" in all_text(render_pdf(sample_letter("sv", draft=True)))
    assert "Decision maker not yet decided" in all_text(render_pdf(sample_letter("en", draft=True)))


def test_markup_characters_in_names_print_literally():
    odd = r"#Ö*_[ $x$ \ <a> @b ] `c` /* d */ = e ~ f"
    letter = sample_letter(
        "fi",
        recipient=Address(odd, "#strong[Katu] 1", "00100", "_City_"),
        guardians=(odd, "Mikko Virtanen"),
        children=(child(odd), child("*Bold*", 2, unit="#pagebreak()")),
        computation=("$ 1 + 1 $ #emph[x]",),
    )
    text = all_text(render_pdf(letter))
    for literal in (
        odd,
        "#strong[Katu] 1",
        "_City_",
        "*Bold*",
        "#pagebreak()",
        "$ 1 + 1 $ #emph[x]",
    ):
        assert literal in text, literal


def test_long_letters_flow_onto_more_pages_with_header_and_page_numbers():
    children = tuple(
        child(f"Lapsi {number} Pitkäniminen", number, alterations=("Sisarusalennus",))
        for number in range(1, 7)
    )
    computation = tuple(
        f"Lapsi {number}: rivi {line}: 1 357,50 € × 10,7 % = 145,25 €"
        for number in range(1, 7)
        for line in range(1, 13)
    )
    pdf = render_pdf(sample_letter("fi", children=children, computation=computation))
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Esimerkkilän kunta, varhaiskasvatus" in page
        assert "VAKA-2026-000123" in page
        assert f"{number} ({len(pages)})" in page
    text = " ".join(pages)
    assert "Lapsi 6: rivi 12:" in text
    assert "Oikaisuvaatimusohje" in text


def test_consecutive_letters_of_the_same_size_each_print_their_own_family():
    """The compiler is reused and its data file rewritten: no letter may show stale data."""
    first = render_pdf(sample_letter("fi", guardians=("Aaaa Aaaa", "Mikko Virtanen")))
    second = render_pdf(sample_letter("fi", guardians=("Bbbb Bbbb", "Mikko Virtanen")))
    assert "Aaaa Aaaa" in all_text(first)
    assert "Bbbb Bbbb" in all_text(second)
    assert "Aaaa Aaaa" not in all_text(second)


def test_no_personal_data_is_left_on_disk_after_a_render():
    render_pdf(sample_letter("fi"))
    renderer = letters_module._renderer
    assert renderer is not None
    assert [path.name for path in renderer.root.iterdir()] == ["decision.typ"]


def test_letters_render_from_several_threads():
    letters_ = [
        sample_letter("fi", decision_number=f"VAKA-2026-{number:06d}") for number in range(8)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        pdfs = list(pool.map(render_pdf, letters_))
    for number, pdf in enumerate(pdfs):
        assert f"VAKA-2026-{number:06d}" in page_texts(pdf)[0]


def test_a_worker_forked_after_rendering_is_refused_rather_than_left_hanging(monkeypatch):
    """Simulated: a real fork of the multi-threaded test process could deadlock anywhere."""
    render_pdf(sample_letter("fi"))
    parent = letters_module.os.getpid()
    monkeypatch.setattr(letters_module.os, "getpid", lambda: parent + 1)
    with pytest.raises(ForkedAfterRenderingError):
        render_pdf(sample_letter("fi"))
    monkeypatch.undo()
    assert "VAKA-2026-000123" in page_texts(render_pdf(sample_letter("fi")))[0]


def _first_page_only(pdf: bytes) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(io.BytesIO(pdf)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_print_batch_starts_every_decision_on_an_odd_page():
    long_children = tuple(child(f"Lapsi {n}", n) for n in range(1, 6))
    three = render_pdf(
        sample_letter(
            "fi",
            recipient=Address("Perhe Kolmesivuinen", "Katu 3", "00100", "Esimerkkilä"),
            children=long_children,
            computation=tuple(f"Rivi {n}" for n in range(40)),
        )
    )
    two = render_pdf(
        sample_letter("sv", recipient=Address("Familjen Tvåsidig", "Gatan 2", "10600", "Exempelby"))
    )
    one = _first_page_only(
        render_pdf(
            sample_letter(
                "fi", recipient=Address("Perhe Yksisivuinen", "Kuja 1", "00100", "Esimerkkilä")
            )
        )
    )
    assert [page_count(three), page_count(two), page_count(one)] == [3, 2, 1]

    batch = print_batch([three, two, one])
    pages = page_texts(batch)
    assert len(pages) == 3 + 1 + 2 + 1
    assert "Perhe Kolmesivuinen" in pages[0]
    assert pages[3] == ""  # the blank back of the first family's second sheet
    assert "Familjen Tvåsidig" in pages[4]
    assert "Perhe Yksisivuinen" in pages[6]
    starts = [index + 1 for index, page in enumerate(pages) if "1 (" in page[:200]]
    assert starts == [1, 5, 7]
    assert all(start % 2 == 1 for start in starts)


def test_a_print_batch_of_even_length_letters_needs_no_blank_pages():
    two = render_pdf(sample_letter("fi"))
    assert page_count(print_batch([two, two, two])) == 6
    assert page_count(print_batch([])) == 0


def test_a_worker_whose_temp_directory_was_cleaned_away_renders_on_in_a_new_one():
    import shutil

    render_pdf(sample_letter("fi"))
    renderer = letters_module._renderer
    assert renderer is not None
    shutil.rmtree(renderer.root)
    text = all_text(render_pdf(sample_letter("fi")))
    assert "VAKA-2026-000123" in text
    assert letters_module._renderer is not renderer


def test_the_footer_names_the_rule_version_and_the_parameters_used():
    # Once each: the sample once carried the label in its version too ("Laskentasäännöt
    # vLaskentasäännöt v1"), and a test that looked for a prefix let it pass.
    text = all_text(render_pdf(sample_letter("fi")))
    assert text.count("Laskentasäännöt v1, maksuperusteet 1.8.2024 alkaen") == 2  # both pages
    assert "vLaskentasäännöt" not in text
