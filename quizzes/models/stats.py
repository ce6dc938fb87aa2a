"""Item analysis: how each question revision performed in graded attempts (quizzes.item_stats)."""

from __future__ import annotations

from django.db import models

from .banks import Question


class ItemStats(models.Model):
    """Classical item statistics of one question revision, over every graded attempt that saw it.

    Computed in the database by quizzes.item_stats.compute_item_stats, for the revisions that
    attempts graded or regraded since the last run touched.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="item_stats")
    revision = models.PositiveIntegerField()
    responses = models.PositiveIntegerField(help_text="Graded attempts that presented this revision.")
    answered = models.PositiveIntegerField(help_text="Of those, how many selected something.")
    difficulty = models.FloatField(help_text="p: the mean item score (0-1); higher is easier.")
    discrimination = models.FloatField(
        null=True,
        help_text="Point-biserial: correlation of the item score with the rest of the attempt's score.",
    )
    option_counts = models.JSONField(default=dict, help_text="{choice id: times selected}.")
    median_time_ms = models.FloatField(
        null=True,
        help_text="Median milliseconds on the item over the answers that reported a time (none: no data).",
    )
    dubious = models.BooleanField(default=False)
    dubious_reason = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "item stats"
        ordering = ["question", "-revision"]
        constraints = [models.UniqueConstraint(fields=["question", "revision"], name="item_stats_once")]

    def __str__(self) -> str:
        return f"{self.question_id} r{self.revision}: p={self.difficulty:.2f}"


class ItemStatsRun(models.Model):
    """One run of the item analysis: the next run recomputes what was graded after `started_at`."""

    started_at = models.DateTimeField()
    revisions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"item analysis at {self.started_at:%Y-%m-%d %H:%M}: {self.revisions} revisions"
