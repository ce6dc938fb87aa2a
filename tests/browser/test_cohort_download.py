"""An instructor downloads a course's cohort from the admin's course list, in real headless Chromium."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from core.roles import Role
from courses.services import complete_lesson
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_instructor_downloads_the_students_of_their_course_as_csv(page: Page, live_server, sign_in):
    instructor = UserFactory.create(username="ines", role=Role.INSTRUCTOR)
    course = CourseFactory.create(title="Networking basics", owners=[instructor])
    lesson = LessonFactory.create(module=ModuleFactory.create(course=course))
    for name in ("ada", "bob"):
        complete_lesson(student=UserFactory.create(username=name), lesson=lesson, now=timezone.now())
    UserFactory.create(username="eve")  # studied nothing: not in the cohort
    sign_in(instructor)

    page.goto(f"{live_server.url}/admin/courses/course/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Cohort (CSV) of Networking basics").click()

    saved = Path(download.value.path())
    rows = list(csv.DictReader(saved.read_text(encoding="utf-8").splitlines()))
    assert download.value.suggested_filename.startswith(f"cohort-{course.slug}-")
    assert sorted(row["username"] for row in rows) == ["ada", "bob"]
    assert {row["lessons_completed"] for row in rows} == {"1"}
