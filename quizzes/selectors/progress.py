"""Progress and readiness of students: read-only queries, a fixed number of them per call.

Definitions (also in docs/api.md):

- **Lessons**: completed lessons of a path's published courses (a cohort: of that one course),
  out of all their lessons.
- **Attempts**: every attempt at any exam of the path; best score over the graded ones; last
  score is the most recently finished graded attempt's.
- **Domain mastery** and **readiness**: see quizzes.readiness (computed from the DomainResult
  rows of the last graded attempts of the path).
- **Changed**: an enrollment, a lesson completion, or an attempt started, submitted or graded
  after the timestamp. Timestamps are taken before the transaction that stores them commits, so
  `changed_since` looks back `CHANGE_LOOKBACK` further: a client that passes the previous
  response's `as_of` misses nothing (and may receive a row it already has).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber

from courses.models import (
    CertificationPath,
    Course,
    Enrollment,
    ExamDomain,
    LessonProgress,
    PublicationStatus,
)

from ..models import Attempt, AttemptItem, AttemptState, DomainResult
from ..models.exams import full_exam_cut_percent, full_exam_item_count
from ..readiness import (
    READINESS_WINDOW,
    DomainMastery,
    PassEstimate,
    Readiness,
    RecentResult,
    Sighting,
    TrendPoint,
    evidence_from,
    first_exposures,
    pass_estimate,
    pass_trend,
    percent_of,
    readiness,
)

CHANGE_LOOKBACK = dt.timedelta(seconds=60)
# The pass estimate also asks every domain to reach half marks (see docs/learning.md).
DOMAIN_FLOOR = 0.5
TREND_POINTS = 10
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=2)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def changed_after(since: dt.datetime) -> dt.datetime:
    """Return the cut-off that `updated_since=since` means: since in UTC, less the look-back.

    In UTC because PostgreSQL refuses offsets beyond 15:59 that ISO 8601 parsers accept; clamped
    to the representable range at both ends.
    """
    try:
        return max(since.astimezone(dt.UTC) - CHANGE_LOOKBACK, _EARLIEST)
    except OverflowError:
        return _EARLIEST if since.year < dt.MAXYEAR // 2 else _LATEST


@dataclass(frozen=True)
class CourseProgress:
    slug: str
    title: str
    lessons_total: int
    lessons_completed: int
    percent: float
    last_completed_at: dt.datetime | None


@dataclass(frozen=True)
class AttemptStats:
    count: int = 0
    in_progress: int = 0
    graded: int = 0
    best_score_percent: float | None = None
    last_score_percent: float | None = None
    last_started_at: dt.datetime | None = None
    last_graded_at: dt.datetime | None = None


@dataclass(frozen=True)
class PathProgress:
    code: str
    name: str
    enrolled_at: dt.datetime
    changed_at: dt.datetime
    lessons_total: int
    lessons_completed: int
    percent: float
    courses: list[CourseProgress]
    attempts: AttemptStats
    domains: list[DomainMastery]
    readiness: Readiness
    estimate: PassEstimate
    trend: list[TrendPoint]


@dataclass(frozen=True)
class CohortRow:
    student_id: int
    username: str
    enrolled_at: dt.datetime
    changed_at: dt.datetime
    lessons: CourseProgress
    attempts: AttemptStats
    domains: list[DomainMastery]
    readiness: Readiness


@dataclass
class _Batch:
    """Lesson, attempt and domain figures of some students in some paths (five queries)."""

    lessons: dict[tuple[int, int], tuple[int, dt.datetime | None]] = field(default_factory=dict)
    attempts: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    recent: dict[tuple[int, int], list[RecentResult]] = field(default_factory=lambda: defaultdict(list))
    domain_results: dict[tuple[int, int], dict[int, tuple[float, int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    domains: dict[int, list[ExamDomain]] = field(default_factory=lambda: defaultdict(list))
    sightings: dict[tuple[int, int], list[Sighting]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(
        cls,
        *,
        student_ids: Collection[int],
        path_ids: Collection[int],
        course_ids: Collection[int],
        sightings: bool = False,
    ) -> _Batch:
        batch = cls()
        if not student_ids or not path_ids:
            return batch
        lesson_rows = (
            LessonProgress.objects.filter(
                student_id__in=student_ids, lesson__module__course_id__in=course_ids
            )
            .values("student_id", course_id=F("lesson__module__course_id"))
            .annotate(n=Count("id"), last=Max("completed_at"))
            .order_by()
        )
        batch.lessons = {(r["student_id"], r["course_id"]): (r["n"], r["last"]) for r in lesson_rows}
        graded = Q(state=AttemptState.GRADED)
        attempt_rows = (
            Attempt.objects.filter(student_id__in=student_ids, exam__path_id__in=path_ids)
            .values("student_id", path_id=F("exam__path_id"))
            .annotate(
                count=Count("id"),
                in_progress=Count("id", filter=Q(state=AttemptState.IN_PROGRESS)),
                graded=Count("id", filter=graded),
                best=Max("score_percent", filter=graded),
                last_started=Max("started_at"),
                last_submitted=Max("submitted_at"),
                last_graded=Max("graded_at"),
            )
            .order_by()
        )
        batch.attempts = {(r["student_id"], r["path_id"]): r for r in attempt_rows}
        recent_rows = (
            Attempt.objects.filter(
                student_id__in=student_ids, exam__path_id__in=path_ids, state=AttemptState.GRADED
            )
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("student_id"), F("exam__path_id")],
                    order_by=[F("finished_at").desc(nulls_last=True), F("id").desc()],
                )
            )
            .filter(rank__lte=READINESS_WINDOW)
            .values_list("id", "student_id", "exam__path_id", "score_percent", "exam__pass_percent", "rank")
            .order_by("student_id", "exam__path_id", "rank")
        )
        owner: dict[int, tuple[int, int]] = {}
        for attempt_id, student_id, path_id, score, pass_percent, _ in recent_rows:
            batch.recent[(student_id, path_id)].append(RecentResult(attempt_id, score or 0.0, pass_percent))
            owner[attempt_id] = (student_id, path_id)
        if owner:
            # No ordering: the model's (the attempt's start, the domain's position) would join
            # every attempt in the table to sort a few rows that are summed anyway.
            rows = (
                DomainResult.objects.filter(attempt_id__in=list(owner))
                .order_by()
                .values_list("attempt_id", "domain_id", "score", "total")
            )
            for attempt_id, domain_id, score, total in rows:
                sums = batch.domain_results[owner[attempt_id]]
                old_score, old_total = sums.get(domain_id, (0.0, 0))
                sums[domain_id] = (old_score + score, old_total + total)
        for domain in ExamDomain.objects.filter(path_id__in=path_ids).order_by("path_id", "position"):
            batch.domains[domain.path_id].append(domain)
        if sightings:
            items = AttemptItem.objects.filter(
                attempt__student_id__in=student_ids,
                attempt__exam__path_id__in=path_ids,
                attempt__state=AttemptState.GRADED,
                score__isnull=False,
            ).values_list(
                "attempt__student_id",
                "attempt__exam__path_id",
                "question_id",
                "domain_id",
                "attempt_id",
                "attempt__finished_at",
                "score",
            )
            for student_id, path_id, question_id, domain_id, attempt_id, finished_at, score in items:
                batch.sightings[(student_id, path_id)].append(
                    Sighting(question_id, domain_id, attempt_id, finished_at or _EARLIEST, score or 0.0)
                )
        return batch

    def stats(self, student_id: int, path_id: int) -> AttemptStats:
        row = self.attempts.get((student_id, path_id))
        if row is None:
            return AttemptStats()
        recent = self.recent.get((student_id, path_id)) or []
        return AttemptStats(
            count=row["count"],
            in_progress=row["in_progress"],
            graded=row["graded"],
            best_score_percent=row["best"],
            last_score_percent=recent[0].score_percent if recent else None,
            last_started_at=row["last_started"],
            last_graded_at=row["last_graded"],
        )

    def mastery(self, student_id: int, path_id: int) -> tuple[list[DomainMastery], Readiness]:
        key = (student_id, path_id)
        return readiness(
            self.domains.get(path_id, []), self.domain_results.get(key, {}), self.recent.get(key, [])
        )

    def estimate(self, student_id: int, path: CertificationPath) -> tuple[PassEstimate, list[TrendPoint]]:
        """Return the chance of passing path's real exam, and how it moved attempt by attempt."""
        domains = self.domains.get(path.pk, [])
        sightings = self.sightings.get((student_id, path.pk), [])
        exam = {
            "cut_fraction": full_exam_cut_percent(path) / 100,
            "exam_items": full_exam_item_count(path),
            "floor": DOMAIN_FLOOR,
        }
        estimate = pass_estimate(evidence_from(domains, first_exposures(sightings)), **exam)  # type: ignore[arg-type]
        return estimate, pass_trend(domains, sightings, **exam)[-TREND_POINTS:]  # type: ignore[arg-type]

    def course(self, student_id: int, course: Course, lessons_total: int) -> CourseProgress:
        done, last = self.lessons.get((student_id, course.pk), (0, None))
        return CourseProgress(
            slug=course.slug,
            title=course.title,
            lessons_total=lessons_total,
            lessons_completed=done,
            percent=percent_of(done, lessons_total),
            last_completed_at=last,
        )

    def changed_at(
        self, student_id: int, path_id: int, enrolled_at: dt.datetime, lessons: Iterable[CourseProgress]
    ) -> dt.datetime:
        row = self.attempts.get((student_id, path_id)) or {}
        moments = [enrolled_at, *(c.last_completed_at for c in lessons)]
        moments += [row.get("last_started"), row.get("last_submitted"), row.get("last_graded")]
        return max(m for m in moments if m is not None)


def student_progress(
    *, student_id: int, path_ids: Collection[int] | None = None, since: dt.datetime | None = None
) -> list[PathProgress]:
    """Return the student's progress in each path they are enrolled in (eight queries).

    `path_ids` narrows the paths (an instructor sees only the paths of their courses); `since`
    keeps only the paths that changed after it (see the module docstring).
    """
    enrollments = Enrollment.objects.filter(student_id=student_id).select_related("path")
    if path_ids is not None:
        enrollments = enrollments.filter(path_id__in=path_ids)
    enrolled = list(enrollments.order_by("path__provider", "path__code"))
    paths = [e.path_id for e in enrolled]
    courses: dict[int, list[Course]] = defaultdict(list)
    course_rows = (
        Course.objects.filter(path_id__in=paths, status=PublicationStatus.PUBLISHED)
        .annotate(lessons_total=Count("modules__lessons"))
        .order_by("title", "id")
    )
    for course in course_rows:
        courses[course.path_id].append(course)
    batch = _Batch.load(
        student_ids=[student_id],
        path_ids=paths,
        course_ids=[c.pk for cs in courses.values() for c in cs],
        sightings=True,
    )
    cutoff = changed_after(since) if since is not None else None
    result = []
    for enrollment in enrolled:
        path_id = enrollment.path_id
        lessons = [batch.course(student_id, c, c.lessons_total) for c in courses[path_id]]  # type: ignore[attr-defined]
        changed = batch.changed_at(student_id, path_id, enrollment.created_at, lessons)
        if cutoff is not None and changed <= cutoff:
            continue
        total = sum(c.lessons_total for c in lessons)
        done = sum(c.lessons_completed for c in lessons)
        domains, ready = batch.mastery(student_id, path_id)
        estimate, trend = batch.estimate(student_id, enrollment.path)
        result.append(
            PathProgress(
                code=enrollment.path.code,
                name=enrollment.path.name,
                enrolled_at=enrollment.created_at,
                changed_at=changed,
                lessons_total=total,
                lessons_completed=done,
                percent=percent_of(done, total),
                courses=lessons,
                attempts=batch.stats(student_id, path_id),
                domains=domains,
                readiness=ready,
                estimate=estimate,
                trend=trend,
            )
        )
    return result
