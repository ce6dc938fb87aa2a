"""The review queue: which of a student's cards are due, and how many."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from ..exceptions import ReviewNotFound
from ..models import ReviewCard

REVIEW_SESSION_SIZE = 50


def list_due_cards(*, student_id: int, now: dt.datetime) -> QuerySet[ReviewCard]:
    """Return the student's cards due at `now`, oldest due first, with their item and domain."""
    return (
        ReviewCard.objects.filter(student_id=student_id, due__lte=now)
        .select_related("item__domain", "item__attempt__exam__path")
        .order_by("due", "id")
    )


def due_count(*, student_id: int, now: dt.datetime) -> int:
    return ReviewCard.objects.filter(student_id=student_id, due__lte=now).count()


def next_due(*, student_id: int, now: dt.datetime) -> dt.datetime | None:
    """Return when the student's next card falls due after `now` (None: the queue is empty)."""
    card = ReviewCard.objects.filter(student_id=student_id, due__gt=now).order_by("due").first()
    return card.due if card else None


def get_card(*, card_id: int, student_id: int) -> ReviewCard:
    """Return the student's card with its item; another student's card reads as missing."""
    card = (
        ReviewCard.objects.select_related("item__domain", "item__attempt__exam__path")
        .filter(pk=card_id, student_id=student_id)
        .first()
    )
    if card is None:
        raise ReviewNotFound("No such review card.")
    return card
