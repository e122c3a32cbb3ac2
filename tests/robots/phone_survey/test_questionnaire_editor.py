"""The questionnaire editor: YAML or JSON checked by the same parser as the calls, the error by
the field in the user's language, in-use questionnaires copied, a preview, recorded prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kuntarobo.core.inputs import InputLimits
from kuntarobo.robots.phone_survey.models import (
    CampaignStatus,
    PromptRecording,
    Questionnaire,
)
from kuntarobo.sdk.models import Municipality
from tests.factories import MunicipalityFactory, Role, user_with_role
from tests.robots.phone_survey.web_factories import (
    demo_definition,
    make_campaign,
    make_questionnaire,
    wav_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality() -> Municipality:
    return MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä")


@pytest.fixture
def coordinator(client, municipality):
    user = user_with_role(Role.COORDINATOR, municipality)
    client.force_login(user)
    return user


def demo_yaml() -> str:
    return yaml.safe_dump(demo_definition(), allow_unicode=True, sort_keys=False)


def test_a_coordinator_writes_a_questionnaire_in_yaml_and_it_is_stored_parsed(
    client, coordinator, municipality
):
    page = client.get(reverse("phone_survey:questionnaire_create"))
    assert page.status_code == 200
    assert "demo-strategy-survey" in page.content.decode()  # the example to start from

    response = client.post(
        reverse("phone_survey:questionnaire_create"),
        {"municipality": municipality.pk, "name": "Strategia", "source": demo_yaml()},
    )
    row = Questionnaire.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("phone_survey:questionnaire_detail", args=[row.pk])
    assert row.definition == demo_definition()
    assert row.source == demo_yaml()


def test_a_questionnaire_in_json_is_accepted_too(client, coordinator, municipality):
    source = json.dumps(demo_definition(), ensure_ascii=False)
    client.post(
        reverse("phone_survey:questionnaire_create"),
        {"municipality": municipality.pk, "name": "JSON", "source": source},
    )
    assert Questionnaire.objects.get().definition["id"] == "demo-strategy-survey"


def test_a_wrong_key_is_shown_beside_the_field_with_its_path_in_finnish(
    client, coordinator, municipality
):
    definition = demo_definition()
    definition["steps"][1]["choices"][0]["key"] = "x"
    response = client.post(
        reverse("phone_survey:questionnaire_create"),
        {"municipality": municipality.pk, "name": "Virhe", "source": yaml.safe_dump(definition)},
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert not Questionnaire.objects.exists()
    assert "steps[1].choices[0].key: on oltava yksi näppäin 0–9" in text
    assert 'aria-invalid="true"' in text
    assert 'name="source"' in text


def test_a_skip_backwards_is_refused_naming_the_skip_in_swedish(client, coordinator, municipality):
    definition = demo_definition()
    definition["steps"][4]["skip"] = {"jobs": "age_group"}
    response = client.post(
        reverse("phone_survey:questionnaire_create"),
        {"municipality": municipality.pk, "name": "Fel", "source": yaml.safe_dump(definition)},
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert "steps[4].skip.jobs: får bara hoppa framåt" in response.content.decode()


def test_broken_yaml_is_refused_naming_its_line(client, coordinator, municipality):
    response = client.post(
        reverse("phone_survey:questionnaire_create"),
        {"municipality": municipality.pk, "name": "Rikki", "source": "\nid: a\nname: b: c\n"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode()
    assert "The text is not valid YAML or JSON (line 3" in text
    assert not Questionnaire.objects.exists()


def test_yaml_tags_that_would_build_python_objects_are_refused(client, coordinator, municipality):
    source = "!!python/object/apply:os.system ['true']\n"
    response = client.post(
        reverse("phone_survey:questionnaire_create"),
        {"municipality": municipality.pk, "name": "Paha", "source": source},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "is not valid YAML or JSON" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_a_questionnaire_of_a_draft_campaign_is_changed_in_place(client, coordinator):
    row = make_questionnaire()
    make_campaign(row, status=CampaignStatus.DRAFT)
    definition = demo_definition()
    definition["id"] = "changed"
    client.post(
        reverse("phone_survey:questionnaire_edit", args=[row.pk]),
        {"name": "Uusi nimi", "source": yaml.safe_dump(definition)},
    )
    row.refresh_from_db()
    assert Questionnaire.objects.count() == 1
    assert (row.name, row.definition["id"]) == ("Uusi nimi", "changed")


def test_a_questionnaire_a_running_campaign_uses_is_saved_as_new_and_left_as_it_was(
    client, coordinator
):
    row = make_questionnaire()
    make_campaign(row, status=CampaignStatus.RUNNING)
    page = client.get(reverse("phone_survey:questionnaire_edit", args=[row.pk]))
    assert "Tallenna uutena" in page.content.decode()
    definition = demo_definition()
    definition["id"] = "second-version"
    response = client.post(
        reverse("phone_survey:questionnaire_edit", args=[row.pk]),
        {"name": "Versio 2", "source": yaml.safe_dump(definition)},
    )
    copy = Questionnaire.objects.exclude(pk=row.pk).get()
    row.refresh_from_db()
    assert response["Location"] == reverse("phone_survey:questionnaire_detail", args=[copy.pk])
    assert row.definition["id"] == "demo-strategy-survey"
    assert (copy.name, copy.definition["id"]) == ("Versio 2", "second-version")


def test_the_preview_shows_every_step_in_finnish_swedish_and_english(client, coordinator):
    row = make_questionnaire()
    text = client.get(reverse("phone_survey:questionnaire_detail", args=[row.pk])).content.decode()
    for step in ("language", "age_group", "area", "satisfaction", "target", "open", "too_young"):
        assert f"<h3>{step} " in text
    assert "Kiitos vastauksistanne!" in text
    assert "Tack för dina svar!" in text
    assert "Thank you for your answers!" in text
    assert "too_young" in text  # the skip of "under 18"


def test_a_viewer_sees_the_preview_but_may_not_edit(client, municipality):
    row = make_questionnaire(municipality)
    client.force_login(user_with_role(Role.VIEWER, municipality))
    assert (
        client.get(reverse("phone_survey:questionnaire_detail", args=[row.pk])).status_code == 200
    )
    assert client.get(reverse("phone_survey:questionnaire_edit", args=[row.pk])).status_code == 403


def test_another_municipalitys_questionnaire_is_not_found(client, municipality):
    row = make_questionnaire(municipality)
    client.force_login(user_with_role(Role.COORDINATOR, MunicipalityFactory(slug="muualla")))
    assert (
        client.get(reverse("phone_survey:questionnaire_detail", args=[row.pk])).status_code == 404
    )
    assert (
        client.get(reverse("phone_survey:questionnaire_list")).content.decode().count(row.name) == 0
    )


def _upload(client, row, content: bytes, name: str = "kiitos.wav", language: str = "sv"):
    return client.post(
        reverse("phone_survey:questionnaire_recording", args=[row.pk]),
        {
            "step_id": "thanks",
            "language": language,
            "file": SimpleUploadedFile(name, content, content_type="audio/wav"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_recorded_prompt_is_stored_for_its_step_and_language(
    client, coordinator, settings, django_capture_on_commit_callbacks
):
    row = make_questionnaire()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, row, wav_bytes())
    assert response.status_code == 302
    recording = PromptRecording.objects.get()
    assert (recording.step_id, recording.language) == ("thanks", "sv")
    assert Path(recording.audio.path).read_bytes() == wav_bytes()
    detail = client.get(reverse("phone_survey:questionnaire_detail", args=[row.pk]))
    link = reverse("phone_survey:questionnaire_recording_file", args=[row.pk, recording.pk])
    assert link in detail.content.decode()
    heard = client.get(link)
    assert b"".join(heard.streaming_content) == wav_bytes()
    assert heard["Content-Type"] == "audio/wav"
    # A new recording replaces the old one, whose file goes.
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, row, wav_bytes(0.4))
    assert PromptRecording.objects.count() == 1
    assert len(_media_files(settings)) == 1


def test_a_file_that_is_not_wav_is_refused_and_nothing_is_stored(client, coordinator, settings):
    row = make_questionnaire()
    response = _upload(client, row, b"ID3 not a wave file at all", name="kiitos.mp3")
    assert response.status_code == 400
    assert "kiitos.mp3 is not a WAV recording" in response.content.decode()
    assert not PromptRecording.objects.exists()
    assert _media_files(settings) == []


def test_a_recording_over_the_size_limit_is_refused_naming_the_limit(client, coordinator, settings):
    settings.KUNTAROBO_INPUT_LIMITS = InputLimits(total_bytes=1000)
    row = make_questionnaire()
    response = _upload(client, row, wav_bytes(1.0))
    assert response.status_code == 400
    assert "kiitos.wav" in response.content.decode()
    assert not PromptRecording.objects.exists()
    assert _media_files(settings) == []


def test_a_recording_for_a_language_the_questionnaire_lacks_is_refused(client, coordinator):
    row = make_questionnaire(definition=_only_finnish())
    response = _upload(client, row, wav_bytes(), language="sv")
    assert response.status_code == 400
    assert not PromptRecording.objects.exists()


def _only_finnish() -> dict:
    """The demo with its Finnish texts only."""

    def strip(value):
        if isinstance(value, dict):
            if set(value) == {"fi", "sv", "en"}:
                return {"fi": value["fi"]}
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    definition = strip(demo_definition())
    definition["languages"] = ["fi"]
    definition["steps"] = [s for s in definition["steps"] if s["type"] != "language"]
    return definition


def test_the_documented_yaml_example_is_the_demo_questionnaire():
    text = (Path(__file__).parents[3] / "docs" / "phone-survey.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert yaml.safe_load(block) == demo_definition()


def test_yaml_aliases_are_refused_so_a_small_text_cannot_expand(client, coordinator, municipality):
    source = demo_yaml().replace("languages:\n- fi\n- sv\n- en\n", "languages: &l\n- fi\n") + (
        "extra: *l\n"
    )
    response = client.post(
        reverse("phone_survey:questionnaire_create"),
        {"municipality": municipality.pk, "name": "Alias", "source": source},
    )
    assert "YAML-ankkurit ja -viittaukset" in response.content.decode()
    assert not Questionnaire.objects.exists()
