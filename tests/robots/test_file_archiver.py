"""The Robot Framework robot runs its real task suite in RPA mode and keeps its log. It works only
below its storage root and leaves symlinks where they are."""

from __future__ import annotations

import datetime
import errno
import os

import pytest
from django.core.management import call_command

from kuntarobo.accounts.models import Role
from kuntarobo.runtime import actions
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from kuntarobo.runtime.storage_roots import robot_root
from tests.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def drain() -> None:
    call_command("worker", batch=True, interval=0, verbosity=0)


@pytest.fixture
def developer():
    municipality = MunicipalityFactory(slug="esimerkkila")
    return user_with_role(Role.DEVELOPER, municipality)


@pytest.fixture
def root():
    folder = robot_root("esimerkkila", "file_archiver")
    (folder / "inbox").mkdir(parents=True)
    return folder


def start(developer, **parameters):
    return actions.start_run(
        developer, developer.memberships.get().municipality, "file_archiver", parameters=parameters
    )


def test_the_suite_moves_files_to_the_archive_and_keeps_log_html(developer, root):
    for name in ("a.csv", "b.csv", "keep.txt"):
        (root / "inbox" / name).write_text("x;y\n1;2\n")
    start(developer, inbox_folder="inbox", archive_folder="archive/decisions")
    drain()
    item = WorkItem.objects.get()
    assert item.status == ItemStatus.DONE, item.error_message
    assert item.output["tasks_passed"] == 1
    assert sorted(p.name for p in (root / "inbox").iterdir()) == ["keep.txt"]
    (day,) = (root / "archive" / "decisions").iterdir()
    assert sorted(p.name for p in day.iterdir()) == ["a.csv", "b.csv", "manifest.txt"]
    assert (day / "manifest.txt").read_text() == "a.csv\t8\nb.csv\t8\n"
    assert {d.name for d in item.documents.all()} == {"log.html", "output.xml"}
    log = item.documents.get(content_type="text/html").file.read().decode()
    assert "Archive Processed Files" in log


def test_a_symlink_planted_in_the_inbox_is_left_alone_and_its_target_untouched(
    developer, root, tmp_path
):
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("henkilötunnus;nimi\n")
    (root / "inbox" / "planted.csv").symlink_to(secret)
    (root / "inbox" / "real.csv").write_text("1\n")
    stamp = secret.stat().st_mtime_ns
    start(developer, inbox_folder="inbox", archive_folder="archive")
    drain()
    item = WorkItem.objects.get()
    assert item.status == ItemStatus.DONE, item.error_message
    assert (root / "inbox" / "planted.csv").is_symlink()
    assert secret.read_text() == "henkilötunnus;nimi\n"
    assert secret.stat().st_mtime_ns == stamp
    (day,) = (root / "archive").iterdir()
    assert sorted(p.name for p in day.iterdir()) == ["manifest.txt", "real.csv"]
    assert "planted" not in (day / "manifest.txt").read_text()


def test_a_symlinked_day_folder_in_the_archive_is_refused_and_nothing_moves(
    developer, root, tmp_path
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "inbox" / "a.csv").write_text("1\n")
    (root / "archive").mkdir()
    today = datetime.date.today().isoformat()
    os.symlink(outside, root / "archive" / today)
    start(developer, inbox_folder="inbox", archive_folder="archive")
    drain()
    item = WorkItem.objects.get()
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "not a plain folder" in item.error_message
    assert str(tmp_path) not in item.error_message
    assert list(outside.iterdir()) == []
    assert (root / "inbox" / "a.csv").exists()


def test_a_missing_inbox_is_a_business_exception_named_by_its_relative_path(developer, root):
    start(developer, inbox_folder="nowhere", archive_folder="archive")
    drain()
    item = WorkItem.objects.get()
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "inbox folder nowhere does not exist" in item.error_message
    assert str(root) not in item.error_message
    assert item.attempts == 1


def test_a_stored_absolute_folder_from_before_is_refused_when_the_item_runs(
    developer, root, tmp_path
):
    """A run whose parameters predate the check (or whose root moved) is refused at execution:
    a business exception for a person, and nothing moved."""
    (root / "inbox" / "a.csv").write_text("1\n")
    start(developer, inbox_folder="inbox", archive_folder="archive")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    Run.objects.update(
        parameters={"inbox_folder": str(root / "inbox"), "archive_folder": str(decoy)}
    )
    drain()
    item = WorkItem.objects.get()
    assert item.status == ItemStatus.FAILED_BUSINESS
    assert "parameter 'inbox_folder'" in item.error_message
    assert (root / "inbox" / "a.csv").exists()
    assert list(decoy.iterdir()) == []


def test_a_missing_required_parameter_is_refused_before_anything_is_written(developer, root):
    with pytest.raises(actions.InputError, match="parameter 'archive_folder' is required"):
        start(developer, inbox_folder="inbox")
    assert WorkItem.objects.count() == 0


@pytest.fixture
def keywords(tmp_path):
    from kuntarobo.robots.file_archiver.archive_files import archive_files

    root = tmp_path / "root"
    (root / "inbox").mkdir(parents=True)
    (root / "archive" / "day").mkdir(parents=True)
    return archive_files(), root


@pytest.mark.django_db(transaction=False)
def test_a_file_is_copied_then_removed_when_the_archive_is_on_another_file_system(
    keywords, monkeypatch
):
    library, root = keywords
    (root / "inbox" / "a.csv").write_bytes(b"1;2\n" * 1000)
    real_rename = os.rename

    def rename(source, target, *, src_dir_fd=None, dst_dir_fd=None):
        if src_dir_fd != dst_dir_fd:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(source, target, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(os, "rename", rename)
    inbox, day = str(root / "inbox"), str(root / "archive" / "day")
    size = library.archive_file("a.csv", inbox, day, str(root))
    assert size == 4000
    assert not (root / "inbox" / "a.csv").exists()
    assert (root / "archive" / "day" / "a.csv").read_bytes() == b"1;2\n" * 1000
    assert sorted(p.name for p in (root / "archive" / "day").iterdir()) == ["a.csv", "manifest.txt"]


@pytest.mark.django_db(transaction=False)
def test_a_planted_manifest_link_stops_the_move_before_anything_moves(keywords, tmp_path):
    library, root = keywords
    (root / "inbox" / "a.csv").write_text("1\n")
    decoy = tmp_path / "decoy.txt"
    decoy.write_text("must stay")
    (root / "archive" / "day" / "manifest.txt").symlink_to(decoy)
    inbox, day = str(root / "inbox"), str(root / "archive" / "day")
    with pytest.raises(AssertionError, match=r"BusinessException: the archive's manifest\.txt"):
        library.archive_file("a.csv", inbox, day, str(root))
    assert (root / "inbox" / "a.csv").exists()
    assert decoy.read_text() == "must stay"


@pytest.mark.django_db(transaction=False)
def test_a_symlink_given_by_name_is_not_moved_and_folders_outside_the_root_are_refused(
    keywords, tmp_path
):
    library, root = keywords
    decoy = tmp_path / "decoy.csv"
    decoy.write_text("must stay")
    (root / "inbox" / "link.csv").symlink_to(decoy)
    with pytest.raises(AssertionError, match="not a regular file"):
        library.archive_file(
            "link.csv", str(root / "inbox"), str(root / "archive" / "day"), str(root)
        )
    assert (root / "inbox" / "link.csv").is_symlink()
    with pytest.raises(AssertionError, match="outside the robot's storage folder"):
        library.regular_files_in_folder(str(tmp_path), str(root), "*")
    assert library.regular_files_in_folder(str(root / "inbox"), str(root), "*.csv") == []
