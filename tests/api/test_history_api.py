"""GET /api/v1/progress/history/: graded attempts per path, oldest first (the history page's data)."""

from __future__ import annotations

from typing import Any

import pytest

from quizzes.selectors import open_attempt
from tests.api.support import World, start, submit_and_grade
from tests.factories import LessonProgressFactory
from tests.quizzes.delivery import exam_for
from tests.quizzes.test_grading import answer_all

pytestmark = pytest.mark.django_db


def graded_attempt(world: World, student: Any, *, right: int, exam: Any = None) -> Any:
    """Grade the student's open attempt at the exam (the world's shared one by default)."""
    exam = exam or world.exam
    attempt = open_attempt(exam=exam, student_id=student.pk) or start(exam, student)
    answer_all(attempt, student, right=right)
    return submit_and_grade(attempt)


def test_history_lists_the_callers_graded_attempts_per_path(world: World):
    attempt = graded_attempt(world, world.student, right=3)

    response = world.client("student").get("/api/v1/progress/history/")

    assert response.status_code == 200
    assert response.json() == {
        "student": {"id": world.student.pk, "username": "ada"},
        "paths": [
            {
                "path": "API-C01",
                "name": world.path.name,
                "pass_percent": 72,
                "attempts": [
                    {
                        "id": attempt.pk,
                        "exam": "Shared exam",
                        "finished_at": attempt.finished_at.isoformat().replace("+00:00", "Z"),
                        "score_percent": 75.0,
                        "scaled_score": attempt.scaled_score,
                        "passed": True,
                        "submitted_by": "student",
                    }
                ],
            }
        ],
    }


def test_history_leaves_out_the_attempt_still_open(world: World):
    body = world.client("student").get("/api/v1/progress/history/").json()

    assert body["paths"] == []


def test_history_can_keep_one_path(world: World):
    graded_attempt(world, world.student, right=2)

    other = world.client("student").get("/api/v1/progress/history/", {"path": "api-c02"}).json()
    this = world.client("student").get("/api/v1/progress/history/", {"path": "api-c01"}).json()

    assert other["paths"] == []
    assert [p["path"] for p in this["paths"]] == ["API-C01"]


def test_an_instructor_reads_the_history_of_their_own_student(world: World):
    graded_attempt(world, world.student, right=2)
    LessonProgressFactory(student=world.student, lesson=world.lesson)

    response = world.client("instructor").get("/api/v1/progress/history/", {"student": "ada"})

    assert response.status_code == 200
    assert [p["path"] for p in response.json()["paths"]] == ["API-C01"]


def test_another_students_history_reads_as_missing(world: World):
    response = world.client("other_student").get("/api/v1/progress/history/", {"student": "ada"})

    assert response.status_code == 404


def test_history_needs_a_signed_in_caller(world: World):
    assert world.client(None).get("/api/v1/progress/history/").status_code in (401, 403)


def test_history_is_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any):
    other_exam = exam_for(world.other_path, item_count=2)
    for right in (1, 3, 4):
        graded_attempt(world, world.student, right=right)
        graded_attempt(world, world.student, right=1, exam=other_exam)
    client = world.client("student")

    with django_assert_num_queries(2):  # the token with its user, the attempts with exams and paths
        response = client.get("/api/v1/progress/history/")

    assert [len(p["attempts"]) for p in response.json()["paths"]] == [3, 3]


def test_the_schema_documents_the_history(world: World):
    schema = world.client(None).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/v1/progress/history/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"student", "path"}
    assert "200" in operation["responses"]
