"""Progress and a cohort page cost the same statements with one attempt or student as with many.

The history comes from the load-data generator (graded attempts with items and answers), as in
bench/progress.py, at a small scale.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from core.roles import Role
from courses.models import CertificationPath, LessonProgress
from quizzes.services.load_data import generate_load_data
from tests.api.support import course_with_lessons
from tests.factories import UserFactory
from tests.quizzes.delivery import path_with_domains

pytestmark = pytest.mark.django_db


@pytest.fixture
def path() -> CertificationPath:
    return path_with_domains(code="VOL-C01")


def load(path: CertificationPath, *, students: int, attempts: int) -> None:
    generate_load_data(path=path, students=students, attempts=attempts, items=12, questions=60, chunk=8)


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def cohort_of(path: CertificationPath, *, students: int, attempts: int) -> tuple[APIClient, str]:
    """Return an instructor's client and the cohort URL of a course on path with that history."""
    load(path, students=students, attempts=attempts)
    instructor: Any = UserFactory(role=Role.INSTRUCTOR)
    course = course_with_lessons(path, instructor, lessons=3, slug="vol-course")
    path.instructors.add(instructor)  # sees every student of the path
    lesson = course.modules.get().lessons.first()
    LessonProgress.objects.bulk_create(
        LessonProgress(student_id=e.student_id, lesson=lesson, completed_at=e.created_at)
        for e in path.enrollments.all()
    )
    return client_for(instructor), f"/api/v1/courses/{course.slug}/cohort/"


@pytest.mark.parametrize("attempts", [1, 9])
def test_progress_is_seven_statements_however_many_graded_attempts(
    path: CertificationPath, django_assert_num_queries: Any, attempts: int
):
    cohort_of(path, students=1, attempts=attempts)  # a course of the path too, with a lesson done
    client = client_for(path.enrollments.get().student)

    # enrollments + path, courses + lesson counts, lessons, attempts, recent graded with their
    # domain results, domains, first exposures summed per attempt and domain (the pass estimate)
    with django_assert_num_queries(7):
        body = client.get("/api/v1/progress/").json()

    assert body["paths"][0]["attempts"]["graded"] == attempts
    assert body["paths"][0]["lessons_completed"] == 1


@pytest.mark.parametrize(("students", "attempts"), [(1, 1), (40, 120)])
def test_a_cohort_page_is_six_statements_however_large_the_cohort(
    path: CertificationPath, django_assert_num_queries: Any, students: int, attempts: int
):
    client, url = cohort_of(path, students=students, attempts=attempts)

    # course + path + lesson total, enrollments + student, lessons, attempts, recent graded with
    # their domain results, domains
    with django_assert_num_queries(6):
        page = client.get(url, {"page_size": 10}).json()

    assert len(page["results"]) == min(10, students)
    assert all(row["attempts"]["graded"] >= 1 for row in page["results"])
    assert all(row["lessons"]["lessons_completed"] == 1 for row in page["results"])


def test_a_later_cohort_page_costs_what_the_first_does(
    path: CertificationPath, django_assert_num_queries: Any
):
    client, url = cohort_of(path, students=40, attempts=80)
    first = client.get(url, {"page_size": 10}).json()

    with django_assert_num_queries(6):
        second = client.get(first["next"]).json()

    assert len(second["results"]) == 10
    assert {r["student"]["id"] for r in second["results"]}.isdisjoint(
        r["student"]["id"] for r in first["results"]
    )
