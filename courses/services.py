"""Write operations of the courses app. Each is one business operation in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.roles import Role

from .catalog_file import PathRecord
from .exceptions import CatalogFileError, PathNotActive
from .models import (
    CertificationPath,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    PublicationStatus,
    Successor,
)


@dataclass
class CatalogLoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"catalog: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set values on instance; return whether any of them differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _sync_children(
    manager: Any, key: str, wanted: dict[str, dict[str, Any]], *, parent: CertificationPath
) -> bool:
    """Make parent's children (found by key) equal wanted; return whether anything changed."""
    changed = False
    current = {getattr(child, key): child for child in manager.all()}
    for stale in set(current) - set(wanted):
        current.pop(stale).delete()
        changed = True
    for name, values in wanted.items():
        child = current.get(name) or manager.model(path=parent, **{key: name})
        if _assign(child, values) or child.pk is None:
            child.full_clean(exclude=["path"])
            child.save()
            changed = True
    return changed


def _path_values(record: PathRecord) -> dict[str, Any]:
    return {
        "provider": record.provider,
        "vendor": record.vendor,
        "name": record.name,
        "exam_title": record.exam_title,
        "version": record.version,
        "level": record.level,
        "item_count": record.item_count,
        "item_count_min": record.item_count_min,
        "item_count_max": record.item_count_max,
        "scored_item_count": record.scored_item_count,
        "minutes": record.minutes,
        "pass_mark": record.pass_mark,
        "score_scale": record.score_scale,
        "score_min": record.score_min,
        "score_max": record.score_max,
        "score_note": record.score_note,
        "formats": record.formats,
        "status": record.status,
        "retired_on": record.retired_on,
        "status_note": record.status_note,
        "caveats": record.caveats,
    }


def _load_path(record: PathRecord, path: CertificationPath | None) -> tuple[CertificationPath, bool]:
    path = path or CertificationPath(code=record.code)
    changed = _assign(path, _path_values(record)) or path.pk is None
    if changed:
        path.full_clean()
        path.save()
    domains = {
        d.name: {
            "position": position,
            "weight_percent": d.weight,
            "weight_min_percent": d.weight_min,
            "weight_max_percent": d.weight_max,
        }
        for position, d in enumerate(record.domains, start=1)
    }
    sources = {url: {"kind": kind, "note": note} for url, kind, note in record.sources}
    successors = {s.name: {"code": s.code, "note": s.note} for s in record.successors}
    changed |= _sync_children(path.domains, "name", domains, parent=path)
    changed |= _sync_children(path.sources, "url", sources, parent=path)
    changed |= _sync_children(path.successors, "name", successors, parent=path)
    return path, changed


@transaction.atomic
def load_catalog(*, records: Sequence[PathRecord]) -> CatalogLoadReport:
    """Create or update every path of records; a second run with the same records changes nothing.

    Paths absent from records are kept (their exams, attempts and history must survive). Raises
    CatalogFileError naming the record when a value breaks a model rule; nothing is saved then.
    """
    report = CatalogLoadReport()
    existing = {p.code: p for p in CertificationPath.objects.all()}
    for record in records:
        try:
            _, changed = _load_path(record, existing.get(record.code))
        except ValidationError as exc:
            raise CatalogFileError(f"catalog record {record.code}: {'; '.join(exc.messages)}") from exc
        if record.code not in existing:
            report.created.append(record.code)
        elif changed:
            report.updated.append(record.code)
        else:
            report.unchanged.append(record.code)
    _link_successors()
    return report


def _link_successors() -> None:
    paths = {p.code: p for p in CertificationPath.objects.all()}
    for successor in Successor.objects.all():
        target = paths.get(successor.code) if successor.code else None
        if successor.successor_path_id != (target.pk if target else None):
            successor.successor_path = target
            successor.save(update_fields=["successor_path"])


def assign_role(*, user: Any, role: Role) -> None:
    """Put user in the role's group (and nothing else); instructors may enter the admin."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role == Role.INSTRUCTOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def register_student(*, username: str, email: str, password: str) -> Any:
    """Create a student account from the sign-up form."""
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    assign_role(user=user, role=Role.STUDENT)
    return user


def enroll_student(*, student: Any, path: CertificationPath) -> Enrollment:
    """Enroll the student in path (idempotent). Raises PathNotActive for a new enrollment in a
    retired or closed path. With record_study, the only places an enrollment is made."""
    existing = Enrollment.objects.filter(student=student, path=path).first()
    if existing:
        return existing
    if not path.is_active:
        raise PathNotActive(path.refuses_new_work("it takes no new students"))
    enrollment, _ = Enrollment.objects.get_or_create(student=student, path=path)
    return enrollment


def record_study(*, student: Any, path_id: int) -> None:
    """Enroll the student in path as a side effect of studying it (a completed lesson, a started
    attempt); one statement, nothing if already enrolled.

    The deliberate exception to enroll_student's rule: it enrolls even in a retired path, because
    retired paths keep their courses for study and a student's progress there must still show.
    """
    Enrollment.objects.bulk_create([Enrollment(student=student, path_id=path_id)], ignore_conflicts=True)


def unenroll_student(*, enrollment: Enrollment) -> None:
    """End an enrollment. Attempts and completed lessons stay: they are the student's history."""
    enrollment.delete()


@dataclass(frozen=True)
class LessonData:
    title: str
    slug: str
    body_markdown: str
    minutes: int


@dataclass(frozen=True)
class ModuleData:
    title: str
    lessons: list[LessonData]


@transaction.atomic
def upsert_course(
    *,
    path: CertificationPath,
    slug: str,
    title: str,
    summary: str,
    modules: Sequence[ModuleData],
    status: str = PublicationStatus.PUBLISHED,
) -> tuple[Course, bool]:
    """Create or update a course and its modules and lessons in order; return (course, changed).

    Lessons are matched by slug within their module and modules by position, so running it again
    with the same data changes nothing and an edited lesson is updated in place.
    """
    course = Course.objects.filter(slug=slug).first() or Course(slug=slug)
    changed = _assign(course, {"path_id": path.pk, "title": title, "summary": summary, "status": status})
    changed |= course.pk is None
    if changed:
        course.full_clean()
        course.save()
    kept_modules = []
    for position, module_data in enumerate(modules, start=1):
        module = Module.objects.filter(course=course, position=position).first() or Module(course=course)
        if _assign(module, {"title": module_data.title, "position": position}) or module.pk is None:
            module.save()
            changed = True
        kept_modules.append(module.pk)
        kept_lessons = []
        for lesson_position, data in enumerate(module_data.lessons, start=1):
            lesson = Lesson.objects.filter(module=module, slug=data.slug).first() or Lesson(
                module=module, slug=data.slug
            )
            values = {
                "title": data.title,
                "position": lesson_position,
                "body_markdown": data.body_markdown,
                "minutes": data.minutes,
            }
            if _assign(lesson, values) or lesson.pk is None:
                lesson.full_clean()
                lesson.save()
                changed = True
            kept_lessons.append(lesson.pk)
        stale = Lesson.objects.filter(module=module).exclude(pk__in=kept_lessons)
        changed |= stale.delete()[0] > 0
    changed |= Module.objects.filter(course=course).exclude(pk__in=kept_modules).delete()[0] > 0
    return course, changed


def read_course_file(folder: Path) -> dict[str, Any]:
    """Read folder/course.yaml and its lesson files into upsert_course's keyword arguments."""
    spec = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
    modules = []
    for module in spec["modules"]:
        lessons = []
        for lesson in module["lessons"]:
            file = folder / lesson["file"]
            lessons.append(
                LessonData(
                    title=lesson["title"],
                    slug=file.stem.lower().replace("_", "-")[:120],
                    body_markdown=file.read_text(encoding="utf-8"),
                    minutes=int(lesson.get("minutes", 10)),
                )
            )
        modules.append(ModuleData(title=module["title"], lessons=lessons))
    return {
        "slug": spec["slug"],
        "title": spec["title"],
        "summary": spec.get("summary", ""),
        "modules": modules,
    }


def complete_lesson(*, student: Any, lesson: Lesson, now: Any) -> LessonProgress:
    """Record that student completed lesson (idempotent) and enroll them in its path."""
    progress, _ = LessonProgress.objects.get_or_create(
        student=student, lesson=lesson, defaults={"completed_at": now}
    )
    record_study(student=student, path_id=lesson.module.course.path_id)
    return progress


def set_publication_status(*, courses: QuerySet[Course], status: str) -> int:
    """Publish courses, or move them back to draft; return how many were changed."""
    return Course.objects.filter(pk__in=courses.values("pk")).update(status=status, updated_at=timezone.now())
