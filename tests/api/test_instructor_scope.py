"""Instructors see the progress of their own students only (Enrollment.objects.visible_to).

In the world, `instructor` owns the courses of API-C01 and `other_instructor` the course of
API-C02; both students are enrolled in API-C01 and have an attempt at its shared exam, but none
studied a course yet.
"""

from __future__ import annotations

from typing import Any

import pytest

from courses.models import Lesson
from tests.api.support import World, course_with_lessons
from tests.factories import LessonProgressFactory

pytestmark = pytest.mark.django_db


def cohort_names(world: World, actor: str, slug: str) -> set[str]:
    response = world.client(actor).get(f"/api/v1/courses/{slug}/cohort/")
    assert response.status_code == 200, response.content
    return {row["student"]["username"] for row in response.json()["results"]}


def test_a_cohort_is_empty_until_a_student_studies_the_course(world: World):
    before = cohort_names(world, "instructor", world.course.slug)
    LessonProgressFactory(student=world.student, lesson=world.lesson)

    assert before == set()
    assert cohort_names(world, "instructor", world.course.slug) == {"ada"}


def test_another_instructors_student_reads_as_missing(world: World):
    other_lesson = Lesson.objects.filter(module__course=world.other_course).first()
    LessonProgressFactory(student=world.other_student, lesson=other_lesson)

    mine = world.client("instructor").get("/api/v1/progress/", {"student": "bob"})
    theirs = world.client("other_instructor").get("/api/v1/progress/", {"student": "bob"})

    assert mine.status_code == 404
    assert mine.json()["message"] == "No such student."
    assert [p["path"] for p in theirs.json()["paths"]] == [world.other_path.code]


def test_a_student_of_a_path_with_a_course_of_mine_is_not_mine_until_they_study_it(world: World):
    co_owned = course_with_lessons(world.path, world.other_instructor, slug="second-course")
    LessonProgressFactory(
        student=world.student, lesson=Lesson.objects.filter(module__course=co_owned).first()
    )

    assert world.client("instructor").get("/api/v1/progress/", {"student": "ada"}).status_code == 404
    assert cohort_names(world, "instructor", world.course.slug) == set()
    assert cohort_names(world, "other_instructor", co_owned.slug) == {"ada"}


def test_an_instructor_assigned_to_a_path_sees_every_student_of_it(world: World):
    world.path.instructors.add(world.other_instructor)

    progress = world.client("other_instructor").get("/api/v1/progress/", {"student": "ada"})

    assert progress.status_code == 200
    assert [p["path"] for p in progress.json()["paths"]] == [world.path.code]
    assert cohort_names(world, "other_instructor", world.course.slug) == {"ada", "bob"}


def test_the_cohort_csv_holds_only_the_instructors_students(world: World):
    LessonProgressFactory(student=world.other_student, lesson=world.lesson)

    response: Any = world.client("instructor").get(f"/api/v1/courses/{world.course.slug}/cohort.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()

    assert [line.split(",")[1] for line in lines[1:]] == ["bob"]
