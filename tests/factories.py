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


# --- Authoring: courses and question banks (appended by the admin work) ------------------------------


class _OwnedFactory(factory.django.DjangoModelFactory):
    """Base for models with owners: pass owners=[user, ...]."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def owners(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.owners.add(*extracted)


class CourseFactory(_OwnedFactory):
    class Meta:
        model = "courses.Course"

    path = factory.SubFactory(CertificationPathFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Module"

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n + 1)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Lesson"

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    position = factory.Sequence(lambda n: n + 1)
    body_markdown = "Study **this**."


class QuestionBankFactory(_OwnedFactory):
    class Meta:
        model = "quizzes.QuestionBank"

    path = factory.SubFactory(CertificationPathFactory)
    name = factory.Sequence(lambda n: f"Bank {n}")
    slug = factory.Sequence(lambda n: f"bank-{n}")


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quizzes.CaseStudy"

    bank = factory.SubFactory(QuestionBankFactory)
    name = factory.Sequence(lambda n: f"case-{n}")
    title = factory.Sequence(lambda n: f"Company {n}")
    scenario = factory.Sequence(lambda n: f"Company {n} runs **two** data centres and wants to leave them.")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quizzes.Tag"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


def default_options(qtype: str, choose: int) -> list[tuple[str, bool]]:
    """Return valid (text, is_correct) options for a question type: the correct ones first."""
    if qtype == "truefalse":
        return [("True", True), ("False", False)]
    if qtype == "multiple":
        return [(f"Option {chr(65 + i)}", i < choose) for i in range(choose + 2)]
    return [(f"Option {chr(65 + i)}", i == 0) for i in range(4)]


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question with valid options for its type; pass choices=[(text, is_correct), ...] to choose."""

    class Meta:
        model = "quizzes.Question"
        skip_postgeneration_save = True

    bank = factory.SubFactory(QuestionBankFactory)
    domain = factory.SubFactory(ExamDomainFactory, path=factory.SelfAttribute("..bank.path"))
    name = factory.Sequence(lambda n: f"q-{n}")
    stem = factory.Sequence(lambda n: f"Question {n}: which option is right?")
    explanation = "Because the first option is right."

    @factory.post_generation
    def choices(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        options = default_options(obj.qtype, obj.choose) if extracted is None else extracted
        for position, (text, is_correct) in enumerate(options, start=1):
            obj.choices.create(position=position, text=text, is_correct=is_correct, rationale=f"Why {text}.")

    @factory.post_generation
    def tags(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.tags.add(*extracted)


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quizzes.Exam"

    path = factory.SubFactory(CertificationPathFactory)
    title = factory.Sequence(lambda n: f"Exam {n}")
    item_count = 10


def _now() -> Any:
    # Imported here so this appended block leaves the shared import list alone.
    from django.utils import timezone

    return timezone.now()


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quizzes.Attempt"

    exam = factory.SubFactory(ExamFactory)
    student = factory.SubFactory(UserFactory)
    seed = 1
    started_at = factory.LazyFunction(_now)


# --- API: enrollments, lesson completions, graded results (appended by the API work) ----------------


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Enrollment"

    student = factory.SubFactory(UserFactory)
    path = factory.SubFactory(CertificationPathFactory)


class LessonProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.LessonProgress"

    student = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(LessonFactory)
    completed_at = factory.LazyFunction(_now)


class DomainResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "quizzes.DomainResult"

    attempt = factory.SubFactory(AttemptFactory)
    domain = factory.SubFactory(ExamDomainFactory)
    score = 1.0
    total = 2
