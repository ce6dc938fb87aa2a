"""Problem reports: a student reports an item they saw; its instructors resolve the report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from ..exceptions import AttemptNotFound, ItemNotReportable, ReportAlreadyOpen, ReportLimitReached
from ..models import Attempt, AttemptState, QuestionReport, ReportStatus
from ..models.reports import REPORTS_PER_ATTEMPT

_ALREADY_OPEN = "You have already reported this question; its instructors have not resolved it yet."


def report_problem(
    *, attempt_id: int, position: int, student: Any, reason: str, details: str, now: dt.datetime
) -> QuestionReport:
    """Record the student's report on the item at position of their attempt.

    The student must have seen the item's answer: the attempt is graded, or the item was checked
    in practice mode. Holds the attempt's row lock while counting, so REPORTS_PER_ATTEMPT holds
    under concurrent posts. Raises AttemptNotFound (not theirs, or no such item),
    ItemNotReportable, ReportLimitReached or ReportAlreadyOpen.
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id, student_id=student.pk).first()
        item = attempt.items.filter(position=position).first() if attempt else None
        if attempt is None or item is None:
            raise AttemptNotFound("No such item.")
        if attempt.state != AttemptState.GRADED and not item.checked:
            raise ItemNotReportable(
                "You can report an item once you have seen its answer: check it, or submit the exam."
            )
        reports = QuestionReport.objects.filter(item__attempt=attempt)
        if reports.count() >= REPORTS_PER_ATTEMPT:
            raise ReportLimitReached(
                f"You have reported {REPORTS_PER_ATTEMPT} items of this attempt, "
                "the most allowed from one attempt."
            )
        try:
            with transaction.atomic():
                return QuestionReport.objects.create(
                    question_id=item.question_id,
                    question_revision=item.question_revision,
                    item=item,
                    reporter=student,
                    reason=reason,
                    details=details.strip(),
                    created_at=now,
                )
        except IntegrityError:
            raise ReportAlreadyOpen(_ALREADY_OPEN) from None


def resolve_reports(*, reports: QuerySet[QuestionReport], by: Any, now: dt.datetime) -> int:
    """Mark the open reports among reports resolved by `by`; return how many were open."""
    return reports.filter(status=ReportStatus.OPEN).update(
        status=ReportStatus.RESOLVED, resolved_at=now, resolved_by=by, updated_at=now
    )
