"""Case studies: a scenario shared by several questions of a bank, frozen with each drawn item."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, AttemptItem, CaseStudy, Exam, Question, ReviewCard
from quizzes.models.banks import makes_new_revision
from quizzes.services.questions import record_case_study_revision
from tests.factories import CaseStudyFactory, QuestionBankFactory, UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_reviews import graded_attempt, wrong_option

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def path():
    return path_with_domains((50, 50))


@pytest.fixture
def case(path) -> CaseStudy:
    """A case study whose four questions span both domains of a twelve-question bank."""
    bank = bank_for(path, per_domain=6)
    case = CaseStudy.objects.create(
        bank=bank, name="mountkern", title="Mountkern Freight", scenario="Mountkern ships **freight**."
    )
    for domain in path.domains.all():
        ids = list(Question.objects.filter(bank=bank, domain=domain).values_list("pk", flat=True)[:2])
        Question.objects.filter(pk__in=ids).update(case_study=case)
    return case


def start(path, seed: int, item_count: int = 12, student=None, now=NOW) -> Attempt:
    exam = Exam.objects.filter(path=path).first() or exam_for(path, item_count=item_count)
    return services.start_attempt(exam=exam, student=student or UserFactory(), now=now, seed=seed)


# --- the model ----------------------------------------------------------------------------------


def test_a_question_cannot_use_a_case_study_of_another_bank(case):
    question = Question.objects.filter(case_study__isnull=True).first()
    question.case_study = CaseStudyFactory(bank=QuestionBankFactory(path=question.bank.path))

    with pytest.raises(ValidationError) as error:
        question.clean()

    assert "case_study" in error.value.message_dict


def test_a_case_study_name_is_unique_in_its_bank(case):
    with pytest.raises(IntegrityError):
        CaseStudyFactory(bank=case.bank, name=case.name)


def test_the_same_case_name_may_be_used_in_another_bank(case):
    other = CaseStudyFactory(bank=QuestionBankFactory(path=case.bank.path), name=case.name)

    assert other.pk != case.pk


def test_a_question_renders_its_scenario_sanitized(case):
    question = case.questions.first()

    rendered = Question.objects.filter(pk=question.pk).render()[question.pk]

    assert rendered["case_study"] == {
        "name": case.name,
        "title": "Mountkern Freight",
        "scenario_html": "<p>Mountkern ships <strong>freight</strong>.</p>",
    }


def test_a_question_without_a_case_study_renders_none(case):
    question = Question.objects.filter(case_study__isnull=True).first()

    assert Question.objects.filter(pk=question.pk).render()[question.pk]["case_study"] is None


def test_choosing_another_case_study_is_a_new_revision():
    assert makes_new_revision(question_fields=["case_study"])


def test_editing_a_scenario_gives_each_of_its_questions_a_new_revision(case):
    before = dict(Question.objects.values_list("pk", "revision"))

    revised = record_case_study_revision(case_study=case)

    after = dict(Question.objects.values_list("pk", "revision"))
    bumped = {pk for pk in after if after[pk] == before[pk] + 1}
    assert revised == 4
    assert bumped == set(case.questions.values_list("pk", flat=True))
    assert all(after[pk] == before[pk] for pk in after if pk not in bumped)


def test_an_edited_scenario_is_rendered_into_its_questions_at_once(case):
    case.scenario = "Mountkern now ships by *rail*."
    case.save()

    record_case_study_revision(case_study=case)

    for question in case.questions.all():
        assert question.rendered_revision == question.revision
        scenario = question.rendered["case_study"]["scenario_html"]
        assert scenario == "<p>Mountkern now ships by <em>rail</em>.</p>"


# --- the draw -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 42, 1000])
def test_the_items_of_a_case_study_sit_next_to_each_other(case, seed):
    attempt = start(case.bank.path, seed)

    positions = sorted(attempt.items.filter(question__case_study=case).values_list("position", flat=True))

    assert len(positions) == 4
    assert positions == list(range(positions[0], positions[0] + 4))


def test_grouping_a_case_study_keeps_the_domain_weights(path, case):
    exam = exam_for(path, item_count=8)

    attempts = [
        services.start_attempt(exam=exam, student=UserFactory(), now=NOW, seed=seed) for seed in range(5)
    ]

    for attempt in attempts:
        assert Counter(attempt.items.values_list("domain__position", flat=True)) == {1: 4, 2: 4}


def test_a_drawn_case_study_item_freezes_the_scenario_it_showed(case):
    attempt = start(case.bank.path, seed=7)
    case.scenario = "Mountkern now ships by rail."
    case.save()
    record_case_study_revision(case_study=case)

    later = start(case.bank.path, seed=7)

    first = attempt.items.filter(question__case_study=case).first()
    first.refresh_from_db()
    assert first.case_study["scenario_html"] == "<p>Mountkern ships <strong>freight</strong>.</p>"
    assert later.items.filter(question__case_study=case).first().case_study["scenario_html"] == (
        "<p>Mountkern now ships by rail.</p>"
    )
    assert first.question_revision + 1 == first.question.revision


def test_starting_with_case_studies_is_still_five_statements(case, django_assert_num_queries):
    Question.objects.all().render()
    exam = Exam.objects.select_related("path", "owner").get(pk=exam_for(case.bank.path, item_count=12).pk)
    student = UserFactory()

    with django_assert_num_queries(5):
        attempt = services.start_attempt(exam=exam, student=student, now=NOW)

    assert attempt.items.filter(question__case_study=case).count() == 4


def test_a_stale_case_study_item_is_rendered_in_the_draw_with_one_read_of_its_scenario(case):
    Question.objects.all().render()
    # a new revision left unrendered, as a change from a shell leaves it
    Question.objects.filter(case_study=case).update(revision=F("revision") + 1)
    exam = Exam.objects.select_related("path", "owner").get(pk=exam_for(case.bank.path, item_count=12).pk)
    student = UserFactory()

    with CaptureQueriesContext(connection) as queries:
        services.start_attempt(exam=exam, student=student, now=NOW)

    # the five statements, plus one read of the four stale questions with their case study, one of
    # their choices and one bulk update of their renderings
    assert len(queries) == 8


# --- the pages ----------------------------------------------------------------------------------


def test_the_exam_page_shows_the_scenario_in_a_labelled_folded_region_with_each_of_its_items(
    client, case, student
):
    attempt = start(case.bank.path, seed=3, student=student, now=timezone.now())
    client.force_login(student)

    page = client.get(f"/attempts/{attempt.pk}/").content.decode()

    positions = attempt.items.filter(question__case_study=case).values_list("position", flat=True)
    for position in positions:
        assert f'<details class="case-study" id="item-{position}-case" data-case="mountkern">' in page
    assert (
        page.count('<summary><span class="case-study-kicker">Case study:</span> Mountkern Freight</summary>')
        == 4
    )
    assert page.count("Mountkern ships <strong>freight</strong>.") == 4
    assert page.count('data-case-title="Mountkern Freight"') == 4


def test_the_exam_page_of_an_attempt_without_case_studies_has_no_case_region(client, path, student):
    bank_for(path, per_domain=6)
    attempt = services.start_attempt(exam=exam_for(path, item_count=6), student=student, now=timezone.now())
    client.force_login(student)

    page = client.get(f"/attempts/{attempt.pk}/").content.decode()

    assert "case-study" not in page
    assert "part of a case study" not in page


def test_a_review_card_of_a_case_study_item_shows_its_scenario(client, student):
    graded_attempt(student, right=5)
    card = ReviewCard.objects.select_related("item").get(student=student)
    frozen = {"name": "kestrel", "title": "Kestrel Bikes", "scenario_html": "<p>Kestrel rents bikes.</p>"}
    AttemptItem.objects.filter(pk=card.item_id).update(snapshot={**card.item.snapshot, "case_study": frozen})
    card.item.refresh_from_db()
    client.force_login(student)

    question = client.get("/reviews/").content.decode()
    reveal = client.post(f"/reviews/{card.pk}/check", {"selected": [wrong_option(card)]}).content.decode()

    for page in (question, reveal):
        assert "Case study:</span> Kestrel Bikes" in page
        assert "<p>Kestrel rents bikes.</p>" in page
