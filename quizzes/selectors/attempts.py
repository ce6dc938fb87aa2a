"""Reads of a student's attempts. Another student's attempt reads as missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from ..exceptions import AttemptNotFound
from ..models import Attempt, AttemptItem, AttemptState, Exam, ReviewPolicy


def get_attempt_for_student(*, attempt_id: int, student_id: int) -> Attempt:
    """Return the student's attempt with its exam and path; another student's id reads as missing."""
    try:
        return Attempt.objects.select_related("exam__path").get(pk=attempt_id, student_id=student_id)
    except Attempt.DoesNotExist:
        raise AttemptNotFound("No such attempt.") from None


def get_attempt_with_items(*, attempt_id: int, student_id: int) -> Attempt:
    """Return the attempt with every item and answer: two queries whatever the exam's length."""
    try:
        return (
            Attempt.objects.with_current_position()
            .select_related("exam__path")
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=AttemptItem.objects.select_related("answer", "domain").order_by("position"),
                )
            )
            .get(pk=attempt_id, student_id=student_id)
        )
    except Attempt.DoesNotExist:
        raise AttemptNotFound("No such attempt.") from None


def list_attempts_for_student(student_id: int) -> QuerySet[Attempt]:
    return Attempt.objects.filter(student_id=student_id).select_related("exam__path").order_by("-started_at")


def open_attempt(*, exam: Exam, student_id: int) -> Attempt | None:
    return Attempt.objects.filter(exam=exam, student_id=student_id, state=AttemptState.IN_PROGRESS).first()


@dataclass(frozen=True)
class ReviewRow:
    """One item of a graded attempt as its result page shows it."""

    item: AttemptItem
    selected: frozenset[Any]
    show_key: bool

    @property
    def answered(self) -> bool:
        return bool(self.selected)

    @property
    def correct(self) -> bool:
        return self.selected == self.item.key

    @property
    def placements(self) -> list[dict[str, Any]]:
        """Ordering and matching: each step or prompt, the student's placement and the right one."""
        return (
            self.item.placement_rows(self.selected, key_order=self.show_key) if self.item.is_placement else []
        )


def review_rows(attempt: Attempt) -> list[ReviewRow]:
    """Return the items the exam's review policy lets the student see (none for score only).

    Reads the items prefetched by get_attempt_with_items: no query of its own.
    """
    policy = attempt.exam.review_policy
    if policy == ReviewPolicy.SCORE_ONLY:
        return []
    rows = []
    for item in attempt.items.all():
        answer = getattr(item, "answer", None)
        selected = frozenset(answer.selected) if answer else frozenset()
        rows.append(ReviewRow(item=item, selected=selected, show_key=policy == ReviewPolicy.FULL))
    return rows


def missed_items(attempt: Attempt) -> list[AttemptItem]:
    """Return the items answered wrongly or not at all, in order (ReviewRow.correct's rule).

    Reads the items prefetched by get_attempt_with_items: no query of its own.
    """
    missed = []
    for item in attempt.items.all():
        answer = getattr(item, "answer", None)
        if (frozenset(answer.selected) if answer else frozenset()) != item.key:
            missed.append(item)
    return missed


def may_retake_missed(attempt: Attempt) -> bool:
    """Return whether the attempt's missed items may be retaken: graded, and its review lists items."""
    return attempt.state == AttemptState.GRADED and attempt.exam.review_policy != ReviewPolicy.SCORE_ONLY


def open_retake(*, attempt: Attempt) -> Attempt | None:
    """Return the retake of attempt still in progress, if any."""
    return attempt.retakes.filter(state=AttemptState.IN_PROGRESS).first()
