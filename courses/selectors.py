"""Read queries of the courses app: each returns data already joined for its caller."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import groupby
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.access import is_staff
from core.sql import Condition

from .models import (
    PATH_ASSIGNED_SQL,
    CertificationPath,
    Course,
    Lesson,
    LessonProgress,
    Module,
    Provider,
    PublicationStatus,
    Successor,
)


def list_paths() -> QuerySet[CertificationPath]:
    """Return every path with its domains and successors, ordered by provider and code."""
    return CertificationPath.objects.order_by("provider", "code").prefetch_related(
        "domains",
        Prefetch("successors", queryset=Successor.objects.select_related("successor_path")),
    )


def group_by_provider(
    paths: Iterable[CertificationPath],
) -> list[tuple[str, list[CertificationPath]]]:
    """Return (provider label, paths) pairs in the order of the Provider choices, active paths first."""
    order = {value: i for i, value in enumerate(Provider.values)}
    ordered = sorted(paths, key=lambda p: (order[p.provider], p.status != "active", p.code))
    return [(Provider(key).label, list(group)) for key, group in groupby(ordered, key=lambda p: p.provider)]


def get_path(*, code: str) -> CertificationPath:
    """Return the path with this exam code (any letter case) with its blueprint, or raise Http404."""
    return get_object_or_404(list_paths().prefetch_related("sources"), code__iexact=code)


def list_published_courses(path: CertificationPath) -> QuerySet[Course]:
    return Course.objects.filter(path=path, status=PublicationStatus.PUBLISHED).order_by("title")


def get_published_course(*, slug: str) -> Course:
    """Return a published course with its modules and lessons (three queries)."""
    return get_object_or_404(
        Course.objects.select_related("path").prefetch_related(
            Prefetch("modules", queryset=Module.objects.prefetch_related("lessons"))
        ),
        slug=slug,
        status=PublicationStatus.PUBLISHED,
    )


def get_lesson(*, course: Course, slug: str) -> Lesson:
    return get_object_or_404(Lesson.objects.select_related("module"), module__course=course, slug=slug)


def completed_lesson_ids(*, student_id: int | None, course: Course) -> set[int]:
    if student_id is None:
        return set()
    return set(
        LessonProgress.objects.filter(student_id=student_id, lesson__module__course=course).values_list(
            "lesson_id", flat=True
        )
    )


def visible_courses(user: Any) -> QuerySet[Course]:
    """Return the courses user may read: published ones, plus their own drafts (staff: all)."""
    if is_staff(user):
        return Course.objects.all()
    published = Q(status=PublicationStatus.PUBLISHED)
    if not user.is_authenticated:
        return Course.objects.filter(published)
    owned = Course.objects.filter(owners=user).values("pk")
    return Course.objects.filter(published | Q(pk__in=owned))


def managed_courses(user: Any) -> QuerySet[Course]:
    """Return the courses whose cohort user may read: the ones they own and every course of a path
    assigned to them (staff: all). Which students a cohort shows: Enrollment.objects.visible_to.
    (In SQL, below.)"""
    if is_staff(user):
        return Course.objects.all()
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(Condition(_MANAGED_COURSE_SQL, [user.pk] * 2, course="id", path="path_id"))


# managed_courses in SQL ({course}, {path}: the course's columns); composed from lookups it cost
# each cohort page close to a millisecond of CPU.
_MANAGED_COURSE_SQL = f"""
EXISTS (SELECT 1 FROM {Course.owners.through._meta.db_table} AS o
        WHERE o.course_id = {{course}} AND o.user_id = %s)
OR {PATH_ASSIGNED_SQL}
"""  # noqa: S608  # nosec B608: table names only


def lessons_for_domains(domain_ids: Collection[int]) -> dict[int, list[Lesson]]:
    """Return, per exam domain, the lessons of published modules that teach it, in course order."""
    found: dict[int, list[Lesson]] = {d: [] for d in domain_ids}
    lessons = (
        Lesson.objects.filter(
            module__domains__in=list(domain_ids), module__course__status=PublicationStatus.PUBLISHED
        )
        .annotate(domain_id=F("module__domains"))
        .select_related("module__course")
        .order_by("module__course__title", "module__position", "position", "id")
    )
    for lesson in lessons:
        found[lesson.domain_id].append(lesson)
    return found
