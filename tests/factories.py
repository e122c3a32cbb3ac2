"""Factories for the platform's models (factory_boy): a test names only what matters to it.

Defaults: a robot deployment, run or work item is of the registered `invoice_check` robot in a
fresh municipality; a run finished by hand; an item new, with finished_at set when its status
is final. An item takes its municipality and robot from its run (pass `run=`).
"""

from __future__ import annotations

import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from kuntarobo.accounts.models import Delegation, Membership, Municipality, Role
from kuntarobo.runtime.declarations import all_robots
from kuntarobo.runtime.models import RobotDeployment, Run, WorkItem
from kuntarobo.runtime.statuses import FINAL_STATUSES, ItemStatus, RunStatus, Trigger

PASSWORD = "test-password-1"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"kunta{n}")
    name_fi = factory.LazyAttribute(lambda o: o.slug.capitalize())
    name_sv = factory.LazyAttribute(lambda o: o.slug.capitalize() + " (sv)")

    @factory.post_generation
    def robots_in_use(obj, create, extracted, **kwargs):  # noqa: N805
        """Every robot registered now is taken into use here (a robot runs only where it is,
        `actions.check_in_use`), unless `robots_in_use=False`."""
        if create and extracted is not False:
            for robot in all_robots():
                RobotDeployment.objects.get_or_create(municipality=obj, robot_slug=robot.slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Testi"
    last_name = factory.Sequence(lambda n: f"Käyttäjä{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.VIEWER


def user_with_role(role: str, municipality: Municipality | None = None, **kwargs):
    municipality = municipality or MunicipalityFactory(slug="esimerkkila")
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, municipality=municipality, role=role)
    return user


class DelegationFactory(factory.django.DjangoModelFactory):
    """An official's delegation to decide a robot's decisions (by default the fee robot's),
    with the title in Finnish and Swedish, in force since 2020."""

    class Meta:
        model = Delegation

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    matter = "ecec_fees"
    title_fi = "varhaiskasvatuspäällikkö"
    title_sv = "chef för småbarnspedagogiken"
    title_en = "Head of Early Childhood Education"
    basis = "Sivistyslautakunta 14.1.2020 § 5"
    valid_from = factory.LazyFunction(lambda: timezone.localdate().replace(year=2020))
    created_by = "test set-up"


def deciding_official(
    municipality: Municipality, *, robot: str = "ecec_fees", role: str = Role.REVIEWER, **kwargs
):
    """A reviewer with a delegation to decide the robot's decisions in the municipality."""
    user = user_with_role(role, municipality, **kwargs)
    DelegationFactory(user=user, municipality=municipality, matter=robot)
    return user


# A real robot, registered in every test area (the runtime's test robots come and go).
ROBOT = "invoice_check"


class RobotDeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RobotDeployment

    municipality = factory.SubFactory(MunicipalityFactory)
    robot_slug = ROBOT
    enabled = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """The municipality's deployment of the robot as given (it may exist already: every
        robot is in use in a municipality the factory made)."""
        municipality, robot_slug = kwargs.pop("municipality"), kwargs.pop("robot_slug")
        deployment, _ = model_class.objects.update_or_create(
            municipality=municipality, robot_slug=robot_slug, defaults=kwargs
        )
        return deployment


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    municipality = factory.SubFactory(MunicipalityFactory)
    robot_slug = ROBOT
    trigger = Trigger.MANUAL
    status = RunStatus.FINISHED
    finished_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == RunStatus.FINISHED else None
    )


_item_numbers = itertools.count(1)


class WorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem

    run = factory.SubFactory(RunFactory)
    municipality = factory.SelfAttribute("run.municipality")
    robot_slug = factory.SelfAttribute("run.robot_slug")
    reference = factory.LazyFunction(lambda: f"item-{next(_item_numbers)}")
    title = factory.LazyAttribute(lambda o: f"Item {o.reference}")
    # Never empty: a robot always hands its item something to work on (and full_clean says so).
    payload = factory.LazyAttribute(lambda o: {"reference": o.reference})
    status = ItemStatus.NEW
    finished_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in FINAL_STATUSES else None
    )

    @classmethod
    def _create(cls, model_class: type[WorkItem], *args: Any, **kwargs: Any) -> WorkItem:
        """An item of another municipality or robot than its run's is data the platform never
        makes: a test that asks for one has made a mistake."""
        run = kwargs["run"]
        if kwargs["municipality"] != run.municipality or kwargs["robot_slug"] != run.robot_slug:
            raise ValueError("a work item belongs to its run's municipality and robot")
        return super()._create(model_class, *args, **kwargs)


class AssetFactory(factory.django.DjangoModelFactory):
    """A text asset of the vault for every robot of the municipality; `credential=True` makes
    a credential whose secret (`plain_secret`) is encrypted under the tests' vault key."""

    class Meta:
        model = "vault.Asset"
        django_get_or_create = ("municipality", "robot_slug", "name")

    class Params:
        plain_secret = "Salainen-Tunnus-42"
        credential = factory.Trait(
            kind="credential",
            value="",
            username="robotti",
            secret=factory.LazyAttribute(lambda o: _encrypted(o.plain_secret)),
            secret_changed_at=factory.LazyFunction(timezone.now),
            secret_changed_by="Testi Pääkäyttäjä (admin)",
        )

    municipality = factory.SubFactory(MunicipalityFactory, slug="esimerkkila")
    robot_slug = ""
    name = factory.Sequence(lambda n: f"asset-{n}")
    kind = "text"
    value = "arvo"
    created_by = "test"
    updated_by = "test"


def _encrypted(secret: str) -> str:
    from kuntarobo.vault import keys

    return keys.encrypt(secret)
