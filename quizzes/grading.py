"""Grading an attempt: idempotent persistence of the pure score (quizzes.scoring)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from .models import Attempt, AttemptState, DomainResult
from .scoring import Result, Scale, ScoredItem, grade
from .selectors import exam_domains

logger = logging.getLogger(__name__)


def scale_for(attempt: Attempt) -> Scale:
    path = attempt.exam.path
    if path.score_scale == "scaled":
        return Scale(low=path.score_min, high=path.score_max, pass_mark=path.pass_mark)
    return Scale()


def compute_result(attempt: Attempt) -> Result:
    """Score the attempt from its frozen items and saved answers (reads, writes nothing)."""
    items = attempt.items.select_related("answer").order_by("position")
    scored = []
    for item in items:
        answer = getattr(item, "answer", None)
        selected = frozenset(answer.selected) if answer else frozenset()
        scored.append(
            ScoredItem(
                domain_id=item.domain_id, key=frozenset(item.key), choose=item.choose, selected=selected
            )
        )
    exam = attempt.exam
    return grade(
        scored,
        cut_percent=exam.pass_percent,
        scale=scale_for(attempt),
        partial_credit=exam.partial_credit,
        domain_order=[d.pk for d in exam_domains(exam)],
    )


def _store(attempt: Attempt, result: Result) -> None:
    attempt.raw_score = result.raw_score
    attempt.max_score = result.max_score
    attempt.score_percent = result.percent
    attempt.scaled_score = result.scaled_score
    attempt.passed = result.passed
    DomainResult.objects.filter(attempt=attempt).delete()
    DomainResult.objects.bulk_create(
        DomainResult(attempt=attempt, domain_id=d.domain_id, score=d.score, total=d.total)
        for d in result.domains
    )


def grade_attempt(*, attempt_id: int) -> bool:
    """Grade a submitted attempt once; return whether this call graded it.

    Idempotent: an attempt already graded (or not submitted) is left as it is, so a redelivered
    or duplicated task changes nothing. Runs under the attempt's row lock.
    """
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update().select_related("exam__path").filter(pk=attempt_id).first()
        )
        if attempt is None or attempt.state not in (AttemptState.SUBMITTED, AttemptState.NEEDS_ATTENTION):
            return False
        _store(attempt, compute_result(attempt))
        attempt.state = AttemptState.GRADED
        attempt.graded_at = timezone.now()
        attempt.grading_error = ""
        attempt.save()
    logger.info("graded attempt %s: %s%%", attempt_id, attempt.score_percent)
    return True


def finalize_overdue_attempts(*, now: dt.datetime, grace: dt.timedelta, limit: int = 500) -> list[int]:
    """Close open attempts whose deadline plus grace has passed; return their ids.

    Each is finished at its deadline, not at the sweep time. Rows another transaction holds are
    skipped (SKIP LOCKED) and taken by the next sweep.
    """
    with transaction.atomic():
        overdue = list(
            Attempt.objects.select_for_update(skip_locked=True)
            .filter(state=AttemptState.IN_PROGRESS, deadline__lt=now - grace)
            .order_by("deadline")[:limit]
        )
        for attempt in overdue:
            attempt.close(now=now, auto=True)
        Attempt.objects.bulk_update(overdue, ["state", "submitted_at", "finished_at", "auto_submitted"])
    return [a.pk for a in overdue]
