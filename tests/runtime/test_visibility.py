"""The rule of what each role sees of an item, without a database: the web and the API both
show what these views give, so a field the rule hides is hidden everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from kuntarobo.runtime.visibility import Sight

CODE = "150490-9260"
HOME, OTHER = 1, 2


@dataclass
class Item:
    pk: int = 7
    municipality_id: int = HOME
    reference: str = f"{CODE}:2030-01-01"
    title: str = f"Aino Koskinen {CODE}"
    attention: Any = field(default_factory=lambda: [f"Guardian of {CODE} has no income"])
    review_note: str = f"Called about {CODE}"
    error_message: str = f"no income for {CODE}"
    payload: Any = field(default_factory=lambda: {"identity_code": CODE})
    output: Any = field(default_factory=lambda: {"addressee": "Aino Koskinen"})
    explanation: Any = field(default_factory=lambda: [f"{CODE} is one family"])


@dataclass
class RunRow:
    municipality_id: int = HOME
    input_name: str = f"perhe_{CODE}.csv"


VIEWER = Sight()
DEVELOPER = Sight(technical=frozenset({HOME}))
REVIEWER = Sight(personal=frozenset({HOME}))
COORDINATOR = Sight(personal=frozenset({HOME}), technical=frozenset({HOME}))
HIDDEN = ("title", "attention", "review_note", "payload", "output", "explanation")


@pytest.mark.parametrize("sight", [VIEWER, DEVELOPER], ids=["viewer", "developer"])
@pytest.mark.parametrize("full", [False, True], ids=["list", "full"])
def test_without_the_right_to_personal_data_every_personal_field_is_hidden(sight, full):
    view = sight.item(Item(), full=full)
    assert view.personal is False
    assert {name: getattr(view, name) for name in HIDDEN} == dict.fromkeys(HIDDEN)
    assert view.reference == "******-****:2030-01-01"
    assert view.attention_count == 1
    assert view.shows_documents is False
    assert CODE not in repr([getattr(view, name) for name in (*HIDDEN, "reference")])


def test_a_viewer_sees_no_error_and_a_developer_sees_it_masked():
    assert VIEWER.item(Item()).error_message is None
    assert DEVELOPER.item(Item(), full=True).error_message == "no income for ******-****"


@pytest.mark.parametrize("sight", [REVIEWER, COORDINATOR], ids=["reviewer", "coordinator"])
def test_the_full_view_shows_personal_data_as_it_is(sight):
    item = Item()
    view = sight.item(item, full=True)
    assert view.personal is True
    assert (view.reference, view.title, view.review_note) == (
        item.reference,
        item.title,
        item.review_note,
    )
    assert (view.attention, view.payload, view.output, view.explanation) == (
        item.attention,
        item.payload,
        item.output,
        item.explanation,
    )
    assert view.error_message == item.error_message
    assert view.shows_documents is True


def test_a_list_masks_identity_codes_even_for_those_who_may_open_the_item():
    view = COORDINATOR.item(Item())
    assert view.reference == "******-****:2030-01-01"
    assert view.title == "Aino Koskinen ******-****"
    assert view.attention == ["Guardian of ******-**** has no income"]
    assert view.review_note == "Called about ******-****"
    assert view.payload == {"identity_code": "******-****"}
    assert view.error_message == "no income for ******-****"


def test_the_right_counts_only_in_the_municipality_where_the_role_is_held():
    elsewhere = Item(municipality_id=OTHER)
    assert COORDINATOR.item(elsewhere, full=True).personal is False
    assert COORDINATOR.item(elsewhere, full=True).title is None
    assert COORDINATOR.item(elsewhere).error_message is None
    assert COORDINATOR.input_name(RunRow(municipality_id=OTHER)) == "perhe_******-****.csv"


def test_an_input_files_name_is_masked_without_the_right_to_personal_data():
    assert VIEWER.input_name(RunRow()) == "perhe_******-****.csv"
    assert DEVELOPER.input_name(RunRow()) == "perhe_******-****.csv"
    assert REVIEWER.input_name(RunRow()) == f"perhe_{CODE}.csv"


def test_an_item_without_attention_points_counts_none():
    assert VIEWER.item(Item(attention=None)).attention_count == 0
    assert REVIEWER.item(Item(attention=[]), full=True).attention == []


def test_a_runs_log_is_for_technical_roles_and_never_shows_an_identity_code():
    line = f"{CODE}: family re-read"
    assert VIEWER.log_message(RunRow(), line) is None
    assert REVIEWER.log_message(RunRow(), line) is None
    assert DEVELOPER.log_message(RunRow(), line) == "******-****: family re-read"
    assert COORDINATOR.log_message(RunRow(), line) == "******-****: family re-read"
