"""Problem reports: a student tells a question's instructors that an item they saw looks wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q

from .attempts import AttemptItem
from .banks import Question

# How many problems a student may report from one attempt: enough for every real mistake in a
# practice set, too few to flood the instructors' list (the view also throttles per user).
REPORTS_PER_ATTEMPT = 10
REPORT_DETAILS_MAX_LENGTH = 2000


class ReportReason(models.TextChoices):
    WRONG_KEY = "wrong_key", "The answer marked correct is wrong"
    UNCLEAR = "unclear", "The question is unclear or ambiguous"
    OUTDATED = "outdated", "The content is outdated"
    TYPO = "typo", "Typo or formatting problem"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class QuestionReport(models.Model):
    """A student's report of a problem with the revision of a question they were shown."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    question_revision = models.PositiveIntegerField(help_text="The revision the student saw.")
    item = models.ForeignKey(
        AttemptItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    reporter = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="question_reports")
    reason = models.CharField(max_length=10, choices=ReportReason.choices)
    details = models.TextField(blank=True, max_length=REPORT_DETAILS_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    response = models.TextField(
        blank=True, help_text="Your answer to the student (they see it on their result page)."
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "question", "question_revision"],
                condition=Q(status="open"),
                name="one_open_report_per_student_and_revision",
                violation_error_message="You have already reported this question; it is still open.",
            )
        ]
        indexes = [models.Index(fields=["question", "status"], name="report_question_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.question} (revision {self.question_revision})"

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN

    def set_status(self, status: str, *, by: Any, now: dt.datetime) -> None:
        """Move to status, recording who resolved it and when (a reopened report forgets both)."""
        self.status = status
        resolved = status == ReportStatus.RESOLVED
        self.resolved_at = now if resolved else None
        self.resolved_by = by if resolved else None
