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

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.sql import json_number_at, with_id_lists
from courses.models import (
    CertificationPath,
    Course,
    Enrollment,
    ExamDomain,
    Lesson,
    LessonProgress,
    Module,
    PublicationStatus,
)

from ..models import Attempt, AttemptItem, AttemptState, DomainResult, Exam
from ..models.exams import full_exam_cut_percent, full_exam_item_count
from ..readiness import (
    READINESS_WINDOW,
    DomainMastery,
    NewAnswers,
    PassEstimate,
    Readiness,
    RecentResult,
    TrendPoint,
    evidence_from,
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

    @property
    def student(self) -> dict[str, Any]:
        """The student as the API refers to one: id and username."""
        return {"id": self.student_id, "username": self.username}


# The batch's reads, in SQL: a cohort page or a progress call runs each once, and composing them
# with the ORM cost more CPU than the database spent answering them. Written for both PostgreSQL
# and the embedded SQLite of `make run`; {students}, {paths} and {courses} become one parameter
# per id (`sql` in _Batch.load), and datetimes are read through _moment.
_LESSONS_SQL = f"""
SELECT p.student_id, m.course_id, COUNT(*), MAX(p.completed_at)
FROM {LessonProgress._meta.db_table} p
JOIN {Lesson._meta.db_table} l ON l.id = p.lesson_id
JOIN {Module._meta.db_table} m ON m.id = l.module_id
WHERE p.student_id IN ({{students}}) AND m.course_id IN ({{courses}})
GROUP BY p.student_id, m.course_id
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

_ATTEMPT_FIGURES = (
    "count", "in_progress", "graded", "best", "last_started", "last_submitted", "last_graded"
)  # fmt: skip
_ATTEMPTS_SQL = f"""
SELECT a.student_id, e.path_id, COUNT(*),
       COUNT(*) FILTER (WHERE a.state = %(open)s),
       COUNT(*) FILTER (WHERE a.state = %(graded)s),
       MAX(a.score_percent) FILTER (WHERE a.state = %(graded)s),
       MAX(a.started_at), MAX(a.submitted_at), MAX(a.graded_at)
FROM {Attempt._meta.db_table} a JOIN {Exam._meta.db_table} e ON e.id = a.exam_id
WHERE a.student_id IN ({{students}}) AND e.path_id IN ({{paths}})
GROUP BY a.student_id, e.path_id
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

# The last READINESS_WINDOW graded attempts of each student in each path, newest first, each
# with its domain results (one row per domain; an attempt without any has one row of NULLs).
_RECENT_SQL = f"""
WITH recent AS (
    SELECT id, student_id, path_id, score_percent, pass_percent, rank
    FROM (
        SELECT a.id, a.student_id, e.path_id, a.score_percent, e.pass_percent,
               ROW_NUMBER() OVER (
                   PARTITION BY a.student_id, e.path_id ORDER BY a.finished_at DESC NULLS LAST, a.id DESC
               ) AS rank
        FROM {Attempt._meta.db_table} a JOIN {Exam._meta.db_table} e ON e.id = a.exam_id
        WHERE a.student_id IN ({{students}}) AND e.path_id IN ({{paths}}) AND a.state = %(graded)s
    ) AS ranked
    WHERE rank <= %(window)s
)
SELECT r.id, r.student_id, r.path_id, r.score_percent, r.pass_percent, d.domain_id, d.score, d.total
FROM recent r LEFT JOIN {DomainResult._meta.db_table} d ON d.attempt_id = r.id
ORDER BY r.student_id, r.path_id, r.rank
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

_DOMAINS_SQL = f"""
SELECT * FROM {ExamDomain._meta.db_table} WHERE path_id IN ({{paths}}) ORDER BY path_id, position
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

# The student's paths with the time they enrolled.
_ENROLLED_PATHS_SQL = f"""
SELECT p.*, e.created_at AS enrolled_at
FROM {CertificationPath._meta.db_table} p JOIN {Enrollment._meta.db_table} e ON e.path_id = p.id
WHERE e.student_id = %(student)s
ORDER BY p.provider, p.code
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

_COURSES_SQL = f"""
SELECT c.*, (
    SELECT COUNT(*) FROM {Lesson._meta.db_table} l JOIN {Module._meta.db_table} m ON m.id = l.module_id
    WHERE m.course_id = c.id
) AS lessons_total
FROM {Course._meta.db_table} c
WHERE c.path_id IN ({{paths}}) AND c.status = %(published)s
ORDER BY c.title, c.id
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter

# The first exposures of the students' graded attempts in the paths (each question's first graded
# answer, in the order attempts finished: an attempt with no finish time counts as earliest),
# summed per attempt and domain: a few rows per attempt instead of one per item.
_NEW_ANSWERS_SQL = f"""
SELECT student_id, path_id, attempt_id, finished_at, domain_id, SUM(score), COUNT(*)
FROM (
    SELECT a.student_id, e.path_id, a.id AS attempt_id, a.finished_at, i.domain_id, {{score}} AS score,
           ROW_NUMBER() OVER (
               PARTITION BY a.student_id, e.path_id, i.question_id
               ORDER BY a.finished_at ASC NULLS FIRST, a.id
           ) AS sighting
    FROM {Attempt._meta.db_table} a
    JOIN {Exam._meta.db_table} e ON e.id = a.exam_id
    JOIN {AttemptItem._meta.db_table} i ON i.attempt_id = a.id
    WHERE a.student_id IN ({{students}}) AND e.path_id IN ({{paths}})
      AND a.state = %(graded)s AND a.item_scores IS NOT NULL
) AS sightings
WHERE sighting = 1
GROUP BY student_id, path_id, attempt_id, finished_at, domain_id
ORDER BY student_id, path_id, finished_at ASC NULLS FIRST, attempt_id, domain_id
"""  # noqa: S608  # nosec B608: module constants only, every value a parameter


def _moment(value: Any) -> dt.datetime | None:
    """Return a datetime read by raw SQL as the ORM would: aware (SQLite gives text or naive UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


@dataclass
class _Batch:
    """Lesson, attempt and domain figures of some students in some paths (four statements, five
    with the new answers the pass estimate reads)."""

    lessons: dict[tuple[int, int], tuple[int, dt.datetime | None]] = field(default_factory=dict)
    attempts: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    recent: dict[tuple[int, int], list[RecentResult]] = field(default_factory=lambda: defaultdict(list))
    domain_results: dict[tuple[int, int], dict[int, tuple[float, int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    domains: dict[int, list[ExamDomain]] = field(default_factory=lambda: defaultdict(list))
    new_answers: dict[tuple[int, int], list[NewAnswers]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(
        cls,
        *,
        student_ids: Collection[int],
        path_ids: Collection[int],
        course_ids: Collection[int],
        new_answers: bool = False,
    ) -> _Batch:
        batch = cls()
        if not student_ids or not path_ids:
            return batch
        lists = {"students": student_ids, "paths": path_ids, "courses": course_ids}
        values: dict[str, Any] = {
            "open": AttemptState.IN_PROGRESS,
            "graded": AttemptState.GRADED,
            "window": READINESS_WINDOW,
        }

        item_score = json_number_at("a.item_scores", "i.position - 1", vendor=connection.vendor)

        def sql(template: str) -> tuple[str, dict[str, Any]]:
            query, params = with_id_lists(template, lists, score=item_score)
            return query, params | values

        with connection.cursor() as cursor:
            cursor.execute(*sql(_LESSONS_SQL))
            batch.lessons = {(student, course): (n, _moment(last)) for student, course, n, last in cursor}
            cursor.execute(*sql(_ATTEMPTS_SQL))
            for student_id, path_id, count, in_progress, graded, best, *moments in cursor:
                figures = [count, in_progress, graded, best, *map(_moment, moments)]
                batch.attempts[(student_id, path_id)] = dict(zip(_ATTEMPT_FIGURES, figures, strict=True))
            cursor.execute(*sql(_RECENT_SQL))
            for attempt_id, student_id, path_id, score, pass_percent, domain_id, points, total in cursor:
                key = (student_id, path_id)
                recent = batch.recent[key]
                if not recent or recent[-1].attempt_id != attempt_id:
                    recent.append(RecentResult(attempt_id, score or 0.0, pass_percent))
                if domain_id is not None:
                    sums = batch.domain_results[key]
                    old_points, old_total = sums.get(domain_id, (0.0, 0))
                    sums[domain_id] = (old_points + points, old_total + total)
            if new_answers:
                cursor.execute(*sql(_NEW_ANSWERS_SQL))
                for student_id, path_id, attempt_id, finished_at, domain_id, correct, n in cursor:
                    batch.new_answers[(student_id, path_id)].append(
                        NewAnswers(attempt_id, _moment(finished_at) or _EARLIEST, domain_id, correct, n)
                    )
        for domain in ExamDomain.objects.raw(*with_id_lists(_DOMAINS_SQL, {"paths": path_ids})):
            batch.domains[domain.path_id].append(domain)
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
        new = self.new_answers.get((student_id, path.pk), [])
        exam = {
            "cut_fraction": full_exam_cut_percent(path) / 100,
            "exam_items": full_exam_item_count(path),
            "floor": DOMAIN_FLOOR,
        }
        estimate = pass_estimate(evidence_from(domains, new), **exam)  # type: ignore[arg-type]
        return estimate, pass_trend(domains, new, **exam)[-TREND_POINTS:]  # type: ignore[arg-type]

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
    """Return the student's progress in each path they are enrolled in (seven statements).

    `path_ids` narrows the paths (an instructor sees only the paths of their courses); `since`
    keeps only the paths that changed after it (see the module docstring).
    """
    enrolled = [
        path
        for path in CertificationPath.objects.raw(_ENROLLED_PATHS_SQL, {"student": student_id})
        if path_ids is None or path.pk in path_ids
    ]
    paths = [path.pk for path in enrolled]
    courses: dict[int, list[Course]] = defaultdict(list)
    query, params = with_id_lists(_COURSES_SQL, {"paths": paths})
    for course in Course.objects.raw(query, params | {"published": PublicationStatus.PUBLISHED}):
        courses[course.path_id].append(course)
    batch = _Batch.load(
        student_ids=[student_id],
        path_ids=paths,
        course_ids=[c.pk for cs in courses.values() for c in cs],
        new_answers=True,
    )
    cutoff = changed_after(since) if since is not None else None
    result = []
    for path in enrolled:
        path_id, enrolled_at = path.pk, _moment(path.enrolled_at)  # type: ignore[attr-defined]
        assert enrolled_at is not None
        lessons = [batch.course(student_id, c, c.lessons_total) for c in courses[path_id]]  # type: ignore[attr-defined]
        changed = batch.changed_at(student_id, path_id, enrolled_at, lessons)
        if cutoff is not None and changed <= cutoff:
            continue
        total = sum(c.lessons_total for c in lessons)
        done = sum(c.lessons_completed for c in lessons)
        domains, ready = batch.mastery(student_id, path_id)
        estimate, trend = batch.estimate(student_id, path)
        result.append(
            PathProgress(
                code=path.code,
                name=path.name,
                enrolled_at=enrolled_at,
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
