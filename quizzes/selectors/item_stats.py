"""Reads of item analysis (quizzes.item_stats computes it)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from ..models import ItemStats, Question, QuestionBank

STAT_FIELDS = ("responses", "difficulty", "discrimination", "median_time_ms", "dubious", "dubious_reason")


def with_current_stats(questions: QuerySet[Question]) -> QuerySet[Question]:
    """Annotate each question with its current revision's statistics: `stats_<field>` (None: no data)."""
    current = ItemStats.objects.filter(question=OuterRef("pk"), revision=OuterRef("revision"))
    return questions.annotate(
        **{f"stats_{field}": Subquery(current.values(field)[:1]) for field in STAT_FIELDS}
    )


def filter_by_analysis(questions: QuerySet[Question], verdict: str) -> QuerySet[Question]:
    """Keep the questions whose current revision is "dubious", "sound", or has no statistics ("none")."""
    current = ItemStats.objects.filter(question=OuterRef("pk"), revision=OuterRef("revision"))
    if verdict == "dubious":
        return questions.filter(Exists(current.filter(dubious=True)))
    if verdict == "sound":
        return questions.filter(Exists(current.filter(dubious=False)))
    if verdict == "none":
        return questions.filter(~Exists(current))
    return questions


def list_item_stats(*, bank: QuestionBank) -> QuerySet[ItemStats]:
    """Return the statistics of every revision of the bank's questions, newest revision first."""
    return (
        ItemStats.objects.filter(question__bank=bank)
        .select_related("question__domain")
        .order_by("question__name", "-revision")
    )
