"""The Robot Framework robot runs its real task suite in RPA mode and keeps its log."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kuntarobo.accounts.models import Role
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, WorkItem
from tests.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def drain() -> None:
    call_command("worker", batch=True, interval=0, verbosity=0)


def test_the_suite_moves_files_to_the_archive_and_keeps_log_html(tmp_path):
    municipality = MunicipalityFactory(slug="esimerkkila")
    developer = user_with_role(Role.DEVELOPER, municipality)
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    for name in ("a.csv", "b.csv", "keep.txt"):
        (inbox / name).write_text("x;y\n1;2\n")
    actions.start_run(
        developer,
        municipality,
        "file_archiver",
        parameters={"inbox_folder": str(inbox), "archive_folder": str(archive)},
    )
    drain()
    item = WorkItem.objects.get()
    assert item.status == ItemStatus.DONE, item.error_message
    assert item.output["tasks_passed"] == 1
    assert sorted(p.name for p in inbox.iterdir()) == ["keep.txt"]
    (day,) = archive.iterdir()
    assert sorted(p.name for p in day.iterdir()) == ["a.csv", "b.csv", "manifest.txt"]
    assert {d.name for d in item.documents.all()} == {"log.html", "output.xml"}
    log = item.documents.get(content_type="text/html").file.read().decode()
    assert "Archive Processed Files" in log


def test_a_missing_inbox_is_a_business_exception_for_a_person(tmp_path):
    municipality = MunicipalityFactory(slug="esimerkkila")
    developer = user_with_role(Role.DEVELOPER, municipality)
    actions.start_run(
        developer,
        municipality,
        "file_archiver",
        parameters={
            "inbox_folder": str(tmp_path / "nowhere"),
            "archive_folder": str(tmp_path / "archive"),
        },
    )
    drain()
    item = WorkItem.objects.get()
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "does not exist" in item.error_message
    assert item.attempts == 1


def test_a_missing_required_parameter_is_refused_before_anything_is_written(tmp_path):
    municipality = MunicipalityFactory(slug="esimerkkila")
    developer = user_with_role(Role.DEVELOPER, municipality)
    with pytest.raises(actions.InputError, match="parameter 'archive_folder' is required"):
        actions.start_run(
            developer, municipality, "file_archiver", parameters={"inbox_folder": str(tmp_path)}
        )
    assert WorkItem.objects.count() == 0
