"""Attempts: a student's sitting of an exam, frozen items, answers and the grade."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from courses.models import ExamDomain

from ..scoring import OptionId, split_placement
from .banks import Question
from .exams import Exam


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted, grading"
    GRADED = "graded", "Graded"
    NEEDS_ATTENTION = "attention", "Grading failed: needs attention"


class SubmittedBy(models.TextChoices):
    STUDENT = "student", "the student"
    TIMER = "timer", "the timer, when time ran out"
    SWEEPER = "sweeper", "the server, at the deadline (the exam page was closed)"


# A submit this close to the deadline that the page says its timer made counts as the timer's:
# the page counts down from whole seconds on its own clock, so it may reach zero a little early.
TIMER_TOLERANCE = dt.timedelta(seconds=5)


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def with_current_position(self) -> AttemptQuerySet:
        """Annotate `current_position`: the item of the newest stored answer (1 before any).

        Derived, not stored, so a save never writes the attempt row.
        """
        newest = (
            Answer.objects.filter(item__attempt=OuterRef("pk"))
            .order_by("-saved_at", "-id")
            .values("item__position")[:1]
        )
        return self.annotate(current_position=Coalesce(Subquery(newest), 1))


class Attempt(models.Model):
    """One sitting. Transitions happen under a row lock (see quizzes.services)."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    student = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="attempts")
    seed = models.BigIntegerField(help_text="Seeds the draw and the shuffles, so they can be reproduced.")
    state = models.CharField(max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True, help_text="Empty for an untimed attempt.")
    item_count = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When the student stopped: submit time, or the deadline if swept."
    )
    submitted_by = models.CharField(
        max_length=8, choices=SubmittedBy.choices, blank=True, help_text="Who submitted it; empty while open."
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    raw_score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    score_percent = models.FloatField(null=True, blank=True)
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    item_scores = models.JSONField(
        null=True,
        blank=True,
        help_text="Points earned on each item, 0 to 1, in position order (item n at n - 1): set by grading.",
    )
    reviews_queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its missed and flagged items entered the review queue (empty: not yet).",
    )
    grading_tries = models.PositiveSmallIntegerField(default=0)
    grading_error = models.TextField(blank=True)
    retake_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retakes",
        help_text="The graded attempt whose missed items this attempt retakes (services.retakes).",
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "student"],
                condition=Q(state="in_progress"),
                name="one_open_attempt_per_exam_and_student",
                violation_error_message="You already have an attempt in progress for this exam.",
            )
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="attempt_state_deadline_idx"),
            # Item analysis finds what was graded since its last run.
            models.Index(fields=["graded_at"], name="attempt_graded_at_idx"),
            # Graders take the oldest submits first; the review queue, the graded attempts it has not
            # taken yet. Both indexes hold only the rows waiting.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(state="submitted"),
                name="attempt_grading_waiting_idx",
            ),
            models.Index(
                fields=["graded_at"],
                condition=Q(state="graded", reviews_queued_at__isnull=True),
                name="attempt_reviews_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk} of {self.exam} by {self.student}"

    def get_absolute_url(self) -> str:
        return reverse("attempt", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    def accepts_saves(self, now: dt.datetime, *, grace: dt.timedelta) -> bool:
        """Return whether answers may still be stored: open, and before the deadline plus grace."""
        return self.is_open and (self.deadline is None or now <= self.deadline + grace)

    def close(self, *, now: dt.datetime, by: SubmittedBy) -> None:
        """Mark the attempt submitted (call holding its row lock). A late close counts at the deadline."""
        if not self.is_open:
            raise ValueError(f"attempt {self.pk} is {self.state}, not in progress")
        self.state = AttemptState.SUBMITTED
        self.submitted_at = now
        self.finished_at = min(now, self.deadline) if self.deadline else now
        self.submitted_by = by

    def submitter(self, now: dt.datetime, *, timer_says_so: bool) -> SubmittedBy:
        """Return who a submit from the exam page at `now` counts as.

        The timer's, once the deadline has passed, or when the page says its timer ran out within
        TIMER_TOLERANCE of the deadline; otherwise the student's.
        """
        if self.deadline is None:
            return SubmittedBy.STUDENT
        if now > self.deadline or (timer_says_so and now >= self.deadline - TIMER_TOLERANCE):
            return SubmittedBy.TIMER
        return SubmittedBy.STUDENT

    @property
    def submitted_by_timer(self) -> bool:
        return self.submitted_by in (SubmittedBy.TIMER, SubmittedBy.SWEEPER)

    def item_score(self, position: int) -> float | None:
        """Return the points earned on the item at position (1 to item_count), None before grading."""
        if self.item_scores is None:
            return None
        return float(self.item_scores[position - 1])

    def remaining_seconds(self, now: dt.datetime) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))


class AttemptItem(models.Model):
    """An item as the student saw it: a frozen snapshot of the question at the time of the draw."""

    # No index of its own: the unique (attempt, position) index serves lookups by attempt.
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items", db_index=False)
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    question_revision = models.PositiveIntegerField()
    domain = models.ForeignKey(ExamDomain, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(help_text="Stem, options in display order, key, explanation and rationales.")
    flagged = models.BooleanField(default=False)
    checked = models.BooleanField(
        default=False, help_text="Practice mode: the student asked for feedback; the answer is final."
    )

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_position_unique"),
            models.UniqueConstraint(fields=["attempt", "question"], name="attempt_item_question_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"

    @property
    def score(self) -> float | None:
        """Points earned, 0 to 1, once graded (kept on the attempt: Attempt.item_scores)."""
        return self.attempt.item_score(self.position)

    @property
    def option_ids(self) -> list[OptionId]:
        return [option["id"] for option in self.snapshot["options"]]

    @property
    def key(self) -> set[OptionId]:
        if "key" in self.snapshot:  # ordering and matching: placements (scoring.placement)
            return set(self.snapshot["key"])
        return {option["id"] for option in self.snapshot["options"] if option["is_correct"]}

    @property
    def choose(self) -> int:
        return int(self.snapshot["choose"])

    @property
    def is_placement(self) -> bool:
        """Whether the item is answered by placing each option at a target (ordering, matching)."""
        return "targets" in self.snapshot

    def public_snapshot(self) -> dict[str, Any]:
        """Return what may be shown before the answer is final: no key, rationale or explanation."""
        public = {
            "qtype": self.snapshot["qtype"],
            "choose": self.snapshot["choose"],
            "stem_html": self.snapshot["stem_html"],
            "options": [{"id": o["id"], "text_html": o["text_html"]} for o in self.snapshot["options"]],
            "case_study": self.case_study,
        }
        if self.is_placement:
            public["targets"] = [
                {"id": t["id"], "text_html": t["text_html"]} for t in self.snapshot["targets"]
            ]
        return public

    def placement_problem(self, selected: list[str]) -> str | None:
        """Return why selected (distinct placement tokens) cannot answer this item, or None if it can.

        Each step or prompt is placed at most once, at one of the item's targets; an ordering puts
        at most one step at each position. A partial answer is an answer.
        """
        options = set(map(str, self.option_ids))
        targets = {str(t["id"]) for t in self.snapshot["targets"]}
        placed = [split_placement(token) for token in selected]
        for token, (option_id, target_id) in zip(selected, placed, strict=True):
            if option_id not in options or target_id not in targets:
                return f'{token} is not a placement of item {self.position} (send "<option id>@<target id>").'
        if len({option_id for option_id, _ in placed}) != len(placed):
            return f"Item {self.position} places an option twice: place each one once."
        if self.snapshot["qtype"] == "ordering" and len({t for _, t in placed}) != len(placed):
            return f"Item {self.position} puts two steps at one position."
        return None

    def placement_rows(
        self, selected: frozenset[OptionId], *, key_order: bool = False
    ) -> list[dict[str, Any]]:
        """Return each step or prompt with the target chosen and the right one (result pages).

        key_order: an ordering's steps in the right order (only where the key may be shown).
        """
        label = {str(t["id"]): t["text_html"] for t in self.snapshot["targets"]}
        chosen = dict(split_placement(token) for token in selected)
        right = dict(split_placement(token) for token in self.key)
        rows = []
        for option in self.snapshot["options"]:
            mine, key = chosen.get(str(option["id"]), ""), right.get(str(option["id"]), "")
            rows.append(
                {
                    "option": option,
                    "chosen_html": label.get(mine, ""),
                    "correct_html": label.get(key, ""),
                    "correct_target": key,
                    "right": bool(mine) and mine == key,
                }
            )
        if key_order and self.snapshot["qtype"] == "ordering":
            rows.sort(key=lambda row: int(row["correct_target"] or 0))
        return rows

    @property
    def case_study(self) -> dict[str, str] | None:
        """Return the frozen case study shown with the item (name, title, scenario_html), if any."""
        return self.snapshot.get("case_study")


class Answer(models.Model):
    """The student's current selection for an item; a newer client sequence number always wins."""

    item = models.OneToOneField(AttemptItem, on_delete=models.CASCADE, related_name="answer")
    selected = models.JSONField(default=list)
    client_seq = models.PositiveBigIntegerField(default=0)
    saved_at = models.DateTimeField()
    time_ms = models.PositiveIntegerField(
        default=0,
        help_text="Milliseconds the student spent on the item, summed over the saves that reported it "
        "(0: never reported).",
    )

    # One save reports at most this much time (a tab left open over lunch is not time on the item),
    # and an answer sums to at most the longest exam.
    SAVE_TIME_MAX_MS = 10 * 60 * 1000
    TIME_MAX_MS = 6 * 60 * 60 * 1000

    def __str__(self) -> str:
        return f"{self.item}: {self.selected}"

    @classmethod
    def bounded_save_time(cls, spent_ms: int) -> int:
        """Return what one save may add to time_ms: spent_ms, within 0 and SAVE_TIME_MAX_MS."""
        return max(0, min(spent_ms, cls.SAVE_TIME_MAX_MS))


class DomainResult(models.Model):
    """How an attempt did in one exam domain."""

    # No index of its own: the unique (attempt, domain) index serves lookups by attempt.
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="domain_results", db_index=False
    )
    domain = models.ForeignKey(ExamDomain, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    total = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["attempt", "domain__position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "domain"], name="domain_result_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.domain.name}: {self.score}/{self.total}"

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.total, 1) if self.total else 0.0


class GradeChange(models.Model):
    """A regrade that changed an attempt's result, and why."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="grade_changes")
    old_score_percent = models.FloatField()
    new_score_percent = models.FloatField()
    old_passed = models.BooleanField(null=True)
    new_passed = models.BooleanField(null=True)
    reason = models.TextField()
    changed_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.old_score_percent} -> {self.new_score_percent}"
