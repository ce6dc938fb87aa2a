"""Grading: idempotent persistence, and the real worker grading a submitted attempt."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.utils import timezone

from quizzes import grading, services
from quizzes.models import Attempt, AttemptState, DomainResult, ReviewCard, SubmittedBy
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.support.waiting import wait_until


def reviews_queued(attempt_id: int) -> bool:
    return Attempt.objects.filter(pk=attempt_id, reviews_queued_at__isnull=False).exists()


def answer_all(attempt: Attempt, student, *, right: int) -> None:
    """Answer the first `right` items correctly and the rest wrongly."""
    for item in attempt.items.order_by("position"):
        key = sorted(item.key)
        wrong = [i for i in item.option_ids if i not in item.key][: item.choose]
        selected = key if item.position <= right else wrong
        services.save_item_state(
            attempt_id=attempt.pk,
            student=student,
            position=item.position,
            seq=1,
            now=timezone.now(),
            selected=selected,
        )


@pytest.fixture
def submitted(db, student):
    path = path_with_domains(score_min=100, score_max=1000, pass_mark=700)
    bank_for(path, per_domain=10)
    attempt = services.start_attempt(
        exam=exam_for(path, item_count=10, pass_percent=70), student=student, now=timezone.now()
    )
    answer_all(attempt, student, right=8)
    return services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())


def test_grading_stores_score_scaled_score_pass_and_domains(submitted):
    assert grading.grade_attempt(attempt_id=submitted.pk) is True

    submitted.refresh_from_db()
    assert submitted.state == AttemptState.GRADED
    assert (submitted.raw_score, submitted.score_percent, submitted.passed) == (8, 80.0, True)
    assert submitted.scaled_score == 800
    assert sum(r.total for r in DomainResult.objects.filter(attempt=submitted)) == 10


def test_grading_twice_changes_nothing(submitted):
    grading.grade_attempt(attempt_id=submitted.pk)
    first = Attempt.objects.get(pk=submitted.pk)

    assert grading.grade_attempt(attempt_id=submitted.pk) is False

    again = Attempt.objects.get(pk=submitted.pk)
    assert (again.graded_at, again.score_percent) == (first.graded_at, first.score_percent)
    assert DomainResult.objects.filter(attempt=submitted).count() == 4


def test_an_open_attempt_is_not_graded(db, student):
    path = path_with_domains()
    bank_for(path, per_domain=5)
    attempt = services.start_attempt(exam=exam_for(path, item_count=4), student=student, now=timezone.now())

    assert grading.grade_attempt(attempt_id=attempt.pk) is False


def test_overdue_attempts_are_finalized_at_their_deadline(db, student):
    path = path_with_domains()
    bank_for(path, per_domain=5)
    started = timezone.now() - timezone.timedelta(hours=2)
    attempt = services.start_attempt(
        exam=exam_for(path, item_count=4, minutes=30), student=student, now=started
    )

    ids = grading.finalize_overdue_attempts(now=timezone.now(), grace=timezone.timedelta(seconds=15))

    attempt.refresh_from_db()
    assert ids == [attempt.pk]
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.finished_at == attempt.deadline
    assert attempt.submitted_by == SubmittedBy.SWEEPER


def wait_for_state(attempt_id: int, state: str, timeout: float = 30) -> Attempt:
    return wait_until(
        lambda: Attempt.objects.filter(pk=attempt_id, state=state).first(),
        timeout=timeout,
        what=f"attempt {attempt_id} to be {state}",
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_grades_a_submitted_attempt_within_seconds(celery_worker, student):
    path = path_with_domains(score_min=100, score_max=1000, pass_mark=700)
    bank_for(path, per_domain=10)
    attempt = services.start_attempt(exam=exam_for(path, item_count=10), student=student, now=timezone.now())
    answer_all(attempt, student, right=6)

    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())

    graded = wait_for_state(attempt.pk, AttemptState.GRADED)
    assert (graded.score_percent, graded.passed) == (60.0, False)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_then_queues_the_missed_items_for_review(celery_worker, student):
    path = path_with_domains()
    bank_for(path, per_domain=5)
    attempt = services.start_attempt(exam=exam_for(path, item_count=5), student=student, now=timezone.now())
    answer_all(attempt, student, right=2)

    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())

    wait_for_state(attempt.pk, AttemptState.GRADED)
    wait_until(lambda: reviews_queued(attempt.pk), what="the review queue task")
    assert ReviewCard.objects.filter(student=student).count() == 3


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_submit_queues_no_grading(celery_worker, student):
    path = path_with_domains()
    bank_for(path, per_domain=5)
    attempt = services.start_attempt(exam=exam_for(path, item_count=4), student=student, now=timezone.now())

    def submit_then_fail() -> None:
        with transaction.atomic():
            services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
            raise RuntimeError("the request failed after submitting")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    time.sleep(2)  # long enough for the worker to have graded a queued task (it takes ~0.1 s)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    assert attempt.grading_tries == 0


def test_grading_that_keeps_failing_marks_the_attempt_for_attention(submitted):
    from django.db import OperationalError

    from quizzes.tasks import grade_attempt

    grade_attempt.on_failure(
        OperationalError("server closed the connection"), "task-1", (), {"attempt_id": submitted.pk}, None
    )

    submitted.refresh_from_db()
    assert submitted.state == AttemptState.NEEDS_ATTENTION
    assert "server closed the connection" in submitted.grading_error
