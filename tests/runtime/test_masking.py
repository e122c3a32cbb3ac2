"""Personal identity codes never reach a log, an explanation or the audit trail unmasked."""

from __future__ import annotations

import datetime
import io
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.audit.models import AuditEvent
from kuntarobo.core.masking import MASK, IdentityCodeFilter, mask_identity_codes, mask_value
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, RunLogEntry, WorkItem
from tests.runtime.helpers import IDENTITY_CODES, drain, script

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


def identity_code(birth: datetime.date, sign: str, individual: int) -> str:
    """A valid code: the check character is the remainder of DDMMYYNNN divided by 31."""
    digits = f"{birth:%d%m}{birth.year % 100:02d}"
    number = f"{individual:03d}"
    return f"{digits}{sign}{number}{CHECK_CHARACTERS[int(digits + number) % 31]}"


@st.composite
def identity_codes(draw: st.DrawFn) -> str:
    birth = draw(st.dates(datetime.date(1800, 1, 1), datetime.date(2099, 12, 31)))
    sign = draw(st.sampled_from(CENTURY_SIGNS[birth.year // 100 * 100]))
    code = identity_code(birth, sign, draw(st.integers(2, 899)))
    return draw(st.sampled_from([code, code.lower()]))


# Text around a code: anything, but not digits right next to it (a longer number is not a code).
surrounding = st.text(max_size=30)
before = surrounding.filter(lambda text: not text[-1:].isdigit())
after = surrounding.filter(lambda text: not text[:1].isdigit())


def test_the_example_codes_are_valid_identity_codes():
    assert identity_code(datetime.date(1952, 10, 13), "-", 308) == "131052-308T"
    assert identity_code(datetime.date(2001, 1, 1), "A", 123) == "010101A123N"
    assert identity_code(datetime.date(1994, 5, 1), "Y", 903) == "010594Y9032"


@pytest.mark.parametrize(
    "text",
    [
        "hetu 131052-308T",
        "henkilötunnus: 010101A123N.",
        "uusi välimerkki 010594Y9032 (2023)",
        "HETU131052-308T",
        "id=010101a123n",
        "131052-308T/010594Y9032",
    ],
)
def test_identity_codes_are_masked_wherever_they_stand(text):
    masked = mask_identity_codes(text)
    assert MASK in masked
    for code in IDENTITY_CODES:
        assert code.lower() not in masked.lower()


@given(before, identity_codes(), after)
def test_a_valid_identity_code_is_masked_in_any_text(prefix, code, suffix):
    masked = mask_identity_codes(prefix + code + suffix)
    assert code not in masked
    assert masked.startswith(mask_identity_codes(prefix))


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"])))
def test_text_without_digits_is_left_as_it_is(text):
    assert mask_identity_codes(text) == text


@given(before, identity_codes(), after)
def test_masking_twice_changes_nothing_more(prefix, code, suffix):
    once = mask_identity_codes(prefix + code + suffix)
    assert mask_identity_codes(once) == once


@given(identity_codes(), identity_codes())
def test_codes_are_masked_inside_nested_data_keys_included(first, second):
    value = {"person": first, first: [second, {"note": f"see {second}"}], "n": 5}
    masked = json.dumps(mask_value(value))
    assert first not in masked
    assert second not in masked
    assert '"n": 5' in masked


def test_a_logged_traceback_is_masked_by_the_logging_filter():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(IdentityCodeFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.masking")
    logger.addHandler(handler)
    try:
        logger.warning("looking up %s", "131052-308T")
        try:
            raise ValueError("no person 010101A123N in the register")
        except ValueError:
            logger.exception("lookup of %s failed", "010594Y9032")
        logger.warning("stack", stack_info=True, extra={"code": "131052-308T"})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "ValueError" in output
    assert output.count(MASK) >= 3
    for code in IDENTITY_CODES:
        assert code not in output


@pytest.mark.django_db(transaction=True)
def test_no_identity_code_reaches_logs_explanations_errors_or_the_audit_trail(municipality, caplog):
    a, b, c = IDENTITY_CODES
    caplog.set_level(logging.DEBUG)
    actions.start_run(
        "test",
        municipality,
        "test_scripted",
        parameters=script(
            {
                "reference": "ok",
                "log": f"read person {a}",
                "explanation": [f"person {b} is of age", "rule 3 applies"],
                "attention": [f"check the address of {c}"],
            },
            {"reference": "business", "behaviour": "business", "message": f"{a} has died"},
            {"reference": "crash", "behaviour": "crash", "message": f"lookup of {b} timed out"},
        ),
    )
    drain()
    items = {item.reference: item for item in WorkItem.objects.all()}
    assert items["ok"].status == ItemStatus.DONE
    assert items["business"].status == ItemStatus.FAILED_BUSINESS
    assert items["crash"].status == ItemStatus.FAILED_APPLICATION
    assert items["ok"].explanation == [f"person {MASK} is of age", "rule 3 applies"]
    assert items["ok"].attention == [f"check the address of {MASK}"]
    assert items["business"].error_message == f"{MASK} has died"
    assert f"lookup of {MASK} timed out" in items["crash"].error_message

    written = {
        "log": [entry.message for entry in RunLogEntry.objects.all()],
        "items": [
            [item.explanation, item.attention, item.error_message] for item in items.values()
        ],
        "audit": [event.details for event in AuditEvent.objects.all()],
        "python log": caplog.text,
    }
    assert any(f"read person {MASK}" in message for message in written["log"])
    assert any(f"lookup of {MASK} timed out" in record.getMessage() for record in caplog.records)
    assert AuditEvent.objects.filter(action="run.start").exists()
    text = json.dumps(written, ensure_ascii=False)
    for code in IDENTITY_CODES:
        assert code not in text
