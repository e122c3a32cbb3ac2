"""The ECEC client fee decision letter: data, fixed texts, PDF rendering and print batches.

Pure Python (no Django) so that the robot, the preview and the benchmark all render letters the
same way. The Typst template only lays out what `letter_data` hands it; user data travels as a
JSON file the template parses and is never spliced into Typst source, so any name prints
literally.
"""

from __future__ import annotations

import atexit
import datetime
import functools
import io
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pypdf
import typst

from kuntarobo.core import formatting
from kuntarobo.robots.ecec_fees.letter_texts import (
    CHANGE_REPORTING,
    LABELS,
    LANGUAGES,
    MUNICIPAL_BASIS,
    RELIEF,
    REVIEW,
)

__all__ = [
    "Address",
    "ChildLine",
    "Contact",
    "DecisionLetter",
    "ForkedAfterRenderingError",
    "IncomeLine",
    "ReviewAuthority",
    "format_date",
    "format_euros",
    "letter_data",
    "print_batch",
    "render_pdf",
]

TEMPLATE: Final = Path(__file__).parent / "templates" / "ecec_fees" / "decision.typ"

# PDF/UA-1: the letter is tagged, has a title and a language, so Typst can claim conformance.
PDF_STANDARDS: Final[list[typst.PDFStandard]] = ["ua-1"]


@dataclass(frozen=True)
class Address:
    """A postal address as printed in the envelope window."""

    name: str
    street: str
    postal_code: str
    city: str
    country: str = ""


@dataclass(frozen=True)
class IncomeLine:
    """One person's monthly income used in the decision; ``amount_cents`` None = not reported."""

    person: str
    amount_cents: int | None
    source: str


@dataclass(frozen=True)
class ChildLine:
    """One child's row in the fee table."""

    name: str
    birth_date: datetime.date
    unit: str
    hours_per_month: int | None
    service_need_coefficient: str
    sibling_rank: int
    sibling_percentage: int
    fee_before_alterations_cents: int
    final_fee_cents: int
    alterations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contact:
    """A person named in the letter (decision maker, preparer, contact)."""

    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ReviewAuthority:
    """Where a request for review (oikaisuvaatimus) is sent."""

    name: str
    street: str
    postal_code: str
    city: str
    email: str = ""
    visiting_address: str = ""


@dataclass(frozen=True)
class DecisionLetter:
    """Everything one decision letter shows, already decided by the robot."""

    language: str
    authority: str
    decision_number: str
    draft: bool
    decision_date: datetime.date | None
    decision_maker: Contact | None
    prepared_by: Contact | None
    recipient: Address
    guardians: tuple[str, ...]
    children: tuple[ChildLine, ...]
    valid_from: datetime.date
    valid_until: datetime.date | None
    family_size: int
    incomes: tuple[IncomeLine, ...]
    income_total_cents: int | None
    threshold_cents: int
    income_percentage: str
    maximum_fee_used: bool
    total_fee_cents: int
    computation: tuple[str, ...]
    changes: tuple[str, ...]
    supersedes: str | None
    legal_basis: tuple[str, ...]
    contact: Contact
    review_authority: ReviewAuthority
    parameters_valid_from: datetime.date
    rule_version: str
    automated_note: str = ""
    # The demo's example figures (FeeParameterRow.example_figures): see EXAMPLE_FIGURES_NOTE.
    example_figures: bool = False
    # The municipal decision behind the service-need shares (body, date, §), cited with the law.
    municipal_basis: str = ""


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported letter language {language!r}; use one of {LANGUAGES}")


def format_date(value: datetime.date, language: str) -> str:
    """``1.8.2026`` in Finnish and Swedish letters, ``1 August 2026`` in English."""
    _check_language(language)
    return formatting.format_date(value, language)


def format_euros(cents: int, language: str) -> str:
    """``1 234,50 €`` (fi, sv) or ``€1,234.50`` (en); plain spaces, the letter keeps them
    together when typesetting."""
    _check_language(language)
    return formatting.format_euros(cents, language, thousands=" ")


# Typesetting: an amount or a percentage must not break across lines ("1 234,50 €", "10,7 %").
_BREAKABLE_SPACE: Final = re.compile(r"(?<=\d) (?=\d{3}(?!\d))| (?=[€%])")


@functools.lru_cache(maxsize=4096)
def _keep_together(text: str) -> str:
    # Cached: most strings of a letter are the same fixed texts in every letter.
    return _BREAKABLE_SPACE.sub("\u00a0", text)


def _contact_lines(contact: Contact) -> list[str]:
    head = f"{contact.name}, {contact.title}" if contact.title else contact.name
    return [line for line in (head, contact.phone, contact.email) if line]


def _address_lines(address: Address) -> list[str]:
    lines = [address.name, address.street, f"{address.postal_code} {address.city}".strip()]
    if address.country:
        lines.append(address.country.upper())
    return [line for line in lines if line]


def _children_table(letter: DecisionLetter, t: dict[str, str]) -> dict[str, object]:
    lang = letter.language
    rows: list[list[object]] = []
    for child in letter.children:
        hours = str(child.hours_per_month) if child.hours_per_month is not None else t["hours_none"]
        rows.append(
            [
                [
                    child.name,
                    t["born"].format(date=format_date(child.birth_date, lang)),
                    child.unit,
                ],
                hours,
                child.service_need_coefficient,
                t["sibling"].format(rank=child.sibling_rank, percentage=child.sibling_percentage),
                format_euros(child.fee_before_alterations_cents, lang),
                format_euros(child.final_fee_cents, lang),
            ]
        )
    return {
        "kind": "table",
        "widths": [0, 22, 21, 29, 21, 22],
        "align": ["l", "r", "r", "l", "r", "r"],
        "header": [
            t["col_child"],
            t["col_need"],
            t["col_coefficient"],
            t["col_sibling"],
            t["col_before"],
            t["col_fee"],
        ],
        "rows": rows,
        "footer": [t["family_total"], "", "", "", "", format_euros(letter.total_fee_cents, lang)],
    }


def _income_pairs(letter: DecisionLetter, t: dict[str, str]) -> dict[str, object]:
    """Each person's income beside their name, as paragraphs rather than a table: a table's
    cells cost far more to typeset, and this table was a ninth of a letter's typesetting."""
    lang = letter.language

    def with_source(amount: str, source: str) -> str:
        return f"{amount} ({source})" if source else amount

    rows: list[list[object]] = [
        [
            line.person,
            with_source(
                t["per_month"].format(amount=format_euros(line.amount_cents, lang))
                if line.amount_cents is not None
                else t["not_reported"],
                line.source,
            ),
        ]
        for line in letter.incomes
    ]
    total = (
        t["per_month"].format(amount=format_euros(letter.income_total_cents, lang))
        if letter.income_total_cents is not None
        else t["income_total_none"]
    )
    rows.append([t["income_total"], total])
    return {"kind": "pairs", "rows": rows}


def _review_section(letter: DecisionLetter) -> dict[str, object]:
    r = REVIEW[letter.language]
    authority = letter.review_authority
    postal = f"{authority.postal_code} {authority.city}".strip()
    address = [", ".join(part for part in (authority.name, authority.street, postal) if part)]
    if authority.email:
        address.append(str(r["email"]).format(email=authority.email))
    if authority.visiting_address:
        address.append(str(r["visiting"]).format(address=authority.visiting_address))
    content = r["content"]
    assert isinstance(content, tuple)
    return {
        "heading": LABELS[letter.language]["review"],
        "blocks": [
            {"kind": "para", "text": f"{r['intro']} {r['who']}"},
            {"kind": "subheading", "text": r["authority_heading"]},
            {"kind": "para", "text": r["authority_intro"]},
            {"kind": "lines", "lines": address},
            {"kind": "subheading", "text": r["time_heading"]},
            {"kind": "para", "text": r["time"]},
            {"kind": "subheading", "text": r["notification_heading"]},
            {"kind": "para", "text": r["notification"]},
            {"kind": "subheading", "text": r["content_heading"]},
            {"kind": "para", "text": r["content_intro"]},
            {"kind": "list", "items": list(content)},
            {"kind": "para", "text": r["fee"]},
        ],
    }


def _relief_paragraph(letter: DecisionLetter) -> dict[str, object]:
    """The family may apply for the fee to be reduced or waived (1503/2016 13 §): a paragraph
    of its own after how to report changes (a section of its own would take a third page)."""
    relief = RELIEF[letter.language]
    return {"kind": "para", "text": f"{relief['heading']}: {relief['text']}"}


def _legal_basis_section(letter: DecisionLetter, t: dict[str, str]) -> dict[str, object]:
    """The act's sections each rule comes from, then the municipal decision behind the shares."""
    items = list(letter.legal_basis)
    if letter.municipal_basis:
        items.append(MUNICIPAL_BASIS[letter.language].format(decision=letter.municipal_basis))
    return {"heading": t["legal_basis"], "blocks": [{"kind": "list", "items": items}]}


def _jsonable(value: object) -> object:
    """Strings with amounts kept together; everything else as is."""
    if isinstance(value, str):
        return _keep_together(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def letter_data(letter: DecisionLetter) -> dict[str, object]:
    """The JSON the template lays out: every label already in the letter's language."""
    _check_language(letter.language)
    lang = letter.language
    t = LABELS[lang]
    start = format_date(letter.valid_from, lang)
    total = format_euros(letter.total_fee_cents, lang)
    if letter.valid_until is None:
        summary = t["summary_until_further"].format(total=total, start=start)
        validity = t["valid_until_further"].format(start=start)
    else:
        end = format_date(letter.valid_until, lang)
        summary = t["summary_until"].format(total=total, start=start, end=end)
        validity = t["valid_until"].format(start=start, end=end)

    decided = not letter.draft and letter.decision_date is not None
    date_text = format_date(letter.decision_date, lang) if decided and letter.decision_date else ""
    if not decided:
        date_text = t["draft_date"]
    if letter.draft or letter.decision_maker is None:
        maker: list[str] = [t["maker_undecided"]]
    else:
        maker = _contact_lines(letter.decision_maker)

    decision_blocks: list[dict[str, object]] = [
        {"kind": "para", "text": t["fees_intro"]},
        _children_table(letter, t),
    ]
    alterations = [
        f"{child.name}: {text}" for child in letter.children for text in child.alterations
    ]
    if alterations:
        decision_blocks += [
            {"kind": "subheading", "text": t["alterations"]},
            {"kind": "list", "items": alterations},
        ]

    basis_blocks: list[dict[str, object]] = [
        {
            "kind": "pairs",
            "rows": [
                [
                    t["family_size"],
                    t["person_one"]
                    if letter.family_size == 1
                    else t["persons"].format(count=letter.family_size),
                ],
                [
                    t["threshold"],
                    t["per_month"].format(amount=format_euros(letter.threshold_cents, lang)),
                ],
                [t["percentage"], f"{letter.income_percentage} %"],
                [
                    t["parameters"],
                    t["parameters_value"].format(
                        date=format_date(letter.parameters_valid_from, lang)
                    ),
                ],
            ],
        },
        {"kind": "subheading", "text": t["incomes"]},
        _income_pairs(letter, t),
    ]
    if letter.maximum_fee_used:
        basis_blocks.append({"kind": "para", "text": t["maximum_fee"]})
    if letter.computation:
        basis_blocks += [
            {"kind": "subheading", "text": t["computation"]},
            {"kind": "lines", "lines": list(letter.computation)},
        ]

    sections: list[dict[str, object]] = [
        {"heading": t["decision"], "blocks": decision_blocks},
        {
            "heading": t["parties"],
            "blocks": [
                {
                    "kind": "pairs",
                    "rows": [
                        [t["guardians"], list(letter.guardians)],
                        [
                            t["children"],
                            [
                                t["child_row"].format(
                                    name=child.name, date=format_date(child.birth_date, lang)
                                )
                                for child in letter.children
                            ],
                        ],
                    ],
                }
            ],
        },
        {"heading": t["basis"], "blocks": basis_blocks},
    ]
    if letter.changes or letter.supersedes:
        change_blocks: list[dict[str, object]] = []
        if letter.supersedes:
            change_blocks.append(
                {"kind": "para", "text": t["supersedes"].format(reference=letter.supersedes)}
            )
        if letter.changes:
            change_blocks.append({"kind": "list", "items": list(letter.changes)})
        sections.append({"heading": t["changes"], "blocks": change_blocks})

    reporting = CHANGE_REPORTING[lang]
    items = reporting["items"]
    assert isinstance(items, tuple)
    sections.append(
        {
            "heading": reporting["heading"],
            "blocks": [
                {"kind": "para", "text": reporting["intro"]},
                {"kind": "list", "items": list(items)},
                {"kind": "para", "text": reporting["after"]},
                _relief_paragraph(letter),
            ],
        }
    )
    sections.append(_legal_basis_section(letter, t))
    people: list[list[object]] = [[t["maker"], maker], [t["date"], date_text]]
    if letter.prepared_by is not None:
        people.append([t["prepared_by"], _contact_lines(letter.prepared_by)])
    people.append([t["contact"], _contact_lines(letter.contact)])
    signature_blocks: list[dict[str, object]] = [{"kind": "pairs", "rows": people}]
    if letter.automated_note:
        signature_blocks.append({"kind": "para", "text": letter.automated_note})
    sections.append({"heading": t["signature"], "blocks": signature_blocks})
    sections.append(_review_section(letter))
    if letter.example_figures:
        sections.insert(0, _example_figures_section(lang))

    title = t["title"]
    document_title = f"{title} {letter.decision_number}"
    if letter.draft:
        document_title = f"{t['doc_type_draft']}: {document_title}"
    data: dict[str, object] = {
        "lang": lang,
        "draft": letter.draft,
        "document_title": document_title,
        "title": title,
        "authority": letter.authority,
        "doc_type": t["doc_type_draft"] if letter.draft else t["doc_type"],
        "watermark": t["watermark"],
        "draft_banner": t["draft_banner"],
        "header_date": date_text,
        "number": letter.decision_number,
        "recipient": _address_lines(letter.recipient),
        "meta": [
            [t["number"], letter.decision_number],
            [t["date"], date_text],
            [t["valid"], validity],
        ],
        "summary": summary,
        "sections": sections,
        "footer_left": t["footer_left"].format(
            rules=letter.rule_version,
            parameters=format_date(letter.parameters_valid_from, letter.language),
        ),
        "footer_right": t["footer_right"].format(number=letter.decision_number),
    }
    result = _jsonable(data)
    assert isinstance(result, dict)
    return result


# --- Example figures (issue 16): one clearly separated addition, kept out of letter_texts. ---
# A letter computed with the demo's example figures says so first, in the letter's language.
EXAMPLE_FIGURES_NOTE: Final[dict[str, tuple[str, str]]] = {
    "fi": (
        "ESIMERKKILUVUT – EI VIRALLINEN PÄÄTÖS",
        "Tämä maksu on laskettu esimerkkiluvuilla, ei opetus- ja kulttuuriministeriön "
        "ilmoittamilla virallisilla tulorajoilla. Kirje on esittelyaineistoa.",
    ),
    "sv": (
        "EXEMPELBELOPP – INTE ETT OFFICIELLT BESLUT",
        "Avgiften har räknats ut med exempelbelopp, inte med de officiella inkomstgränser som "
        "undervisnings- och kulturministeriet har meddelat. Brevet är demonstrationsmaterial.",
    ),
    "en": (
        "EXAMPLE FIGURES – NOT AN OFFICIAL DECISION",
        "This fee was computed with example figures, not with the official income thresholds "
        "notified by the Ministry of Education and Culture. The letter is demonstration material.",
    ),
}


def _example_figures_section(language: str) -> dict[str, object]:
    heading, text = EXAMPLE_FIGURES_NOTE[language]
    return {"heading": heading, "blocks": [{"kind": "para", "text": text}]}


# --- end of the example-figures addition ---


class _Renderer:
    """One Typst compiler per process, working in a private directory.

    The compiler keeps fonts, the parsed template and its layout cache between letters, so an
    unchanged paragraph (the review instructions, the labels) is laid out once, not per letter.
    The letter's JSON goes to ``data.json`` beside a copy of the template rather than through
    ``sys_inputs``: new inputs rebuild Typst's standard library and void the whole cache
    (measured: about 18 ms a letter instead of 9).
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.root = Path(tempfile.mkdtemp(prefix="kuntarobo-letters-"))
        shutil.copyfile(TEMPLATE, self.root / TEMPLATE.name)
        self.data = self.root / "data.json"
        self.compiler = typst.Compiler(
            str(self.root / TEMPLATE.name), root=str(self.root), ignore_system_fonts=True
        )
        atexit.register(self.remove)

    def remove(self) -> None:
        # atexit handlers are inherited by forked children: only the creator cleans up.
        if os.getpid() == self.pid:
            shutil.rmtree(self.root, ignore_errors=True)

    def render(self, payload: str) -> bytes:
        self.data.write_text(payload, encoding="utf-8")
        try:
            pdf = self.compiler.compile(format="pdf", pdf_standards=PDF_STANDARDS)
        finally:
            # A family's personal data must not outlive the render on disk, even if the
            # process is killed before its exit handler removes the directory.
            self.data.unlink(missing_ok=True)
        if not isinstance(pdf, bytes):  # a list only for multi-page PNG/SVG output
            raise TypeError("Typst returned no single PDF document")
        return pdf


_renderer: _Renderer | None = None
_renderer_lock: Final = threading.Lock()


class ForkedAfterRenderingError(RuntimeError):
    """Typst's worker threads do not survive fork(): a compile in such a child never returns."""


def render_pdf(letter: DecisionLetter) -> bytes:
    """The letter as a tagged PDF/UA-1 document.

    Thread-safe: compiles are serialised because the compiler and its data file are shared.
    A process forked after its parent has rendered cannot render (Typst's thread pool is gone
    in the child and the compile would hang), so it gets an error instead: start workers with
    the "spawn" or "forkserver" method, or fork before the first letter.
    """
    global _renderer
    renderer = _renderer
    if renderer is not None and renderer.pid != os.getpid():
        raise ForkedAfterRenderingError(
            "render_pdf in a process forked after its parent rendered a letter would hang: "
            "start worker processes with 'spawn' or 'forkserver'"
        )
    payload = json.dumps(letter_data(letter), ensure_ascii=False)
    with _renderer_lock:
        if _renderer is None or not _renderer.root.is_dir():
            # A temp cleaner (systemd-tmpfiles, tmpreaper) may remove a long-running worker's
            # directory: start again with a new one rather than fail every letter from then on.
            _renderer = _Renderer()
        return _renderer.render(payload)


def print_batch(pdfs: Sequence[bytes]) -> bytes:
    """Many decisions in one PDF for the print house, each starting on an odd page.

    A blank page is put after a decision with an odd page count so that duplex printing
    never puts two families on the same sheet. The readers are strict: the input is our own
    Typst output, and skipping pypdf's xref repair scan saves a sixth of the time per letter.
    """
    writer = pypdf.PdfWriter()
    for pdf in pdfs:
        reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
        if len(writer.pages) % 2 == 1:
            last = writer.pages[-1].mediabox
            writer.add_blank_page(width=last.width, height=last.height)
        for page in reader.pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
