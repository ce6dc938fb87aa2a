"""The demo content: counts per path and domain, complete items, valid keys, idempotent loading."""

from __future__ import annotations

import math
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.catalog_file import read_catalog
from courses.models import CertificationPath, Course, Lesson, PathStatus, PublicationStatus
from courses.services import load_catalog
from quizzes import selectors
from quizzes.models import CaseStudy, Exam, ExamKind, Question, QuestionBank, QuestionStatus, QuestionType
from quizzes.models.banks import validate_options
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
FULL_LENGTH_BANKS = {"CLF-C02", "SAA-C03"}


@pytest.fixture
def demo() -> None:
    load_catalog(records=read_catalog())
    call_command("load_demo_content", stdout=StringIO())


def active_counts(path: CertificationPath) -> dict[str, int]:
    counts = selectors.active_item_counts(path)
    return {d.name: counts.get(d.pk, 0) for d in path.domains.all()}


@pytest.mark.parametrize("code", sorted(FULL_LENGTH_BANKS))
def test_aws_banks_supply_a_blueprint_true_65_item_form_with_spare(demo, code: str):
    path = CertificationPath.objects.get(code=code)

    counts = active_counts(path)

    for domain in path.domains.all():
        assert domain.weight_percent is not None
        assert counts[domain.name] >= math.ceil(65 * domain.weight_percent / 100) + 1, domain.name
    full = Exam.objects.get(path=path, kind=ExamKind.FULL)
    assert full.item_count == 65
    assert selectors.shortfalls(full) == []


def test_every_other_active_path_has_five_items_per_domain(demo):
    for path in CertificationPath.objects.filter(status=PathStatus.ACTIVE).exclude(
        code__in=FULL_LENGTH_BANKS
    ):
        for domain, count in active_counts(path).items():
            assert count >= 5, f"{path.code} / {domain}: {count}"


def test_every_item_has_explanation_rationales_source_difficulty_and_a_valid_key(demo):
    questions = Question.objects.prefetch_related("choices").filter(status=QuestionStatus.ACTIVE)

    assert questions.count() > 350
    for question in questions:
        options = list(question.choices.all())
        assert question.explanation.strip(), question.name
        assert question.source_url.startswith("https://"), question.name
        assert question.difficulty in {"easy", "medium", "hard"}, question.name
        if question.qtype != QuestionType.MATCHING:  # Moodle's matching has no feedback per pair
            assert all(option.rationale.strip() for option in options), question.name
        validate_options(
            question.qtype,
            question.choose,
            [(o.text, o.is_correct) for o in options],
            matches=[o.match for o in options],
        )


def test_the_pca_bank_has_two_case_studies_of_four_active_questions_each(demo):
    cases = CaseStudy.objects.filter(bank__path__code="PCA").order_by("name")

    assert [(case.title, case.questions.filter(status=QuestionStatus.ACTIVE).count()) for case in cases] == [
        ("Fernhollow Outfitters", 4),
        ("Quillmark Diagnostics", 4),
    ]


def test_every_path_has_a_published_course_with_three_lessons(demo):
    for path in CertificationPath.objects.all():
        course = Course.objects.filter(path=path, status=PublicationStatus.PUBLISHED).first()
        assert course is not None, path.code
        assert Lesson.objects.filter(module__course=course).count() >= 3, path.code


def test_retired_paths_offer_no_new_exams(demo):
    assert not Exam.objects.filter(path__status__in=[PathStatus.RETIRED, PathStatus.CLOSED]).exists()


def test_the_mla_c01_bank_holds_ordering_and_matching_items(demo):
    kinds = Question.objects.filter(bank__slug="mla-c01-bank", status=QuestionStatus.ACTIVE).values_list(
        "qtype", flat=True
    )

    assert (list(kinds).count(QuestionType.ORDERING), list(kinds).count(QuestionType.MATCHING)) == (2, 2)


def test_loading_the_demo_content_twice_changes_nothing(demo):
    before = (Question.objects.count(), Lesson.objects.count(), Exam.objects.count())
    revisions = dict(Question.objects.values_list("id", "revision"))

    call_command("load_demo_content", stdout=StringIO())

    assert (Question.objects.count(), Lesson.objects.count(), Exam.objects.count()) == before
    assert dict(Question.objects.values_list("id", "revision")) == revisions


def test_an_owner_named_co_owns_every_course_and_bank_loaded(demo):
    author = UserFactory(username="author")

    call_command("load_demo_content", owner="author", stdout=StringIO())

    assert set(author.owned_courses.all()) == set(Course.objects.all())
    assert set(author.owned_banks.all()) == set(QuestionBank.objects.all())


def test_an_owner_with_no_account_is_a_clear_error_and_changes_nothing(demo):
    with pytest.raises(CommandError, match="--owner: no account is named 'nobody'"):
        call_command("load_demo_content", owner="nobody", stdout=StringIO())

    assert not Course.owners.through.objects.exists()
