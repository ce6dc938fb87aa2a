"""A student's graded attempts, path by path, oldest first: the attempt-history page and API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import F

from ..models import Attempt, AttemptState, SubmittedBy
from ..models.exams import full_exam_cut_percent


@dataclass(frozen=True)
class HistoryRow:
    """One graded attempt as the history lists it."""

    attempt_id: int
    exam_title: str
    finished_at: dt.datetime | None
    score_percent: float
    scaled_score: int | None
    passed: bool
    submitted_by: str

    @property
    def submitted_by_timer(self) -> bool:
        return self.submitted_by in (SubmittedBy.TIMER, SubmittedBy.SWEEPER)


@dataclass(frozen=True)
class PathHistory:
    """The graded attempts of one path, oldest first, and the real exam's pass mark in percent."""

    code: str
    name: str
    pass_percent: int
    attempts: list[HistoryRow] = field(default_factory=list)


def attempt_history(
    *, student_id: int, path_ids: Collection[int] | None = None, path_code: str | None = None
) -> list[PathHistory]:
    """Return the student's graded attempts grouped by path, paths by provider and code (one query).

    `path_ids` narrows the paths (an instructor sees only theirs); `path_code` (any letter case)
    keeps one path. Attempts at every exam of the path count, full
    exams and practice sets alike; `passed` is each exam's own verdict, `pass_percent` the pass
    mark of the path's real exam (quizzes.models.exams.full_exam_cut_percent).
    """
    attempts = (
        Attempt.objects.filter(student_id=student_id, state=AttemptState.GRADED)
        .select_related("exam__path")
        .order_by(
            "exam__path__provider",
            "exam__path__code",
            F("finished_at").asc(nulls_first=True),
            "id",
        )
    )
    if path_ids is not None:
        attempts = attempts.filter(exam__path_id__in=path_ids)
    if path_code:
        attempts = attempts.filter(exam__path__code__iexact=path_code)
    history: dict[int, PathHistory] = {}
    for attempt in attempts:
        path = attempt.exam.path
        if path.pk not in history:
            history[path.pk] = PathHistory(
                code=path.code, name=path.name, pass_percent=full_exam_cut_percent(path)
            )
        history[path.pk].attempts.append(
            HistoryRow(
                attempt_id=attempt.pk,
                exam_title=attempt.exam.title,
                finished_at=attempt.finished_at,
                score_percent=attempt.score_percent or 0.0,
                scaled_score=attempt.scaled_score,
                passed=bool(attempt.passed),
                submitted_by=attempt.submitted_by,
            )
        )
    return list(history.values())
