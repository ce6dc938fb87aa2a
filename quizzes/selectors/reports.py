"""Reads of problem reports: a student's on their attempt, the open ones of a question."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Question, QuestionReport, ReportStatus


def reports_by_position(*, attempt_id: int, student_id: int) -> dict[int, QuestionReport]:
    """Return the student's newest report on each item of their attempt, by item position (one query)."""
    reports = QuestionReport.objects.filter(item__attempt_id=attempt_id, reporter_id=student_id)
    newest: dict[int, QuestionReport] = {}
    for report in reports.select_related("item").order_by("created_at", "pk"):
        if report.item is not None:  # always, by the filter: this tells the type checker
            newest[report.item.position] = report
    return newest


def with_open_report_counts(questions: QuerySet[Question]) -> QuerySet[Question]:
    """Annotate each question with `open_reports`: how many of its reports are open."""
    open_reports = (
        QuestionReport.objects.filter(question=OuterRef("pk"), status=ReportStatus.OPEN)
        .order_by()
        .values("question")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return questions.annotate(open_reports=Coalesce(Subquery(open_reports, output_field=IntegerField()), 0))


def with_open_reports_only(questions: QuerySet[Question]) -> QuerySet[Question]:
    """Keep the questions with at least one open report."""
    return questions.filter(
        Exists(QuestionReport.objects.filter(question=OuterRef("pk"), status=ReportStatus.OPEN))
    )


def list_reports(reports: QuerySet[QuestionReport]) -> QuerySet[QuestionReport]:
    """Return reports joined with what a list of them shows: question, bank, reporter, the attempt."""
    return reports.select_related("question__bank", "reporter", "resolved_by", "item")
