"""Grading is never lost: worker crashes, broker outages, duplicate deliveries (real worker, real Redis)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone

from lms.celery import app
from quizzes import services, tasks
from quizzes.models import Attempt, AttemptState, DomainResult, SubmittedBy
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_grading import answer_all, wait_for_state
from tests.support.stack import devstack, stack_dir
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def submitted_attempt(student=None) -> Attempt:
    student = student or UserFactory()
    path = path_with_domains()
    bank_for(path, per_domain=5)
    attempt = services.start_attempt(exam=exam_for(path, item_count=8), student=student, now=timezone.now())
    answer_all(attempt, student, right=6)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        attempt.close(now=timezone.now(), by=SubmittedBy.STUDENT)
        attempt.save()
    return attempt


def active_task_pid(task_name: str, timeout: float = 15) -> int:
    def running_pid() -> int | None:
        for running in (app.control.inspect(timeout=1).active() or {}).values():
            for task in running:
                if task["name"] == task_name:
                    return int(task["worker_pid"])
        return None

    return wait_until(running_pid, timeout=timeout, what=f"a worker child running {task_name}")


def test_killing_the_worker_child_mid_grading_still_grades_exactly_once(celery_worker):
    attempt = submitted_attempt()
    lock_taken, release = threading.Event(), threading.Event()

    def hold_row_lock() -> None:  # the grading task blocks on this lock, so we can kill it mid-task
        with transaction.atomic():
            Attempt.objects.select_for_update().get(pk=attempt.pk)
            lock_taken.set()
            release.wait(30)
        connections.close_all()

    holder = threading.Thread(target=hold_row_lock)
    holder.start()
    lock_taken.wait(10)
    tasks.queue_grading(attempt.pk)
    child = active_task_pid("quizzes.grade_attempt")

    os.kill(child, signal.SIGKILL)
    release.set()
    holder.join()

    graded = wait_for_state(attempt.pk, AttemptState.GRADED, timeout=60)
    assert graded.score_percent == 75.0
    assert DomainResult.objects.filter(attempt=graded).count() == 4
    assert graded.grading_tries == 2  # the killed run and the redelivered one


def test_the_same_message_delivered_twice_concurrently_grades_once(celery_worker):
    attempt = submitted_attempt()

    tasks.queue_grading(attempt.pk)
    tasks.queue_grading(attempt.pk)

    graded = wait_for_state(attempt.pk, AttemptState.GRADED)
    again = wait_until(
        lambda: Attempt.objects.filter(pk=attempt.pk, grading_tries__gte=2).first(),
        timeout=15,
        what="the second delivery",
    )
    assert again.grading_tries == 2
    assert (again.graded_at, again.score_percent) == (graded.graded_at, 75.0)
    assert DomainResult.objects.filter(attempt=attempt).count() == 4


def test_submits_answer_quickly_while_redis_is_down_and_are_graded_after_it_returns(celery_worker, settings):
    stack = devstack()
    students = [UserFactory() for _ in range(3)]
    path = path_with_domains()
    bank_for(path, per_domain=5)
    exam = exam_for(path, item_count=4)
    attempts = [services.start_attempt(exam=exam, student=s, now=timezone.now()) for s in students]
    stack.stop_redis(stack_dir())
    try:
        timings = []
        for student, attempt in zip(students, attempts, strict=True):
            client = Client()
            client.force_login(student)
            started = time.monotonic()
            response = client.post(f"/attempts/{attempt.pk}/submit")
            timings.append(time.monotonic() - started)
            assert response.status_code == 302
        assert max(timings) < 5, timings
        assert set(
            Attempt.objects.filter(pk__in=[a.pk for a in attempts]).values_list("state", flat=True)
        ) == {AttemptState.SUBMITTED}
    finally:
        stack.start_redis(stack_dir())

    settings.GRADING_REQUEUE_AFTER_SECONDS = 0
    assert tasks.requeue_ungraded_attempts() == 3  # what beat runs every minute
    for attempt in attempts:
        wait_for_state(attempt.pk, AttemptState.GRADED, timeout=60)
