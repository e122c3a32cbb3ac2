"""The phone survey robot's records: questionnaires, campaigns, their respondents, every call
attempt with its raw SIP outcome and interim AAPOR code, the answers, and the municipality's
do-not-call list (honoured across campaigns).

A respondent is one work item of the campaign's run: it *waits* (a durable timer) between
attempts, so a restart loses no attempt and no timer (kuntarobo.sdk.Wait)."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntarobo.sdk.models import Municipality, Run, ScopedQuerySet, WorkItem

LANGUAGES = (("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English")))


def new_token() -> str:
    """A personal link's secret: 32 bytes, URL-safe, unguessable."""
    return secrets.token_urlsafe(32)


class Questionnaire(models.Model):
    """A questionnaire as the municipality wrote it (YAML or JSON, `source`) and as parsed
    (`definition`, the JSON `kuntarobo.core.questionnaire.parse_questionnaire` accepts).
    A questionnaire a campaign has used is not edited but copied (answers refer to its steps)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="survey_questionnaires"
    )
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("questionnaire (YAML or JSON)"))
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.name


class PromptRecording(models.Model):
    """A prompt recorded by a person (the mayor's own voice), used instead of synthesised
    speech for that step and language."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="recordings"
    )
    step_id = models.CharField(_("step"), max_length=64)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    audio = models.FileField(_("recording"), upload_to="phone_survey/prompts/")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["questionnaire", "step_id", "language"],
                name="phone_survey_prompt_unique",
            )
        ]
        verbose_name = _("recorded prompt")
        verbose_name_plural = _("recorded prompts")

    def __str__(self) -> str:
        return f"{self.step_id} ({self.language})"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    RUNNING = "running", _("running")
    ENDED = "ended", _("ended")

    @classmethod
    def allowed_moves(cls) -> dict[str, frozenset[str]]:
        """A campaign is started once and ended once; an ended campaign's final codes stand."""
        return {
            cls.DRAFT: frozenset({cls.RUNNING}),
            cls.RUNNING: frozenset({cls.ENDED}),
            cls.ENDED: frozenset(),
        }

    def can_move_to(self, target: str) -> bool:
        return target in self.allowed_moves()[self]


class Dialler(models.TextChoices):
    """How the campaign's calls are placed: over the configured SIP trunk, or simulated (the
    demo, and planning) with the same scheduler and state machine."""

    SIP = "sip", _("real calls (SIP)")
    SIMULATED = "simulated", _("simulated calls")


class Campaign(models.Model):
    """One survey campaign: who is called, when, how often, and with what questionnaire.

    `schedule` is the CLI contract's {start_date, end_date, weekdays, from, to, timezone}
    (`kuntarobo.core.call_windows.parse_schedule`); `quotas` a list of
    {age_group, gender, area, target} (empty fields match anyone)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="survey_campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    dialler = models.CharField(
        _("calls"), max_length=10, choices=Dialler.choices, default=Dialler.SIMULATED
    )
    schedule = models.JSONField(_("call schedule"))
    max_attempts = models.PositiveSmallIntegerField(_("attempts per number at most"), default=3)
    lines = models.PositiveSmallIntegerField(_("simultaneous calls at most"), default=5)
    price_per_minute_cents = models.PositiveIntegerField(_("price per minute (cents)"), default=0)
    target_completes = models.PositiveIntegerField(
        _("target of complete interviews"), null=True, blank=True
    )
    quotas = models.JSONField(_("quotas"), default=list, blank=True)
    caller_id = models.CharField(
        _("caller number shown"),
        max_length=20,
        blank=True,
        help_text=_("A Finnish number that accepts call-backs (E.164); never hidden."),
    )
    notice_text = models.JSONField(
        _("advance notice"), default=dict, blank=True, help_text=_("By language: fi, sv, en.")
    )
    sms_notice = models.BooleanField(_("advance notice by SMS"), default=False)
    notice_days_before = models.PositiveSmallIntegerField(
        _("days of notice before the first call"), default=3
    )
    offer_web = models.BooleanField(
        _("offer the web form"),
        default=True,
        help_text=_("A personal link to the same questionnaire, e.g. to those who refuse a call."),
    )
    simulation = models.JSONField(_("simulation settings"), default=dict, blank=True)
    # The population the respondents are compared with and weighted to: {"age_group": {...},
    # "gender": {...}, "area": {...}}, each category a share or a count of people
    # (kuntarobo.core.survey_report.parse_population).
    population = models.JSONField(_("population"), default=dict, blank=True)
    seed = models.PositiveIntegerField(_("simulation seed"), default=1)
    run = models.ForeignKey(Run, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return self.name


class Respondent(models.Model):
    """A sampled number (E.164) and what is known of its person for quotas and weights.

    `final_code` is given when the campaign ends (or earlier, when no attempt may follow);
    `token` is the secret of the personal web link."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="respondents")
    phone = models.CharField(_("phone number"), max_length=20)
    age_group = models.CharField(_("age group"), max_length=20, blank=True)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    area = models.CharField(_("area"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="fi")
    row = models.PositiveIntegerField(_("row in the imported file"), default=0)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    attempts_made = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    parts_tried = models.JSONField(_("parts of the day tried"), default=list, blank=True)
    final_code = models.CharField(_("final AAPOR code"), max_length=8, blank=True)
    disposition = models.CharField(_("disposition"), max_length=20, blank=True)
    completed_via = models.CharField(_("answered by"), max_length=10, blank=True)
    notified_at = models.DateTimeField(_("advance notice sent"), null=True, blank=True)
    # The advance notice's tries (a failed number is tried again at the robot's next turn).
    notice_tries = models.PositiveSmallIntegerField(_("advance notice tries"), default=0)
    notice_tried_at = models.DateTimeField(_("advance notice last tried"), null=True, blank=True)
    # The personal web link offered by SMS after a refused or broken-off call: once a person.
    web_link_sent_at = models.DateTimeField(_("web link sent"), null=True, blank=True)
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["campaign", "row", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["campaign", "phone"], name="phone_survey_respondent_unique"
            )
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["campaign", "final_code"], name="phone_survey_resp_final")
        ]
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.row}"


class Attempt(models.Model):
    """One call attempt (or one web session): its raw outcome kept beside the interim code."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    channel = models.CharField(_("channel"), max_length=10, default="phone")
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    sip_status = models.PositiveSmallIntegerField(_("SIP status"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40)
    code = models.CharField(_("interim AAPOR code"), max_length=8)
    seconds = models.DecimalField(_("billed seconds"), max_digits=8, decimal_places=1, default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["respondent", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["respondent", "number"], name="phone_survey_attempt_unique"
            )
        ]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")

    def __str__(self) -> str:
        return f"{self.respondent_id}#{self.number} {self.code}"


class Answer(models.Model):
    """A respondent's answer to one step: a key, a number, or an open answer's recording."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    step_id = models.CharField(_("question"), max_length=64)
    value = models.CharField(_("answer"), max_length=200, blank=True)
    recording = models.FileField(_("recording"), upload_to="phone_survey/answers/", blank=True)
    attempt = models.ForeignKey(
        Attempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["respondent", "step_id"], name="phone_survey_answer_unique"
            )
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.respondent_id} {self.step_id}"


class DoNotCallEntry(models.Model):
    """A number the municipality's survey robot must never call again, in any campaign: added
    at once when the person presses the stop key or asks in the web form, or by staff."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="survey_do_not_call"
    )
    phone = models.CharField(_("phone number"), max_length=20)
    source = models.CharField(_("source"), max_length=20)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["municipality", "phone"], name="phone_survey_do_not_call_unique"
            )
        ]
        verbose_name = _("do-not-call number")
        verbose_name_plural = _("do-not-call numbers")

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.phone[:-4]}****"
