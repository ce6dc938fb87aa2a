"""Spaced review: when a missed item comes back, scheduled by FSRS (pure: no database).

The scheduler is the `fsrs` package (FSRS-6, its published default parameters, 90% desired
retention). Reviews are daily sessions, so there are no intra-day learning steps: every rating
schedules whole days (Again: 1 day, then intervals grow with the card's stability). Fuzzing is
off, so the same history always gives the same schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

from fsrs import Card, Rating, Scheduler, State

_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


class ReviewRating(IntEnum):
    """How well the student recalled the item (the four FSRS grades)."""

    AGAIN = Rating.Again.value
    HARD = Rating.Hard.value
    GOOD = Rating.Good.value
    EASY = Rating.Easy.value

    @property
    def label(self) -> str:
        return self.name.capitalize()


RATING_NAMES = {rating.name.lower(): rating for rating in ReviewRating}


def rating_from_answer(*, correct: bool) -> ReviewRating:
    """Return the rating a review earns when the student does not rate it: Good if right, else Again."""
    return ReviewRating.GOOD if correct else ReviewRating.AGAIN


@dataclass(frozen=True)
class Schedule:
    """A card's FSRS memory state and when it is next due."""

    due: dt.datetime
    state: int = State.Learning.value
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: dt.datetime | None = None


def new_schedule(now: dt.datetime) -> Schedule:
    """Return the schedule of an item just missed: due at once, nothing learnt yet."""
    return Schedule(due=now)


def next_schedule(schedule: Schedule, rating: ReviewRating, now: dt.datetime) -> Schedule:
    """Return the schedule after a review at `now` rated `rating`."""
    card = Card(
        card_id=0,  # the id is ours; without one fsrs sleeps 1 ms to make one
        state=State(schedule.state),
        step=schedule.step,
        stability=schedule.stability,
        difficulty=schedule.difficulty,
        due=schedule.due,
        last_review=schedule.last_review,
    )
    card, _ = _SCHEDULER.review_card(card, Rating(rating.value), review_datetime=now)
    return Schedule(
        due=card.due,
        state=card.state.value,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review,
    )
