"""A course's cohort: the students of its path that the viewer may see, with their progress.

Which students a viewer may see is one rule: courses.models.EnrollmentQuerySet.visible_to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from courses.models import Course, Enrollment, Lesson, LessonProgress, Module
from courses.selectors import managed_courses

from ..models import Attempt
from .progress import CohortRow, _Batch, changed_after


def cohort_enrollments(*, course: Course, viewer: Any) -> QuerySet[Enrollment]:
    """Return the enrollments in the course's path whose student viewer may see (with the
    columns a cohort row reads: not the students' password hashes)."""
    return (
        Enrollment.objects.visible_to(viewer)
        .filter(path_id=course.path_id)
        .select_related("student")
        .only("id", "path_id", "created_at", "student__id", "student__username")
    )


def changed_since(
    enrollments: QuerySet[Enrollment], *, course: Course, since: dt.datetime
) -> QuerySet[Enrollment]:
    """Narrow a cohort to the students whose progress changed after `since`."""
    cutoff = changed_after(since)
    lessons = LessonProgress.objects.filter(
        student_id=OuterRef("student_id"), lesson__module__course_id=course.pk, completed_at__gt=cutoff
    )
    attempts = Attempt.objects.filter(student_id=OuterRef("student_id"), exam__path_id=course.path_id).filter(
        Q(started_at__gt=cutoff) | Q(submitted_at__gt=cutoff) | Q(graded_at__gt=cutoff)
    )
    return enrollments.filter(Q(created_at__gt=cutoff) | Exists(lessons) | Exists(attempts))


# Written out: composing it with the ORM (a grouped subquery) cost more CPU than running it
_LESSONS_OF_COURSE = f"""
SELECT COUNT(*) FROM {Lesson._meta.db_table} AS l JOIN {Module._meta.db_table} AS m ON m.id = l.module_id
WHERE m.course_id = {Course._meta.db_table}.id
"""  # noqa: S608  # nosec B608: table names only


def managed_course(*, viewer: Any, slug: str) -> tuple[Course, int] | None:
    """Return the course whose cohort viewer may read (courses.selectors.managed_courses), with its
    path, and its number of lessons; None if there is none. One statement."""
    found = (
        managed_courses(viewer)
        .filter(slug=slug)
        .select_related("path")
        .annotate(lessons_total=RawSQL(_LESSONS_OF_COURSE, (), output_field=IntegerField()))  # noqa: S611  # nosec B611
        .order_by()[:1]
    )
    course = next(iter(found), None)
    return None if course is None else (course, course.lessons_total)


def cohort_rows(*, course: Course, enrollments: Sequence[Enrollment], lessons_total: int) -> list[CohortRow]:
    """Return each enrolled student's progress in the course and its path (four statements)."""
    batch = _Batch.load(
        student_ids=[e.student_id for e in enrollments], path_ids=[course.path_id], course_ids=[course.pk]
    )
    rows = []
    for enrollment in enrollments:
        student_id = enrollment.student_id
        lessons = batch.course(student_id, course, lessons_total)
        domains, ready = batch.mastery(student_id, course.path_id)
        rows.append(
            CohortRow(
                student_id=student_id,
                username=enrollment.student.username,
                enrolled_at=enrollment.created_at,
                changed_at=batch.changed_at(student_id, course.path_id, enrollment.created_at, [lessons]),
                lessons=lessons,
                attempts=batch.stats(student_id, course.path_id),
                domains=domains,
                readiness=ready,
            )
        )
    return rows


def find_student(value: str) -> Any:
    """Return the user with this id (digits are tried as an id first) or username, or None."""
    users = get_user_model().objects
    if value.isascii() and value.isdigit():
        by_id = users.filter(pk=int(value)).first()
        if by_id is not None:
            return by_id
    return users.filter(username=value).first()


def visible_path_ids(*, viewer: Any, student_id: int) -> set[int]:
    """Return the paths in which viewer may see the student's progress (none: the student is hidden)."""
    enrollments = Enrollment.objects.visible_to(viewer).filter(student_id=student_id)
    return set(enrollments.values_list("path_id", flat=True))
