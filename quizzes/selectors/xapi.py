"""The xAPI feed: which graded attempts a caller may read, as xAPI statements (quizzes.xapi)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.html import strip_tags

from core.access import is_staff
from core.roles import Role

from ..models import Attempt, AttemptItem, AttemptState
from ..scoring import PLACED_AT
from ..xapi import AttemptRecord, ItemRecord, statements_for


def _item_record(item: AttemptItem) -> ItemRecord:
    selected = [str(s) for s in getattr(getattr(item, "answer", None), "selected", [])]
    placements = [s.split(PLACED_AT, 1) for s in selected if PLACED_AT in s]
    return ItemRecord(
        position=item.position,
        question_id=item.question_id,
        stem_text=strip_tags(item.snapshot.get("stem_html", "")).strip(),
        selected=selected,
        score=item.score or 0.0,
        qtype=item.snapshot.get("qtype", "single"),
        placements=[(option, target) for option, target in placements],
    )


def graded_attempts_visible_to(user: Any) -> QuerySet[Attempt]:
    """Return the graded attempts whose statements user may read, oldest first.

    Staff: all; instructors: their own and those at the paths of courses they own; anyone else:
    their own.
    """
    graded = Attempt.objects.filter(state=AttemptState.GRADED)
    if is_staff(user):
        visible = graded
    elif user.groups.filter(name=Role.INSTRUCTOR.value).exists():
        visible = graded.filter(Q(student=user) | Q(exam__path__courses__owners=user)).distinct()
    else:
        visible = graded.filter(student=user)
    return visible.order_by("id")


def with_statement_data(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    items = AttemptItem.objects.select_related("answer").order_by("position")
    return attempts.select_related("student", "exam").prefetch_related(Prefetch("items", queryset=items))


def _record(attempt: Attempt) -> AttemptRecord:
    finished = attempt.finished_at or attempt.graded_at or attempt.started_at
    return AttemptRecord(
        attempt_id=attempt.pk,
        student_id=attempt.student_id,
        student_name=attempt.student.get_full_name() or attempt.student.get_username(),
        exam_id=attempt.exam_id,
        exam_title=attempt.exam.title,
        started_at=attempt.started_at,
        finished_at=finished,
        raw_score=attempt.raw_score or 0.0,
        max_score=attempt.max_score or 0.0,
        passed=bool(attempt.passed),
        items=[_item_record(item) for item in attempt.items.all()],
    )


def statements(attempts: Sequence[Attempt]) -> list[dict[str, Any]]:
    """Return the xAPI statements of these attempts (loaded with `with_statement_data`)."""
    base = settings.XAPI_ACTIVITY_BASE
    return [s for attempt in attempts for s in statements_for(_record(attempt), base_url=base)]


def attempt_statements(attempt_id: int) -> list[dict[str, Any]]:
    """Return the statements of one graded attempt (none if it is not graded)."""
    graded = Attempt.objects.filter(pk=attempt_id, state=AttemptState.GRADED)
    return statements(list(with_statement_data(graded)))
