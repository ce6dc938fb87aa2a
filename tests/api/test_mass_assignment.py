"""Mass assignment: a body that names a field the client may not write is refused with 400, naming
each such field ("This field is read-only." / "Unknown field."), and nothing is stored. Objects
have no PUT or PATCH at all (405)."""

from __future__ import annotations

from typing import Any

import pytest

from courses.models import Enrollment
from quizzes.models import Attempt, Exam
from tests.api.support import World

pytestmark = pytest.mark.django_db

ATTEMPT_FIELDS = {
    "student": 2,
    "state": "graded",
    "score_percent": 100,
    "passed": True,
    "deadline": "2099-01-01T00:00:00Z",
    "started_at": "2000-01-01T00:00:00Z",
    "item_count": 1,
}


def refused(response: Any, *fields: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == set(fields)


def test_starting_an_attempt_takes_no_fields(world: World):
    client = world.client("instructor")

    response = client.post(f"/api/v1/exams/{world.exam.pk}/attempts/", ATTEMPT_FIELDS, format="json")

    refused(response, *ATTEMPT_FIELDS)
    assert not Attempt.objects.filter(student=world.instructor).exists()


def test_saving_an_answer_cannot_write_the_attempt_or_the_key(world: World):
    body = {
        "position": 1,
        "seq": 1,
        "is_correct": True,
        "state": "graded",
        "score_percent": 100,
        "checked": True,
    }

    response = world.client("student").post(
        f"/api/v1/attempts/{world.attempt.pk}/answers/", body, format="json"
    )

    refused(response, "is_correct", "state", "score_percent", "checked")
    attempt = Attempt.objects.get(pk=world.attempt.pk)
    assert attempt.state == "in_progress"
    assert attempt.score_percent is None
    assert not attempt.items.filter(answer__isnull=False).exists()


def test_submitting_cannot_set_the_score(world: World):
    body = {"state": "graded", "score_percent": 100, "passed": True, "finished_at": "2000-01-01T00:00:00Z"}

    response = world.client("student").post(
        f"/api/v1/attempts/{world.attempt.pk}/submit/", body, format="json"
    )

    refused(response, *body)
    assert Attempt.objects.get(pk=world.attempt.pk).state == "in_progress"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_attempts_cannot_be_edited(world: World, method: str):
    response = getattr(world.client("student"), method)(
        f"/api/v1/attempts/{world.attempt.pk}/", ATTEMPT_FIELDS, format="json"
    )

    assert response.status_code == 405
    attempt = Attempt.objects.get(pk=world.attempt.pk)
    assert (attempt.state, attempt.score_percent, attempt.student_id) == (
        "in_progress",
        None,
        world.student.pk,
    )


def test_enrolling_cannot_choose_the_student_or_the_date(world: World):
    body = {
        "path": world.other_path.code,
        "student": world.other_student.pk,
        "created_at": "2000-01-01T00:00:00Z",
    }

    response = world.client("student").post("/api/v1/enrollments/", body, format="json")

    refused(response, "student", "created_at")
    assert not Enrollment.objects.filter(path=world.other_path, student=world.student).exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_enrollments_cannot_be_edited(world: World, method: str):
    response = getattr(world.client("student"), method)(
        f"/api/v1/enrollments/{world.enrollment.pk}/", {"path": world.other_path.code}, format="json"
    )

    assert response.status_code == 405
    assert Enrollment.objects.get(pk=world.enrollment.pk).path == world.path


def test_creating_a_practice_set_cannot_set_owner_policy_or_publication(world: World):
    before = Exam.objects.count()
    body = {
        "path": world.path.code,
        "item_count": 2,
        "owner": world.other_student.pk,
        "kind": "full",
        "review_policy": "full",
        "pass_percent": 1,
        "is_published": False,
        "max_attempts": 99,
        "id": 1,
        "is_own": False,
    }

    response = world.client("student").post("/api/v1/exams/", body, format="json")

    refused(
        response,
        "owner",
        "kind",
        "review_policy",
        "pass_percent",
        "is_published",
        "max_attempts",
        "id",
        "is_own",
    )
    assert Exam.objects.count() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_exams_cannot_be_edited_or_deleted(world: World, method: str):
    response = getattr(world.client("student"), method)(
        f"/api/v1/exams/{world.practice_set.pk}/", {"pass_percent": 1}, format="json"
    )

    assert response.status_code == 405
    assert Exam.objects.get(pk=world.practice_set.pk).pass_percent != 1


def test_a_practice_set_is_always_the_callers(world: World):
    response = world.client("student").post(
        "/api/v1/exams/", {"path": world.path.code.lower(), "item_count": 2, "minutes": 15}, format="json"
    )

    assert response.status_code == 201
    exam = Exam.objects.get(pk=response.json()["id"])
    assert (exam.owner, exam.kind, exam.minutes) == (world.student, "practice", 15)
    assert response.json()["is_own"] is True
