"""`make run` has no Celery beat: run_sweepers finalizes overdue attempts there."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from quizzes import services, tasks
from quizzes.models import Attempt, AttemptState
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = pytest.mark.django_db


def test_run_sweepers_finalizes_an_attempt_that_expired_offline_and_queues_its_grading(student, monkeypatch):
    path = path_with_domains()
    bank_for(path, per_domain=2)
    started = timezone.now() - dt.timedelta(hours=2)
    attempt = services.start_attempt(
        exam=exam_for(path, item_count=4, minutes=30), student=student, now=started
    )
    queued: list[int] = []
    monkeypatch.setattr(tasks, "queue_grading", queued.append)

    call_command("run_sweepers", "--once", stdout=StringIO())

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.finished_at == attempt.deadline
    assert queued == [attempt.pk]
    assert Attempt.objects.filter(state=AttemptState.IN_PROGRESS).count() == 0
