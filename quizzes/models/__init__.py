"""Question banks and questions (authoring), exams and attempts (delivery and grading)."""

from .attempts import Answer, Attempt, AttemptItem, AttemptState, DomainResult, GradeChange
from .banks import Choice, Difficulty, Question, QuestionBank, QuestionStatus, QuestionType, Tag
from .certificates import Certificate
from .exams import Exam, ExamKind, ExamMode, ReviewPolicy
from .reviews import ReviewCard, ReviewLog

__all__ = [
    "Answer",
    "Attempt",
    "AttemptItem",
    "AttemptState",
    "Certificate",
    "Choice",
    "Difficulty",
    "DomainResult",
    "Exam",
    "ExamKind",
    "ExamMode",
    "GradeChange",
    "Question",
    "QuestionBank",
    "QuestionStatus",
    "QuestionType",
    "ReviewCard",
    "ReviewLog",
    "ReviewPolicy",
    "Tag",
]
