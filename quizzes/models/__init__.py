"""Question banks and questions (authoring), exams and attempts (delivery and grading)."""

from .attempts import Answer, Attempt, AttemptItem, AttemptState, DomainResult, GradeChange, SubmittedBy
from .banks import CaseStudy, Choice, Difficulty, Question, QuestionBank, QuestionStatus, QuestionType, Tag
from .certificates import Certificate
from .exams import Exam, ExamKind, ExamMode, ReviewPolicy
from .imports import ImportStatus, QuestionImport
from .reports import QuestionReport, ReportReason, ReportStatus
from .reviews import ReviewCard, ReviewLog
from .stats import ItemStats, ItemStatsRun

__all__ = [
    "Answer",
    "Attempt",
    "AttemptItem",
    "AttemptState",
    "CaseStudy",
    "Certificate",
    "Choice",
    "Difficulty",
    "DomainResult",
    "Exam",
    "ExamKind",
    "ExamMode",
    "GradeChange",
    "ImportStatus",
    "ItemStats",
    "ItemStatsRun",
    "Question",
    "QuestionBank",
    "QuestionImport",
    "QuestionReport",
    "QuestionStatus",
    "QuestionType",
    "ReportReason",
    "ReportStatus",
    "ReviewCard",
    "ReviewLog",
    "ReviewPolicy",
    "SubmittedBy",
    "Tag",
]
