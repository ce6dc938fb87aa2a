"""Retaking what was missed: exactly the wrong and unanswered items, afresh, within the caps."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from courses.models import PathStatus
from quizzes import grading, services
from quizzes.exceptions import (
    AttemptNotFound,
    ExamNotAvailable,
    NothingToRetake,
    OpenAttemptLimitReached,
    PracticeSetLimitReached,
)
from quizzes.models import (
    Answer,
    Attempt,
    AttemptState,
    ExamKind,
    ExamMode,
    Question,
    QuestionStatus,
    ReviewPolicy,
)
from quizzes.services.retakes import retake_missed
from tests.factories import UserFactory
from tests.quizzes.graded import graded_attempt, small_exam

pytestmark = pytest.mark.django_db


def retake(attempt: Attempt, student: Any, **kwargs: Any) -> Any:
    return retake_missed(attempt_id=attempt.pk, student=student, now=timezone.now(), **kwargs)


@pytest.fixture
def graded(student):
    """8 items: 3 right, 2 wrong, 3 unanswered."""
    return graded_attempt(small_exam(), student, right=3, wrong=2)


def missed_questions(attempt: Attempt) -> set[int]:
    return set(attempt.items.filter(position__gt=3).values_list("question_id", flat=True))


# --- The service ----------------------------------------------------------------------------------


def test_a_retake_holds_exactly_the_wrong_and_unanswered_questions(graded, student):
    made = retake(graded, student)

    assert made.created
    assert set(made.attempt.items.values_list("question_id", flat=True)) == missed_questions(graded)
    assert made.attempt.item_count == 5
    assert made.left_out == 0


def test_a_retake_is_an_untimed_practice_attempt_linked_to_its_source(graded, student):
    attempt = retake(graded, student).attempt

    assert (attempt.retake_of, attempt.deadline, attempt.state) == (graded, None, AttemptState.IN_PROGRESS)
    exam = attempt.exam
    assert (exam.kind, exam.mode, exam.minutes, exam.owner, exam.max_attempts, exam.path_id) == (
        ExamKind.PRACTICE,
        ExamMode.PRACTICE,
        None,
        student,
        1,
        graded.exam.path_id,
    )
    assert exam.title == "Retake: 5 missed items of Small exam"


def test_a_retake_of_an_exam_that_hides_the_key_gives_no_feedback_before_the_submit(student):
    attempt = graded_attempt(small_exam(review_policy=ReviewPolicy.ANSWERS_ONLY), student, right=2)

    exam = retake(attempt, student).attempt.exam

    assert (exam.mode, exam.review_policy) == (ExamMode.EXAM, ReviewPolicy.ANSWERS_ONLY)


def test_a_retake_gives_new_option_ids(graded, student):
    attempt = retake(graded, student, seed=graded.seed + 1).attempt
    before = {i.question_id: set(i.option_ids) for i in graded.items.all()}

    for item in attempt.items.all():
        assert not set(item.option_ids) & before[item.question_id]


def test_a_retake_takes_each_questions_current_revision(graded, student):
    item = graded.items.get(position=4)
    question = Question.objects.get(pk=item.question_id)
    question.stem = "A reworded stem for the next revision."
    question.revision += 1
    question.save()

    retaken = retake(graded, student).attempt.items.get(question_id=question.pk)

    assert retaken.question_revision == item.question_revision + 1
    assert "A reworded stem" in retaken.snapshot["stem_html"]


def test_retired_questions_are_left_out_and_counted(graded, student):
    retired = graded.items.filter(position__in=(4, 8)).values_list("question_id", flat=True)
    Question.objects.filter(pk__in=list(retired)).update(status=QuestionStatus.RETIRED)

    made = retake(graded, student)

    assert (made.attempt.item_count, made.left_out) == (3, 2)
    assert not set(made.attempt.items.values_list("question_id", flat=True)) & set(retired)


def test_nothing_is_retaken_when_every_missed_question_is_retired(graded, student):
    Question.objects.filter(pk__in=missed_questions(graded)).update(status=QuestionStatus.RETIRED)

    with pytest.raises(NothingToRetake, match="retired since"):
        retake(graded, student)


def test_a_perfect_attempt_has_nothing_to_retake(student):
    perfect = graded_attempt(small_exam(), student, right=8)

    with pytest.raises(NothingToRetake, match="every item correctly"):
        retake(perfect, student)


def test_an_attempt_not_yet_graded_cannot_be_retaken(student):
    exam = small_exam()
    attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())

    with pytest.raises(NothingToRetake, match="Only a graded attempt"):
        retake(attempt, student)


def test_an_exam_that_shows_the_score_only_offers_no_retake(student):
    attempt = graded_attempt(small_exam(review_policy=ReviewPolicy.SCORE_ONLY), student, right=2)

    with pytest.raises(NothingToRetake):
        retake(attempt, student)


def test_only_the_attempts_owner_may_retake_it(graded):
    with pytest.raises(AttemptNotFound):
        retake(graded, UserFactory.create())


def test_a_retired_path_refuses_a_retake(graded, student):
    path = graded.exam.path
    path.status = PathStatus.RETIRED
    path.retired_on = timezone.now().date()
    path.save()

    with pytest.raises(ExamNotAvailable):
        retake(graded, student)


def test_retaking_twice_while_the_first_retake_is_open_returns_the_same_attempt(graded, student):
    first = retake(graded, student)

    second = retake(graded, student)

    assert (second.attempt.pk, second.created) == (first.attempt.pk, False)
    assert Attempt.objects.filter(retake_of=graded).count() == 1


def test_a_retake_counts_as_a_practice_set_against_the_daily_cap(graded, student, settings):
    settings.PRACTICE_SETS_PER_DAY = 1
    services.create_practice_set(
        path=graded.exam.path, owner=student, domains=[], item_count=1, minutes=None, mode="practice"
    )

    with pytest.raises(PracticeSetLimitReached, match="the most allowed is 1"):
        retake(graded, student)


def test_a_retake_respects_the_cap_on_open_attempts(graded, student, settings):
    settings.OPEN_ATTEMPTS_PER_STUDENT = 1
    services.start_attempt(exam=small_exam(), student=student, now=timezone.now())

    with pytest.raises(OpenAttemptLimitReached):
        retake(graded, student)
    assert not Attempt.objects.filter(retake_of=graded).exists()


def test_a_retake_is_graded_like_any_practice_attempt(graded, student):
    attempt = retake(graded, student).attempt
    now = timezone.now()
    first = attempt.items.get(position=1)
    Answer.objects.create(item=first, selected=sorted(first.key), client_seq=1, saved_at=now)
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=now)

    grading.grade_attempt(attempt_id=attempt.pk)

    attempt.refresh_from_db()
    assert (attempt.state, attempt.raw_score, attempt.max_score) == (AttemptState.GRADED, 1.0, 5.0)


# --- The page ---------------------------------------------------------------------------------------


def test_the_result_page_offers_to_retake_the_missed_questions(client: Client, graded, student):
    client.force_login(student)

    page = client.get(f"/attempts/{graded.pk}/result").content.decode()

    assert "Retake the 5 questions I got wrong" in page
    assert f'action="/attempts/{graded.pk}/retake"' in page


def test_a_perfect_result_offers_no_retake(client: Client, student):
    perfect = graded_attempt(small_exam(), student, right=8)
    client.force_login(student)

    assert "I got wrong" not in client.get(f"/attempts/{perfect.pk}/result").content.decode()


def test_the_retake_button_opens_the_new_attempt(client: Client, graded, student):
    client.force_login(student)

    response = client.post(f"/attempts/{graded.pk}/retake")

    retaken = Attempt.objects.get(retake_of=graded)
    assert response["Location"] == f"/attempts/{retaken.pk}/"
    assert "Item 1 of 5" in client.get(response["Location"]).content.decode()


def test_the_retake_page_says_how_many_retired_questions_were_left_out(client: Client, graded, student):
    retired = graded.items.get(position=5).question_id
    Question.objects.filter(pk=retired).update(status=QuestionStatus.RETIRED)
    client.force_login(student)

    page = client.post(f"/attempts/{graded.pk}/retake", follow=True).content.decode()

    assert (
        "1 of the questions you missed have been retired since and are left out: this retake has 4 items."
        in page
    )


def test_a_refused_retake_goes_back_to_the_result_with_the_reason(client: Client, graded, student, settings):
    settings.OPEN_ATTEMPTS_PER_STUDENT = 0
    client.force_login(student)

    response = client.post(f"/attempts/{graded.pk}/retake", follow=True)

    assert response.redirect_chain == [(f"/attempts/{graded.pk}/result", 302)]
    assert "the most you may have open at once is 0" in response.content.decode()


def test_another_students_attempt_answers_404_to_a_retake(client: Client, graded):
    client.force_login(UserFactory.create())

    assert client.post(f"/attempts/{graded.pk}/retake").status_code == 404
    assert not Attempt.objects.filter(retake_of=graded).exists()


def test_the_retake_address_takes_posts_only(client: Client, graded, student):
    client.force_login(student)

    assert client.get(f"/attempts/{graded.pk}/retake").status_code == 405


def test_the_dashboard_lists_a_retake_by_its_title(client: Client, graded, student):
    retake(graded, student)
    client.force_login(student)

    page = client.get("/dashboard/").content.decode()

    assert "Resume Retake: 5 missed items of Small exam" in page
