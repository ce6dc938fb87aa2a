"""Exams: the full-length form of a path, and a student's own practice sets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from courses.models import CertificationPath, ExamDomain

from ..exceptions import ExamNotAvailable, InvalidAnswer
from ..models import Exam, ExamKind, ExamMode
from ..models.exams import full_exam_cut_percent, full_exam_item_count, practice_set_problem
from .quotas import ensure_may_create_practice_set


def ensure_full_length_exam(*, path: CertificationPath) -> Exam | None:
    """Create (once) the path's full-length exam: its item count, minutes and pass mark.

    A path with no single exam (a course-based certificate) gets none: return None.
    """
    if not path.has_single_exam:
        return None
    count = full_exam_item_count(path)
    exam, _ = Exam.objects.get_or_create(
        path=path,
        kind=ExamKind.FULL,
        owner=None,
        defaults={
            "title": f"{path.code} full-length practice exam",
            "mode": ExamMode.EXAM,
            "item_count": count,
            "minutes": path.minutes,
            "pass_percent": full_exam_cut_percent(path),
        },
    )
    return exam


@transaction.atomic
def create_practice_set(
    *,
    path: CertificationPath,
    owner: Any,
    domains: Sequence[ExamDomain],
    item_count: int,
    minutes: int | None,
    mode: str,
) -> Exam:
    """Create a student's own practice set over chosen domains of path.

    Raises ExamNotAvailable, InvalidAnswer, or PracticeSetLimitReached / OpenAttemptLimitReached
    (services.quotas); takes the owner's row lock so that concurrent requests count one by one.
    """
    if not path.is_active:
        raise ExamNotAvailable(path.refuses_new_work("no new exam can be started"))
    if any(d.path_id != path.pk for d in domains):
        raise InvalidAnswer("Every chosen domain must belong to this certification.")
    if problem := practice_set_problem(item_count=item_count, minutes=minutes):
        raise InvalidAnswer(problem)
    get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk").get()
    ensure_may_create_practice_set(owner=owner, now=timezone.now())
    names = ", ".join(d.name for d in domains) if domains else "all domains"
    exam = Exam.objects.create(
        path=path,
        title=f"Practice: {item_count} items, {names}"[:200],
        kind=ExamKind.PRACTICE,
        mode=mode,
        item_count=item_count,
        minutes=minutes,
        pass_percent=full_exam_cut_percent(path),
        owner=owner,
    )
    exam.domains.set(domains)
    return exam
