"""Builders for API tests: two students, two instructors, staff, and what each of them owns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core import tokens
from core.roles import Role
from courses.models import CertificationPath, Course, Enrollment, Lesson, PublicationStatus
from quizzes import grading, services
from quizzes.models import Attempt, Exam, ExamMode, ReviewPolicy
from tests.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory, UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

# Words that only the key, explanations and rationales of the test bank contain.
KEY_MARKERS = ("is_correct", "correct_ids", "rationale", "explanation", "Because option", "Why Option")


@dataclass
class World:
    student: Any
    other_student: Any
    instructor: Any
    other_instructor: Any
    staff: Any
    path: CertificationPath
    other_path: CertificationPath
    course: Course
    draft: Course
    other_course: Course
    lesson: Lesson
    draft_lesson: Lesson
    exam: Exam
    practice_set: Exam
    enrollment: Enrollment
    attempt: Attempt
    other_attempt: Attempt
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str | None) -> APIClient:
        """Return a client with an API token of the named user (None: anonymous)."""
        client = APIClient()
        if who is not None:
            if not AuthToken.objects.filter(token_key=self.tokens.get(who, "")[:15]).exists():
                self.tokens[who] = token_for(getattr(self, who))  # first call, or a DELETE revoked it
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[who]}")
        return client


def token_for(user: Any) -> str:
    """Issue an API token for user, as POST /api/v1/auth/token/ does, and return it in clear."""
    token, _ = tokens.issue_token(user=user)
    return token


def start(exam: Exam, student: Any, **kwargs: Any) -> Attempt:
    return services.start_attempt(exam=exam, student=student, now=timezone.now(), **kwargs)


def submit_and_grade(attempt: Attempt) -> Attempt:
    services.submit_attempt(attempt_id=attempt.pk, student=attempt.student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    return attempt


def course_with_lessons(path: CertificationPath, owner: Any, lessons: int = 2, **fields: Any) -> Course:
    fields = {"status": PublicationStatus.PUBLISHED, **fields}
    course: Any = CourseFactory(path=path, owners=[owner], **fields)
    module = ModuleFactory(course=course, position=1)
    for position in range(1, lessons + 1):
        LessonFactory(module=module, position=position)
    return course


def build_world() -> World:
    student = UserFactory(username="ada", role=Role.STUDENT)
    other_student = UserFactory(username="bob", role=Role.STUDENT)
    instructor = UserFactory(username="ines", role=Role.INSTRUCTOR)
    other_instructor = UserFactory(username="ivan", role=Role.INSTRUCTOR)
    staff = UserFactory(username="sam", is_staff=True, is_superuser=True)

    path = path_with_domains((60, 40), code="API-C01")
    bank_for(path, per_domain=8)
    other_path = path_with_domains((100,), code="API-C02")
    bank_for(other_path, per_domain=4)

    course = course_with_lessons(path, instructor, slug="api-course")
    draft = course_with_lessons(path, instructor, slug="api-draft", status=PublicationStatus.DRAFT)
    other_course = course_with_lessons(other_path, other_instructor, slug="other-course")

    exam = exam_for(path, title="Shared exam", item_count=4, minutes=30, review_policy=ReviewPolicy.FULL)
    practice_set = services.create_practice_set(
        path=path, owner=student, domains=[], item_count=3, minutes=None, mode=ExamMode.EXAM
    )
    enrollment: Any = EnrollmentFactory(student=student, path=path)
    EnrollmentFactory(student=other_student, path=path)
    EnrollmentFactory(student=other_student, path=other_path)
    attempt = start(exam, student)
    other_attempt = start(exam, other_student)
    return World(
        student=student,
        other_student=other_student,
        instructor=instructor,
        other_instructor=other_instructor,
        staff=staff,
        path=path,
        other_path=other_path,
        course=course,
        draft=draft,
        other_course=other_course,
        lesson=Lesson.objects.filter(module__course=course).first(),  # type: ignore[arg-type]
        draft_lesson=Lesson.objects.filter(module__course=draft).first(),  # type: ignore[arg-type]
        exam=exam,
        practice_set=practice_set,
        enrollment=enrollment,
        attempt=attempt,
        other_attempt=other_attempt,
    )


def key_leaks(text: str) -> list[str]:
    """Return the key markers found in a response body."""
    return [marker for marker in KEY_MARKERS if marker.lower() in text.lower()]


def at(hours: float) -> dt.datetime:
    """Return a fixed moment `hours` after a reference time (for updated_since tests)."""
    return dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC) + dt.timedelta(hours=hours)
