"""The review queue: filled when an attempt is graded, worked through one due card at a time."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes import grading, services, tasks
from quizzes.exceptions import InvalidAnswer, ReviewNotDue, ReviewNotFound
from quizzes.models import Attempt, AttemptItem, ReviewCard, ReviewLog, ReviewPolicy
from quizzes.services.reviews import review_card
from quizzes.spacing import ReviewRating
from tests.factories import UserFactory
from tests.quizzes.delivery import bank_for, exam_for, path_with_domains
from tests.quizzes.test_grading import answer_all, reviews_queued
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db


def graded_attempt(student, *, right: int, items: int = 6, flag: int | None = None, **exam_fields) -> Attempt:
    path = path_with_domains((50, 50))
    bank_for(path, per_domain=items // 2)  # every attempt sees the whole bank
    exam = exam_for(path, item_count=items, **exam_fields)
    attempt = services.start_attempt(exam=exam, student=student, now=timezone.now())
    answer_all(attempt, student, right=right)
    if flag is not None:
        AttemptItem.objects.filter(attempt=attempt, position=flag).update(flagged=True)
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    # With the real worker running (make test), the submit has also sent it the grading: it may
    # hold this attempt's row lock for a moment (grading it, queueing its reviews, or finding it
    # graded already), and the sweep skips locked rows; so sweep until the reviews are queued.
    wait_until(lambda: sweep_reviews_of(attempt), timeout=20, what="the attempt's reviews to be queued")
    attempt.refresh_from_db()
    return attempt


def sweep_reviews_of(attempt: Attempt) -> bool:
    grading.queue_waiting_reviews()
    return reviews_queued(attempt.pk)


def wrong_option(card: ReviewCard) -> str:
    return str(next(i for i in card.item.option_ids if i not in card.item.key))


# --- Filling the queue when grading -------------------------------------------------------------


def test_grading_queues_every_wrong_item_and_each_flagged_right_one(student):
    attempt = graded_attempt(student, right=4, flag=1)

    queued = set(ReviewCard.objects.filter(student=student).values_list("item__position", flat=True))

    assert queued == {1, 5, 6}
    assert all(c.due <= timezone.now() for c in ReviewCard.objects.filter(student=student))
    assert attempt.items.get(position=5).question_id in set(
        ReviewCard.objects.values_list("question_id", flat=True)
    )


def test_grading_stores_each_item_score(student):
    attempt = graded_attempt(student, right=4)

    assert attempt.item_scores == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    assert attempt.items.get(position=5).score == 0.0


def submitted(student, *, right: int, seed: int | None = None) -> Attempt:
    path = path_with_domains((50, 50))
    bank_for(path, per_domain=6)
    exam = exam_for(path, item_count=6)
    attempt = services.start_attempt(exam=exam, student=student, now=timezone.now(), seed=seed)
    answer_all(attempt, student, right=right)
    return services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())


def test_grading_leaves_the_queue_to_its_own_task(student):
    attempt = submitted(student, right=0)

    grading.grade_attempt(attempt_id=attempt.pk)

    assert not ReviewCard.objects.exists()
    assert grading.queue_waiting_reviews() == [attempt.pk]
    assert ReviewCard.objects.filter(student=student).count() == 6


def test_an_attempt_is_queued_once(student):
    attempt = submitted(student, right=0)
    grading.grade_attempt(attempt_id=attempt.pk)
    grading.queue_waiting_reviews()
    ReviewCard.objects.update(due=timezone.now() + dt.timedelta(days=3))  # reviewed since

    assert grading.queue_waiting_reviews() == []
    assert not ReviewCard.objects.filter(due__lte=timezone.now()).exists()


def test_the_grading_task_sends_the_review_queue_task(student, monkeypatch):
    attempt = submitted(student, right=0)
    sent = []
    monkeypatch.setattr(tasks.queue_missed_reviews, "apply_async", lambda **kwargs: sent.append(kwargs))

    tasks.grade_attempt(attempt.pk)

    assert sent == [{"retry": False}]


def test_the_sweepers_queue_what_no_task_did(student):
    attempt = submitted(student, right=0)
    grading.grade_attempt(attempt_id=attempt.pk)  # graded, but its review task was lost

    call_command("run_sweepers", "--once", stdout=StringIO())

    assert ReviewCard.objects.filter(student=student).count() == 6
    assert Attempt.objects.get(pk=attempt.pk).reviews_queued_at is not None


def test_deleting_an_attempt_deletes_the_cards_of_its_items(student):
    attempt = graded_attempt(student, right=0)
    other = graded_attempt(UserFactory(), right=0)

    attempt.delete()

    assert not ReviewCard.objects.filter(student=student).exists()
    assert ReviewCard.objects.filter(item__attempt=other).count() == 6


def test_the_queue_is_filled_in_one_statement(student):
    attempt = submitted(student, right=0)
    grading.grade_attempt(attempt_id=attempt.pk)

    with CaptureQueriesContext(connection) as queries:
        grading.queue_waiting_reviews()

    inserts = [q["sql"] for q in queries.captured_queries if "INSERT INTO quizzes_reviewcard" in q["sql"]]
    assert len(inserts) == 1
    assert ReviewCard.objects.filter(student=student).count() == 6


def test_the_queue_is_written_in_student_and_question_order(student):
    attempt = submitted(student, right=0, seed=7)
    grading.grade_attempt(attempt_id=attempt.pk)

    grading.queue_waiting_reviews()

    # two graders whose batches share students then lock the cards in one order: no deadlock
    rows = list(ReviewCard.objects.order_by("id").values_list("student_id", "question_id"))
    shuffled_order = list(attempt.items.order_by("position").values_list("question_id", flat=True))
    assert len(rows) == 6
    assert rows == sorted(rows)
    assert shuffled_order != sorted(shuffled_order)  # the attempt's own order would not do


def test_an_exam_that_hides_the_key_queues_nothing(student):
    graded_attempt(student, right=0, review_policy=ReviewPolicy.ANSWERS_ONLY)

    assert not ReviewCard.objects.filter(student=student).exists()


def test_missing_a_queued_question_again_makes_it_due_now_and_keeps_one_card(student):
    attempt = graded_attempt(student, right=0)
    card = ReviewCard.objects.filter(student=student).first()
    later = timezone.now() + dt.timedelta(days=30)
    ReviewCard.objects.filter(pk=card.pk).update(due=later, reviews=3)
    exam = attempt.exam
    again = services.start_attempt(exam=exam, student=student, now=timezone.now())
    answer_all(again, student, right=0)
    services.submit_attempt(attempt_id=again.pk, student=student, now=timezone.now())

    grading.grade_attempt(attempt_id=again.pk)
    grading.queue_waiting_reviews()

    card.refresh_from_db()
    assert ReviewCard.objects.filter(student=student, question=card.question).count() == 1
    assert card.due <= timezone.now()
    assert card.reviews == 3
    assert card.item.attempt_id == again.pk


# --- Reviewing ---------------------------------------------------------------------------------------


@pytest.fixture
def card(student) -> ReviewCard:
    graded_attempt(student, right=5)
    return ReviewCard.objects.select_related("item").get(student=student)


def test_a_right_answer_without_a_rating_rates_good_and_schedules_days_ahead(card, student):
    now = timezone.now()

    outcome = review_card(card_id=card.pk, student=student, now=now, selected=sorted(card.item.key))

    assert outcome.correct is True
    assert outcome.log.rating == ReviewRating.GOOD
    assert outcome.log.rated_by_student is False
    card.refresh_from_db()
    assert card.due - now >= dt.timedelta(days=2)
    assert (card.reviews, card.lapses) == (1, 0)


def test_a_wrong_answer_rates_again_and_returns_tomorrow(card, student):
    now = timezone.now()

    outcome = review_card(card_id=card.pk, student=student, now=now, selected=[wrong_option(card)])

    assert (outcome.correct, outcome.log.rating) == (False, ReviewRating.AGAIN)
    card.refresh_from_db()
    assert card.due == now + dt.timedelta(days=1)
    assert card.lapses == 1


def test_the_students_own_rating_wins_over_the_answer(card, student):
    now = timezone.now()

    outcome = review_card(
        card_id=card.pk, student=student, now=now, selected=[wrong_option(card)], rating=ReviewRating.EASY
    )

    assert outcome.log.rating == ReviewRating.EASY
    assert outcome.log.rated_by_student is True
    assert outcome.log.correct is False


def test_a_card_reviewed_already_is_not_due_and_a_second_review_changes_nothing(card, student):
    now = timezone.now()
    review_card(card_id=card.pk, student=student, now=now, rating=ReviewRating.GOOD)

    with pytest.raises(ReviewNotDue):
        review_card(card_id=card.pk, student=student, now=now, rating=ReviewRating.AGAIN)

    assert ReviewLog.objects.filter(card=card).count() == 1


def test_another_students_card_reads_as_missing(card):
    with pytest.raises(ReviewNotFound):
        review_card(card_id=card.pk, student=UserFactory(), now=timezone.now(), rating=ReviewRating.GOOD)


def test_an_option_the_item_lacks_is_refused_and_nothing_is_recorded(card, student):
    with pytest.raises(InvalidAnswer):
        review_card(card_id=card.pk, student=student, now=timezone.now(), selected=["not-an-option"])

    card.refresh_from_db()
    assert card.reviews == 0
    assert not ReviewLog.objects.exists()


# --- The pages ---------------------------------------------------------------------------------------


def test_the_dashboard_counts_the_items_due(client: Client, card, student):
    client.force_login(student)

    assert "1 item due for review today." in client.get("/dashboard/").content.decode()


def test_a_review_in_the_browser_checks_the_answer_then_records_the_rating(client: Client, card, student):
    client.force_login(student)
    assert "Check answer" in client.get("/reviews/").content.decode()

    reveal = client.post(f"/reviews/{card.pk}/check", {"selected": [wrong_option(card)]}).content.decode()
    assert "Not quite" in reveal
    assert "Suggested from your answer: Again" in reveal
    assert card.item.snapshot["explanation_html"] in reveal
    card.refresh_from_db()
    assert card.reviews == 0  # checking records nothing

    response = client.post(f"/reviews/{card.pk}/rate", {"selected": [wrong_option(card)], "rating": "hard"})

    assert response.status_code == 302
    log = ReviewLog.objects.get(card=card)
    assert (log.rating, log.correct, log.rated_by_student) == (ReviewRating.HARD, False, True)
    assert "Nothing due for review." in client.get("/reviews/").content.decode()


def test_rating_a_card_twice_in_the_browser_says_when_it_is_due(client: Client, card, student):
    client.force_login(student)
    client.post(f"/reviews/{card.pk}/rate", {"rating": "good"})

    page = client.post(f"/reviews/{card.pk}/rate", {"rating": "good"}, follow=True).content.decode()

    assert "not due for review until" in page
    assert ReviewLog.objects.filter(card=card).count() == 1


def test_another_students_card_is_a_404_page(client: Client, card):
    client.force_login(UserFactory.create())

    assert client.post(f"/reviews/{card.pk}/check", {"selected": []}).status_code == 404
