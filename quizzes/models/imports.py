"""A question import run in the background: the upload, its options, progress and report."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from .banks import QuestionBank


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Finished"
    REJECTED = "rejected", "Nothing imported: items were rejected"
    FAILED = "failed", "Failed"


class QuestionImport(models.Model):
    """One upload imported by a Celery task (quizzes.importing.run_import_job).

    The text is kept until the job ends, so a worker on another machine reads it from the
    database; the report is a summary (the first rejections and counts by reason).
    """

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="imports")
    requested_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    fmt = models.CharField("format", max_length=20)
    size = models.PositiveBigIntegerField(help_text="Bytes uploaded.")
    text = models.TextField(blank=True, help_text="The upload, until the job ends.")
    domain_map = models.JSONField(null=True, blank=True)
    default_domain = models.CharField(
        max_length=200, blank=True, help_text="The exam domain for questions that have no category."
    )
    dry_run = models.BooleanField(default=False)
    skip_invalid = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Questions in the file (once parsed).")
    done = models.PositiveIntegerField(default=0, help_text="Questions checked so far.")
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} into {self.bank} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("admin:quizzes_questionbank_import_job", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)
