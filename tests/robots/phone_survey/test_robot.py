"""The phone survey robot's rules run through the real worker: a campaign started, its
respondents called in the windows by the simulated (or a scripted) dialler, waiting on durable
timers between attempts, ended with a final AAPOR code for every number."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from kuntarobo.audit.models import AuditEvent
from kuntarobo.core import aapor
from kuntarobo.core.call_windows import is_blocked_day, is_open, parse_schedule
from kuntarobo.core.questionnaire import DEMO_QUESTIONNAIRE, parse_questionnaire
from kuntarobo.robots.phone_survey import actions, planning
from kuntarobo.robots.phone_survey.dialling import (
    CallRequest,
    CampaignFacts,
    DiallerMissingError,
    SimulatedDialler,
    dialler_for,
)
from kuntarobo.robots.phone_survey.models import (
    Answer,
    Attempt,
    Campaign,
    CampaignStatus,
    DoNotCallEntry,
    Respondent,
)
from kuntarobo.runtime import actions as runtime_actions
from kuntarobo.runtime import enqueue, execution
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import ItemStatus, Run, RunStatus, WorkItem
from tests.robots.phone_survey.conftest import at, interview, run_to_the_end, unanswered
from tests.robots.phone_survey.factories import SCHEDULE, CampaignFactory, RespondentFactory
from tests.runtime.helpers import drain, read_inputs
from tests.runtime.test_concurrency import together

pytestmark = pytest.mark.django_db(transaction=True)

AGES = ("18-29", "30-44", "45-64", "65+")


def campaign_with(municipality, respondents: int, **kwargs) -> Campaign:
    campaign = CampaignFactory(municipality=municipality, **kwargs)
    for n in range(respondents):
        RespondentFactory(campaign=campaign, age_group=AGES[n % 4])
    return campaign


def attempts_of(respondent: Respondent) -> tuple[planning.PastAttempt, ...]:
    return tuple(
        planning.PastAttempt(a.started_at, a.code)
        for a in respondent.attempts.order_by("started_at", "number")
    )


def test_a_small_campaign_runs_to_its_end_inside_the_windows(municipality, coordinator, clock):
    campaign = campaign_with(municipality, 24, max_attempts=3)
    actions.start_campaign(campaign, actor=coordinator)
    run_to_the_end(clock)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING  # ended only by a person
    schedule = parse_schedule(SCHEDULE)
    attempts = list(Attempt.objects.filter(respondent__campaign=campaign))
    assert attempts, "the simulated campaign called nobody"
    for attempt in attempts:
        assert is_open(schedule, attempt.started_at), attempt.started_at
        assert not is_blocked_day(attempt.started_at.astimezone(schedule.zone).date())
        assert attempt.ended_at is not None
        assert attempt.code
        assert attempt.outcome != "calling"
    for respondent in Respondent.objects.filter(campaign=campaign):
        made = attempts_of(respondent)
        assert 1 <= len(made) <= 3
        assert respondent.attempts_made == len(made)
        assert respondent.final_code == planning.final_code(made)
        for earlier, later in itertools.pairwise(made):
            assert aapor.retry_allowed(earlier.code)
            assert later.at > earlier.at
    items = WorkItem.objects.filter(run=campaign.run)
    assert set(items.values_list("status", flat=True)) == {ItemStatus.DONE}
    assert items.count() == 24
    assert Run.objects.get(pk=campaign.run_id).status == RunStatus.FINISHED
    done = items.first()
    assert set(done.output) >= {"final_code", "disposition"}


def test_waiting_items_keep_their_timers_across_a_worker_restart(municipality, coordinator, clock):
    campaign = campaign_with(municipality, 6)
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(1, 12)  # a Sunday: nobody is called before Monday 10:00
    drain("worker-that-dies")
    waiting = WorkItem.objects.filter(run=campaign.run, status=ItemStatus.WAITING)
    assert waiting.count() == 6
    assert set(waiting.values_list("wait_until", flat=True)) == {at(2, 10)}
    # The timers are rows in the queue, each due at its item's time: nothing lives in a worker.
    timers = DBTaskResult.objects.filter(task_path=enqueue.RESUME_ITEM)
    assert sorted(t.args_kwargs["args"][0] for t in timers) == sorted(
        waiting.values_list("pk", flat=True)
    )
    assert {t.run_after for t in timers} == {at(2, 10)}
    assert Attempt.objects.count() == 0

    # Before their time, the timer pass resumes none; at their time a new worker calls them.
    assert runtime_actions.resume_due_items(now=at(2, 9, 59)) == 0
    clock.moment = at(2, 10)
    assert runtime_actions.resume_due_items(now=clock.moment) == 6
    drain("a-new-worker")
    assert Attempt.objects.filter(respondent__campaign=campaign).count() == 6
    assert set(
        Attempt.objects.filter(respondent__campaign=campaign).values_list("started_at", flat=True)
    ) == {at(2, 10)}


def test_the_stop_key_puts_the_number_on_the_list_at_once_and_no_campaign_calls_it_again(
    municipality, coordinator, clock, scripted
):
    first = campaign_with(municipality, 0, dialler="scripted")
    stopper = RespondentFactory(campaign=first, phone="+358401112223")
    other = RespondentFactory(campaign=first, phone="+358401112224")
    scripted.script[stopper.phone] = interview("do_not_call")
    scripted.script[other.phone] = unanswered(486, "486 Busy Here")
    actions.start_campaign(first, actor=coordinator)
    clock.moment = at(2, 10)
    drain()

    stopper.refresh_from_db()
    assert DoNotCallEntry.objects.filter(municipality=municipality, phone=stopper.phone).exists()
    assert stopper.final_code == aapor.REFUSAL
    assert stopper.disposition == "do_not_call"
    assert AuditEvent.objects.filter(action="phone_survey.do_not_call_added").count() == 1
    assert "+358401112223" not in str(
        AuditEvent.objects.get(action="phone_survey.do_not_call_added").details
    )

    second = campaign_with(municipality, 0, dialler="scripted")
    again = RespondentFactory(campaign=second, phone=stopper.phone)
    actions.start_campaign(second, actor=coordinator)
    calls_before = len(scripted.calls)
    run_to_the_end(clock)
    again.refresh_from_db()
    assert again.final_code == aapor.NOT_ATTEMPTED
    assert again.attempts.count() == 0
    assert [c.phone for c in scripted.calls[calls_before:]].count(stopper.phone) == 0


def test_a_full_quota_bucket_is_not_called(municipality, coordinator, clock, scripted):
    campaign = campaign_with(
        municipality,
        0,
        dialler="scripted",
        quotas=[{"age_group": "65+", "gender": "", "area": "", "target": 1}],
    )
    old = [RespondentFactory(campaign=campaign, age_group="65+") for _ in range(3)]
    young = RespondentFactory(campaign=campaign, age_group="18-29")
    scripted.default = interview("completed", {"satisfaction": 8})
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(2, 10)
    run_to_the_end(clock)

    codes = sorted(Respondent.objects.get(pk=r.pk).final_code for r in old)
    assert codes == [aapor.COMPLETE, aapor.QUOTA_FILLED, aapor.QUOTA_FILLED]
    assert [c.phone for c in scripted.calls].count(young.phone) == 1  # not in the bucket
    assert len(scripted.calls) == 2
    young.refresh_from_db()
    assert young.final_code == aapor.COMPLETE
    answer = young.answers.get()
    assert (answer.step_id, answer.value) == ("satisfaction", "8")


def test_a_busy_number_is_tried_again_sooner_and_no_more_than_max_attempts(
    municipality, coordinator, clock, scripted
):
    campaign = campaign_with(municipality, 0, dialler="scripted", max_attempts=2)
    busy = RespondentFactory(campaign=campaign)
    scripted.script[busy.phone] = unanswered(486, "486 Busy Here")
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(2, 10)
    run_to_the_end(clock)
    made = list(busy.attempts.order_by("number"))
    assert [(a.number, a.sip_status, a.code) for a in made] == [
        (1, 486, aapor.ALWAYS_BUSY),
        (2, 486, aapor.ALWAYS_BUSY),
    ]
    assert made[1].started_at - made[0].started_at == datetime.timedelta(minutes=15)
    busy.refresh_from_db()
    assert (busy.final_code, busy.parts_tried) == (aapor.ALWAYS_BUSY, ["morning"])


def test_ending_a_campaign_gives_every_number_a_final_code_that_the_counts_add_up(
    municipality, coordinator, clock
):
    campaign = campaign_with(municipality, 30)
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(2, 10)
    drain()  # one round of first calls, then everyone waits for a retry or is done
    respondents = Respondent.objects.filter(campaign=campaign)
    assert respondents.filter(final_code="").exists()
    assert WorkItem.objects.filter(run=campaign.run, status=ItemStatus.WAITING).exists()
    uncalled = RespondentFactory(campaign=campaign)  # imported late: never attempted

    ended = actions.end_campaign(campaign, actor=coordinator)
    assert (ended.status, ended.ended_at is not None) == (CampaignStatus.ENDED, True)
    drain()
    assert not WorkItem.objects.filter(run=campaign.run).exclude(status=ItemStatus.DONE).exists()
    assert Run.objects.get(pk=campaign.run_id).status == RunStatus.FINISHED
    codes = []
    for respondent in respondents:
        assert respondent.final_code == planning.final_code(attempts_of(respondent))
        codes.append(respondent.final_code)
    assert Respondent.objects.get(pk=uncalled.pk).final_code == aapor.NOT_ATTEMPTED
    counts = aapor.Counts.from_final_codes(codes)
    event = AuditEvent.objects.get(action="phone_survey.campaign_ended")
    assert event.details["counts"] == {
        name: getattr(counts, name) for name in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
    }
    assert sum(event.details["counts"].values()) == 31
    with pytest.raises(InputError):
        actions.end_campaign(ended, actor=coordinator)


def test_a_campaign_starts_only_from_a_draft_with_respondents(municipality, coordinator):
    empty = CampaignFactory(municipality=municipality)
    with pytest.raises(InputError, match="no respondents"):
        actions.start_campaign(empty, actor=coordinator)
    empty.refresh_from_db()
    assert (empty.status, empty.run_id) == (CampaignStatus.DRAFT, None)
    assert not Run.objects.exists()

    campaign = campaign_with(municipality, 2)
    started = actions.start_campaign(campaign, actor=coordinator)
    assert started.status == CampaignStatus.RUNNING
    assert started.run is not None
    assert started.run.parameters == {"campaign": campaign.pk}
    assert AuditEvent.objects.filter(action="phone_survey.campaign_started").count() == 1
    with pytest.raises(InputError, match="only a draft"):
        actions.start_campaign(campaign, actor=coordinator)
    assert Run.objects.count() == 1


def test_a_campaign_without_its_dialler_fails_as_a_technical_error(
    municipality, coordinator, clock
):
    campaign = campaign_with(municipality, 1, dialler="fax")
    with pytest.raises(DiallerMissingError, match="no dialler 'fax'"):
        dialler_for(
            CampaignFacts(campaign.pk, "fax", parse_schedule(SCHEDULE), seed=1, simulation={})
        )
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(2, 10)
    drain()
    item = WorkItem.objects.get(run=campaign.run)
    assert "no dialler 'fax'" in item.error_message
    assert item.status in (ItemStatus.NEW, ItemStatus.FAILED_APPLICATION)
    assert not Attempt.objects.exists()


def test_only_a_completed_interview_counts_as_saved_interviewer_time(
    municipality, coordinator, clock, scripted
):
    campaign = campaign_with(municipality, 0, dialler="scripted", max_attempts=1)
    done = RespondentFactory(campaign=campaign)
    refused = RespondentFactory(campaign=campaign)
    scripted.script[done.phone] = interview("completed")
    scripted.script[refused.phone] = interview("refused")
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(2, 10)
    run_to_the_end(clock)
    saves = dict(
        WorkItem.objects.filter(run=campaign.run).values_list("payload__respondent", "saves_time")
    )
    assert saves == {done.pk: True, refused.pk: False}


def test_the_simulated_dialler_gives_the_same_outcome_for_the_same_seed_and_attempt():
    facts = CampaignFacts(1, "simulated", parse_schedule(SCHEDULE), seed=11, simulation={})
    questionnaire = parse_questionnaire(DEMO_QUESTIONNAIRE)

    def call(seed: int, respondent: int, attempt: int):
        dialler = SimulatedDialler(CampaignFacts(1, "simulated", facts.schedule, seed, {}))
        return dialler.call(
            CallRequest(
                "+358401234567",
                "fi",
                questionnaire,
                "+35821",
                1,
                respondent,
                attempt,
                age_group="65+",
                at=at(2, 18),
            )
        )

    assert call(11, 5, 1) == call(11, 5, 1)
    outcomes = {(call(seed, 5, 1).outcome, call(seed, 5, 1).disposition) for seed in range(40)}
    assert len(outcomes) > 2  # the seed matters
    assert isinstance(dialler_for(facts), SimulatedDialler)


@pytest.mark.postgres_only  # threads as workers: SQLite's test database runs one writer at a time
def test_no_more_calls_are_in_progress_than_the_campaign_has_lines(
    municipality, coordinator, clock, scripted
):
    """Six workers take six respondents at once; two lines: two calls at a time, the rest
    wait a few seconds for a line (and are called when their time comes)."""
    campaign = campaign_with(municipality, 6, dialler="scripted", lines=2, max_attempts=1)
    scripted.default = interview("completed")
    scripted.seconds = 0.6
    actions.start_campaign(campaign, actor=coordinator)
    assert read_inputs() == 1
    clock.moment = at(2, 10)
    ids = list(WorkItem.objects.filter(run=campaign.run).values_list("pk", flat=True))
    results = together(
        *[
            lambda item=item, n=n: execution.execute(item, f"worker-{n}")
            for n, item in enumerate(ids)
        ]
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert scripted.most_at_once == 2
    assert sorted(results) == [ItemStatus.DONE] * 2 + [ItemStatus.WAITING] * 4
    waiting = WorkItem.objects.filter(run=campaign.run, status=ItemStatus.WAITING)
    assert {w.wait_until for w in waiting} == {at(2, 10) + planning.LINE_WAIT}
    run_to_the_end(clock)
    assert len(scripted.calls) == 6
    assert scripted.most_at_once == 2
    assert Respondent.objects.filter(campaign=campaign, final_code=aapor.COMPLETE).count() == 6


def test_a_call_left_in_progress_by_a_dead_worker_is_a_technical_failure_retried_later(
    municipality, coordinator, clock, scripted
):
    campaign = campaign_with(municipality, 0, dialler="scripted")
    respondent = RespondentFactory(campaign=campaign)
    Attempt.objects.create(
        respondent=respondent, number=1, started_at=at(2, 10), outcome="calling", code=""
    )
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(2, 10, 5)
    drain()
    lost = respondent.attempts.get()
    assert (lost.code, lost.outcome, lost.ended_at) == (
        aapor.TECHNICAL,
        "interrupted",
        at(2, 10, 5),
    )
    item = WorkItem.objects.get(run=campaign.run)
    assert (item.status, item.wait_until) == (ItemStatus.WAITING, at(2, 10, 30))
    assert scripted.calls == []


def test_an_open_answers_recording_is_stored_with_its_answer_and_gone_if_the_write_fails(
    municipality, coordinator, clock, scripted, tmp_path, monkeypatch, settings
):
    audio = tmp_path / "open.wav"
    audio.write_bytes(b"RIFF....WAVEfmt ")
    campaign = campaign_with(municipality, 0, dialler="scripted", max_attempts=1)
    kept = RespondentFactory(campaign=campaign, phone="+358401112225")
    stopped = RespondentFactory(campaign=campaign, phone="+358401112226")

    def with_recording(disposition: str):
        def result(request):
            answered = interview(disposition, {"open": 12})(request)
            return dataclasses.replace(answered, recordings={"open": str(audio)})

        return result

    scripted.script[kept.phone] = with_recording("completed")
    scripted.script[stopped.phone] = with_recording("do_not_call")

    def list_down(*args, **kwargs):
        raise RuntimeError("the do-not-call list cannot be written")

    monkeypatch.setattr(actions, "add_do_not_call", list_down)
    actions.start_campaign(campaign, actor=coordinator)
    clock.moment = at(2, 10)
    drain()

    answer = Answer.objects.get(respondent=kept)
    assert (answer.value, Path(answer.recording.path).read_bytes()) == ("12", audio.read_bytes())
    assert not Answer.objects.filter(respondent=stopped).exists()
    stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.wav"))
    assert stored == [Path(answer.recording.name).name]
    # The failed write kept nothing of the call; the retried item closed the line it had taken
    # as a technical failure, to be tried again later.
    lost = stopped.attempts.get()
    assert (lost.code, lost.outcome) == (aapor.TECHNICAL, "interrupted")
