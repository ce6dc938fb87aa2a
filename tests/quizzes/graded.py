"""Builders for tests of what follows grading: an attempt answered to order, then graded."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from quizzes import grading, services
from quizzes.models import Answer, Attempt, Exam
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains


def small_exam(**fields: Any) -> Exam:
    """An 8-item exam over two domains whose bank holds 6 questions per domain."""
    path = path_with_domains((50, 50))
    bank_for(path, per_domain=6)
    return exam_for(path, **{"title": "Small exam", "item_count": 8, **fields})


def graded_attempt(exam: Exam, student: Any, *, right: int, wrong: int = 0) -> Attempt:
    """Start, answer and grade: the first `right` items right, the next `wrong` wrong, the rest blank."""
    exam = Exam.objects.select_related("path", "owner").get(pk=exam.pk)
    attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
    now = timezone.now()
    for item in attempt.items.all():
        if item.position <= right:
            selected = sorted(item.key)
        elif item.position <= right + wrong:
            selected = sorted(set(item.option_ids) - item.key)[: item.choose]
        else:
            continue
        Answer.objects.create(item=item, selected=selected, client_seq=1, saved_at=now)
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=now)
    grading.grade_attempt(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    return attempt
