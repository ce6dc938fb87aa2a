"""Question banks and questions (authoring), exams and attempts (delivery and grading)."""

from .attempts import Answer, Attempt, AttemptItem, AttemptState, DomainResult, GradeChange, SubmittedBy
from .banks import Choice, Difficulty, Question, QuestionBank, QuestionStatus, QuestionType, Tag
from .exams import Exam, ExamKind, ExamMode, ReviewPolicy

__all__ = [
    "Answer",
    "Attempt",
    "AttemptItem",
    "AttemptState",
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
    "ReviewPolicy",
    "SubmittedBy",
    "Tag",
]
