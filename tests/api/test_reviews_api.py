"""/api/v1/reviews/: the caller's due cards, and answering or rating one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from quizzes.models import ReviewCard, ReviewLog
from tests.factories import UserFactory
from tests.quizzes.test_reviews import graded_attempt, wrong_option

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(student) -> list[ReviewCard]:
    graded_attempt(student, right=4)
    return list(ReviewCard.objects.select_related("item").filter(student=student).order_by("id"))


def test_the_list_shows_due_cards_without_their_key(api_client, student, cards):
    api_client.force_authenticate(student)

    body = api_client.get("/api/v1/reviews/").json()

    assert body["count"] == 2
    item = body["results"][0]["item"]
    assert set(item) == {"qtype", "choose", "stem_html", "case_study", "options"}
    assert all(set(o) == {"id", "text_html"} for o in item["options"])


def test_cards_not_yet_due_and_other_students_cards_are_not_listed(api_client, student, cards):
    ReviewCard.objects.filter(pk=cards[0].pk).update(due=timezone.now() + dt.timedelta(days=3))
    graded_attempt(UserFactory(), right=0)
    api_client.force_authenticate(student)

    body = api_client.get("/api/v1/reviews/").json()

    assert [c["id"] for c in body["results"]] == [cards[1].pk]


def test_posting_an_answer_rates_it_and_shows_the_key(api_client, student, cards):
    card = cards[0]
    api_client.force_authenticate(student)

    response = api_client.post(
        f"/api/v1/reviews/{card.pk}/", {"selected": [wrong_option(card)]}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["correct"], body["rating"], body["rated_by_student"]) == (False, "again", False)
    assert {o["id"] for o in body["options"] if o["is_correct"]} == card.item.key
    assert body["explanation_html"]
    assert dt.datetime.fromisoformat(body["next_due"]) > timezone.now()


def test_posting_a_rating_alone_schedules_by_it(api_client, student, cards):
    api_client.force_authenticate(student)

    body = api_client.post(f"/api/v1/reviews/{cards[0].pk}/", {"rating": "easy"}, format="json").json()

    assert (body["correct"], body["rating"], body["rated_by_student"]) == (None, "easy", True)


def test_a_second_review_before_it_is_due_is_a_409(api_client, student, cards):
    api_client.force_authenticate(student)
    api_client.post(f"/api/v1/reviews/{cards[0].pk}/", {"rating": "good"}, format="json")

    response = api_client.post(f"/api/v1/reviews/{cards[0].pk}/", {"rating": "good"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "review_not_due"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "non_field_errors"), ({"rating": "perfect"}, "rating"), ({"score": 5, "rating": "good"}, "score")],
)
def test_bad_input_is_a_400_naming_the_field_and_records_nothing(api_client, student, cards, payload, field):
    api_client.force_authenticate(student)

    response = api_client.post(f"/api/v1/reviews/{cards[0].pk}/", payload, format="json")

    assert response.status_code == 400
    assert field in str(response.json())
    assert not ReviewLog.objects.exists()


def test_another_students_card_is_a_404(api_client, cards):
    api_client.force_authenticate(UserFactory())

    assert api_client.get(f"/api/v1/reviews/{cards[0].pk}/").status_code == 404
    assert (
        api_client.post(f"/api/v1/reviews/{cards[0].pk}/", {"rating": "good"}, format="json").status_code
        == 404
    )


def test_anonymous_callers_are_refused(api_client, cards):
    assert api_client.get("/api/v1/reviews/").status_code in (401, 403)
