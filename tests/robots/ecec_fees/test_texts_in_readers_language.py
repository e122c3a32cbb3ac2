"""The fee robot's reasons, delivery errors and run log lines in the reader's language: each
kind of failure is produced through the real queue, and its item page and the run page, read in
Finnish and in Swedish, hold no English (the detector of tests/web/test_untranslated_text.py)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import kuntarobo.robots.ecec_fees
from kuntarobo.accounts.models import Role
from kuntarobo.core.localized import pick
from kuntarobo.robots.ecec_fees import fee_texts
from kuntarobo.robots.ecec_fees.models import FeeParameterRow
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, RunLogEntry, WorkItem
from tests.factories import MunicipalityFactory, deciding_official, user_with_role
from tests.robots.ecec_fees.helpers import PERIOD, configure, family, write_families
from tests.runtime.helpers import drain
from tests.web.test_untranslated_text import catalogue, untranslated, visible_text

pytestmark = pytest.mark.django_db(transaction=True)

NEW_FIGURES = datetime.date(2026, 8, 1)  # the row whose income thresholds are not entered


def reader(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def item_of(family_id: str, period_start: datetime.date = PERIOD) -> WorkItem:
    (item,) = [
        item
        for item in WorkItem.objects.all()
        if item.payload["family"]["family_id"] == family_id
        and item.payload["period_start"] == period_start.isoformat()
    ]
    return item


@pytest.fixture
def failures(tmp_path: Path):
    """One run with a family of each kind the robot cannot decide, and a decision whose
    delivery fails; the coordinator who reads the pages."""
    municipality = MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")
    configure(municipality)
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    reviewer = deciding_official(municipality, first_name="Riitta", last_name="Päättäjä")
    no_service_need = family("F-NEED")
    del no_service_need["children"][0]["service_need"]
    ended = family("F-ENDED")
    for child in ended["children"]:
        child["placement"]["end"] = "2024-12-31"
    path = write_families(
        tmp_path / "perheet.jsonl",
        family("F-OK"),
        no_service_need,
        family("F-RELIEF", fee_relief_requested=True),
        ended,
    )
    run = actions.start_run(
        coordinator,
        municipality,
        "ecec_fees",
        input_file=path,
        parameters={"period_start": PERIOD.isoformat()},
    ).run
    drain()
    # The figures change under the approved draft (as if the rules had changed): the fee
    # recomputed when the letter is sent differs, and the decision is not sent.
    FeeParameterRow.objects.filter(valid_from=datetime.date(2024, 8, 1)).update(
        income_percentage=Decimal("9.5")
    )
    result = actions.approve_items(reviewer, [item_of("F-OK").pk])
    assert not result.refused
    drain()
    return run, coordinator


FAILURES = {
    "F-NEED": ("service need", PERIOD),
    "F-RELIEF": ("13 §", PERIOD),
    "F-ENDED": ("No child of the family is in ECEC", PERIOD),
    "F-OK": ("differs from the approved one", PERIOD),
    "F-OK 1.8.2026": ("never computed on the figures of an earlier period", NEW_FIGURES),
}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_kind_of_fee_robot_failure_is_shown_in_the_readers_language(failures, language):
    run, coordinator = failures
    client = reader(coordinator, language)
    problems = {}
    for name, (english, day) in FAILURES.items():
        item = item_of(name.split()[0], day)
        assert item.status == ItemStatus.FAILED_BUSINESS, (name, item.status, item.error_message)
        assert english in pick(item.error_message, "en"), (name, item.error_message)
        shown = pick(item.error_message, language)
        assert shown != pick(item.error_message, "en"), (name, shown)
        page = visible_text(client.get(reverse("item_detail", args=[item.pk])).content.decode())
        assert shown in page, name
        found = untranslated(page, language)
        if found:
            problems[name] = found[:8]
    page = visible_text(client.get(reverse("run_detail", args=[run.pk])).content.decode())
    if untranslated(page, language):
        problems["run"] = untranslated(page, language)[:8]
    assert not problems, problems


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_fee_robots_run_log_lines_are_kept_in_every_language(failures, language):
    run, _coordinator = failures
    lines = list(RunLogEntry.objects.filter(run=run).values_list("message", flat=True))
    assert lines
    for line in lines:
        assert not untranslated(pick(line, language), language), line


def test_the_engines_refusals_are_the_same_kind_of_error_the_calculator_shows_in_english():
    from kuntarobo.robots.ecec_fees import fees

    with pytest.raises(fees.FeeInputError, match="is given twice") as raised:
        fees.calculate_fees(
            fees.FeeParameters(
                income_percentage=Decimal("10.7"),
                income_thresholds={2: 1, 3: 2, 4: 3, 5: 4, 6: 5},
                threshold_increase_per_further_child=0,
                max_fee=31100,
                min_fee=3000,
                sibling_percentages=(100, 40, 20),
            ),
            fees.FamilyInput(
                size=4,
                incomes=(fees.Income(100),),
                children=(
                    fees.ChildInput("A", datetime.date(2022, 1, 1)),
                    fees.ChildInput("A", datetime.date(2021, 1, 1)),
                ),
            ),
        )
    assert raised.value.code == "duplicate_child"
    assert raised.value.params == {"child": "A"}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_code_the_fee_engine_refuses_with_has_a_text_in_the_readers_language(language):
    """A new check in the engine without a text here would reach the official in English."""
    folder = Path(kuntarobo.robots.ecec_fees.__file__).parent
    source = "".join(
        (folder / name).read_text(encoding="utf-8")
        for name in ("fees.py", "decision_content.py", "municipal.py")
    )
    codes = set(re.findall(r'FeeInputError\(\s*"([a-z_]+)"', source))
    codes |= set(re.findall(r'SettingsError\(\s*"[^"]*",\s*f?"[^"]*",\s*"([a-z_]+)"', source))
    assert len(codes) >= 15, codes
    assert codes <= set(fee_texts.FEE_TEXTS), codes - set(fee_texts.FEE_TEXTS)
    texts = catalogue(language)
    for template in [*fee_texts.FEE_TEXTS.values(), *fee_texts.MISSING_TEXTS.values()]:
        with translation.override("en"):
            msgid = str(template)  # English is the msgid itself
        assert texts.get(msgid), msgid
        assert texts[msgid] != msgid, msgid
