"""POST /api/v1/attempts/{id}/retake/: the missed items as a new practice attempt, over the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from quizzes.models import Attempt, Question, QuestionStatus
from tests.api.support import key_leaks, token_for
from tests.factories import UserFactory
from tests.quizzes.graded import graded_attempt, small_exam

pytestmark = pytest.mark.django_db


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def test_a_retake_answers_201_with_exactly_the_missed_items_and_no_key(student):
    graded = graded_attempt(small_exam(), student, right=5, wrong=1)

    response = client_for(student).post(f"/api/v1/attempts/{graded.pk}/retake/", {}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (len(body["items"]), body["left_out"], body["deadline"]) == (3, 0, None)
    assert Attempt.objects.get(pk=body["id"]).retake_of_id == graded.pk
    assert key_leaks(response.content.decode()) == []


def test_a_second_retake_answers_200_with_the_open_one(student):
    graded = graded_attempt(small_exam(), student, right=5)
    client = client_for(student)
    first = client.post(f"/api/v1/attempts/{graded.pk}/retake/", {}, format="json").json()

    again = client.post(f"/api/v1/attempts/{graded.pk}/retake/", {}, format="json")

    assert (again.status_code, again.json()["id"]) == (200, first["id"])


def test_a_retake_reports_the_retired_questions_it_left_out(student):
    graded = graded_attempt(small_exam(), student, right=5)
    retired = graded.items.get(position=8).question_id
    Question.objects.filter(pk=retired).update(status=QuestionStatus.RETIRED)

    body = client_for(student).post(f"/api/v1/attempts/{graded.pk}/retake/", {}, format="json").json()

    assert (len(body["items"]), body["left_out"]) == (2, 1)


def test_another_students_attempt_reads_as_missing(student):
    graded = graded_attempt(small_exam(), student, right=5)

    response = client_for(UserFactory.create()).post(
        f"/api/v1/attempts/{graded.pk}/retake/", {}, format="json"
    )

    assert response.status_code == 404


def test_a_perfect_attempt_answers_409_nothing_to_retake(student):
    graded = graded_attempt(small_exam(), student, right=8)

    response = client_for(student).post(f"/api/v1/attempts/{graded.pk}/retake/", {}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "nothing_to_retake")
