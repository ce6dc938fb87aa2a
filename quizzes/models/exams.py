"""Exams: how items are drawn from a path's banks, timed, scored and reviewed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.access import is_staff
from courses.models import CertificationPath, ExamDomain


class ExamKind(models.TextChoices):
    FULL = "full", "Full-length (the real exam's length, time and pass mark)"
    PRACTICE = "practice", "Practice set (chosen domains and length)"


class ExamMode(models.TextChoices):
    EXAM = "exam", "Exam: feedback only after submitting"
    PRACTICE = "practice", "Practice: feedback after each answer"


class ReviewPolicy(models.TextChoices):
    FULL = "full", "After submitting: answers, key, explanations and rationales"
    ANSWERS_ONLY = "answers", "After submitting: which items were right or wrong, no key"
    SCORE_ONLY = "score", "Score and domain breakdown only"


# A student's own practice set: the one home of its limits (the form, the API and the service use them).
PRACTICE_MAX_ITEMS = 200
PRACTICE_MAX_MINUTES = 600


def practice_set_problem(*, item_count: int, minutes: int | None) -> str | None:
    """Return what is wrong with a practice set of this size and time limit, or None if nothing is."""
    if not 1 <= item_count <= PRACTICE_MAX_ITEMS:
        return f"A practice set has between 1 and {PRACTICE_MAX_ITEMS} items."
    if minutes is not None and not 1 <= minutes <= PRACTICE_MAX_MINUTES:
        return f"A practice set's time limit lies between 1 and {PRACTICE_MAX_MINUTES} minutes."
    return None


def full_exam_cut_percent(path: CertificationPath) -> int:
    """Return the raw percent that counts as the pass mark for a full-length form of path.

    Scaled exams: the pass mark's share of the scale's top (700/1000 -> 70%); percent exams:
    the published mark; exams without a published standard: 70%.
    """
    if path.pass_mark is None:
        return 70
    if path.score_scale == "scaled" and path.score_max:
        return round(100 * path.pass_mark / path.score_max)
    return path.pass_mark


def full_exam_item_count(path: CertificationPath) -> int:
    """Return how many items a full-length form of path has (50 when the vendor publishes none)."""
    return path.item_count or path.item_count_max or path.item_count_min or 50


class ExamQuerySet(models.QuerySet["Exam"]):
    def available_to(self, user: Any) -> ExamQuerySet:
        """Return the exams user may take: published shared exams and their own practice sets.

        Shared means no owner, or made by staff in the admin (instructors hold `is_staff` to enter
        the admin, so a practice set of theirs stays theirs).
        """
        available = Q(owner__isnull=True) | Q(owner__is_superuser=True)
        if user.is_authenticated:
            available |= Q(owner_id=user.pk)
        return self.filter(available, is_published=True)

    def visible_to(self, user: Any) -> ExamQuerySet:
        """Return the exams user may look at: those available to them (staff: every exam)."""
        return self if is_staff(user) else self.available_to(user)


class Exam(models.Model):
    """A way to sit a path's exam: a full-length form or a custom practice set."""

    path = models.ForeignKey(CertificationPath, on_delete=models.PROTECT, related_name="exams")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ExamKind.choices, default=ExamKind.FULL)
    mode = models.CharField(max_length=10, choices=ExamMode.choices, default=ExamMode.EXAM)
    item_count = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty for an untimed exam.")
    domains = models.ManyToManyField(
        ExamDomain, blank=True, related_name="exams", help_text="Empty means every domain of the path."
    )
    pass_percent = models.PositiveSmallIntegerField(
        default=70, help_text="Raw percent correct needed to pass (mapped to the path's pass mark)."
    )
    partial_credit = models.BooleanField(
        default=False, help_text="Multiple-response items earn a share for each right option picked."
    )
    review_policy = models.CharField(max_length=10, choices=ReviewPolicy.choices, default=ReviewPolicy.FULL)
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    cooldown_minutes = models.PositiveIntegerField(
        default=0, help_text="Wait after an attempt before another."
    )
    owner = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExamQuerySet.as_manager()

    class Meta:
        ordering = ["path", "kind", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exam-detail", kwargs={"pk": self.pk})

    def is_available_to(self, user: Any) -> bool:
        """Return whether user may take this exam (ExamQuerySet.available_to, for one exam)."""
        if not self.is_published:
            return False
        return self.owner is None or self.owner.is_superuser or self.owner_id == user.pk

    @property
    def is_timed(self) -> bool:
        return self.minutes is not None

    def clean(self) -> None:
        if not self.item_count:
            raise ValidationError({"item_count": "An exam needs at least one item."})
        if not 1 <= self.pass_percent <= 100:
            raise ValidationError({"pass_percent": "The pass percent lies between 1 and 100."})
        if self.kind == ExamKind.FULL and self.path_id and not self.path.has_single_exam:
            raise ValidationError(
                {"kind": f"{self.path.code} has no single proctored exam: offer practice sets instead."}
            )
