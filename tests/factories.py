"""Factories for the platform's models (factory_boy)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from kuntarobo.accounts.models import Membership, Municipality, Role

PASSWORD = "test-password-1"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kunta{n}")
    name_fi = factory.LazyAttribute(lambda o: o.slug.capitalize())
    name_sv = factory.LazyAttribute(lambda o: o.slug.capitalize() + " (sv)")


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
