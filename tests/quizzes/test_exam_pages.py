"""The exam pages over HTTP: status codes, error bodies, query counts."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from quizzes import services
from quizzes.models import Answer, Attempt, AttemptState
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam():
    path = path_with_domains()
    bank_for(path, per_domain=25)
    return exam_for(path, item_count=20)


@pytest.fixture
def attempt(exam, student):
    return services.start_attempt(exam=exam, student=student, now=timezone.now())


def post_json(client: Client, url: str, body: object):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def save(client: Client, attempt, body: object):
    """Save as the exam page does: the API's answers endpoint, with the page's session."""
    return post_json(client, f"/api/v1/attempts/{attempt.pk}/answers/", body)


def test_start_button_creates_the_attempt_and_opens_the_exam_page(client, exam, student):
    client.force_login(student)

    response = client.post(f"/exams/{exam.pk}/start")

    attempt = Attempt.objects.get(student=student)
    assert response.status_code == 302
    assert response["Location"] == f"/attempts/{attempt.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Item 1 of 20" in page
    assert "Flag for review" in page


def test_start_is_refused_with_a_message_when_the_bank_is_too_small(client, student):
    path = path_with_domains()
    bank_for(path, per_domain=1)
    exam = exam_for(path, item_count=40)
    client.force_login(student)

    response = client.post(f"/exams/{exam.pk}/start", follow=True)

    assert "The question bank cannot supply this exam" in response.content.decode()
    assert not Attempt.objects.exists()


def test_exam_page_never_contains_the_key_or_explanations(client, attempt, student):
    client.force_login(student)

    page = client.get(f"/attempts/{attempt.pk}/").content.decode()

    assert "is_correct" not in page
    assert "Because option A" not in page
    assert "Why Option" not in page


@pytest.mark.parametrize("item_count", [5, 40])
def test_exam_page_query_count_does_not_grow_with_the_exam(
    client, student, item_count, django_assert_num_queries
):
    path = path_with_domains()
    bank_for(path, per_domain=15)
    attempt = services.start_attempt(
        exam=exam_for(path, item_count=item_count), student=student, now=timezone.now()
    )
    client.force_login(student)

    # the user (the session comes from the cache), attempt (+exam, path), items (+answers, domains)
    with django_assert_num_queries(3):
        assert client.get(f"/attempts/{attempt.pk}/").status_code == 200


@pytest.mark.parametrize("item_count", [5, 40])
def test_answer_save_query_count_does_not_grow_with_the_exam(
    client, student, item_count, django_assert_num_queries
):
    path = path_with_domains()
    bank_for(path, per_domain=15)
    attempt = services.start_attempt(
        exam=exam_for(path, item_count=item_count), student=student, now=timezone.now()
    )
    option = attempt.items.get(position=2).option_ids[0]
    client.force_login(student)
    save(client, attempt, {"position": 1, "seq": 1, "selected": []})  # the exam page's first request

    # the session and its user come from the cache: one guarded upsert of the answer, with no
    # transaction, no lock statement, no health check
    with django_assert_num_queries(1):
        response = save(client, attempt, {"position": 2, "seq": 2, "selected": [option]})
    assert response.status_code == 200


def test_the_exam_page_saves_through_the_api_with_its_session(client, attempt, student):
    option = attempt.items.get(position=1).option_ids[1]
    client.force_login(student)

    response = save(client, attempt, {"position": 1, "seq": 3, "selected": [option]})

    assert response.json() | {} == {
        "saved": True,
        "stale": False,
        "position": 1,
        "seq": 3,
        "selected": [option],
        "flagged": False,
        "feedback": None,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"selected": [1]},
        {"seq": "x"},
        {"seq": 1, "selected": "1"},
        {"seq": 1, "flagged": "perhaps"},
        [1, 2],
        {"seq": 0},
    ],
)
def test_malformed_saves_get_a_400_with_a_message(client, attempt, student, body):
    client.force_login(student)

    response = save(client, attempt, body if not isinstance(body, dict) else {"position": 1, **body})

    assert response.status_code == 400
    assert response.json()["message"]
    assert not Answer.objects.exists()


def test_an_option_of_another_item_gets_a_400(client, attempt, student):
    other = attempt.items.get(position=2).option_ids[0]
    client.force_login(student)

    response = save(client, attempt, {"position": 1, "seq": 1, "selected": [other]})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"


def test_another_students_attempt_is_a_404_for_every_page(client, attempt):
    client.force_login(UserFactory())

    assert client.get(f"/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/attempts/{attempt.pk}/result").status_code == 404
    assert save(client, attempt, {"position": 1, "seq": 1, "selected": []}).status_code == 404
    assert client.post(f"/attempts/{attempt.pk}/submit").status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


def test_a_save_after_submit_is_a_409_and_stores_nothing(client, attempt, student):
    client.force_login(student)
    client.post(f"/attempts/{attempt.pk}/submit")
    option = attempt.items.get(position=1).option_ids[0]

    response = save(client, attempt, {"position": 1, "seq": 1, "selected": [option]})

    assert response.status_code == 409
    assert "submitted" in response.json()["message"]
    assert not Answer.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, attempt):
    response = client.get(f"/attempts/{attempt.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_submit_leads_to_the_result_page_that_says_grading(client, attempt, student):
    client.force_login(student)

    response = client.post(f"/attempts/{attempt.pk}/submit", follow=True)

    assert "Grading" in response.content.decode()
