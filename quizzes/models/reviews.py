"""Spaced review: items a student missed or flagged come back on an FSRS schedule (quizzes.spacing)."""

from __future__ import annotations

from django.db import models

from ..spacing import ReviewRating, Schedule
from .attempts import AttemptItem
from .banks import Question


class ReviewCard(models.Model):
    """One question in one student's review queue, with its FSRS memory state.

    The item is the latest sighting the student missed or flagged: its frozen snapshot (stem,
    options, key, explanation) is what the review shows.
    """

    # No index of its own: the unique (student, question) index serves lookups by student.
    student = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="review_cards", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # No database constraint: checking one locks the item's row, and the queue inserts about 30
    # cards an attempt, so every check rewrote a page of the (large) items table. The queue takes
    # item ids from the items table in the same statement, and Django still deletes an item's
    # cards with the item (on_delete runs in the ORM; the column keeps its index).
    item = models.ForeignKey(AttemptItem, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    due = models.DateTimeField()
    state = models.PositiveSmallIntegerField(default=1, help_text="FSRS: 1 learning, 2 review, 3 relearning.")
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0, help_text="Reviews rated Again.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "question"], name="review_card_once_per_question")
        ]
        indexes = [models.Index(fields=["student", "due"], name="review_card_due_idx")]

    def __str__(self) -> str:
        return f"{self.student_id}: question {self.question_id} due {self.due:%Y-%m-%d}"

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            due=self.due,
            state=self.state,
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            last_review=self.last_review,
        )

    def apply(self, schedule: Schedule, rating: ReviewRating) -> None:
        """Take the schedule a review produced (call holding the card's row lock)."""
        self.due = schedule.due
        self.state = schedule.state
        self.step = schedule.step
        self.stability = schedule.stability
        self.difficulty = schedule.difficulty
        self.last_review = schedule.last_review
        self.reviews += 1
        self.lapses += rating == ReviewRating.AGAIN


class ReviewLog(models.Model):
    """One review of a card: what the student answered, how it was rated, and the new due date."""

    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="logs")
    reviewed_at = models.DateTimeField()
    rating = models.PositiveSmallIntegerField(choices=[(r.value, r.label) for r in ReviewRating])
    rated_by_student = models.BooleanField(help_text="False: rated from the answer's correctness.")
    selected = models.JSONField(null=True, blank=True, help_text="Null: the student rated without answering.")
    correct = models.BooleanField(null=True, blank=True)
    next_due = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"card {self.card_id} {ReviewRating(self.rating).label} at {self.reviewed_at:%Y-%m-%d %H:%M}"

    @property
    def rating_name(self) -> str:
        return ReviewRating(self.rating).name.lower()
