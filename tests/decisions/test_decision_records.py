"""The abstract decision record: running numbers, declared transitions, notification dates,
and the generated triggers that keep a decided record as it was decided."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.db.models.signals import post_migrate
from django.utils import timezone

from kuntarobo.accounts.models import Municipality
from kuntarobo.audit.models import AuditPurgePermit
from kuntarobo.core.notification import NoticeKind, deemed_received
from kuntarobo.decisions import actions, guards
from kuntarobo.decisions.models import DECISION_TRANSITIONS, DecisionRecord, DecisionStatus
from kuntarobo.decisions.numbers import format_number, take_numbers
from kuntarobo.runtime.declarations import InputError
from kuntarobo.runtime.models import Run, WorkItem


class ExampleDecision(DecisionRecord):
    """A robot's decision as a robot app would declare it (not installed: made per test)."""

    amount = models.PositiveIntegerField()
    document = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=50, blank=True)

    mutable_fields = ("note",)
    write_once_fields = ("document",)

    class Meta:
        app_label = "decision_examples"


@pytest.fixture
def example_table(transactional_db: None) -> Iterator[type[ExampleDecision]]:
    with connection.schema_editor() as editor:
        editor.create_model(ExampleDecision)
    guards.install(ExampleDecision, connection)
    try:
        yield ExampleDecision
    finally:
        AuditPurgePermit.objects.create(reason="test clean-up")
        ExampleDecision.objects.all().delete()
        AuditPurgePermit.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.delete_model(ExampleDecision)


def _draft(number: int = 1, **values: object) -> ExampleDecision:
    municipality, _ = Municipality.objects.get_or_create(
        slug="esimerkki", defaults={"name_fi": "Esimerkki"}
    )
    run = Run.objects.create(municipality=municipality, robot_slug="example", trigger="cli")
    item = WorkItem.objects.create(
        run=run, municipality=municipality, robot_slug="example", reference=f"r{number}"
    )
    return ExampleDecision.objects.create(
        municipality=municipality,
        work_item=item,
        decision_number=format_number("ESIM", 2026, number),
        language="fi",
        rule_version="1",
        amount=100,
        **values,
    )


def test_every_status_has_its_transitions_declared_and_final_ones_lead_nowhere():
    assert set(DECISION_TRANSITIONS) == set(DecisionStatus)
    assert DECISION_TRANSITIONS[DecisionStatus.DISCARDED] == ()
    assert not DecisionStatus.allowed(DecisionStatus.SENT, DecisionStatus.DRAFT)
    assert DecisionStatus.allowed(DecisionStatus.DRAFT, DecisionStatus.APPROVED)


def test_a_letter_is_deemed_received_on_the_seventh_day_and_a_message_on_the_third():
    posted = datetime.date(2026, 12, 4)
    assert deemed_received(NoticeKind.LETTER, posted) == datetime.date(2026, 12, 11)
    assert deemed_received(NoticeKind.ELECTRONIC, posted) == datetime.date(2026, 12, 7)


@pytest.mark.django_db
def test_running_numbers_continue_per_municipality_robot_and_year_and_a_rollback_returns_them():
    a = Municipality.objects.create(slug="aa", name_fi="A")
    b = Municipality.objects.create(slug="bb", name_fi="B")
    assert list(take_numbers(a.pk, "ecec_fees", 2026, 3)) == [1, 2, 3]
    assert list(take_numbers(a.pk, "ecec_fees", 2026)) == [4]
    assert list(take_numbers(a.pk, "ecec_fees", 2027)) == [1]
    assert list(take_numbers(b.pk, "ecec_fees", 2026)) == [1]
    assert list(take_numbers(a.pk, "hr_reports", 2026)) == [1]

    def failed_batch() -> None:
        with transaction.atomic():
            take_numbers(a.pk, "ecec_fees", 2026, 10)
            raise RuntimeError("the batch failed")

    with pytest.raises(RuntimeError):
        failed_batch()
    assert list(take_numbers(a.pk, "ecec_fees", 2026)) == [5]
    assert format_number("VAKA", 2026, 42) == "VAKA-2026-00042"


def test_the_guarded_columns_are_every_field_but_those_that_record_what_happened_later():
    guarded = ExampleDecision.guarded_fields()
    assert "amount" in guarded
    assert "decision_number" in guarded
    assert "decided_by" in guarded
    assert "work_item_id" in guarded
    for free in ("status", "sent_at", "notified_on", "superseded_from", "note", "document"):
        assert free not in guarded
    assert ExampleDecision.write_once_columns() == ["document"]


def test_a_draft_may_change_but_a_decided_record_refuses_any_change_to_its_content(
    example_table,
):
    decision = _draft()
    decision.amount = 120
    decision.save()  # a draft is the robot's proposal: it may be redone
    actions.approve(decision, official="Liisa Virtanen", title="varhaiskasvatusjohtaja")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    for column, value in (("amount", 1), ("decided_by", "Someone Else"), ("status", "draft")):
        with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
            ExampleDecision.objects.filter(pk=decision.pk).update(**{column: value})
    ExampleDecision.objects.filter(pk=decision.pk).update(note="asked by phone")  # mutable
    ExampleDecision.objects.filter(pk=decision.pk).update(document="decisions/1.pdf")
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        ExampleDecision.objects.filter(pk=decision.pk).update(document="decisions/other.pdf")
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        ExampleDecision.objects.filter(pk=decision.pk).delete()
    decision.refresh_from_db()
    assert (decision.amount, decision.document) == (120, "decisions/1.pdf")


def test_notification_dates_follow_the_channel_and_supersession_keeps_the_content(
    example_table,
):
    sent, posted = _draft(1), _draft(2)
    for decision in (sent, posted):
        actions.approve(decision, official="Liisa Virtanen", title="johtaja")
    actions.mark_sent(sent, channel="suomifi")
    actions.mark_posted(posted, channel="print", posted_on=datetime.date(2026, 12, 4))
    sent.refresh_from_db()
    posted.refresh_from_db()
    assert sent.notified_on == deemed_received(
        NoticeKind.ELECTRONIC, timezone.localdate(sent.sent_at)
    )
    assert posted.notified_on == datetime.date(2026, 12, 11)
    actions.supersede(posted, from_day=datetime.date(2027, 1, 1))
    posted.refresh_from_db()
    assert (posted.status, posted.amount) == (DecisionStatus.SUPERSEDED, 100)


def test_a_refused_transition_names_the_decision_and_changes_nothing(example_table):
    decision = _draft()
    with pytest.raises(InputError) as refused:
        actions.mark_sent(decision, channel="suomifi")
    assert "ESIM-2026-00001" in str(refused.value)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT
    with pytest.raises(InputError):
        actions.approve(decision, official=" ", title="johtaja")


def test_migrating_again_guards_a_table_whose_triggers_were_lost(example_table):
    """What a migration that makes SQLite rebuild a table does: drops the triggers."""
    decision = _draft()
    actions.approve(decision, official="Liisa Virtanen", title="johtaja")
    table = ExampleDecision._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_immutable ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_immutable")
    ExampleDecision.objects.filter(pk=decision.pk).update(amount=5)  # unguarded now

    class ExampleApp:
        def get_models(self) -> list[type[models.Model]]:
            return [ExampleDecision]

    connected = [
        entry for entry in post_migrate.receivers if entry[0][0] == "decision-record-guards"
    ]
    assert connected, "the decisions app connects its guards to post_migrate"
    guards.guard_after_migrate(sender=ExampleApp(), using="default")  # type: ignore[arg-type]
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        ExampleDecision.objects.filter(pk=decision.pk).update(amount=6)


@pytest.mark.django_db
def test_every_installed_decision_model_is_guarded_after_migrate():
    """A robot's decision model gets its triggers without a hand-written migration."""
    from django.apps import apps

    models_ = [
        model for config in apps.get_app_configs() for model in guards.decision_models(config)
    ]
    assert models_, "the fee robot's decisions are decision records"
    with connection.cursor() as cursor:
        for model in models_:
            name = f"{model._meta.db_table}_immutable"
            if connection.vendor == "postgresql":
                cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s", [name])
            else:
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                    [name],
                )
            assert cursor.fetchone()[0] == 1, name


def test_guards_name_only_the_columns_the_table_has():
    """After a migrate back the model has columns its table has not yet: a trigger naming one
    would make SQLite refuse every later rebuild of a table, so the guards leave them out."""
    every = "\n".join(guards.statements(ExampleDecision, connection.vendor))
    assert "amount" in every
    assert "document" in every
    existing = {f.column for f in ExampleDecision._meta.concrete_fields} - {"amount", "document"}
    some = "\n".join(guards.statements(ExampleDecision, connection.vendor, existing))
    assert "amount" not in some
    assert "document" not in some
    assert "decided_by" in some
