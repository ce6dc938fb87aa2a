"""factory_boy factories: build the objects a test needs, nothing more."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model

from courses.models import CertificationPath, ExamDomain, PathStatus, Provider, ScoreScale
from courses.services import assign_role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()
        if create and extracted is not None:
            assign_role(user=obj, role=extracted)


class CertificationPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationPath

    code = factory.Sequence(lambda n: f"TST-C{n:02d}")
    provider = Provider.AWS
    vendor = "Amazon Web Services"
    name = factory.Sequence(lambda n: f"Test Certification {n}")
    level = "Associate"
    item_count = 65
    minutes = 130
    pass_mark = 720
    score_scale = ScoreScale.SCALED
    score_min = 100
    score_max = 1000
    status = PathStatus.ACTIVE


class ExamDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamDomain

    path = factory.SubFactory(CertificationPathFactory)
    name = factory.Sequence(lambda n: f"Domain {n}")
    position = factory.Sequence(lambda n: n + 1)
    weight_percent = 25
