"""Storage roots: which folder values are accepted, how the configured roots are checked, and
that folders below the roots work for every robot that has one (the demo's deployments)."""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path

import pytest
from django.utils import timezone

from kuntarobo.accounts.models import Role
from kuntarobo.core.folders import FolderRefused, clean_relative, regular_files, resolve_below
from kuntarobo.runtime import actions, execution, scheduling, storage_roots
from kuntarobo.runtime.declarations import InputError, get_robot
from kuntarobo.runtime.models import ItemStatus, RobotDeployment, Run, WorkItem
from tests.factories import MunicipalityFactory, user_with_role


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("inbox", "inbox"),
        ("archive/2026", "archive/2026"),
        ("./inbox/", "inbox"),
        ("  saapuneet//2026 ", "saapuneet/2026"),
        ("päätökset", "päätökset"),
    ],
)
def test_a_relative_folder_is_accepted_in_its_normal_form(value, clean):
    assert clean_relative(value) == clean


@pytest.mark.parametrize(
    "value",
    [
        "",
        ".",
        "/srv/kunta/inbox",
        "../inbox",
        "inbox/../../naapurila",
        "inbox/..",
        "~/inbox",
        "in\x00box",
        "in\nbox",
        "..\\naapurila",
        "a" * 256,
    ],
    ids=repr,
)
def test_a_folder_value_that_could_leave_the_root_is_refused_by_its_form(value):
    with pytest.raises(FolderRefused):
        clean_relative(value)


def test_a_symlink_loop_and_a_dangling_link_out_of_the_root_are_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "loop").symlink_to(root / "loop")
    (root / "dangling").symlink_to(tmp_path / "not-yet")
    for value in ("loop", "dangling", "dangling/deeper"):
        with pytest.raises(FolderRefused):
            resolve_below(root, value)
    assert resolve_below(root, "not-yet/created") == root.resolve() / "not-yet" / "created"


def test_a_root_that_is_itself_a_symlink_is_followed_once_by_the_operators_choice(tmp_path):
    real = tmp_path / "real"
    (real / "inbox").mkdir(parents=True)
    (tmp_path / "root").symlink_to(real)
    assert resolve_below(tmp_path / "root", "inbox") == real / "inbox"


def test_only_regular_files_are_listed_never_symlinks_or_folders(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    (tmp_path / "B.CSV").write_text("1")
    (tmp_path / "link.csv").symlink_to(tmp_path / "a.csv")
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "note.txt").write_text("1")
    assert [p.name for p in regular_files(tmp_path, (".csv",))] == ["B.CSV", "a.csv"]


def test_the_robot_root_is_below_the_municipality_and_a_municipality_may_have_its_own(
    settings, tmp_path
):
    assert storage_roots.robot_root("kunta", "invoice_check") == (
        tmp_path / "municipalities" / "kunta" / "invoice_check"
    )
    settings.KUNTAROBO_MUNICIPALITY_ROOTS = {"kunta": str(tmp_path / "kunta-share")}
    assert storage_roots.robot_root("kunta", "invoice_check") == (
        tmp_path / "kunta-share" / "invoice_check"
    )
    assert storage_roots.configuration_problems() == []


@pytest.mark.parametrize(
    ("common", "own", "problem"),
    [
        ("relative/root", {}, "must be an absolute path"),
        ("{tmp}/m", {"a": "{tmp}/m/b"}, "overlaps the common root"),
        ("{tmp}/m", {"a": "{tmp}"}, "overlaps the common root"),
        ("{tmp}/m", {"a": "{tmp}/x", "b": "{tmp}/x/y"}, "is inside a's root"),
        ("{tmp}/m", {"../a": "{tmp}/x"}, "is not a municipality slug"),
        ("{tmp}", {}, "holds MEDIA_ROOT"),
        ("{tmp}/media/m", {}, "is inside MEDIA_ROOT"),
    ],
)
def test_storage_roots_that_overlap_or_hold_the_platforms_files_are_refused(
    settings, tmp_path, common, own, problem
):
    settings.KUNTAROBO_MUNICIPALITY_ROOT = common.format(tmp=tmp_path)
    settings.KUNTAROBO_MUNICIPALITY_ROOTS = {k: v.format(tmp=tmp_path) for k, v in own.items()}
    problems = storage_roots.configuration_problems()
    assert any(problem in p for p in problems), problems
    assert [m.id for m in storage_roots.check_storage_roots()][:1] == ["kuntarobo.E101"]
    with pytest.raises(InputError, match="not configured correctly") as refused:
        storage_roots.robot_root("a", "invoice_check")
    assert str(tmp_path) not in str(refused.value)


def test_the_own_root_of_a_municipality_may_be_its_default_place(settings, tmp_path):
    settings.KUNTAROBO_MUNICIPALITY_ROOTS = {"a": str(tmp_path / "municipalities" / "a")}
    assert storage_roots.configuration_problems() == []


@pytest.mark.django_db
def test_a_deployment_stored_before_the_check_with_an_absolute_folder_is_refused_at_start(
    tmp_path,
):
    municipality = MunicipalityFactory(slug="esimerkkila")
    coordinator = user_with_role(Role.COORDINATOR, municipality)
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    RobotDeployment.objects.filter(municipality=municipality, robot_slug="invoice_check").update(
        parameters={"inbox_folder": str(decoy)}
    )
    with pytest.raises(InputError, match="parameter 'inbox_folder'") as refused:
        actions.start_run(coordinator, municipality, "invoice_check")
    assert refused.value.field == "inbox_folder"
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_the_scheduler_does_not_start_a_deployment_whose_folder_leads_out(tmp_path, caplog):
    municipality = MunicipalityFactory(slug="esimerkkila")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (storage_roots.robot_root("esimerkkila", "invoice_check")).mkdir(parents=True)
    os.symlink(decoy, storage_roots.robot_root("esimerkkila", "invoice_check") / "inbox")
    RobotDeployment.objects.filter(municipality=municipality, robot_slug="invoice_check").delete()
    RobotDeployment.objects.create(
        municipality=municipality,
        robot_slug="invoice_check",
        schedule_enabled=True,
        cron="* * * * *",
        parameters={"inbox_folder": "inbox"},
        last_scheduled_for=timezone.now() - datetime.timedelta(minutes=5),
    )
    with caplog.at_level(logging.ERROR):
        started = scheduling.run_due_schedules()
    assert started == []
    assert Run.objects.count() == 0
    assert "parameter 'inbox_folder'" in caplog.text
    assert str(decoy) not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_demo_runs_every_robot_from_folders_below_its_roots(settings, tmp_path):
    """The positive side: a folder inside the root works, for every robot that has one."""
    from kuntarobo.demo.data import load_demo
    from kuntarobo.robots.ecec_fees.models import FeeParameterRow
    from kuntarobo.robots.ecec_fees.statutory import row_values

    # A transactional test's flush empties the migration's fee parameter rows: put them back.
    for values in row_values():
        FeeParameterRow.objects.get_or_create(valid_from=values["valid_from"], defaults=values)
    settings.VAR_DIR = tmp_path / "var"
    load_demo()
    load_demo()  # loading twice changes nothing
    esimerkkila = RobotDeployment.objects.filter(municipality__slug="esimerkkila")
    deployed = {d.robot_slug: d for d in esimerkkila}
    with_folders = {slug for slug in deployed if storage_roots.folder_parameters(get_robot(slug))}
    assert with_folders == {"invoice_check", "hr_reports", "ecec_fees", "file_archiver"}
    for slug, deployment in deployed.items():
        for name in storage_roots.folder_parameters(get_robot(slug)):
            value = deployment.parameters[name]
            assert not Path(value).is_absolute(), (slug, name, value)
    coordinator = user_with_role(Role.COORDINATOR, deployed["invoice_check"].municipality)
    for slug in sorted(with_folders):
        started = actions.start_run(coordinator, deployed[slug].municipality, slug)
        assert started.created > 0, slug
    archiver_root = storage_roots.robot_root("esimerkkila", "file_archiver")
    item = WorkItem.objects.get(robot_slug="file_archiver")
    execution.execute(item.pk, "test-worker", execution.PROCESS)
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE, item.error_message
    assert list((archiver_root / "inbox").iterdir()) == []
    (day,) = (archiver_root / "archive").iterdir()
    assert len(list(day.glob("siirto-*.csv"))) == 2
