"""Spaced review: answer and rate a due card; FSRS (quizzes.spacing) schedules its next review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ..exceptions import InvalidAnswer, ReviewNotDue, ReviewNotFound
from ..models import ReviewCard, ReviewLog
from ..scoring import OptionId
from ..spacing import ReviewRating, next_schedule, rating_from_answer


@dataclass(frozen=True)
class ReviewOutcome:
    card: ReviewCard
    log: ReviewLog
    correct: bool | None


def answer_is_correct(card: ReviewCard, selected: Sequence[OptionId]) -> bool:
    """Return whether selected is exactly the key of the card's item; refuse options it lacks."""
    item = card.item
    if item.is_placement:
        problem = item.placement_problem(list(dict.fromkeys(map(str, selected))))
        if problem:
            raise InvalidAnswer(problem)
        return set(map(str, selected)) == item.key
    unknown = set(selected) - set(item.option_ids)
    if unknown:
        raise InvalidAnswer("Some selected options are not options of this item.")
    if len(set(selected)) > item.choose:
        raise InvalidAnswer(f"Choose at most {item.choose} option(s).")
    return set(selected) == item.key


def review_card(
    *,
    card_id: int,
    student: Any,
    now: dt.datetime,
    selected: Sequence[OptionId] | None = None,
    rating: ReviewRating | None = None,
) -> ReviewOutcome:
    """Record one review of a due card and schedule the next one.

    The student answers (`selected`), rates their recall (`rating`), or both; an answer without a
    rating is rated from its correctness (right: Good, wrong: Again). Raises ReviewNotFound for
    another student's card, ReviewNotDue when it was reviewed already and is not due again (a
    double submit changes nothing), InvalidAnswer for options the item lacks or neither field.
    """
    if selected is None and rating is None:
        raise InvalidAnswer("Send an answer (selected), a rating, or both.")
    with transaction.atomic():
        card = (
            ReviewCard.objects.select_for_update(of=("self",))
            .select_related("item")
            .filter(pk=card_id, student_id=student.pk)
            .first()
        )
        if card is None:
            raise ReviewNotFound("No such review card.")
        if card.due > now:
            raise ReviewNotDue(f"This item is not due for review until {card.due:%d %b %Y %H:%M} UTC.")
        correct = answer_is_correct(card, selected) if selected is not None else None
        applied = rating if rating is not None else rating_from_answer(correct=bool(correct))
        card.apply(next_schedule(card.schedule, applied, now), applied)
        card.save()
        log = ReviewLog.objects.create(
            card=card,
            reviewed_at=now,
            rating=applied,
            rated_by_student=rating is not None,
            selected=list(selected) if selected is not None else None,
            correct=correct,
            next_due=card.due,
        )
    return ReviewOutcome(card=card, log=log, correct=correct)
