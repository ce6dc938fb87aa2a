"""Builders for the exam-page browser tests: a started attempt of a given length."""

from __future__ import annotations

from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, Exam
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains


def long_exam(*, items: int = 65, mode: str = "exam", code: str = "LONG-C01") -> Exam:
    """An exam of `items` single-domain items, its bank just large enough."""
    path = path_with_domains((100,), code=code, name="Long Certification")
    bank_for(path, per_domain=items)
    return exam_for(path, title="Full-length practice exam", item_count=items, minutes=130, mode=mode)


def started(exam: Exam, student: object) -> Attempt:
    exam = Exam.objects.select_related("path", "owner").get(pk=exam.pk)
    return services.start_attempt(exam=exam, student=student, now=timezone.now())
