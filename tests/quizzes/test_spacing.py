"""FSRS scheduling of review cards (pure: no database)."""

from __future__ import annotations

import datetime as dt

from quizzes.spacing import ReviewRating, new_schedule, next_schedule, rating_from_answer

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_a_missed_item_is_due_at_once():
    assert new_schedule(NOW).due == NOW


def test_again_brings_a_new_card_back_tomorrow_and_easy_much_later():
    again = next_schedule(new_schedule(NOW), ReviewRating.AGAIN, NOW)
    easy = next_schedule(new_schedule(NOW), ReviewRating.EASY, NOW)

    assert again.due == NOW + dt.timedelta(days=1)
    assert easy.due - NOW > dt.timedelta(days=5)


def test_better_ratings_never_come_back_sooner():
    dues = [next_schedule(new_schedule(NOW), rating, NOW).due for rating in ReviewRating]

    assert dues == sorted(dues)


def test_intervals_grow_while_the_student_keeps_remembering():
    schedule = next_schedule(new_schedule(NOW), ReviewRating.GOOD, NOW)
    first = schedule.due - NOW
    later = next_schedule(schedule, ReviewRating.GOOD, schedule.due)

    assert later.due - schedule.due > first


def test_forgetting_a_well_known_item_shortens_its_interval():
    schedule = new_schedule(NOW)
    for _ in range(3):
        schedule = next_schedule(schedule, ReviewRating.GOOD, schedule.due)
    lapse = next_schedule(schedule, ReviewRating.AGAIN, schedule.due)

    assert lapse.due - schedule.due < schedule.due - (schedule.last_review or NOW)
    assert lapse.stability is not None
    assert schedule.stability is not None
    assert lapse.stability < schedule.stability


def test_the_same_history_gives_the_same_schedule():
    first = next_schedule(new_schedule(NOW), ReviewRating.HARD, NOW)
    again = next_schedule(new_schedule(NOW), ReviewRating.HARD, NOW)

    assert first == again


def test_an_answer_rates_itself_good_when_right_and_again_when_wrong():
    assert rating_from_answer(correct=True) == ReviewRating.GOOD
    assert rating_from_answer(correct=False) == ReviewRating.AGAIN
