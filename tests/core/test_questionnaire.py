"""The questionnaire format and the state machine of one survey call."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuntarobo.core.questionnaire import (
    CONSENT,
    DEMO_QUESTIONNAIRE,
    HangUp,
    Interview,
    Play,
    QuestionnaireError,
    Record,
    parse_questionnaire,
)


def demo() -> dict[str, Any]:
    return copy.deepcopy(dict(DEMO_QUESTIONNAIRE))


def interview(language: str = "fi") -> Interview:
    talk = Interview(parse_questionnaire(demo()), language)
    talk.start()
    return talk


def consented(language: str = "fi") -> Interview:
    """Past the consent gate and the language step (Finnish chosen)."""
    talk = interview(language)
    talk.on_digits("1")  # consent
    talk.on_digits("1")  # language: Finnish
    return talk


def error_path(data: dict[str, Any]) -> str:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(data)
    return caught.value.path


# --- parsing ----------------------------------------------------------------------------------


def test_the_demo_questionnaire_parses_with_its_eight_steps() -> None:
    questionnaire = parse_questionnaire(demo())
    assert [step.id for step in questionnaire.steps] == [
        "language", "age_group", "area", "satisfaction", "target", "open", "thanks", "too_young",
    ]  # fmt: skip
    assert questionnaire.languages == ("fi", "sv", "en")
    assert questionnaire.stop_key == "9"


def test_an_unknown_step_type_is_named_at_its_type() -> None:
    data = demo()
    data["steps"][3]["type"] = "slider"
    assert error_path(data) == "steps[3].type"


def test_a_duplicate_step_id_is_named_at_the_second_id() -> None:
    data = demo()
    data["steps"][2]["id"] = "age_group"
    assert error_path(data) == "steps[2].id"


def test_a_skip_to_a_missing_step_is_named_at_the_skip_rule() -> None:
    data = demo()
    data["steps"][1]["skip"] = {"under_18": "nowhere"}
    assert error_path(data) == "steps[1].skip.under_18"


def test_a_key_outside_0_to_9_is_named_at_the_choice_key() -> None:
    data = demo()
    data["steps"][2]["choices"][1]["key"] = "12"
    assert error_path(data) == "steps[2].choices[1].key"


def test_the_stop_key_cannot_be_a_choice_key() -> None:
    data = demo()
    data["steps"][2]["choices"][1]["key"] = "9"
    assert error_path(data) == "steps[2].choices[1].key"


def test_min_above_max_is_named_at_min() -> None:
    data = demo()
    data["steps"][3]["min"] = 11  # 11 > max 10
    assert error_path(data) == "steps[3].min"


def test_a_prompt_missing_in_a_declared_language_is_named_at_that_language() -> None:
    data = demo()
    del data["steps"][4]["prompt"]["sv"]
    assert error_path(data) == "steps[4].prompt.sv"


def test_a_label_missing_in_a_declared_language_is_named_too() -> None:
    data = demo()
    del data["steps"][1]["choices"][0]["label"]["en"]
    assert error_path(data) == "steps[1].choices[0].label.en"


def test_a_questionnaire_without_steps_is_refused_at_steps() -> None:
    data = demo()
    data["steps"] = []
    assert error_path(data) == "steps"


def test_a_bad_flag_disposition_and_a_missing_introduction_are_named() -> None:
    data = demo()
    data["steps"][6]["disposition"] = "partial"
    assert error_path(data) == "steps[6].disposition"
    data = demo()
    del data["introduction"]["fi"]
    assert error_path(data) == "introduction.fi"


# --- the call ---------------------------------------------------------------------------------


def test_start_plays_the_introduction_and_the_consent_gate_in_the_call_language() -> None:
    talk = Interview(parse_questionnaire(demo()), "sv")
    action = talk.start()
    assert action.step_id == CONSENT
    assert action.language == "sv"
    assert "tryck 9" in action.text
    assert action.text.endswith("Tryck 1 för att svara på enkäten.")


def test_a_full_happy_path_collects_every_answer_and_completes_with_the_thanks() -> None:
    talk = consented()
    assert talk.on_digits("4").step_id == "area"  # type: ignore[union-attr]
    assert talk.on_digits("1").step_id == "satisfaction"  # type: ignore[union-attr]
    assert talk.on_digits("10#").step_id == "target"  # type: ignore[union-attr]
    record = talk.on_digits("2")
    assert isinstance(record, Record)
    assert record.step_id == "open"
    end = talk.on_recording(12.5)
    assert end == HangUp(
        "completed",
        {
            "language": "fi",
            "age_group": "50-64",
            "area": "centre",
            "satisfaction": 10,
            "target": "jobs",
            "open": 12.5,
        },
        "Kiitos vastauksistanne!",
        "fi",
    )
    assert talk.result == end
    assert talk.on_digits("1") == end  # after the end nothing changes


def test_hanging_up_at_the_consent_gate_is_a_refusal() -> None:
    talk = interview()
    assert talk.on_hangup().disposition == "refused"


def test_no_input_at_the_consent_gate_re_asks_twice_then_ends_as_no_input() -> None:
    talk = interview()
    first = talk.on_timeout()
    assert isinstance(first, Play)
    assert first.step_id == CONSENT
    assert talk.on_digits("5") == first  # a wrong key counts as invalid input too
    end = talk.on_timeout()  # 1 ask + 2 re-asks used up
    assert isinstance(end, HangUp)
    assert end.disposition == "no_input"


@pytest.mark.parametrize(
    "presses",
    [
        [],  # consent gate
        ["1"],  # language
        ["1", "1"],  # age group
        ["1", "1", "4"],  # area
        ["1", "1", "4", "2", "5#"],  # target
        ["1", "1", "4", "2", "5#", "1"],  # open answer (while recording)
    ],
)
def test_the_stop_key_at_any_step_ends_as_do_not_call(presses: list[str]) -> None:
    talk = interview()
    for keys in presses:
        talk.on_digits(keys)
    end = talk.on_digits("9")
    assert isinstance(end, HangUp)
    assert end.disposition == "do_not_call"


def test_in_a_numeric_step_9_confirmed_is_an_answer_but_9_left_alone_is_the_stop() -> None:
    talk = consented()
    talk.on_digits("4")
    talk.on_digits("1")
    talk.on_digits("9")
    assert talk.on_digits("#").step_id == "target"  # type: ignore[union-attr]
    assert talk.answers["satisfaction"] == 9
    talk = consented()
    talk.on_digits("4")
    talk.on_digits("1")
    talk.on_digits("9")
    end = talk.on_timeout()  # "9" never confirmed with '#'
    assert isinstance(end, HangUp)
    assert end.disposition == "do_not_call"


def test_an_invalid_answer_is_re_asked_then_skipped_as_missing() -> None:
    talk = consented()
    ask = talk.on_digits("7")  # no choice 7 for age group: re-ask
    assert isinstance(ask, Play)
    assert ask.step_id == "age_group"
    assert talk.on_timeout() == ask  # second re-ask
    nxt = talk.on_digits("8")  # third failure: skipped
    assert isinstance(nxt, Play)
    assert nxt.step_id == "area"
    assert talk.answers["age_group"] is None


def test_numeric_answers_outside_the_range_or_empty_are_re_asked() -> None:
    talk = consented()
    talk.on_digits("4")
    talk.on_digits("1")
    assert talk.on_digits("11#").step_id == "satisfaction"  # type: ignore[union-attr]  # 11 > 10
    assert talk.on_digits("#").step_id == "satisfaction"  # type: ignore[union-attr]  # empty
    assert talk.on_digits("0#").step_id == "target"  # type: ignore[union-attr]  # 0 is the minimum
    assert talk.answers["satisfaction"] == 0


def test_skip_logic_jumps_to_the_ineligible_flag() -> None:
    talk = consented()
    end = talk.on_digits("1")  # under 18 → too_young
    assert isinstance(end, HangUp)
    assert end.disposition == "ineligible"
    assert end.text == "Kysely on täysi-ikäisille. Kiitos ajastanne!"


def test_skip_to_a_later_question_passes_the_ones_between() -> None:
    data = demo()
    data["steps"][2]["skip"] = {"rural": "target"}
    talk = Interview(parse_questionnaire(data), "en")
    talk.start()
    talk.on_digits("1")
    talk.on_digits("3")
    talk.on_digits("2")
    assert talk.on_digits("3").step_id == "target"  # type: ignore[union-attr]
    assert "satisfaction" not in talk.answers


def test_the_language_step_switches_the_language_of_the_following_prompts() -> None:
    talk = interview("fi")
    talk.on_digits("1")
    ask = talk.on_digits("2")  # svenska
    assert isinstance(ask, Play)
    assert ask.language == "sv"
    assert ask.text.startswith("Vilken")
    assert talk.language == "sv"


def test_an_explanation_is_spoken_before_the_next_prompt() -> None:
    data = demo()
    prompt = {"fi": "Seuraavaksi asuinalue.", "sv": "Nu boendeområdet.", "en": "Next, your area."}
    data["steps"].insert(2, {"id": "info", "type": "explanation", "prompt": prompt})
    talk = Interview(parse_questionnaire(data), "en")
    talk.start()
    talk.on_digits("1")
    talk.on_digits("3")
    ask = talk.on_digits("3")
    assert isinstance(ask, Play)
    assert ask.step_id == "area"
    assert ask.text.startswith("Next, your area. Where do you live?")


def test_a_hang_up_after_some_answers_is_partial() -> None:
    talk = consented()
    talk.on_digits("2")
    end = talk.on_hangup()
    assert end.disposition == "partial"
    assert end.answers == {"language": "fi", "age_group": "18-29"}


def test_an_empty_recording_is_no_input() -> None:
    talk = consented()
    for keys in ("4", "1", "5#", "1"):
        talk.on_digits(keys)
    ask = talk.on_recording(0)
    assert isinstance(ask, Record)
    assert ask.step_id == "open"


@given(st.text(alphabet="0123456789#*", max_size=12))
def test_any_keys_at_the_age_question_keep_the_call_in_a_known_state(keys: str) -> None:
    talk = consented()
    action = talk.on_digits(keys)
    if isinstance(action, HangUp):
        assert action.disposition in ("do_not_call", "ineligible")
    else:
        assert action.step_id in ("age_group", "area")


def test_a_hang_up_right_after_choosing_the_language_is_a_refusal_not_a_partial() -> None:
    talk = consented()  # only the language is answered
    assert talk.on_hangup().disposition == "refused"


def test_a_flag_step_can_end_the_call_as_refused() -> None:
    data = demo()
    data["steps"][1]["skip"] = {"under_18": "no_thanks"}
    data["steps"].append({"id": "no_thanks", "type": "flag", "disposition": "refused"})
    talk = Interview(parse_questionnaire(data), "fi")
    talk.start()
    talk.on_digits("1")
    talk.on_digits("1")
    end = talk.on_digits("1")
    assert end == HangUp("refused", {"language": "fi", "age_group": "under_18"}, "", "fi")


def test_an_unknown_field_and_a_missing_field_are_named() -> None:
    data = demo()
    data["steps"][3]["step"] = 1
    assert error_path(data) == "steps[3].step"
    data = demo()
    del data["steps"][5]["max_seconds"]
    assert error_path(data) == "steps[5].max_seconds"


def test_a_backward_skip_is_refused_so_a_call_cannot_loop() -> None:
    data = demo()
    data["steps"][2]["skip"] = {"rural": "age_group"}
    assert error_path(data) == "steps[2].skip.rural"


def test_a_language_choice_must_be_a_declared_language() -> None:
    data = demo()
    data["steps"][0]["choices"][2]["value"] = "de"
    assert error_path(data) == "steps[0].choices[2].value"
