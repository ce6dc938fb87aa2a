"""Grading again: after a key correction (regrade), or after grading failed (re-queue)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from .. import tasks
from ..models import Attempt, AttemptState, Question


def queue_regrades(*, questions: QuerySet[Question], by: Any) -> int:
    """Queue, after commit, a regrade of every attempt that saw each question (after a key correction)."""
    count = 0
    for question in questions:
        tasks.queue_regrade_on_commit(
            question_id=question.pk,
            reason=f"Key of {question.name} corrected by {by.get_username()}",
            changed_by_id=by.pk,
        )
        count += 1
    return count


@transaction.atomic
def requeue_grading(*, attempts: QuerySet[Attempt]) -> int:
    """Queue grading again for the submitted or needs-attention attempts among attempts."""
    waiting = list(
        attempts.filter(state__in=[AttemptState.SUBMITTED, AttemptState.NEEDS_ATTENTION]).values_list(
            "pk", flat=True
        )
    )
    Attempt.objects.filter(pk__in=waiting).update(state=AttemptState.SUBMITTED, grading_error="")
    for attempt_id in waiting:
        tasks.queue_grading_on_commit(attempt_id)
    return len(waiting)
