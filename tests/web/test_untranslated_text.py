"""Every text a user sees comes in their language: every page and every robot's messages
(reasons, flags, errors, log lines, system names, audit events), rendered in Finnish and in
Swedish, hold no English text.

What counts as English is derived, not listed by hand: every msgid of the catalogue whose
Finnish (or Swedish) msgstr differs from it is a text that, seen verbatim on a Finnish (or
Swedish) page, was left untranslated; so is the English text of each robot's declarations
(`Text.en` where it differs from the page language's text). Each such text is cut at its
placeholders into literal fragments, and a fragment of at least two words that is also not part
of any translation in the page's language must not appear in the page's visible text (tags,
scripts and styles stripped; aria-label, title and alt included). A short list of English
function words catches what no msgid holds (a robot's f-string). The self-checks at the end show
that the detector finds an English sentence put into a page, so it cannot pass by finding
nothing."""

from __future__ import annotations

import ast
import dataclasses
import datetime
import gettext
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import kuntarobo
from kuntarobo.accounts.models import Role
from kuntarobo.core.localized import pick
from kuntarobo.robots.ecec_fees import families, import_texts
from kuntarobo.robots.invoice_check import rules
from kuntarobo.robots.invoice_check.robot import said
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import Robot, Text, all_robots
from kuntarobo.web import labels
from tests.web.conftest import ROLES

LOCALE = Path(kuntarobo.__file__).parent / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")
# English words that are never Finnish or Swedish words (so no false alarm on a name).
ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|was|were|has|have|been|cannot|must|should|this|that|with|from|"
    r"of|and|not|failed|invoices?|families|items?|problems?|rows?|line)\b",
    re.IGNORECASE,
)
FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|jsonl|json|xlsx|pdf|txt)\b")
SHORTEST_FRAGMENT = 9  # characters; "IBAN %s" leaves nothing of a sentence


@cache
def catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr (the singular form) of the compiled catalogue."""
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    texts: dict[str, str] = {}
    for key, value in translations._catalog.items():  # type: ignore[attr-defined]
        if not key:
            continue  # the header
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]  # without a pgettext context
        if isinstance(key, tuple) and key[1] != 0:
            continue
        texts[msgid] = value
    return texts


def robot_texts() -> Iterator[Text]:
    """Every Text a robot declares (names, descriptions, steps, fields, systems, events)."""
    seen: set[int] = set()

    def walk(value: object) -> Iterator[Text]:
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, Text):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from walk(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:  # type: ignore[attr-defined]
                yield from walk(getattr(value, name))

    for robot in all_robots():
        for name in dir(robot):
            if not name.startswith("_") and not callable(getattr(Robot, name, None)):
                yield from walk(getattr(robot, name, None))


@cache
def english_fragments(language: str) -> tuple[str, ...]:
    """Literal pieces of English texts that have a different text in `language`."""
    texts = catalogue(language)
    english = [msgid for msgid, msgstr in texts.items() if msgstr and msgstr != msgid]
    english += [t.en for t in robot_texts() if t.en and t.en != t.get(language)]
    translated = "\n".join([*texts.values(), *(t.get(language) for t in robot_texts())]).casefold()
    fragments = set()
    for text in english:
        for piece in PLACEHOLDER.split(text):
            piece = piece.strip(" .,:;()–-\"'")
            if (
                len(piece) >= SHORTEST_FRAGMENT
                and " " in piece
                and re.search(r"[a-z]{3}", piece)
                and piece.casefold() not in translated
            ):
                fragments.add(piece)
    return tuple(sorted(fragments, key=len, reverse=True))


def visible_text(content: str) -> str:
    """What a person sees or hears: text without tags, scripts, styles or elements marked as
    another language (the language switch's "English"), plus labels in attributes."""
    content = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", content)
    content = re.sub(r'(?is)<(\w+)[^>]*\blang="(?!fi|sv)[a-z]+"[^>]*>.*?</\1>', " ", content)
    attributes = re.findall(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', content)
    body = re.sub(r"<[^>]+>", " ", content)
    text = " ".join([html.unescape(body), *map(html.unescape, attributes)])
    text = FILE_NAME.sub(" ", text)  # the names people gave their files are theirs
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def untranslated(text: str, language: str) -> list[str]:
    """The English found in `text` shown to a reader of `language`."""
    found = [fragment for fragment in english_fragments(language) if fragment in text]
    found += [text[max(0, m.start() - 40) : m.end() + 40] for m in ENGLISH_WORDS.finditer(text)]
    return found


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    role: str = Role.ADMINISTRATOR
    data: dict[str, str] | None = None  # POSTed (a form sent with an error)


def pages(world, ecec: object, caught: str = "") -> list[Page]:
    run = world.run
    mail_pages = (
        [
            Page("demo e-mail", reverse("caught_mail"), Role.ADMINISTRATOR),
            Page(
                "demo e-mail message",
                reverse("caught_mail_message", args=[caught]),
                Role.ADMINISTRATOR,
            ),
        ]
        if caught
        else []
    )
    item_pages = [
        Page(f"item {name}", reverse("item_detail", args=[item.pk]), role)
        for name, item in (
            ("to review", world.review_item),
            ("flagged", world.attention_item),
            ("failed", world.failed_item),
            ("done", world.done_item),
        )
        for role in (Role.ADMINISTRATOR, Role.REVIEWER, Role.VIEWER)
    ]
    robot_pages = [
        Page(f"robot {robot.slug}", reverse("robot_detail", args=[robot.slug]))
        for robot in all_robots()
    ]
    return [
        Page("dashboard", reverse("dashboard")),
        *(Page(f"dashboard as {role}", reverse("dashboard"), role) for role in ROLES),
        Page("robots", reverse("robot_list")),
        *robot_pages,
        Page(
            "robot settings",
            reverse("robot_settings", args=["invoice_check", world.esimerkkila.slug]),
        ),
        Page(
            "robot's municipal settings",
            reverse("robot_municipal_settings", args=["ecec_fees", world.esimerkkila.slug]),
        ),
        Page("run", reverse("run_detail", args=[run.pk])),
        Page("refused run", reverse("run_detail", args=[ecec.pk])),  # type: ignore[attr-defined]
        Page("run progress", reverse("run_progress", args=[run.pk])),
        *item_pages,
        Page("inbox", reverse("inbox"), Role.REVIEWER),
        Page("inbox without flags", reverse("inbox") + "?tab=review&plain=1", Role.REVIEWER),
        Page("inbox failed", reverse("inbox") + "?tab=failed", Role.REVIEWER),
        Page("inbox waiting", reverse("inbox") + "?tab=waiting", Role.REVIEWER),
        Page("reject form", reverse("item_reject", args=[world.review_item.pk]), Role.REVIEWER),
        Page(
            "reject form with an error",
            reverse("item_reject", args=[world.review_item.pk]),
            Role.REVIEWER,
            {"reason": ""},
        ),
        Page("abandon form", reverse("item_abandon", args=[world.failed_item.pk]), Role.REVIEWER),
        Page("correct form", reverse("item_correct", args=[world.review_item.pk]), Role.REVIEWER),
        Page("audit trail", reverse("audit")),
        Page("delegations", reverse("delegations")),
        Page("audit trail filtered", reverse("audit") + "?action=run.start"),
        Page("fee decisions", reverse("ecec_fees_staff:decisions")),
        Page("estimate", "/varhaiskasvatusmaksu/esimerkkila/", "anonymous"),
        Page(
            "estimate with a result",
            "/varhaiskasvatusmaksu/esimerkkila/",
            "anonymous",
            {
                "date": timezone.localdate().replace(day=1).isoformat(),
                "family_size": "3",
                "income_1": "2500,50",
                "child_1_birth_date": "2022-09-01",
                "child_1_hours": "150",
            },
        ),
        Page(
            "estimate with errors",
            "/varhaiskasvatusmaksu/esimerkkila/",
            "anonymous",
            {"date": "", "family_size": "x", "income_1": "2,500.50"},
        ),
        Page("login", reverse("login"), "anonymous"),
        Page("not found", "/runs/999999/"),
        *mail_pages,
    ]


@pytest.fixture
def caught(settings, tmp_path) -> str:
    """The demo's mail catcher holding one message (a secure-link notice), its id."""
    from email.message import EmailMessage

    from kuntarobo.core import caught_mail

    folder = tmp_path / "caught-mail"
    settings.KUNTAROBO_MAIL_CATCHER_DIR = str(folder)
    mail = EmailMessage()
    mail["From"], mail["To"] = "kuntarobo@esimerkkila.fi", "esihenkilo@esimerkkila.fi"
    mail["Subject"] = "Esimerkkilä: asiakirja odottaa sinua"
    mail.set_content("Hei,\n\nasiakirja odottaa sinua palvelussa.")
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    return caught_mail.store(folder, mail["From"], [mail["To"]], mail.as_bytes())


@pytest.fixture
def fee_world(world, tmp_path):
    """The fee robot in the same municipality: its settings, and a run whose input it refused
    with problems of many kinds (the import errors shown inside a sentence)."""
    from kuntarobo.robots.ecec_fees.models import FeeParameterRow
    from kuntarobo.robots.ecec_fees.statutory import row_values
    from tests.factories import DelegationFactory
    from tests.robots.ecec_fees.helpers import configure

    for values in row_values():
        FeeParameterRow.objects.get_or_create(valid_from=values["valid_from"], defaults=values)
    configure(world.esimerkkila)
    DelegationFactory(user=world.users[Role.REVIEWER], municipality=world.esimerkkila)
    actions.configure_deployment(
        "test set-up", world.esimerkkila, "ecec_fees", enabled=True, schedule_enabled=False
    )
    bad = tmp_path / "perheet.jsonl"
    bad.write_text(
        '{"family_id": "F 1", "language": "de", "size": 1, "incomes": [], "guardians": [],'
        ' "children": [], "extra": 1}\n'
        "not json\n"
        '{"family_id": "F-2", "language": "fi", "size": "two"}\n',
        encoding="utf-8",
    )
    run = actions.start_run(
        world.users[Role.COORDINATOR],
        world.esimerkkila,
        "ecec_fees",
        input_file=bad,
        background=True,
    ).run
    actions.produce_run(run.pk)  # what the queue's task does
    run.refresh_from_db()
    assert run.error, "the fee robot must refuse this input"
    return run


def client_for(world, role: str, language: str) -> Client:
    client = world.client_for(role) if role != "anonymous" else Client()
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_page_shows_english_to_a_finnish_or_swedish_reader(world, fee_world, caught, language):
    problems = {}
    for page in pages(world, fee_world, caught):
        client = client_for(world, page.role, language)
        response = client.post(page.url, page.data) if page.data else client.get(page.url)
        assert response.status_code in (200, 400, 404), (page.name, response.status_code)
        found = untranslated(visible_text(response.content.decode()), language)
        if found:
            problems[page.name] = found[:8]
    assert not problems, problems


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_invoice_robots_reasons_and_flags_of_every_rule_are_translated(language):
    invoice = rules.Invoice(
        invoice_id="X-1",
        supplier_name="Esimerkin Siivous Oy",
        business_id="1234567-8",
        iban="FI00 0000 0000 0000 00",
        reference="RF00BROKEN",
        amount_cents=-100,
        invoice_date=datetime.date(2026, 12, 20),
        due_date=datetime.date(2026, 12, 5),
        purchase_order="",
    )
    broken = rules.check_invoice(invoice, approval_limit_cents=0, today=datetime.date(2026, 12, 10))
    good = rules.check_invoice(
        rules.parse_invoice_row(
            {
                "invoice_id": "X-2",
                "supplier_name": "Oy",
                "business_id": "0737546-2",
                "iban": "FI2112345600000785",
                "reference": f"1009{rules.reference_check_digit('1009')}",
                "amount": "9000,00",
                "invoice_date": "2026-12-01",
                "due_date": "2026-12-26",
                "purchase_order": "",
            }
        ),
        approval_limit_cents=100,
        today=datetime.date(2026, 12, 1),
    )
    wrong_digit = (int(rules.reference_check_digit("1009")) + 1) % 10
    finnish_broken = rules.check_invoice(
        dataclasses.replace(invoice, reference=f"1009{wrong_digit}"),
        approval_limit_cents=0,
        today=datetime.date(2026, 12, 10),
    )
    lines = [
        *finnish_broken.blocking,
        *broken.explanation,
        *broken.attention,
        *broken.blocking,
        *good.explanation,
        *good.attention,
        *good.blocking,
    ]
    templates = {line.template for line in lines}
    declared = set(_line_templates())
    assert declared - templates <= {
        "RF reference %(reference)s is valid (ISO 11649).",
        "Due date %(due_date)s is in the past; payment on the next working day %(payment_date)s.",
        "Payment on the due date %(payment_date)s.",
    }
    for template in declared:
        assert catalogue(language).get(template, template) != template, template
    with translation.override(language):
        shown = " ".join(str(said(line)) for line in lines)
    assert not untranslated(shown, language), shown
    assert "12.2026" in shown  # dates as the reader writes them
    assert "2026-12" not in shown


def _line_templates() -> Iterator[str]:
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Line":
            yield ast.literal_eval(node.args[0])


def _family_codes() -> set[str]:
    """Every problem code the family import can report (read from its source)."""
    tree = ast.parse(Path(families.__file__).read_text(encoding="utf-8"))
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            position = {"fail": 1, "error": 1, "LineError": 3}.get(name)
            args = node.args
            if (
                position is not None
                and len(args) > position
                and isinstance(args[position], ast.Constant)
                and args[position].value
            ):
                codes.add(args[position].value)
    return codes


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_problem_of_the_family_import_is_said_in_the_readers_language(language):
    codes = _family_codes()
    assert len(codes) > 30
    missing = codes - set(import_texts.TEXTS) - {"out_of_range", "bad_income"}
    assert not missing, f"give these import problems a translatable text: {sorted(missing)}"
    params = {
        "value": "'x'",
        "got": "'x'",
        "expected": "integer",
        "key": "'k'",
        "length": "300",
        "min": "1",
        "max": "9",
        "count": "3",
        "start": "2026-01-01",
        "end": "2025-01-01",
        "birth_date": "2026-02-01",
        "period_start": "2026-01-01",
        "code_birth_date": "2026-03-01",
        "size": "1",
        "members": "3",
        "family_id": "F-1",
        "first_line": "2",
        "column": "4",
    }
    errors = [
        families.LineError(7, "children[0].x", "English", code, params) for code in sorted(codes)
    ]
    with translation.override(language):
        shown = str(import_texts.import_refusal("perheet.jsonl", errors, len(errors)))
    assert not untranslated(shown, language), shown
    assert "English" not in shown
    with translation.override("en"):
        english = str(import_texts.import_refusal("perheet.jsonl", errors, 1))
    assert english.startswith(f"perheet.jsonl: {len(errors)} problems in the family data: line 7")


def _recorded_audit_codes() -> set[str]:
    codes = set()
    for path in Path(kuntarobo.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(
                node.func, "id", getattr(node.func, "attr", "")
            ) in ("record", "_end_reading"):
                for arg in [*node.args[:1], *(k.value for k in node.keywords if k.arg == "event")]:
                    for value in ast.walk(arg):
                        if (
                            isinstance(value, ast.Constant)
                            and isinstance(value.value, str)
                            and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", value.value)
                        ):
                            codes.add(value.value)
    return codes


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_audit_event_code_has_a_label_in_the_readers_language(language):
    codes = _recorded_audit_codes()
    codes |= {f"item.{action}" for action in ("approve", "reject", "correct", "retry")}
    assert {"run.start", "channels.delivery.sent", "channels.print_batch"} <= codes
    with translation.override(language):
        shown = {code: labels.audit_action_label(code) for code in codes}
    unlabelled = sorted(code for code, label in shown.items() if label == code)
    assert not unlabelled, f"give these audit events a label: {unlabelled}"
    assert not untranslated(" | ".join(shown.values()), language), shown


def test_the_audit_export_keeps_the_event_codes(world):
    response = world.client_for(Role.ADMINISTRATOR).get(reverse("audit_export", args=["csv"]))
    content = b"".join(response.streaming_content).decode()
    assert ",run.start," in content
    page = world.client_for(Role.ADMINISTRATOR).get(reverse("audit")).content.decode()
    assert "Ajo käynnistetty" in visible_text(page)
    assert "run.start" not in visible_text(page)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_run_log_and_a_failed_items_error_are_shown_in_the_readers_language(world, language):
    client = client_for(world, Role.COORDINATOR, language)
    page = visible_text(client.get(reverse("run_detail", args=[world.run.pk])).content.decode())
    expected = {"fi": "luettiin 5 laskua", "sv": "5 fakturor lästes"}[language]
    assert expected in page
    item = world.failed_item
    assert pick(item.error_message, language) != pick(item.error_message, "en")
    page = visible_text(client.get(reverse("item_detail", args=[item.pk])).content.decode())
    assert pick(item.error_message, language) in page
    assert not untranslated(page, language)


# The detector itself: it must find English, or the tests above could pass by finding nothing.


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_detector_finds_a_msgid_left_in_english_and_a_robots_english_text(language):
    assert len(english_fragments(language)) > 500
    assert untranslated("Etusivu Nothing is waiting for your review. Valmis", language)
    assert untranslated("Tarkistus: Checks incoming purchase invoices", language)
    assert untranslated("rivi 2: row 2: column 'amount' is empty", language)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_detector_finds_nothing_in_the_translation_itself(language):
    texts = catalogue(language)
    sample = " ".join(
        texts[msgid]
        for msgid in (
            "Nothing is waiting for your review.",
            "Dashboard",
            "Robots",
            "Audit trail",
            "Please correct the fields marked below.",
        )
    )
    assert not untranslated(sample, language), sample


def test_visible_text_keeps_labels_and_drops_scripts_and_the_english_button():
    content = (
        '<script>var the = "is";</script><a aria-label="Sulje" title="Ohje">x</a>'
        '<button lang="en">English</button><p>Teksti &amp; muuta</p>'
    )
    text = visible_text(content)
    assert "Sulje" in text
    assert "Ohje" in text
    assert "Teksti & muuta" in text
    assert "English" not in text
    assert "var" not in text


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("fi", "(1 virhe,", "(2 virhettä,"),
        ("sv", "(1 fel,", "(2 fel,"),
        ("en", "(1 problem,", "(2 problems,"),
    ],
)
def test_counts_take_the_plural_form_of_their_number(language, one, two):
    from kuntarobo.robots.hr_reports.dataset import RowError
    from kuntarobo.robots.hr_reports.robot import export_input_error

    error = RowError("Poissaolot", 3, "start", "empty")
    with translation.override(language):
        assert one in str(export_input_error("x.xlsx", [error]))
        assert two in str(export_input_error("x.xlsx", [error, error]))
        refusal = str(import_texts.import_refusal("p.jsonl", [families.LineError(1, "", "x")], 5))
    assert refusal.startswith(
        {
            "fi": "p.jsonl: perhetiedoissa on 1 virhe:",
            "sv": "p.jsonl: 1 fel i",
            "en": "p.jsonl: 1 problem in",
        }[language]
    )


# Pages that are not HTML a person reads (downloads, POST-only actions that redirect, sign-out,
# the health check): every other page of the web UI must be in `pages`.
NOT_PAGES = {
    "logout",
    "health",
    "item_document",
    "item_approve",
    "item_retry",
    "item_resume",
    "inbox_approve",
    "inbox_approve_ordinary",
    "audit_export",
    "robot_start",
    "caught_mail_attachment",  # a caught message's attachment, as it was sent
    "delegation_end",  # a form's action: redirects to the delegations page
}


def test_the_pages_rendered_cover_every_page_of_the_web_ui(world, fee_world, caught):
    from django.urls import resolve

    from kuntarobo.web import urls

    names = {pattern.name for pattern in urls.urlpatterns}
    covered = {resolve(page.url.split("?")[0]).url_name for page in pages(world, fee_world, caught)}
    missing = names - NOT_PAGES - covered
    assert not missing, f"render these pages in the test: {sorted(missing)}"
