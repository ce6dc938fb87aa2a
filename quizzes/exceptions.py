"""Domain errors of the quizzes app. Each reads as a fact and carries a message fit for the user.

`status` and `code` are what the API answers with (core.errors.DomainError, core.api.errors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.errors import DomainError

if TYPE_CHECKING:
    from .importers.report import ImportReport


class QuizzesError(DomainError):
    """A request the quizzes domain refuses."""


class ExamNotAvailable(QuizzesError):
    """The exam cannot be started (retired path, unpublished exam, no items)."""

    status = 409
    code = "exam_not_available"


class AttemptLimitReached(QuizzesError):
    status = 409
    code = "attempt_limit_reached"


class OpenAttemptLimitReached(QuizzesError):
    """The student has as many attempts open as they may (OPEN_ATTEMPTS_PER_STUDENT)."""

    status = 409
    code = "open_attempt_limit_reached"


class PracticeSetLimitReached(QuizzesError):
    """The student made as many practice sets in 24 hours as they may (PRACTICE_SETS_PER_DAY)."""

    status = 429
    code = "practice_set_limit_reached"


class CooldownActive(QuizzesError):
    status = 409
    code = "cooldown_active"


class BankTooSmall(QuizzesError):
    """The bank cannot supply the blueprint's share of some domain."""

    status = 409
    code = "bank_too_small"


class AttemptNotFound(QuizzesError):
    status = 404
    code = "not_found"


class AttemptClosed(QuizzesError):
    """The attempt was submitted or its time is up: nothing more is stored."""

    status = 409
    code = "attempt_closed"


class InvalidAnswer(QuizzesError):
    status = 400
    code = "invalid_answer"


# --- Question import (quizzes.importing) ---------------------------------------------------------


class ImportRejected(QuizzesError):
    """Items of the file are malformed or break an invariant, so nothing was imported.

    `report` lists each rejected item with its line and the reason.
    """

    status = 400
    code = "import_rejected"

    def __init__(self, report: ImportReport, message: str = "") -> None:
        super().__init__(message or f"{len(report.rejected)} item(s) rejected, nothing was imported")
        self.report = report


class DomainMapInvalid(QuizzesError):
    """The domain map file is not a mapping of category to exam domain of the bank's path."""

    status = 400
    code = "domain_map_invalid"


class UnknownDomain(QuizzesError):
    """The default domain given for an import is not an exam domain of the bank's path."""

    status = 400
    code = "unknown_domain"


# --- Spaced review (quizzes.services.reviews) -----------------------------------------------------


class ReviewNotFound(QuizzesError):
    status = 404
    code = "not_found"


class ReviewNotDue(QuizzesError):
    """The card was reviewed already and is not due again yet."""

    status = 409
    code = "review_not_due"


# --- Problem reports and retakes (quizzes.services.reports, quizzes.services.retakes) ------------


class ItemNotReportable(QuizzesError):
    """The student has not seen the item's answer yet: not checked in practice, attempt not graded."""

    status = 409
    code = "item_not_reportable"


class ReportAlreadyOpen(QuizzesError):
    """The student has an open report on this revision of the question already."""

    status = 409
    code = "report_already_open"


class ReportLimitReached(QuizzesError):
    """The student reported as many items of this attempt as they may (REPORTS_PER_ATTEMPT)."""

    status = 429
    code = "report_limit_reached"


class NothingToRetake(QuizzesError):
    """The attempt is not graded, shows the score only, or has no missed item still in use."""

    status = 409
    code = "nothing_to_retake"
